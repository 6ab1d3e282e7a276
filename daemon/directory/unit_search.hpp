#pragma once
// Finding units by name (pure): the console's and a scheduler's way to a
// unit id. A query matches a unit's English name (ASCII case ignored), its
// Hindi name or its id, anywhere in it; units whose name or id starts with
// the query come first, then the rest, each in tree order. One pass over
// the in-memory unit table (55,000 units: well under a millisecond per
// thousand), never over Redis keys.
#include <cstdint>
#include <string_view>
#include <vector>

#include "directory/org_index.hpp"
#include "directory/scope.hpp"

namespace orgcast::directory {

struct UnitMatches {
  std::vector<std::uint32_t> units;  // at most `limit`, best first
  std::size_t total = 0;             // all that match in the scope
};

UnitMatches search_units(const UnitTable& units, std::string_view query, const Scope& scope, std::size_t limit);

}  // namespace orgcast::directory
