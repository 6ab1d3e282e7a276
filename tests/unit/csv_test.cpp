#include "directory/csv.hpp"

#include <gtest/gtest.h>

using orgcast::csv::Reader;
using orgcast::csv::Row;

namespace {

std::vector<std::vector<std::string>> read_all(std::string_view text, std::vector<std::size_t>* lines = nullptr) {
  Reader reader(text);
  Row row;
  std::vector<std::vector<std::string>> out;
  while (reader.next(row)) {
    EXPECT_EQ(row.error, "") << "line " << row.line;
    out.emplace_back(row.fields.begin(), row.fields.end());
    if (lines) lines->push_back(row.line);
  }
  return out;
}

TEST(Csv, PlainFieldsWithLfAndCrlf) {
  auto rows = read_all("a,b,c\n1,2,3\r\n4,,6\n");
  ASSERT_EQ(rows.size(), 3u);
  EXPECT_EQ(rows[1], (std::vector<std::string>{"1", "2", "3"}));
  EXPECT_EQ(rows[2], (std::vector<std::string>{"4", "", "6"}));
}

TEST(Csv, StripsByteOrderMark) {
  auto rows = read_all("\xEF\xBB\xBFid,name\n1,x\n");
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows[0][0], "id");
}

TEST(Csv, QuotedFieldsWithCommasQuotesAndNewlines) {
  std::vector<std::size_t> lines;
  auto rows = read_all("id,note\n1,\"a, b\"\n2,\"say \"\"hi\"\"\"\n3,\"two\nlines\"\n4,end\n", &lines);
  ASSERT_EQ(rows.size(), 5u);
  EXPECT_EQ(rows[1][1], "a, b");
  EXPECT_EQ(rows[2][1], "say \"hi\"");
  EXPECT_EQ(rows[3][1], "two\nlines");
  EXPECT_EQ(rows[4][1], "end");
  EXPECT_EQ(lines, (std::vector<std::size_t>{1, 2, 3, 4, 6}));
}

TEST(Csv, HindiTextIsKeptByteForByte) {
  auto rows = read_all("name_hi\n\"रमेश शर्मा\"\nजयपुर\n");
  ASSERT_EQ(rows.size(), 3u);
  EXPECT_EQ(rows[1][0], "रमेश शर्मा");
  EXPECT_EQ(rows[2][0], "जयपुर");
}

TEST(Csv, SkipsBlankLinesAndCountsThem) {
  std::vector<std::size_t> lines;
  auto rows = read_all("a\n\n\nb\n", &lines);
  EXPECT_EQ(lines, (std::vector<std::size_t>{1, 4}));
}

TEST(Csv, UnclosedQuoteIsAnErrorNamingTheLine) {
  Reader reader("a,b\n1,\"open\n2,3\n");
  Row row;
  ASSERT_TRUE(reader.next(row));
  ASSERT_TRUE(reader.next(row));
  EXPECT_EQ(row.line, 2u);
  EXPECT_EQ(row.error, "field 2 opens a quote on line 2 that is never closed");
}

// A file saved in another encoding is named, not stored garbled.
TEST(Csv, AFieldThatIsNotUtf8IsAnErrorNamingTheField) {
  Reader reader("id,name\nC1,\xE9t\xE9\nC2,\xE0\xA4\x95\n");
  Row row;
  ASSERT_TRUE(reader.next(row));
  ASSERT_TRUE(reader.next(row));
  EXPECT_EQ(row.line, 2u);
  EXPECT_EQ(row.error, "field 2 is not valid UTF-8 (byte 1 of the field); save the file as UTF-8");
  ASSERT_TRUE(reader.next(row));
  EXPECT_EQ(row.error, "") << "Devanagari is UTF-8";
}

TEST(Csv, QuoteInsideUnquotedFieldIsAnError) {
  Reader reader("1,ab\"c,3\n4,5,6\n");
  Row row;
  ASSERT_TRUE(reader.next(row));
  EXPECT_NE(row.error.find("field 2 has a quote inside an unquoted value"), std::string::npos);
  ASSERT_TRUE(reader.next(row));  // the next record is still read
  EXPECT_EQ(row.error, "");
  EXPECT_EQ(row.fields[0], "4");
}

TEST(Csv, TextAfterClosingQuoteIsAnError) {
  Reader reader("\"a\"b,c\n");
  Row row;
  ASSERT_TRUE(reader.next(row));
  EXPECT_EQ(row.error, "field 1 has text after its closing quote");
}

TEST(Csv, LastRecordWithoutNewline) {
  auto rows = read_all("a,b\n1,2");
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows[1][1], "2");
}

}  // namespace
