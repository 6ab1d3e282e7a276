#include "directory/resolver.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <boost/json.hpp>

#include "directory/codec.hpp"
#include "directory/importer.hpp"
#include "directory/index_from_chunks.hpp"
#include "support/sample_directory.hpp"

using namespace orgcast;
using namespace orgcast::directory;
using ::testing::ElementsAre;
using ::testing::UnorderedElementsAre;

namespace {

class ResolverTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto imported = import_directory(fixtures::kSampleUnits, fixtures::kSampleContacts, vocab_);
    ASSERT_TRUE(imported.ok());
    unit_chunks_ = imported.unit_chunks;
    contact_chunks_ = imported.contact_chunks;
    // Remember which record ordinal is which contact id, to name results.
    for (std::size_t k = 0; k < contact_chunks_.size(); ++k) {
      codec::ChunkReader reader(contact_chunks_[k]);
      ContactView c;
      std::size_t i = 0;
      while (reader.next(c)) ids_[record_ordinal(k, i++)] = std::string(c.id);
    }
    std::string error;
    index_ = build_index_from_chunks(vocab_, 1, unit_chunks_, contact_chunks_, {}, &error);
    ASSERT_TRUE(index_) << error;
  }

  Selector parse(const std::string& json, const OrgIndex* index = nullptr) {
    auto parsed = parse_selector(json, index ? *index : *index_);
    if (auto* errors = std::get_if<std::vector<SelectorError>>(&parsed)) {
      for (const auto& e : *errors) ADD_FAILURE() << e.pointer << ": " << e.message;
      return {};
    }
    return std::get<Selector>(parsed);
  }

  std::vector<std::string> resolve_ids(const std::string& json, const OrgIndex* index = nullptr) {
    const OrgIndex& idx = index ? *index : *index_;
    auto resolution = resolve(idx, parse(json, &idx));
    std::vector<std::string> out;
    for (auto p : resolution.posts) {
      auto record = idx.posts()[p].record;
      out.push_back(record < idx.snapshot_records() ? ids_.at(record) : std::string(idx.overlay_id(record)));
    }
    return out;
  }

  std::vector<std::string> errors(const std::string& json) {
    auto parsed = parse_selector(json, *index_);
    std::vector<std::string> out;
    if (auto* e = std::get_if<std::vector<SelectorError>>(&parsed))
      for (const auto& x : *e) out.push_back(x.pointer + ": " + x.message);
    return out;
  }

  Vocabulary vocab_{fixtures::sample_directory_config()};
  std::vector<std::string> unit_chunks_, contact_chunks_;
  std::map<std::uint32_t, std::string> ids_;
  std::shared_ptr<const OrgIndex> index_;
};

TEST_F(ResolverTest, WholeStateGivesEachPersonOnceAtTheirHighestPost) {
  auto ids = resolve_ids(R"({"units": ["RJ"]})");
  EXPECT_EQ(ids.size(), 11u);
  EXPECT_NE(std::find(ids.begin(), ids.end(), "C4"), ids.end());   // mandal post kept
  EXPECT_EQ(std::find(ids.begin(), ids.end(), "C7"), ids.end());   // booth post of the same person dropped
  EXPECT_EQ(resolve_ids("{}").size(), 11u);
}

TEST_F(ResolverTest, MandalPresidentsOfOneDistrict) {
  EXPECT_THAT(resolve_ids(R"({"units": ["D-JAI"], "levels": ["mandal"], "roles": ["president"]})"),
              ElementsAre("C4", "C5"));
}

TEST_F(ResolverTest, UnitWithoutDescendants) {
  EXPECT_THAT(resolve_ids(R"({"units": [{"id": "D-JAI", "descendants": false}]})"), ElementsAre("C2"));
}

TEST_F(ResolverTest, BoothOnlyKeepsTheBoothPostOfAPersonWithTwoPosts) {
  EXPECT_THAT(resolve_ids(R"({"units": ["BT-1"]})"), ElementsAre("C7", "C8"));
}

TEST_F(ResolverTest, TagsAnyAllAndExcluded) {
  EXPECT_THAT(resolve_ids(R"({"tags": ["mahila_morcha"]})"), UnorderedElementsAre("C3", "C5"));
  EXPECT_THAT(resolve_ids(R"({"tags": {"all": ["it_cell", "yuva_morcha"]}})"), ElementsAre("C8"));
  EXPECT_THAT(resolve_ids(R"({"units": ["D-JAI"], "exclude": {"tags": ["it_cell", "yuva_morcha"]}})"),
              ElementsAre("C4", "C9", "C5"));
}

