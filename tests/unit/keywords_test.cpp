// The keyword engine read against real-world replies: the rows pinned by
// the product (docs/REPLIES.md) and more — mixed case, extra words,
// punctuation, Devanagari with and without nukta or chandrabindu, Hinglish
// spellings, emoji, Devanagari digits.
#include <gtest/gtest.h>

#include "keywords/engine.hpp"
#include "keywords/normalise.hpp"

using namespace orgcast::keywords;
using Intent = Reading::Intent;

namespace {

const Engine& engine() {
  static const Engine e(Vocabulary::shipped());
  return e;
}

struct Row {
  const char* reply;
  Intent intent;
  std::optional<unsigned> code = std::nullopt;
};

template <std::size_t N>
void expect_read_as(const Row (&rows)[N]) {
  for (const auto& row : rows) {
    auto r = engine().read(row.reply);
    EXPECT_EQ(name(r.intent), std::string(name(row.intent))) << row.reply;
    EXPECT_EQ(r.code, row.code) << row.reply;
  }
}

TEST(Keywords, PinnedRows) {
  const Row rows[] = {
      {"Haan ji aaunga", Intent::yes},
      {"हाँ जी, आऊँगा", Intent::yes},
      {"हां", Intent::yes},
      {"जी नहीं", Intent::no},
      {"Nahi aa paunga", Intent::no},
      {"YES 47", Intent::yes, 47},
      {"47 yes", Intent::yes, 47},
      {"Y47", Intent::yes, 47},
      {"Yes!!", Intent::yes},
      {"STOP", Intent::opt_out},
      {"yesterday was busy", Intent::none},
      {"REPORT 5 booth meetings today", Intent::report},
  };
  expect_read_as(rows);
}

TEST(Keywords, StopWithOtherWordsIsKeptForAPerson) {
  auto r = engine().read("STOP please");
  EXPECT_EQ(r.intent, Intent::none);
  EXPECT_TRUE(r.for_a_person);
  EXPECT_FALSE(engine().read("stop sending me this 47").intent == Intent::opt_out);
  EXPECT_FALSE(engine().read("yesterday was busy").for_a_person);
}

TEST(Keywords, StopAllAndStart) {
  auto all = engine().read("STOP ALL");
  EXPECT_EQ(all.intent, Intent::opt_out);
  EXPECT_TRUE(all.all_channels);
  EXPECT_FALSE(engine().read("stop").all_channels);
  auto hindi = engine().read("बंद सब");
  EXPECT_EQ(hindi.intent, Intent::opt_out);
  EXPECT_TRUE(hindi.all_channels);
  EXPECT_EQ(hindi.language, "hi");
  EXPECT_EQ(engine().read("Start").intent, Intent::opt_in);
  EXPECT_EQ(engine().read("शुरू").intent, Intent::opt_in);
  EXPECT_EQ(engine().read("UNSUBSCRIBE").intent, Intent::opt_out);
  auto joined = engine().read("STOPALL");
  EXPECT_EQ(joined.intent, Intent::opt_out);
  EXPECT_TRUE(joined.all_channels) << "the keyword and ALL written as one word";
  EXPECT_TRUE(engine().read("stopall please").for_a_person);
  EXPECT_EQ(engine().read("बंद").intent, Intent::opt_out);
}

TEST(Keywords, YesIsNeverAnOptIn) {
  for (const char* reply : {"YES", "Y", "हाँ", "haan"}) EXPECT_EQ(engine().read(reply).intent, Intent::yes) << reply;
  Vocabulary v = Vocabulary::shipped();
  v.languages["en"].aliases[Keyword::start].push_back("Yes");
  EXPECT_NE(v.check(), "") << "a word meaning two keywords is refused";
  EXPECT_EQ(Vocabulary::shipped().check(), "");
}

TEST(Keywords, ReportCarriesItsTextAsWritten) {
  auto r = engine().read("REPORT 5 booth meetings today");
  EXPECT_EQ(r.intent, Intent::report);
  EXPECT_EQ(r.text, "5 booth meetings today");
  EXPECT_EQ(engine().read("रिपोर्ट: आज 3 बूथ बैठकें हुईं").text, "आज 3 बूथ बैठकें हुईं");
  EXPECT_EQ(engine().read("rpt").text, "");
  EXPECT_EQ(engine().read("Rpt - all booths met").intent, Intent::report);
  EXPECT_EQ(engine().read("REPORT.5 booth meetings").text, "5 booth meetings");
  EXPECT_EQ(engine().read("👍 REPORT 5 booths").text, "5 booths");
  EXPECT_EQ(engine().read("जी रिपोर्ट - सब ठीक").text, "सब ठीक");
}

TEST(Keywords, RealWorldSpellings) {
  const Row rows[] = {
      {"yEs", Intent::yes},
      {"ＹＥＳ", Intent::yes},  // full-width, from some phone keyboards
      {"👍 yes", Intent::yes},
      {"Yes 👍🙏", Intent::yes},
      {"  yes   47  ", Intent::yes, 47},
      {"yes, 47", Intent::yes, 47},
      {"हाँ ४७", Intent::yes, 47},  // Devanagari digits
      {"४७ हां", Intent::yes, 47},
      {"Haanji", Intent::yes},
      {"han ji", Intent::yes},
      {"Ha", Intent::yes},
      {"जी हाँ", Intent::yes},
      {"Ji haan", Intent::yes},
      {"nahin", Intent::no},
      {"NHI", Intent::no},
      {"nahi 12", Intent::no, 12},
      {"N", Intent::no},
      {"नही आ पाऊंगा", Intent::no},
      {"ना", Intent::no},
      {"No.", Intent::no},
      {"HELP", Intent::help},
      {"मदद", Intent::help},
      {"", Intent::none},
      {"!!!", Intent::none},
      {"जी", Intent::none},
      {"47", Intent::none},
      {"ok", Intent::none},
      {"Nothing today", Intent::none},
      {"Hanuman mandir meeting", Intent::none},
  };
  expect_read_as(rows);
}

TEST(Keywords, NormalFormDropsNuktaPunctuationAndInvisibles) {
  EXPECT_EQ(normalise("ज़िला"), normalise("जिला"));            // nukta dropped
  EXPECT_EQ(normalise("\xE0\xA5\x9B"), normalise("ज"));          // precomposed ज़ (U+095B)
  EXPECT_NE(normalise("हाँ"), normalise("हां"));                 // chandrabindu and anusvara stay apart
  EXPECT_EQ(normalise("Yes!!  Haan,,ji"), "yes haan ji");
  EXPECT_EQ(normalise("ha\xE2\x80\x8D" "an"), "haan");              // a zero-width joiner
  EXPECT_EQ(normalise("yes\xFF\xFEno"), "yes no");                // invalid UTF-8 is a space
  EXPECT_EQ(normalise("४७"), "47");
}

}  // namespace
