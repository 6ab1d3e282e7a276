// SMS encoding and segments, table-driven from the 3GPP TS 23.038 alphabet
// and real Hindi messages.
#include "sms/segments.hpp"

#include <gtest/gtest.h>

#include <string>

using namespace orgcast::sms;

namespace {

std::string repeat(const std::string& s, int n) {
  std::string out;
  for (int i = 0; i < n; ++i) out += s;
  return out;
}

struct Case {
  const char* what;
  std::string text;
  Encoding encoding;
  std::size_t units;
  std::vector<std::size_t> part_units;  // units of each segment
};

TEST(SmsSegments, Table) {
  const std::string every_default =
      "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿"
      "abcdefghijklmnopqrstuvwxyzäöñüà";
  const std::vector<Case> cases = {
      {"empty", "", Encoding::gsm7, 0, {0}},
      {"plain ASCII", "Meeting at 10", Encoding::gsm7, 13, {13}},
      {"the whole default alphabet (127 characters, one septet each)", every_default, Encoding::gsm7, 127, {127}},
      {"extension characters take two septets", "^{}\\[~]|€\f", Encoding::gsm7, 20, {20}},
      {"160 septets: one SMS", repeat("a", 160), Encoding::gsm7, 160, {160}},
      {"161 septets: two segments of 153 and 8", repeat("a", 161), Encoding::gsm7, 161, {153, 8}},
      {"80 euro signs: 160 septets, one SMS", repeat("€", 80), Encoding::gsm7, 160, {160}},
      {"an escape pair is never split: 152 + 10", repeat("€", 81), Encoding::gsm7, 162, {152, 10}},
      {"a backtick is not GSM-7", "`", Encoding::ucs2, 1, {1}},
      {"one Devanagari letter makes it all UCS-2", "Meeting बैठक", Encoding::ucs2, 12, {12}},
      {"Hindi: a short summons", "बैठक कल 10 बजे", Encoding::ucs2, 14, {14}},
      {"Hindi: RSVP request", "कृपया हाँ के लिए YES और ना के लिए NO लिखकर भेजें।", Encoding::ucs2, 49, {49}},
      {"Hindi: a full summons, two segments",
       "प्रिय रमेश जी, जिला कार्यकारिणी की बैठक 23 नवंबर को सुबह 10 बजे जिला कार्यालय, अजमेर में होगी। कृपया उपस्थित रहें।",
       Encoding::ucs2, 114, {67, 47}},
      {"70 UTF-16 units: one SMS", repeat("क", 70), Encoding::ucs2, 70, {70}},
      {"71 UTF-16 units: 67 + 4", repeat("क", 71), Encoding::ucs2, 71, {67, 4}},
      {"an emoji is a surrogate pair (2 units)", "😀", Encoding::ucs2, 2, {2}},
      {"a surrogate pair is never split: 66 + 12", repeat("क", 66) + "😀" + repeat("क", 10), Encoding::ucs2, 78, {66, 12}},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.what);
    auto s = segment(c.text);
    ASSERT_TRUE(s.has_value());
    EXPECT_EQ(s->encoding, c.encoding);
    EXPECT_EQ(s->units, c.units);
    ASSERT_EQ(s->count(), c.part_units.size());
    std::string joined;
    for (std::size_t i = 0; i < s->count(); ++i) {
      // Each part measured alone, in the message's encoding.
      auto part = segment(s->parts[i]);
      ASSERT_TRUE(part.has_value());
      const std::size_t expected = c.part_units[i];
      EXPECT_EQ(part->units, expected) << "segment " << i;
      joined += s->parts[i];
    }
    EXPECT_EQ(joined, c.text) << "the parts put together are the text";
    // The count alone (pricing) agrees.
    auto counted = count_segments(c.text);
    ASSERT_TRUE(counted.has_value());
    EXPECT_EQ(counted->count, s->count());
    EXPECT_EQ(counted->encoding, s->encoding);
    EXPECT_EQ(counted->units, s->units);
  }
}

TEST(SmsSegments, Gsm7Septets) {
  EXPECT_EQ(gsm7_septets(U'@'), 1);
  EXPECT_EQ(gsm7_septets(U'¤'), 1);
  EXPECT_EQ(gsm7_septets(U'€'), 2);
  EXPECT_EQ(gsm7_septets(U'\f'), 2);
  EXPECT_EQ(gsm7_septets(U'`'), 0);
  EXPECT_EQ(gsm7_septets(U'क'), 0);
  EXPECT_EQ(gsm7_septets(0x1B), 0) << "the escape itself is not a character";
  EXPECT_EQ(gsm7_septets(U'ç'), 0) << "only the capital Ç is in the default alphabet";
}

TEST(SmsSegments, InvalidUtf8IsRefused) {
  for (const std::string& bad : {std::string("\xC3"), std::string("\xC0\xAF"), std::string("\xED\xA0\x80"), std::string("\xF4\x90\x80\x80"),
                                std::string("ok\xFF")})
    EXPECT_FALSE(segment(bad).has_value()) << bad;
}

}  // namespace
