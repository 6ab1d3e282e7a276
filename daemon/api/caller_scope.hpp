#pragma once
// What one caller may reach in the directory (docs/ACCESS.md, "Scope"):
// its scope resolved against the index in force, whether it sees a
// person's mobile whole, and whether a broadcast or meeting is its to see.
// Something outside the scope is answered as if it did not exist (404).
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "directory/scope.hpp"
#include "directory/selector.hpp"
#include "http/message.hpp"

namespace orgcast::api {

class CallerScope {
 public:
  /// The request's principal against this unit table; a request without one
  /// (an open route) reaches nothing.
  CallerScope(const http::Request& request, const directory::UnitTable& units) : CallerScope(request.principal.get(), units) {}
  CallerScope(const auth::Principal* principal, const directory::UnitTable& units);

  const directory::Scope& scope() const { return scope_; }
  bool reaches(std::uint32_t unit) const { return scope_.contains(unit); }
  bool reaches(std::string_view unit_id) const { return scope_.contains(unit_id, units_); }
  /// A broadcast, meeting or report: its audience's root in the scope, or made by this caller.
  bool sees(std::string_view root_unit_id, std::string_view author) const;
  /// The number whole with view_contacts over the person's unit, else masked.
  std::string mobile(std::string_view e164, std::uint32_t unit) const;
  std::string mobile(std::string_view e164, std::string_view unit_id) const { return mobile(e164, units_.find(unit_id)); }
  bool unmasked_at(std::uint32_t unit) const { return view_contacts_ && reaches(unit); }
  /// Of a person's posts, the first the caller reaches; null when none.
  const directory::Post* first_reached(std::span<const directory::Post> posts) const {
    for (const auto& post : posts)
      if (reaches(post.unit)) return &post;
    return nullptr;
  }

 private:
  const directory::UnitTable& units_;
  directory::Scope scope_;
  std::string tag_;  // who the caller is: "user:<id>" / "token:<id>"
  bool view_contacts_ = false;
};

struct Context;
}
namespace orgcast::meetings {
struct Meeting;
}
namespace orgcast::api {

/// Whether the request's caller may see a broadcast, meeting or report with
/// this audience root and author, against the index in force (none loaded:
/// only a caller with the whole directory).
bool caller_sees(const Context& context, const http::Request& request, std::string_view root_unit_id, std::string_view author);

/// A meeting: seen by those whose scope holds its audience's root, and by its author.
bool sees_meeting(const Context& context, const http::Request& request, const meetings::Meeting& meeting);

/// A contact (a post) and the unit it is in.
struct PlacedContact {
  directory::ContactRef ref;
  std::uint32_t unit = directory::kNoUnit;
};
/// The contact with this id when the caller reaches its unit; nullopt when
/// the index has none or it is outside the scope (both are answered 404).
std::optional<PlacedContact> reachable_contact(const Context& context, const CallerScope& caller, const directory::OrgIndex& index,
                                               std::string_view id);

/// `unit` ("*" every unit) is inside the caller's scope: a unit of it or below one.
bool scope_within(const auth::Principal& caller, const directory::OrgIndex* index, const std::string& unit);

/// What is wrong with the scope of a token or user `caller` makes, each at
/// "/scope/<i>": "*" beside units, a unit twice, a unit the directory does
/// not have (one that is imported later must not widen it then), or one
/// outside the caller's scope (403). Without an index only "*" passes.
std::vector<directory::SelectorError> scope_problems(const auth::Principal& caller, const directory::OrgIndex* index,
                                                     const std::vector<std::string>& scope);

/// 403 for something the caller named outside its scope, saying what.
http::Response out_of_scope(const std::string& detail);

/// 404 for a thing the caller may not see, in the words used for one that does not exist.
http::Response not_found(std::string_view what, std::string_view id);

}  // namespace orgcast::api
