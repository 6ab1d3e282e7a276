// The audit trail over HTTP (docs/ACCESS.md, "Audit trail"):
//   GET /v1/audit?who=&action=&unit=&from=&to=&limit=&cursor=   newest first, within the caller's scope;
//                                                               `next` is the link to the page after
#include <boost/json.hpp>
#include <charconv>

#include "api/caller_scope.hpp"
#include "api/common.hpp"
#include "api/paging.hpp"
#include "api/routes.hpp"
#include "audit/audit_log.hpp"
#include "auth/principal.hpp"
#include "core/text.hpp"
#include "core/utc_time.hpp"
#include "directory_store/watcher.hpp"
#include "core/json_text.hpp"

namespace orgcast::api {

namespace json = boost::json;
using boost::asio::awaitable;

namespace {

constexpr std::size_t kBatch = 1000;
constexpr std::size_t kMostScanned = 20000;  // entries looked through for one page

http::Response bad(const std::string& what) { return http::problem(400, "invalid-parameter", "Invalid parameter", what); }

awaitable<http::Response> list(Context context, http::Request& request) {
  if (!context.audit) co_return http::problem(404, "not-found", "No audit trail", "this daemon keeps no audit trail (audit.key_file is not set)");
  std::string who, action, unit_id, before;
  std::optional<std::chrono::system_clock::time_point> from, to;
  std::size_t limit = 100;
  for (const auto& [name, value] : request.query) {
    if (name == "who") who = value;
    else if (name == "action") action = value;
    else if (name == "unit") unit_id = value;
    else if (name == "from" || name == "to") {
      auto t = parse_rfc3339(value);
      if (!t) co_return bad(name + " must be " + std::string(kRfc3339Expected) + ", not " + quoted_input(value));
      (name == "from" ? from : to) = t;
    } else if (name == "limit") {
      if (auto why = read_paging("per_page", value, 500, limit); !why.empty()) co_return bad("limit must be a whole number from 1 to 500");
    } else if (name == "cursor") {
      // One Redis would refuse (0-0 has nothing before it; past 64 bits) is the cursor's fault, not an outage.
      if (!is_stream_id(value) || !stream_id_in_range(value) || value == "0-0")
        co_return bad("cursor is not one this listing gave (use the `next` link as it is), not " + quoted_input(value));
      before = value;
    } else {
      co_return bad("unknown query parameter " + quoted_input(name) + "; expected who, action, unit, from, to, limit, cursor");
    }
  }
  if (from && to && *from >= *to) co_return bad("from must be before to: nothing is at or after from and before to");
  auto index = context.watcher->index();
  const bool whole = request.principal->whole_directory();
  if (!index && !whole) co_return index_unavailable();
  std::optional<CallerScope> caller;
  std::uint32_t unit = directory::kNoUnit;
  if (index) {
    caller.emplace(request, index->units());
    if (!unit_id.empty()) {
      unit = index->units().find(unit_id);
      if (unit == directory::kNoUnit || !caller->reaches(unit)) co_return not_found("unit", unit_id);
    }
  }
  json::array out;
  std::string next, cursor = before;
  std::size_t scanned = 0;
  while (out.size() < limit && scanned < kMostScanned) {
    auto batch = co_await context.audit->newest(cursor, kBatch);
    if (!batch) co_return redis_unavailable(batch.error().message());
    if (batch->empty()) break;
    for (std::size_t n = 0; n < batch->size(); ++n) {
      const auto& [id, text] = (*batch)[n];
      ++scanned;
      cursor = id;
      auto entry = audit::from_json(text);
      if (!entry) continue;
      // Within the caller's scope: an entry of no unit (a login, a token) only for the whole directory.
      const auto at_unit = index && !entry->unit.empty() ? index->units().find(entry->unit) : directory::kNoUnit;
      if (!whole && (at_unit == directory::kNoUnit || !caller->reaches(at_unit))) continue;
      if (unit != directory::kNoUnit && (at_unit == directory::kNoUnit || at_unit < unit || at_unit >= index->units().subtree_end(unit))) continue;
      if (!who.empty() && entry->who != who) continue;
      if (!action.empty() && entry->action != action) continue;
      const auto at = parse_rfc3339(entry->at);
      if ((from && (!at || *at < *from)) || (to && (!at || *at >= *to))) continue;
      auto shown = json::parse(text).as_object();
      shown["id"] = id;
      out.push_back(std::move(shown));
      if (out.size() == limit) {
        // The last entry of a batch that was not full is the trail's oldest: no page after.
        if (n + 1 < batch->size() || batch->size() == kBatch) next = id;
        break;
      }
    }
    if (batch->size() < kBatch) break;
  }
  if (next.empty() && scanned >= kMostScanned) next = cursor;  // looked through enough for one page: go on from here
  json::object body{{"entries", std::move(out)}, {"next", next.empty() ? json::value(nullptr) : json::value(link_with_cursor(request, next))}};
  co_return http::json_response(200, json_text(body));
}

}  // namespace

void add_audit_routes(http::Router& router, const Context& context) {
  router.add("GET", "/v1/audit", [context](http::Request& r) { return list(context, r); });
}

}  // namespace orgcast::api
