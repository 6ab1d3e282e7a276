#pragma once
// An audience selector: which posts of the directory a message goes to.
// Parsed from JSON (docs in README.md, "Audience selectors") against one
// index, so unit ids are already pre-order numbers.
#include <bitset>
#include <cstdint>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include <boost/json/fwd.hpp>

#include "directory/org_index.hpp"
#include "directory/scope.hpp"

namespace orgcast::directory {

struct UnitChoice {
  std::uint32_t unit = 0;
  bool descendants = true;
};

struct Selector {
  std::vector<UnitChoice> units;        // empty: the whole directory
  std::uint64_t levels = 0;             // bit per level; 0: any level
  std::bitset<256> roles;               // none set: any role
  std::uint64_t tags_any = 0;           // holds at least one of these (0: no constraint)
  std::uint64_t tags_all = 0;           // holds all of these
  std::uint64_t languages = 0;          // 0: any language
  std::uint8_t channels = 0;            // reachable on at least one (ChannelBit); 0: any
  std::vector<UnitChoice> exclude_units;
  std::vector<std::uint32_t> exclude_persons;  // from excluded contact ids: the whole person
  /// "people": only these persons (given by mobile), each at their first
  /// post the other filters keep; empty: no such limit.
  std::vector<std::uint32_t> only_persons;
  std::uint64_t exclude_tags = 0;
};

/// A problem in a selector: where (RFC 6901 JSON pointer) and what.
struct SelectorError {
  std::string pointer;
  std::string message;
  /// Well-formed but not allowed here (422, e.g. a summons template in a
  /// bare broadcast) rather than malformed (400).
  bool unprocessable = false;
  /// Outside the caller's scope (403): a unit it may not reach.
  bool forbidden = false;
};

/// Adds an error (with a "did you mean") for each key of `object` not in `allowed`;
/// `at` is the object's own JSON pointer.
void reject_unknown_keys(const boost::json::object& object, const std::vector<std::string>& allowed, const std::string& at,
                         std::vector<SelectorError>& errors);

/// Parses selector JSON text against the index; every problem is reported.
std::variant<Selector, std::vector<SelectorError>> parse_selector(std::string_view json, const OrgIndex& index);

/// The same for a selector inside a larger document; pointers start with `at`
/// (e.g. "/selector"). With a scope, each unit it names must be inside it
/// (else a forbidden error naming the unit), and a selector that names no
/// units means the scope's units, never the whole directory.
std::variant<Selector, std::vector<SelectorError>> parse_selector(const boost::json::value& json, const OrgIndex& index,
                                                                  const std::string& at, const Scope* scope = nullptr);

}  // namespace orgcast::directory
