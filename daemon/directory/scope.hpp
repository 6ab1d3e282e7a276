#pragma once
// Where a caller may act: unit ids from its scope, each with its whole
// subtree, resolved against one unit table. Pure; a unit id the table no
// longer has gives nothing (a scope fails closed, never open).
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "directory/org_index.hpp"

namespace orgcast::directory {

class Scope {
 public:
  /// Every unit: auth off, or a scope of "*".
  static Scope everything() { return Scope(true); }
  /// The units with these ids and their subtrees ("*": every unit).
  static Scope of(std::span<const std::string> unit_ids, const UnitTable& units);

  bool whole() const { return whole_; }
  /// Whether the unit (pre-order number) is in one of the scope's subtrees.
  bool contains(std::uint32_t unit) const;
  /// The same by id: false for an id the table does not have ("" included).
  bool contains(std::string_view unit_id, const UnitTable& units) const;
  /// The subtrees' root units, in pre-order, none inside another.
  const std::vector<std::uint32_t>& roots() const { return roots_; }

 private:
  explicit Scope(bool whole) : whole_(whole) {}
  bool whole_ = false;
  std::vector<std::uint32_t> roots_;
  std::vector<std::uint32_t> ends_;  // subtree_end of each root
};

}  // namespace orgcast::directory
