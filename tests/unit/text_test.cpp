// Small text helpers every error message uses: input quoted back is
// bounded and always valid UTF-8, whatever bytes were sent.
#include <gtest/gtest.h>

#include "core/json_text.hpp"
#include "core/text.hpp"
#include "core/utc_time.hpp"

#include <boost/json.hpp>

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

// RFC 3629 UTF-8 only: an overlong form, a surrogate or a code point past
// U+10FFFF is named by its offset, as a body or a CSV field is refused.
TEST(Text, InvalidUtf8IsFoundAtItsFirstByte) {
  EXPECT_EQ(invalid_utf8_at("plain, हिंदी"), std::string_view::npos);
  EXPECT_EQ(invalid_utf8_at("ab\xff"), 2u);
  EXPECT_EQ(invalid_utf8_at("a\xC0\xAF"), 1u) << "overlong '/'";
  EXPECT_EQ(invalid_utf8_at("\xE0\x80\xAF"), 0u) << "overlong, three bytes";
  EXPECT_EQ(invalid_utf8_at("x\xED\xA0\x80"), 1u) << "a UTF-16 surrogate";
  EXPECT_EQ(invalid_utf8_at("\xF4\x90\x80\x80"), 0u) << "past U+10FFFF";
  EXPECT_EQ(invalid_utf8_at("\xF0\x9F\x99\x8F"), std::string_view::npos) << "an emoji";
  EXPECT_EQ(invalid_utf8_at("ok\xE0\xA4"), 2u) << "cut off";
  EXPECT_FALSE(valid_utf8("\xC1\xBF"));
}

// Decimals as decimals: a client or a spreadsheet reads 0.13, not 1.3E-1.
TEST(JsonText, DecimalsHaveNoExponentAndTheRestIsAsSerialized) {
  const auto v = boost::json::parse(R"({"rate": 0.13, "ms": 1.5e-4, "big": 12345678.25, "n": 3, "neg": -2.5, "whole": 2.0,
                                        "s": "हिंदी \"q\"", "a": [true, null, 1e-9], "o": {}})");
  EXPECT_EQ(json_text(v), R"({"rate":0.13,"ms":0.00015,"big":12345678.25,"n":3,"neg":-2.5,"whole":2,"s":"हिंदी \"q\"","a":[true,null,0],"o":{}})");
  EXPECT_EQ(boost::json::parse(json_text(v)).at("rate").as_double(), 0.13) << "still JSON";
}

TEST(ProviderTime, EachProvidersFormIsReadAsRfc3339) {
  EXPECT_EQ(orgcast::provider_time_as_rfc3339("1795804961"), "2026-11-27T18:42:41Z") << "WhatsApp: Unix seconds";
  EXPECT_EQ(orgcast::provider_time_as_rfc3339("1795804961500"), "2026-11-27T18:42:41Z") << "milliseconds";
  EXPECT_EQ(orgcast::provider_time_as_rfc3339("2026-11-27 10:00"), "2026-11-27T10:00:00Z") << "Kannel's %t";
  EXPECT_EQ(orgcast::provider_time_as_rfc3339("2026-11-27 10:00:05"), "2026-11-27T10:00:05Z");
  EXPECT_EQ(orgcast::provider_time_as_rfc3339("2026-11-27T15:30:00+05:30"), "2026-11-27T10:00:00Z");
  EXPECT_EQ(orgcast::provider_time_as_rfc3339(""), "");
  EXPECT_EQ(orgcast::provider_time_as_rfc3339("yesterday"), "");
  EXPECT_EQ(orgcast::provider_time_as_rfc3339("12345"), "");
}

TEST(Text, ANameIsOneLineOfPlainText) {
  for (const char* fine : {"Nightly reminders", "जयपुर ज़िला", "a", "Phase 2 poll, 48-hour silence"}) EXPECT_EQ(name_problem(fine, 100), "") << fine;
  EXPECT_NE(name_problem("", 100).find("1 to 100"), std::string::npos);
  EXPECT_NE(name_problem("   ", 100).find("not blank"), std::string::npos);
  EXPECT_NE(name_problem(std::string(101, 'x'), 100).find("1 to 100"), std::string::npos);
  for (const std::string bad : {std::string("a\nb"), std::string("a\x1b[31mred"), std::string("a\0b", 3), std::string("a\x7f"), std::string("a\xc2\x85" "b")})
    EXPECT_NE(name_problem(bad, 100).find("control character"), std::string::npos) << bad;
  for (const char* bad : {"\xe2\x80\xae" "evil", "x\xe2\x81\xa6" "y", "a\xe2\x80\x8f" "b", "a\xd8\x9c" "b"})
    EXPECT_NE(name_problem(bad, 100).find("text-direction"), std::string::npos) << bad;
  EXPECT_NE(name_problem("a\xe2\x80\xa8" "b", 100).find("control character"), std::string::npos) << "a line separator";
  EXPECT_NE(name_problem("\xc2\xa0\xe2\x80\x8b \xe3\x80\x80", 100).find("not blank"), std::string::npos) << "no-break, zero-width and ideographic spaces";
}
