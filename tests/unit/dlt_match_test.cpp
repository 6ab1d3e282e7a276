// DLT scrubbing checks, one row per case.
#include "sms/dlt_match.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

using namespace orgcast::sms;

namespace {

TEST(DltMatch, ParsesPlaceholders) {
  auto t = parse_dlt("Dear {#var#}, meeting at {#var#} on {#var#}. -BJP RJ");
  EXPECT_EQ(t.variables(), 3u);
  EXPECT_EQ(t.statics.front(), "Dear ");
  EXPECT_EQ(t.statics.back(), ". -BJP RJ");
  EXPECT_EQ(parse_dlt("No variables here").variables(), 0u);
  EXPECT_EQ(parse_dlt("{#var#}").statics, (std::vector<std::string>{"", ""}));
}

TEST(DltMatch, Table) {
  const auto summons = parse_dlt("प्रिय {#var#} जी, {#var#} की बैठक {#var#} को {#var#} में होगी। -भाजपा");
  struct Row {
    const char* what;
    std::string rendered;
    const char* error;  // "" when it passes, else a part of the message
  } rows[] = {
      {"every variable filled", "प्रिय रमेश शर्मा जी, जिला कार्यकारिणी की बैठक 23 नवंबर 10 बजे को जिला कार्यालय, अजमेर में होगी। -भाजपा", ""},
      {"a variable may contain a static part's text", "प्रिय रमेश जी, बैठक की बैठक कल को कार्यालय में होगी। -भाजपा", ""},
      {"30 characters is the most", "प्रिय " + std::string(30, 'a') + " जी, x की बैठक y को z में होगी। -भाजपा", ""},
      {"31 characters is too many", "प्रिय " + std::string(31, 'a') + " जी, x की बैठक y को z में होगी। -भाजपा",
       "variable 1 is 31 characters"},
      {"Devanagari counts by character, not byte", "प्रिय " + std::string("रमेशरमेशरमेशरमेशरमेशरमेशरमेश") + " जी, x की बैठक y को z में होगी। -भाजपा", ""},
      {"static text changed", "प्रिय रमेश जी, x की मीटिंग y को z में होगी। -भाजपा", "\" की बैठक \" (after variable 2)"},
      {"sender tag missing", "प्रिय रमेश जी, x की बैठक y को z में होगी।", "(after variable 4)"},
      {"wrong beginning", "नमस्ते रमेश जी, x की बैठक y को z में होगी। -भाजपा", "does not begin"},
  };
  for (const auto& row : rows) {
    SCOPED_TRACE(row.what);
    auto error = check_dlt(summons, row.rendered);
    if (std::string(row.error).empty()) EXPECT_EQ(error, "");
    else EXPECT_THAT(error, ::testing::HasSubstr(row.error));
  }
  EXPECT_EQ(check_dlt(parse_dlt("Fixed text"), "Fixed text"), "");
  EXPECT_NE(check_dlt(parse_dlt("Fixed text"), "Fixed text!"), "");
}

}  // namespace
