#include "api/caller_scope.hpp"

#include <algorithm>

#include "api/context.hpp"
#include "auth/principal.hpp"
#include "directory_store/watcher.hpp"
#include "inbound/sender_directory.hpp"
#include "meetings/meeting_store.hpp"
#include "core/mask.hpp"
#include "core/text.hpp"
#include "http/problem.hpp"

namespace orgcast::api {

namespace {

directory::Scope scope_for(const auth::Principal* principal, const directory::UnitTable& units) {
  if (!principal) return directory::Scope::of({}, units);
  return directory::Scope::of(principal->scope, units);
}

}  // namespace

CallerScope::CallerScope(const auth::Principal* principal, const directory::UnitTable& units)
    : units_(units), scope_(scope_for(principal, units)) {
  if (principal) {
    tag_ = principal->tag();
    view_contacts_ = principal->permissions.has(auth::Permission::view_contacts);
  }
}

bool CallerScope::sees(std::string_view root_unit_id, std::string_view author) const {
  if (scope_.whole()) return true;
  if (!author.empty() && author == tag_) return true;
  return !root_unit_id.empty() && reaches(root_unit_id);
}

std::string CallerScope::mobile(std::string_view e164, std::uint32_t unit) const {
  return unmasked_at(unit) ? std::string(e164) : mask_phone(e164);
}

bool caller_sees(const Context& context, const http::Request& request, std::string_view root_unit_id, std::string_view author) {
  if (!request.principal) return false;
  if (request.principal->whole_directory()) return true;
  auto index = context.watcher->index();
  if (!index) return !author.empty() && author == request.principal->tag();
  return CallerScope(request, index->units()).sees(root_unit_id, author);
}

bool sees_meeting(const Context& context, const http::Request& request, const meetings::Meeting& m) {
  auto root = m.field("audience_root");
  if (root.empty()) root = m.field("tally_root");  // made before the audience's root was kept
  return caller_sees(context, request, root, m.field("author"));
}

std::optional<PlacedContact> reachable_contact(const Context& context, const CallerScope& caller, const directory::OrgIndex& index,
                                               std::string_view id) {
  const auto ref = index.find_contact(id);
  if (!ref) return std::nullopt;
  PlacedContact placed{*ref, directory::kNoUnit};
  // The person's posts are kept in memory by mobile; a post of another
  // index version (just swapped) is looked for among all posts instead.
  if (context.senders)
    if (auto sender = context.senders->find(std::to_string(index.person_mobile(ref->person))); sender && sender->index.get() == &index)
      for (const auto& post : sender->posts)
        if (post.record == ref->record) placed.unit = post.unit;
  if (placed.unit == directory::kNoUnit)
    for (const auto& post : index.posts())
      if (post.record == ref->record) {
        placed.unit = post.unit;
        break;
      }
  if (!caller.reaches(placed.unit)) return std::nullopt;
  return placed;
}

bool scope_within(const auth::Principal& caller, const directory::OrgIndex* index, const std::string& unit) {
  if (caller.whole_directory()) return true;
  if (unit == "*" || !index) return false;
  return CallerScope(&caller, index->units()).reaches(std::string_view(unit));
}

std::vector<directory::SelectorError> scope_problems(const auth::Principal& caller, const directory::OrgIndex* index,
                                                     const std::vector<std::string>& scope) {
  std::vector<directory::SelectorError> problems;
  for (std::size_t i = 0; i < scope.size(); ++i) {
    const auto at = "/scope/" + std::to_string(i);
    const auto& unit = scope[i];
    if (std::find(scope.begin(), scope.begin() + static_cast<std::ptrdiff_t>(i), unit) != scope.begin() + static_cast<std::ptrdiff_t>(i))
      problems.push_back({at, quoted_input(unit) + " is given twice"});
    else if (unit == "*" && scope.size() > 1)
      problems.push_back({at, "\"*\" (every unit) stands alone"});
    else if (!scope_within(caller, index, unit))
      problems.push_back({at, quoted_input(unit) + " is not within your scope", false, true});
    else if (unit != "*" && (!index || index->units().find(unit) == directory::kNoUnit))
      problems.push_back({at, index ? "no unit " + quoted_input(unit) + " in the directory" : "the directory is not loaded yet: only \"*\" can be checked now"});
  }
  return problems;
}

http::Response out_of_scope(const std::string& detail) { return http::problem(403, "out-of-scope", "Outside your scope", detail); }

http::Response not_found(std::string_view what, std::string_view id) {
  return http::problem(404, "not-found", "No such " + std::string(what), "no " + std::string(what) + " " + quoted_input(id));
}

}  // namespace orgcast::api