TEST_F(ResolverTest, LanguagesAndChannels) {
  EXPECT_THAT(resolve_ids(R"({"languages": ["en"]})"), UnorderedElementsAre("C3", "C10"));
  EXPECT_THAT(resolve_ids(R"({"channels": ["push"]})"), UnorderedElementsAre("C1", "C5", "C10"));
  auto whatsapp = resolve_ids(R"({"channels": ["whatsapp"]})");
  EXPECT_EQ(whatsapp.size(), 8u);  // C2, C5, C9 have none
}

TEST_F(ResolverTest, ExclusionsOfUnitsAndContacts) {
  EXPECT_THAT(resolve_ids(R"({"units": ["D-JAI"], "exclude": {"units": ["M-JAI-1"]}})"), ElementsAre("C2", "C5", "C10"));
  // Excluding a contact excludes the person, whichever post would have matched.
  EXPECT_THAT(resolve_ids(R"({"units": ["M-JAI-1"], "exclude": {"contacts": ["C7"]}})"), ElementsAre("C8", "C9"));
}

TEST_F(ResolverTest, SummaryBreaksDownByLevelChildAndChannel) {
  auto selector = parse(R"({"units": ["RJ"]})");
  auto summary = summarize(*index_, selector, resolve(*index_, selector), 5);
  EXPECT_EQ(summary.count, 11u);
  EXPECT_EQ(index_->units().id(summary.root), "RJ");
  EXPECT_EQ(summary.at_root, 1u);
  ASSERT_EQ(summary.by_child.size(), 2u);
  EXPECT_EQ(index_->units().id(summary.by_child[0].first), "D-JAI");
  EXPECT_EQ(summary.by_child[0].second, 6u);  // C2 C4(+C7) C5 C8 C9 C10
  EXPECT_EQ(summary.by_child[1].second, 4u);  // C3 C6 C11 C12
  EXPECT_THAT(summary.by_level, ElementsAre(1, 2, 0, 3, 5));
  EXPECT_EQ(summary.sms, 11u);
  EXPECT_EQ(summary.whatsapp, 8u);
  EXPECT_EQ(summary.push, 3u);
  EXPECT_EQ(summary.sample.size(), 5u);
}

TEST_F(ResolverTest, SelectorErrorsNameThePointer) {
  EXPECT_THAT(errors(R"({"units": ["RJ", "NOPE"], "roles": ["president", "presidnet"]})"),
              ElementsAre("/units/1: unknown unit \"NOPE\"",
                          "/roles/1: unknown role \"presidnet\"; did you mean \"president\"?"));
  EXPECT_THAT(errors(R"({"levels": ["mandl"], "tags": ["x"], "channels": ["fax"], "unit": []})"),
              ElementsAre("/levels/0: unknown level \"mandl\"; did you mean \"mandal\"?", "/tags/0: unknown tag \"x\"",
                          "/channels/0: unknown channel \"fax\"", "/unit: unknown key \"unit\"; did you mean \"units\"?"));
  EXPECT_THAT(errors(R"({"exclude": {"contacts": ["C404"]}, "units": [{"descendants": true}]})"),
              ElementsAre("/exclude/contacts/0: unknown contact \"C404\"", "/units/0: a unit object needs an \"id\""));
  EXPECT_THAT(errors("{\"units\": [\n  \"RJ\",,\n]}"), ElementsAre(": not valid JSON at line 2, column 8: syntax error"));
}

