// The two-person rule over HTTP (docs/ACCESS.md, "Two-person rule"):
//   GET  /v1/approvals?state=            requests held for approval the caller may see, newest first,
//                                        each with its frozen audience (count, breakdown, cost, a rendered message)
//   POST /v1/approvals/{id}/approve      {"reason"?}: sends it, through the same pipeline; never by its author
//   POST /v1/approvals/{id}/reject       {"reason"}: it is never sent
#include <algorithm>
#include <boost/json.hpp>

#include "api/approvals.hpp"
#include "api/audit_trail.hpp"
#include "api/caller_scope.hpp"
#include "api/common.hpp"
#include "api/enqueue.hpp"
#include "api/routes.hpp"
#include "approvals/approval_store.hpp"
#include "auth/auth_store.hpp"
#include "auth/principal.hpp"
#include "broadcast/estimate.hpp"
#include "core/run_on.hpp"
#include "core/text.hpp"
#include "directory/resolver.hpp"
#include "directory_store/store.hpp"
#include "directory_store/watcher.hpp"
#include "pricing/cost.hpp"

namespace orgcast::api {

namespace json = boost::json;
using boost::asio::awaitable;

std::optional<long long> strictest(const std::map<std::string, long long>& by_profile, const Lineage& lineage) {
  std::optional<long long> out;
  for (const auto& profile : lineage.profiles)
    if (auto it = by_profile.find(profile); it != by_profile.end() && (!out || it->second < *out)) out = it->second;
  return out;
}

namespace {

// Walks the makers up from `tag`: the profiles met, and the person at the top.
awaitable<redis::Result<Lineage>> walk(Context context, std::string tag, std::vector<std::string> profiles) {
  Lineage out;
  out.profiles = std::move(profiles);
  std::vector<auth::TokenRecord> tokens;
  for (int depth = 0; depth < 32 && tag.starts_with("token:"); ++depth) {
    if (tokens.empty()) {
      auto all = co_await context.auth->tokens();
      if (!all) co_return all.error();
      tokens = std::move(*all);
    }
    const auth::TokenRecord* token = nullptr;
    for (const auto& t : tokens)
      if ("token:" + t.id == tag) token = &t;
    if (!token) break;
    out.profiles.push_back(token->profile);
    if (!(token->created_by.starts_with("token:") || token->created_by.starts_with("user:"))) break;  // made by the CLI: its own person
    tag = token->created_by;
  }
  if (tag.starts_with("user:")) {
    auto user = co_await context.auth->user(tag.substr(5));
    if (!user) co_return user.error();
    if (*user) out.profiles.push_back((*user)->profile);
  }
  out.person = tag;
  co_return out;
}

}  // namespace

awaitable<redis::Result<Lineage>> lineage_of(Context context, std::shared_ptr<const auth::Principal> caller) {
  std::vector<std::string> profiles{caller->profile};
  const auto tag = caller->tag();
  co_return co_await walk(context, tag, std::move(profiles));
}

awaitable<redis::Result<std::string>> person_behind(Context context, std::string tag) {
  std::vector<std::string> none;
  auto lineage = co_await walk(context, tag, std::move(none));
  if (!lineage) co_return lineage.error();
  co_return lineage->person;
}

awaitable<http::Response> hold_for_approval(Context context, audit::Entry held, std::shared_ptr<const directory::OrgIndex> index,
                                            broadcast::Spec spec, json::value body, std::vector<std::uint32_t> posts) {
  if (!context.approvals) co_return http::unavailable("approvals are not available", 1);
  // Frozen: the people, and what the approver is shown of them.
  std::vector<std::uint64_t> mobiles;
  std::vector<std::uint32_t> records;
  mobiles.reserve(posts.size());
  records.reserve(posts.size());
  for (auto p : posts) {
    mobiles.push_back(index->person_mobile(index->posts()[p].person));
    records.push_back(index->posts()[p].record);
  }
  auto raw = co_await context.store->fetch_raw_records(*index, records);
  if (!raw) co_return redis_unavailable(raw.error().message());
  auto freeze = [&] {
    const auto views = raw->views();
    const auto e = broadcast::estimate(spec.content, spec.channels, views, &index->units());
    directory::Resolution resolution{posts};
    const auto summary = directory::summarize(*index, spec.audience, resolution, 0);
    json::object by_unit;
    const auto& units = index->units();
    for (const auto& [unit, count] : summary.by_child) by_unit[std::string(units.id(unit))] = count;
    json::object by_channel;
    for (auto channel : spec.channels) {
      const auto& c = e.by_channel[static_cast<std::size_t>(channel)];
      by_channel[adapters::name(channel)] = json::object{{"messages", c.messages}, {"cost", pricing::format_amount(c.micros)}};
    }
    // One recipient's message as it would be sent: what the approver reads.
    json::object sample;
    for (const auto& v : views) {
      const int first = broadcast::first_usable_channel(spec.channels, v, 0);
      if (first < 0) continue;
      adapters::OutboundMessage m;
      m.channel = spec.channels[static_cast<std::size_t>(first)];
      spec.content.fill(m, v, &units);
      sample = json::object{{"channel", adapters::name(m.channel)}, {"text", m.text}};
      break;
    }
    return json::object{{"count", posts.size()},
                        {"root", summary.root == directory::kNoUnit ? std::string() : std::string(units.id(summary.root))},
                        {"by_unit", std::move(by_unit)},
                        {"cost", json::object{{"currency", spec.content.prices.currency}, {"total", pricing::format_amount(e.micros)},
                                              {"by_channel", std::move(by_channel)}, {"unreachable", e.unreachable}}},
                        {"sample", std::move(sample)}};
  };
  auto frozen = co_await run_on(context.compute, std::move(freeze));
  const std::string root(frozen["root"].as_string());
  if (auto* o = body.if_object()) {
    boost::system::error_code ec;
    if (auto audience = json::parse(spec.audience_json, ec); !ec) (*o)["audience"] = std::move(audience);
  }
  std::map<std::string, std::string> fields{{"kind", "broadcast"},  {"author", spec.author},       {"root", root},
                                            {"count", std::to_string(posts.size())}, {"body", json::serialize(body)},
                                            {"frozen", json::serialize(frozen)}};
  auto id = co_await context.approvals->hold(std::move(fields), std::move(mobiles), context.approval_expiry);
  if (!id) co_return redis_unavailable(id.error().message());
  held.action = "hold_for_approval";
  held.target = *id;
  held.unit = root;
  held.count = static_cast<long long>(posts.size());
  co_await keep_audit(context, std::move(held));
  json::object out{{"approval", *id}, {"state", "pending_approval"}, {"recipients", posts.size()},
                   {"note", "over your profile's threshold: a second person with approve over its units must approve it"}};
  out["frozen"] = std::move(frozen);
  auto response = http::json_response(202, json::serialize(out));
  response.headers.emplace_back("Location", "/v1/approvals/" + *id);
  co_return response;
}

namespace {

json::object approval_json(const approvals::Approval& a) {
  json::object out;
  for (const char* f : {"id", "kind", "state", "author", "root", "created_at", "expires_at", "decided_by", "decided_at", "reason", "broadcast"})
    if (auto v = a.field(f); !v.empty()) out[f] = v;
  out["count"] = std::atoll(a.field("count").c_str());
  boost::system::error_code ec;
  if (auto frozen = json::parse(a.field("frozen"), ec); !ec) out["frozen"] = std::move(frozen);
  if (auto body = json::parse(a.field("body"), ec); !ec) out["broadcast_request"] = std::move(body);
  return out;
}

awaitable<http::Response> list(Context context, http::Request& request) {
  std::string state;
  for (const auto& [name, value] : request.query) {
    if (name != "state") co_return http::problem(400, "invalid-parameter", "Invalid parameter", "unknown query parameter " + quoted_input(name) + "; expected state");
    if (value != "pending_approval" && value != "sent" && value != "rejected" && value != "expired" && value != "approved")
      co_return http::problem(400, "invalid-parameter", "Invalid parameter", "state must be pending_approval, approved, sent, rejected or expired");
    state = value;
  }
  if (!context.approvals) co_return http::json_response(200, R"({"approvals":[]})");
  auto all = co_await context.approvals->newest(500);
  if (!all) co_return redis_unavailable(all.error().message());
  json::array out;
  for (const auto& a : *all)
    if ((state.empty() || a.field("state") == state) && caller_sees(context, request, a.field("root"), a.field("author"))) out.push_back(approval_json(a));
  co_return http::json_response(200, json::serialize(json::object{{"approvals", std::move(out)}}));
}

// The held request queued as its author's broadcast, to the frozen people; or why not.
awaitable<std::variant<Enqueued, http::Response>> send_approved(Context context, std::string id, approvals::Approval a) {
  auto index = context.watcher->index();
  if (!index) co_return index_unavailable();
  auto people = co_await context.approvals->people(id);
  if (!people) co_return redis_unavailable(people.error().message());
  std::vector<std::uint32_t> persons;
  for (auto m : *people)
    if (auto p = index->find_person(m)) persons.push_back(*p);
  std::sort(persons.begin(), persons.end());
  persons.erase(std::unique(persons.begin(), persons.end()), persons.end());
  if (persons.empty()) co_return http::problem(409, "nobody", "Nobody left", "nobody frozen with the request is in the directory now");
  boost::system::error_code ec;
  auto body = json::parse(a.field("body"), ec);
  if (ec) co_return http::problem(500, "internal", "Approval unreadable", "the held request could not be read");
  const auto messaging = context.messaging();
  auto parsed = broadcast::parse_spec(body, *index, spec_context(*messaging, std::chrono::system_clock::now()));
  if (auto* problems = std::get_if<std::vector<directory::SelectorError>>(&parsed)) co_return pointer_problem("The held broadcast is no longer valid", *problems);
  auto spec = std::get<broadcast::Spec>(std::move(parsed));
  spec.author = a.field("author");
  spec.audience.only_persons = std::move(persons);
  broadcast::Store::IdempotencyHold no_key;
  SliceHook no_hook;  // named: GCC 12 mishandles temporaries with destructors inside a co_await
  auto queued = co_await enqueue_broadcast(context, index, std::move(spec), std::move(no_key), no_hook);
  if (auto* refused = std::get_if<http::Response>(&queued)) co_return std::move(*refused);
  co_return std::get<Enqueued>(queued);
}

awaitable<http::Response> decide(Context context, http::Request& request, bool approve) {
  const auto id = request.params["id"];
  std::string reason;
  if (!request.body.empty()) {
    http::Response error;
    auto body = parse_json_body(request, error);
    if (!body) co_return error;
    std::vector<directory::SelectorError> problems;
    if (!body->is_object()) problems.push_back({"", "the body must be a JSON object"});
    else {
      directory::reject_unknown_keys(body->as_object(), {"reason"}, "", problems);
      if (const auto* r = body->as_object().if_contains("reason")) {
        if (!r->is_string() || characters(r->as_string()) > 500) problems.push_back({"/reason", "expected a text of at most 500 characters"});
        else reason = std::string(r->as_string());
      }
    }
    if (!problems.empty()) co_return pointer_problem("Invalid decision", problems);
  }
  if (!approve && reason.empty()) co_return pointer_problem("Invalid decision", {{"/reason", "a rejection says why"}});
  if (!context.approvals) co_return not_found("approval", id);
  auto found = co_await context.approvals->get(id);
  if (!found) co_return redis_unavailable(found.error().message());
  if (!*found || !caller_sees(context, request, (*found)->field("root"), (*found)->field("author"))) co_return not_found("approval", id);
  const auto& a = **found;
  // Over its units: the approver's scope holds the audience's root (seeing it as its author is not enough).
  if (!caller_sees(context, request, a.field("root"), ""))
    co_return out_of_scope("the audience's root " + quoted(a.field("root")) + " is outside your scope");
  const auto author_tag = a.field("author"), decider_tag = request.principal->tag();  // named: GCC 12 and temporaries inside a co_await
  auto author = co_await person_behind(context, author_tag);
  if (!author) co_return redis_unavailable(author.error().message());
  auto decider = co_await person_behind(context, decider_tag);
  if (!decider) co_return redis_unavailable(decider.error().message());
  if (*author == *decider || author_tag == decider_tag)
    co_return http::problem(403, "own-request", "Not your own", "the author of a request can never approve or reject it; another person must");
  const std::string state = approve ? "approved" : "rejected";
  const std::string who = request.principal->tag();
  auto decided = co_await context.approvals->decide(id, state, who, reason);
  if (!decided) co_return redis_unavailable(decided.error().message());
  if (*decided == "none") co_return not_found("approval", id);
  if (*decided != "ok") co_return http::problem(409, "decided", "Already " + *decided, "approval " + id + " is " + *decided + "; it cannot be decided now");
  auto entry = audit_entry(context, request, approve ? "approve" : "reject", id);
  entry.unit = a.field("root");
  entry.count = std::atoll(a.field("count").c_str());
  entry.summary = audit_text(reason);
  if (!approve) {
    co_await keep_audit(context, std::move(entry));
    co_return http::json_response(200, json::serialize(json::object{{"approval", id}, {"state", "rejected"}, {"reason", reason}}));
  }
  // Sent as it was frozen: the held request, to the people frozen with it
  // (those the directory still has), through the same pipeline. If it cannot
  // be sent now, it goes back to pending (it may be approved again) and the
  // answer says why.
  auto sent = co_await send_approved(context, id, a);
  if (auto* refused = std::get_if<http::Response>(&sent)) {
    const std::string why = "could not be sent: " + std::string(refused->body.substr(0, 300));
    if (auto reopened = co_await context.approvals->reopen(id, why); !reopened)
      context.log->error("approvals", "approval " + id + " is marked approved but was not sent, and could not be reopened");
    entry.outcome = "failed";
    entry.summary = audit_text(why);
    co_await keep_audit(context, std::move(entry));
    co_return std::move(*refused);
  }
  const auto q = std::get<Enqueued>(sent);
  entry.summary = "sent as " + q.id + (reason.empty() ? "" : "; " + audit_text(reason));
  co_await keep_audit(context, std::move(entry));
  if (auto kept = co_await context.approvals->sent_as(id, q.id); !kept)  // the broadcast is made: its answer stands
    context.log->warn("approvals", "approval " + id + " sent as " + q.id + " but not marked so: " + kept.error().message());
  auto response = http::json_response(202, json::serialize(json::object{
                                               {"approval", id}, {"state", "sent"}, {"broadcast", q.id}, {"recipients", q.total - q.skipped}}));
  response.headers.emplace_back("Location", "/v1/broadcasts/" + q.id);
  co_return response;
}

}  // namespace

void add_approval_routes(http::Router& router, const Context& context) {
  router.add("GET", "/v1/approvals", [context](http::Request& r) { return list(context, r); });
  router.add("POST", "/v1/approvals/{id}/approve", [context](http::Request& r) { return decide(context, r, true); });
  router.add("POST", "/v1/approvals/{id}/reject", [context](http::Request& r) { return decide(context, r, false); });
}

}  // namespace orgcast::api
