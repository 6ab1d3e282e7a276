#include "directory/importer.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "support/sample_directory.hpp"

using namespace orgcast;
using namespace orgcast::directory;
using ::testing::ElementsAre;

namespace {

Vocabulary vocab() { return Vocabulary(fixtures::sample_directory_config()); }

std::vector<std::string> errors_of(const std::string& units, const std::string& contacts) {
  auto result = import_directory(units, contacts, vocab());
  std::vector<std::string> out;
  for (const auto& e : result.errors) out.push_back(e.to_string());
  EXPECT_EQ(result.error_count, result.errors.size());
  EXPECT_TRUE(result.contact_chunks.empty() && result.unit_chunks.empty()) << "a failed import must encode nothing";
  return out;
}

const std::string kContactsHeader = "id,name,name_hi,mobile,whatsapp,language,unit_id,role,tags,app_token\n";

TEST(Importer, AcceptsTheSampleDirectory) {
  auto result = import_directory(fixtures::kSampleUnits, fixtures::kSampleContacts, vocab());
  for (const auto& e : result.errors) ADD_FAILURE() << e.to_string();
  EXPECT_EQ(result.unit_count, 12u);
  EXPECT_EQ(result.contact_count, 12u);
  EXPECT_EQ(result.person_count, 11u);
  EXPECT_EQ(result.unit_chunks.size(), 1u);
  EXPECT_EQ(result.contact_chunks.size(), 1u);
}

TEST(Importer, CrlfBomAndExtraColumnsAreFine) {
  std::string units = "\xEF\xBB\xBFid,parent_id,level,name,extra\r\nRJ,,state,Rajasthan,x\r\nD1,RJ,district,Ajmer,y\r\n";
  std::string contacts = "id,name,mobile,unit_id,role,comment\r\nC1,\"Sharma, Ramesh\",9829000001,D1,president,hello\r\n";
  auto result = import_directory(units, contacts, vocab());
  for (const auto& e : result.errors) ADD_FAILURE() << e.to_string();
  EXPECT_EQ(result.contact_count, 1u);
}

TEST(Importer, MissingRequiredColumns) {
  EXPECT_THAT(errors_of("id,parent_id,name\nRJ,,R\n", kContactsHeader),
              ElementsAre("units.csv:1: level: missing required column \"level\""));
  EXPECT_THAT(errors_of(fixtures::kSampleUnits, "id,name,unit_id,role\n"),
              ElementsAre("contacts.csv:1: mobile: missing required column \"mobile\""));
}

TEST(Importer, TreeErrors) {
  std::string units =
      "id,parent_id,level,name\n"
      "RJ,,state,Rajasthan\n"
      "D1,RJ,district,Ajmer\n"
      "B1,D9,block,Nowhere\n"        // unknown parent
      "BT1,D1,booth,Booth\n"         // booth directly under a district
      "D1,RJ,district,Again\n"       // duplicate id
      "M1,M2,mandal,Loop 1\n"        // cycle M1 -> M2 -> M1
      "M2,M1,mandal,Loop 2\n"
      "X1,RJ,distrikt,Typo\n";       // unknown level
  auto errors = errors_of(units, kContactsHeader);
  EXPECT_THAT(errors, ElementsAre("units.csv:4: parent_id: unknown parent \"D9\"",
                                  "units.csv:5: level: a booth cannot sit directly under a district (\"D1\"); the level below district is block",
                                  "units.csv:6: id: duplicate unit id \"D1\" (first on line 3)",
                                  "units.csv:7: level: a mandal cannot sit directly under a mandal (\"M2\"); the level below mandal is booth",
                                  "units.csv:7: parent_id: cycle: M1 -> M2 -> M1",
                                  "units.csv:8: level: a mandal cannot sit directly under a mandal (\"M1\"); the level below mandal is booth",
                                  "units.csv:9: level: unknown level \"distrikt\"; did you mean \"district\"?"));
}

TEST(Importer, LevelSkipsWhenConfigAllows) {
  auto config = fixtures::sample_directory_config();
  config.allow_level_skips = true;
  auto result = import_directory("id,parent_id,level,name\nRJ,,state,R\nBT1,RJ,booth,B\n", kContactsHeader, Vocabulary(config));
  EXPECT_TRUE(result.ok());
}

TEST(Importer, ContactErrorsListEveryBadRowWithLineAndColumn) {
  std::string contacts = kContactsHeader +
                         "C1,Ramesh,,0141-2223344,,hi,RJ,president,,\n"
                         "C2,Suresh,,9829000002,maybe,hi,RJ,president,,\n"
                         "C3,Anita,,9829000003,,xx,RJ,presidnet,,\n"
                         "C4,Mohan,,9829000004,,hi,NOWHERE,president,it_cel,\n"
                         "C1,Dup,,9829000005,,hi,RJ,secretary,,\n"
                         "C6,Mohan again,,+91 9829000004,,hi,NOWHERE,president,,\n"
                         "C7,,,9829000007,,hi,RJ,member,,\n"
                         "C8,Twice,,9829000008,,hi,D-JAI,member,,\n"
                         "C9,Twice,,9829000008,,hi,D-JAI,member,,\n"
                         "C10,\"unterminated,9829000010\n";
  auto errors = errors_of(fixtures::kSampleUnits, contacts);
  EXPECT_THAT(errors,
              ElementsAre("contacts.csv:2: mobile: an Indian mobile number starts with 6, 7, 8 or 9 (this looks like a landline or an invalid number) (\"0141-2223344\")",
                          "contacts.csv:3: whatsapp: expected yes, no or a mobile number: unexpected character 'm' in a phone number",
                          "contacts.csv:4: language: unknown language \"xx\"",
                          "contacts.csv:4: role: unknown role \"presidnet\"; did you mean \"president\"?",
                          "contacts.csv:5: unit_id: unknown unit \"NOWHERE\"",
                          "contacts.csv:5: tags: unknown tag \"it_cel\"; did you mean \"it_cell\"?",
                          "contacts.csv:6: id: duplicate contact id (first on line 2)",
                          "contacts.csv:7: unit_id: unknown unit \"NOWHERE\"",
                          "contacts.csv:8: name: a contact needs a name (name or name_hi)",
                          "contacts.csv:10: role: this person (same mobile) already holds this role in this unit on line 9",
                          "contacts.csv:11: field 2 opens a quote on line 11 that is never closed"));
}

TEST(Importer, ErrorListingIsCappedButCounted) {
  std::string contacts = kContactsHeader;
  for (int i = 0; i < 50; ++i) contacts += "C" + std::to_string(i) + ",X,,123,,hi,RJ,president,,\n";
  ImportOptions options;
  options.max_errors_listed = 10;
  auto result = import_directory(fixtures::kSampleUnits, contacts, vocab(), options);
  EXPECT_EQ(result.errors.size(), 10u);
  EXPECT_EQ(result.error_count, 50u);
}

}  // namespace