TEST_F(ResolverTest, ContactChangesMoveAddAndDelete) {
  ContactRecord moved{"C9", "Ravi Kumar", "", 919829000009, 0, "hi", "BT-4", "president", {}, ""};
  ContactRecord added{"C13", "New Person", "", 919829000013, 919829000013, "en", "BT-1", "member", {"it_cell"}, ""};
  std::vector<ContactChange> changes{{"C9", moved}, {"C8", std::nullopt}, {"C13", added}};
  std::size_t rejected = 99;
  auto next = apply_changes(*index_, changes, &rejected);
  EXPECT_EQ(rejected, 0u);
  EXPECT_THAT(resolve_ids(R"({"units": ["M-JAI-1"]})", next.get()), ElementsAre("C4", "C13"));
  EXPECT_THAT(resolve_ids(R"({"units": ["BT-4"]})", next.get()), UnorderedElementsAre("C9", "C11", "C12"));
  EXPECT_FALSE(next->find_contact("C8"));
  EXPECT_TRUE(next->find_contact("C13"));
  // The old index is untouched: readers holding it see the old directory.
  EXPECT_THAT(resolve_ids(R"({"units": ["M-JAI-1"]})"), ElementsAre("C4", "C8", "C9"));
  // A change to a known mobile joins that person.
  ContactRecord same_person{"C14", "Mohan Lal", "", 919829000004, 0, "hi", "BT-4", "member", {}, ""};
  std::vector<ContactChange> more{{"C14", same_person}};
  auto third = apply_changes(*next, more);
  EXPECT_EQ(third->find_contact("C14")->person, third->find_contact("C4")->person);
}

TEST_F(ResolverTest, OverlayReplacesSnapshotRecordsAtBuild) {
  ContactRecord moved{"C9", "Ravi Kumar", "", 919829000009, 0, "hi", "BT-4", "president", {}, ""};
  std::vector<OverlayEntry> overlay{{"C9", codec::encode_contact(moved.view())}, {"C8", ""}};
  std::string error;
  auto index = build_index_from_chunks(vocab_, 2, unit_chunks_, contact_chunks_, overlay, &error);
  ASSERT_TRUE(index) << error;
  EXPECT_THAT(resolve_ids(R"({"units": ["M-JAI-1"]})", index.get()), ElementsAre("C4"));
  EXPECT_THAT(resolve_ids(R"({"units": ["BT-4"]})", index.get()), UnorderedElementsAre("C9", "C11", "C12"));
}

}  // namespace

namespace {

// A scope is units with their subtrees; an id the directory lacks gives nothing.
TEST_F(ResolverTest, AScopeHoldsItsUnitsSubtreesAndFailsClosed) {
  const auto& units = index_->units();
  const std::vector<std::string> ids = {"M-JAI-1", "D-JAI", "NO-SUCH", "BT-4"};
  const auto scope = Scope::of(ids, units);
  EXPECT_FALSE(scope.whole());
  EXPECT_EQ(scope.roots().size(), 2u) << "M-JAI-1 is inside D-JAI";
  for (const char* in : {"D-JAI", "B-JAI-1", "M-JAI-2", "BT-3", "BT-4"}) EXPECT_TRUE(scope.contains(in, units)) << in;
  for (const char* out : {"RJ", "D-JOD", "M-JOD-1", "NO-SUCH", ""}) EXPECT_FALSE(scope.contains(out, units)) << out;
  EXPECT_FALSE(Scope::of(std::vector<std::string>{"NO-SUCH"}, units).contains("RJ", units));
  EXPECT_TRUE(Scope::of(std::vector<std::string>{"D-JOD", "*"}, units).whole());
}

// With a scope, a unit outside it is a forbidden error at its pointer, and
// no units means the scope's (never the whole directory).
TEST_F(ResolverTest, AScopedSelectorRefusesUnitsOutsideAndDefaultsToTheScope) {
  const auto scope = Scope::of(std::vector<std::string>{"D-JAI"}, index_->units());
  auto refused = parse_selector(boost::json::parse(R"({"units": ["BT-1", "D-JOD"], "exclude": {"units": ["BT-4"]}})"), *index_, "/audience", &scope);
  auto* errors = std::get_if<std::vector<SelectorError>>(&refused);
  ASSERT_TRUE(errors);
  ASSERT_EQ(errors->size(), 1u) << "an excluded unit outside the scope takes nothing from it";
  EXPECT_EQ(errors->front().pointer, "/audience/units/1");
  EXPECT_TRUE(errors->front().forbidden);
  for (const char* none : {R"({"levels": ["district"]})", R"({"units": [], "levels": ["district"]})"}) {
    auto parsed = parse_selector(boost::json::parse(none), *index_, "", &scope);
    ASSERT_TRUE(std::holds_alternative<Selector>(parsed)) << none;
    auto resolution = resolve(*index_, std::get<Selector>(parsed));
    ASSERT_EQ(resolution.posts.size(), 1u) << none << ": Jaipur's district post only";
    EXPECT_EQ(ids_.at(index_->posts()[resolution.posts[0]].record), "C2");
  }
}

}  // namespace
