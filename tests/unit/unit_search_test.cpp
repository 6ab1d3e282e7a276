// Finding a unit by name: English (any case), Hindi or id, anywhere in it;
// those starting with the query first; only within the scope.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "directory/unit_search.hpp"
#include "support/sample_index.hpp"

using namespace orgcast;
using namespace orgcast::directory;

namespace {

std::vector<std::string> ids(const OrgIndex& index, const UnitMatches& m) {
  std::vector<std::string> out;
  for (auto u : m.units) out.emplace_back(index.units().id(u));
  return out;
}

TEST(UnitSearch, MatchesEnglishHindiAndIdsStartingFirstWithinTheScope) {
  const auto index = fixtures::sample_index();
  const auto& units = index->units();
  const auto all = Scope::everything();
  EXPECT_THAT(ids(*index, search_units(units, "sanganer", all, 10)), ::testing::ElementsAre("B-JAI-1", "M-JAI-1", "M-JAI-2"));
  EXPECT_THAT(ids(*index, search_units(units, "MANDAL 2", all, 10)), ::testing::ElementsAre("M-JAI-2")) << "case ignored, anywhere in the name";
  EXPECT_THAT(ids(*index, search_units(units, "लूणी", all, 10)), ::testing::ElementsAre("B-JOD-1", "M-JOD-1"));
  // "booth" starts the booths' names; "1" is inside many: those starting with it (none) first, then the rest in tree order.
  auto booths = search_units(units, "booth", all, 2);
  EXPECT_EQ(booths.total, 4u);
  EXPECT_THAT(ids(*index, booths), ::testing::ElementsAre("BT-1", "BT-2")) << "at most the limit, total counts them all";
  EXPECT_THAT(ids(*index, search_units(units, "d-j", all, 10)), ::testing::ElementsAre("D-JAI", "D-JOD")) << "by id too";
  const std::vector<std::string> jaipur{"D-JAI"};
  const auto scope = Scope::of(jaipur, units);
  EXPECT_THAT(ids(*index, search_units(units, "booth", scope, 10)), ::testing::ElementsAre("BT-1", "BT-2", "BT-3")) << "Jodhpur's booth is not found";
  EXPECT_TRUE(search_units(units, "luni", scope, 10).units.empty());
  EXPECT_TRUE(search_units(units, "", all, 10).units.empty());
}

}  // namespace
