#include "directory/unit_search.hpp"

#include <algorithm>
#include <string>

namespace orgcast::directory {

namespace {

std::string ascii_lower(std::string_view text) {
  std::string out(text);
  for (auto& c : out)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  return out;
}

}  // namespace

UnitMatches search_units(const UnitTable& units, std::string_view query, const Scope& scope, std::size_t limit) {
  UnitMatches out;
  const auto q = ascii_lower(query);
  if (q.empty()) return out;
  std::vector<std::uint32_t> starting, containing;
  for (std::uint32_t u = 0; u < units.size(); ++u) {
    if (!scope.contains(u)) continue;
    const auto name = ascii_lower(units.name(u)), id = ascii_lower(units.id(u));
    const auto hindi = units.name_hi(u);
    if (name.starts_with(q) || id.starts_with(q) || hindi.starts_with(query)) starting.push_back(u);
    else if (name.find(q) != std::string::npos || id.find(q) != std::string::npos || hindi.find(query) != std::string_view::npos)
      containing.push_back(u);
  }
  out.total = starting.size() + containing.size();
  for (const auto* list : {&starting, &containing})
    for (auto u : *list)
      if (out.units.size() < limit) out.units.push_back(u);
  return out;
}

}  // namespace orgcast::directory
