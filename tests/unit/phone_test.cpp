#include "directory/phone.hpp"

#include <gtest/gtest.h>

using orgcast::phone::normalise_indian_mobile;

namespace {

struct Case {
  const char* input;
  std::uint64_t expected;  // 0: rejected
  const char* why_contains;
};

const Case kCases[] = {
    {"9829012345", 919829012345, ""},
    {"98290 12345", 919829012345, ""},
    {"098290-12345", 919829012345, ""},
    {"+91 98290 12345", 919829012345, ""},
    {"+91-98290-12345", 919829012345, ""},
    {"0091 9829012345", 919829012345, ""},
    {"919829012345", 919829012345, ""},
    {"(+91) 6000000001", 916000000001, ""},
    {"7.0000.00000", 917000000000, ""},
    {"0141-2223344", 0, "starts with 6, 7, 8 or 9"},   // Jaipur landline
    {"01412223344", 0, "starts with 6, 7, 8 or 9"},
    {"5829012345", 0, "starts with 6, 7, 8 or 9"},
    {"982901234", 0, "10 digits"},
    {"98290123456", 0, "10 digits"},
    {"+1 415 555 0100", 0, "not an Indian number"},
    {"", 0, "empty"},
    {"98290x12345", 0, "unexpected character"},
    {"++919829012345", 0, "unexpected character"},
};

TEST(Phone, NormalisesWhatPeopleType) {
  for (const auto& c : kCases) {
    std::string why;
    auto got = normalise_indian_mobile(c.input, &why);
    if (c.expected) {
      ASSERT_TRUE(got.has_value()) << c.input << ": " << why;
      EXPECT_EQ(*got, c.expected) << c.input;
    } else {
      EXPECT_FALSE(got.has_value()) << c.input;
      EXPECT_NE(why.find(c.why_contains), std::string::npos) << c.input << ": " << why;
    }
  }
}

TEST(Phone, FormatsE164) { EXPECT_EQ(orgcast::phone::to_e164(919829012345), "+919829012345"); }

}  // namespace
