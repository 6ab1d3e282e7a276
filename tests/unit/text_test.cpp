// Small text helpers every error message uses: input quoted back is
// bounded and always valid UTF-8, whatever bytes were sent.
#include <gtest/gtest.h>

#include "core/text.hpp"

using namespace orgcast;

TEST(Text, QuotedInputIsBoundedAndValidUtf8) {
  EXPECT_EQ(quoted_input("limit"), "\"limit\"");
  EXPECT_EQ(quoted_input("\xff\xfe" "x"), "\"\xEF\xBF\xBD\xEF\xBF\xBDx\"") << "invalid bytes shown as U+FFFD";
  EXPECT_EQ(quoted_input("\xE0\xA4"), "\"\xEF\xBF\xBD\xEF\xBF\xBD\"") << "a cut-off sequence too";
  const std::string hindi = "हाँहाँहाँ";  // 9 characters, 27 bytes
  EXPECT_EQ(quoted_input(hindi, 4), "\"हाँह\u2026\"") << "cut at a character, never inside one";
  EXPECT_TRUE(valid_utf8(quoted_input(std::string(5000, 'a') + "\xE0\xA4")));
  EXPECT_EQ(characters(quoted_input(std::string(5000, 'a'))), 203u) << "200 characters, an ellipsis and the quotes";
}
