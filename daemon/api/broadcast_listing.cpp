// Broadcasts listed, newest first, from the index kept as each is made (bc:made):
//   GET /v1/broadcasts   ?state=&unit=&author=&kind=&from=&to=&limit=&cursor=
//   state: queued, scheduled, sending, done, cancelled...; unit: its audience's root in that unit's subtree;
//   author: user:<name> or token:<id>; kind: the template's (announcement, summons, reminder, reply);
//   from/to: RFC 3339 times (made at or after, before); limit 1-200 (50); cursor: the `next` of the page before.
// Only what the caller sees (its audience's root in the caller's scope, or its own).
#include <boost/json.hpp>
#include <charconv>
#include <limits>
#include <optional>
#include <set>

#include "api/caller_scope.hpp"
#include "api/common.hpp"
#include "api/paging.hpp"
#include "api/visible_broadcast.hpp"
#include "api/routes.hpp"
#include "auth/principal.hpp"
#include "broadcast/store.hpp"
#include "core/json_text.hpp"
#include "core/text.hpp"
#include "core/utc_time.hpp"
#include "directory_store/watcher.hpp"
#include "templates/template.hpp"

namespace orgcast::api {

namespace json = boost::json;
using boost::asio::awaitable;

namespace {

struct Filters {
  std::string state, unit, author, kind;
  long long from_ms = 0, to_ms = std::numeric_limits<long long>::max() / 2;
  std::size_t limit = 50;
  long long cursor_ms = -1;  // resume at or before it...
  std::string cursor_id;     // ...after this id
};

long long ms_of(std::chrono::system_clock::time_point t) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count();
}

// The filters from the query, or what is wrong with one.
std::string read_filters(const http::Request& request, Filters& f) {
  for (const auto& [name, value] : request.query) {
    if (name == "state" || name == "unit" || name == "author" || name == "kind") {
      if (value.empty() || value.size() > 100) return name + " must be 1 to 100 characters";
      (name == "state" ? f.state : name == "unit" ? f.unit : name == "author" ? f.author : f.kind) = value;
    } else if (name == "from" || name == "to") {
      const auto t = parse_rfc3339(value);
      if (!t) return name + " must be " + std::string(kRfc3339Expected) + ", not " + quoted_input(value);
      (name == "from" ? f.from_ms : f.to_ms) = ms_of(*t) - (name == "to" ? 1 : 0);
    } else if (name == "limit") {
      if (auto why = read_paging("per_page", value, 200, f.limit); !why.empty()) return "limit must be a number from 1 to 200, not " + quoted_input(value);
    } else if (name == "cursor") {
      const auto dot = value.find('.');
      long long ms = -1;
      const auto read = dot == std::string::npos ? std::from_chars_result{value.data(), std::errc::invalid_argument}
                                                 : std::from_chars(value.data(), value.data() + dot, ms);
      if (read.ec != std::errc() || read.ptr != value.data() + dot || ms < 0 || !broadcast::Keys::is_broadcast_id(std::string_view(value).substr(dot + 1)))
        return "cursor is not one this listing gave (use the `next` link as it is)";
      f.cursor_ms = ms;
      f.cursor_id = value.substr(dot + 1);
    }
  }
  if (!f.kind.empty() && f.kind != "announcement" && f.kind != "summons" && f.kind != "reminder" && f.kind != "reply")
    return "kind must be announcement, summons, reminder or reply";
  static const std::set<std::string, std::less<>> kStates = {"queued", "scheduled", "sending", "done", "cancelled", "not_sent"};
  if (!f.state.empty() && !kStates.contains(f.state)) return "state must be queued, scheduled, sending, done, cancelled or not_sent, not " + quoted_input(f.state);
  if (f.from_ms > f.to_ms) return "from must be before to: nothing is made at or after from and before to";
  return "";
}

// The query again with the cursor moved: the next page's link.
std::string next_link(const http::Request& request, long long ms, const std::string& id) {
  return link_with_cursor(request, std::to_string(ms) + "." + id);
}

awaitable<http::Response> list(Context context, http::Request& request) {
  Filters f;
  if (auto why = read_filters(request, f); !why.empty()) co_return http::problem(400, "invalid-parameter", "Invalid parameter", why);
  auto index = context.watcher->index();
  const auto* units = index ? &index->units() : nullptr;
  // The caller's scope, resolved once for every broadcast looked at (none loaded: only its own and a whole directory's).
  std::optional<CallerScope> caller;
  if (units) caller.emplace(request, *units);
  auto sees = [&](const broadcast::BroadcastInfo& b) {
    return caller ? caller->sees(b.root, b.author) : request.principal->whole_directory() || b.author == request.principal->tag();
  };
  std::uint32_t unit = directory::kNoUnit;
  if (!f.unit.empty()) {
    if (!caller) co_return index_unavailable();
    unit = units->find(f.unit);
    // A unit outside the scope is answered as one the directory lacks: no oracle of which exist.
    if (unit == directory::kNoUnit || !caller->reaches(unit)) co_return not_found("unit", f.unit);
  }
  const auto messaging = context.messaging();
  json::array out;
  std::string next;
  long long max_ms = f.cursor_ms >= 0 ? std::min(f.cursor_ms, f.to_ms) : f.to_ms;
  // Where reading resumes: after (resume_ms, resume_id). Redis orders equal
  // times by id, descending, so those at resume_ms with an id not below it
  // were read before.
  bool resuming = f.cursor_ms >= 0, more = false;
  long long resume_ms = f.cursor_ms, last_ms = 0;
  std::string resume_id = f.cursor_id, last_id;  // last: the last broadcast looked at
  // Reads of the index until the page is full; at most 20 a request (a
  // narrow filter over a long history answers with `next` to go on). Each
  // read resumes after the last broadcast looked at, not at an offset: one
  // made meanwhile moves nothing.
  constexpr std::size_t kRead = 200;
  for (int reads = 0; reads < 20; ++reads) {
    auto page = co_await context.broadcasts->made_between(max_ms, f.from_ms, kRead);
    if (!page) co_return redis_unavailable(page.error().message());
    more = page->size() == kRead;
    for (const auto& made : *page) {
      const auto& b = made.info;
      if (resuming) {
        if (made.ms == resume_ms && b.id >= resume_id) continue;
        resuming = false;
      }
      if (out.size() == f.limit) {  // one more than a page: there is a next one
        next = next_link(request, last_ms, last_id);
        break;
      }
      last_ms = made.ms;
      last_id = b.id;
      if (b.state.empty()) continue;  // gone past its retention
      if (!sees(b)) continue;
      if (!f.state.empty() && b.state != f.state) continue;
      if (!f.author.empty() && b.author != f.author) continue;
      if (unit != directory::kNoUnit) {
        const auto root = units->find(b.root);
        if (root == directory::kNoUnit || root < unit || root >= units->subtree_end(unit)) continue;
      }
      const auto tmpl = stored_message_text(b, "template");  // "" literal text
      const auto* entry = tmpl.empty() ? nullptr : messaging->catalog.find(tmpl);
      const std::string kind = entry ? std::string(templates::name(entry->value->kind)) : tmpl.empty() ? "reply" : "";
      if (!f.kind.empty() && kind != f.kind) continue;
      json::object row{{"id", b.id}, {"state", b.state}, {"created_at", b.created_at}, {"priority", b.priority},
                       {"author", b.author}, {"root", b.root}, {"total", b.total}, {"template", tmpl}, {"kind", kind}};
      out.push_back(std::move(row));
    }
    if (!next.empty() || !more || last_id.empty()) break;
    max_ms = resume_ms = last_ms;
    resume_id = last_id;
    resuming = true;
  }
  if (next.empty() && more && !last_id.empty()) next = next_link(request, last_ms, last_id);  // the reads ran out before the page filled
  json::object body{{"broadcasts", std::move(out)}};
  body["next"] = next.empty() ? json::value(nullptr) : json::value(next);
  co_return http::json_response(200, json_text(body));
}

}  // namespace

void add_broadcast_list_routes(http::Router& router, const Context& context) {
  router.add("GET", "/v1/broadcasts", [context](http::Request& r) { return list(context, r); });
}

}  // namespace orgcast::api
