#include "directory/scope.hpp"

#include <algorithm>

namespace orgcast::directory {

Scope Scope::of(std::span<const std::string> unit_ids, const UnitTable& units) {
  Scope scope(false);
  for (const auto& id : unit_ids) {
    if (id == "*") return everything();
    if (const auto u = units.find(id); u != kNoUnit) scope.roots_.push_back(u);
  }
  std::sort(scope.roots_.begin(), scope.roots_.end());
  scope.roots_.erase(std::unique(scope.roots_.begin(), scope.roots_.end()), scope.roots_.end());
  // A root inside an earlier root's subtree adds nothing.
  std::vector<std::uint32_t> kept;
  for (auto u : scope.roots_)
    if (kept.empty() || u >= units.subtree_end(kept.back())) kept.push_back(u);
  scope.roots_ = std::move(kept);
  for (auto u : scope.roots_) scope.ends_.push_back(units.subtree_end(u));
  return scope;
}

bool Scope::contains(std::uint32_t unit) const {
  if (whole_) return true;
  if (unit == kNoUnit) return false;
  // The last root at or before the unit in pre-order is the only one whose subtree can hold it.
  auto it = std::upper_bound(roots_.begin(), roots_.end(), unit);
  if (it == roots_.begin()) return false;
  const auto i = static_cast<std::size_t>(it - roots_.begin()) - 1;
  return unit < ends_[i];
}

bool Scope::contains(std::string_view unit_id, const UnitTable& units) const {
  if (whole_) return true;
  return contains(units.find(unit_id));
}

}  // namespace orgcast::directory
