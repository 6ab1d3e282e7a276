// A key given twice within one JSON object is found in the text (Boost.JSON
// would keep the last silently), also when one of them is escaped.
#include <gtest/gtest.h>

#include "core/json_repeated_key.hpp"

namespace {

using orgcast::repeated_key;

TEST(JsonRepeatedKey, FindsTheSecondOfAKeyInOneObject) {
  const std::string body = R"({"audience": {"units": ["D1"]}, "template": "t", "audience": {}})";
  const auto found = repeated_key(body);
  EXPECT_EQ(found.key, "audience");
  EXPECT_EQ(found.offset, body.rfind("\"audience\""));
  EXPECT_EQ(repeated_key(R"({"a": 1, "\u0061": 2})").key, "a") << "the same key after unescaping";
  EXPECT_EQ(repeated_key(R"({"a": {"b": 1, "b": 2}})").key, "b") << "in an inner object";
}

TEST(JsonRepeatedKey, TheSameKeyInOtherObjectsOrAsAValueIsFine) {
  for (const char* fine : {R"({"a": {"a": 1}, "b": [{"a": 1}, {"a": 2}]})", R"({"a": "a", "b": ["a", "a"]})", R"(["a", "a"])",
                           R"({"a\"": 1, "a": 2})", R"({"x": "}{\"", "y": 1, "z": {"x": 1}})", "{}", "1"})
    EXPECT_EQ(repeated_key(fine).offset, std::string_view::npos) << fine;
}

}  // namespace
