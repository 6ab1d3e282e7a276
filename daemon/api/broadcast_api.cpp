// Broadcasts over HTTP:
//   POST /v1/broadcasts        202 once every recipient is durably queued;
//                              Idempotency-Key makes a retry return the same broadcast
//   GET  /v1/broadcasts/{id}   state and counters
//   GET  /v1/broadcasts/{id}/recipients?state=failed&page=1&per_page=100[&format=csv]
//   GET  /v1/broadcasts/{id}/events  live progress (server-sent events)
//   POST /v1/broadcasts/{id}/cancel  what is not yet sent will not be
#include <algorithm>
#include <boost/json.hpp>
#include <cmath>
#include <limits>
#include <stdexcept>
#include <random>

#include "api/approvals.hpp"
#include "api/send_quota.hpp"
#include "api/audit_trail.hpp"
#include "api/caller_scope.hpp"
#include "api/common.hpp"
#include "auth/principal.hpp"
#include "api/enqueue.hpp"
#include "api/event_stream.hpp"
#include "api/paging.hpp"
#include "api/routes.hpp"
#include "api/scheduled_broadcasts.hpp"
#include "api/visible_broadcast.hpp"
#include "broadcast/recipients.hpp"
#include "broadcast/spec.hpp"
#include "broadcast/store.hpp"
#include "core/digest.hpp"
#include "core/run_on.hpp"
#include "core/text.hpp"
#include "core/utc_time.hpp"
#include "directory/phone.hpp"
#include "directory/resolver.hpp"
#include "directory_store/store.hpp"
#include "directory_store/watcher.hpp"
#include "metrics/registry.hpp"
#include "pricing/cost.hpp"
#include "redis/client.hpp"
#include "core/json_text.hpp"

namespace orgcast::api {
namespace json = boost::json;
using boost::asio::awaitable;

namespace {

// A broadcast in short, for the audit trail: its template and channels.
std::string audit_summary(const broadcast::Spec& spec) {
  std::string channels;
  for (auto c : spec.channels) channels += (channels.empty() ? "" : ",") + std::string(adapters::name(c));
  std::string out = spec.content.tmpl ? "template " : "a message";
  if (spec.content.tmpl) out += spec.content.tmpl->id;
  out += " by ";
  out += channels;
  return out;
}

// `state` as GET /v1/broadcasts/{id} would say it now: scheduled (for its send_at) or queued.
http::Response accepted(const std::string& id, std::size_t recipients, std::size_t skipped, bool replay, std::string_view state,
                        const broadcast::Spec* moved_to_promotional_hours = nullptr) {
  json::object body{{"id", id}, {"recipients", recipients}, {"skipped", skipped}, {"state", state}};
  if (replay) body["idempotent_replay"] = true;
  if (moved_to_promotional_hours) {
    body["send_at"] = format_utc(*moved_to_promotional_hours->send_at);
    body["note"] = "a promotional SMS template: scheduled for 10:00 IST, when promotional SMS may be sent (10:00-21:00 IST)";
  }
  auto response = http::json_response(202, json_text(body));
  response.headers.emplace_back("Location", "/v1/broadcasts/" + id);
  if (state == "scheduled" && !replay) response.headers.emplace_back("ETag", "\"v1\"");  // planned: PATCH with If-Match
  return response;
}

awaitable<http::Response> replay(Context context, std::string id) {  // by value: a coroutine outlives its caller's temporaries
  auto info = co_await context.broadcasts->get(id);
  if (!info) co_return redis_unavailable(info.error().message());
  if (!*info) co_return http::problem(409, "in-progress", "Request in progress", "retry in a moment");
  co_return accepted(id, (*info)->total, static_cast<std::size_t>((*info)->counters["skipped"]), true, (*info)->state == "scheduled" ? "scheduled" : "queued");
}

awaitable<http::Response> create_claimed(Context context, std::shared_ptr<const directory::OrgIndex> index, broadcast::Spec spec,
                                         broadcast::Store::IdempotencyHold hold, audit::Entry sent, std::string request_json);

awaitable<http::Response> create(Context context, http::Request& request) {
  auto index = context.watcher->index();
  if (!index) co_return index_unavailable();
  if (!context.redis->connected()) co_return redis_unavailable(context.redis->status());
  http::Response error;
  auto body = parse_json_body(request, error);
  if (!body) co_return error;
  const auto messaging = context.messaging();
  const CallerScope caller(request, index->units());
  auto checks = spec_context(*messaging, std::chrono::system_clock::now());
  checks.scope = &caller.scope();
  auto parsed = broadcast::parse_spec(*body, *index, checks);
  if (auto* problems = std::get_if<std::vector<directory::SelectorError>>(&parsed)) co_return pointer_problem("Invalid broadcast", *problems);
  auto spec = std::get<broadcast::Spec>(std::move(parsed));
  spec.author = request.principal->tag();
  std::function<awaitable<http::Response>(std::string)> replay_made = [context](std::string id) { return replay(context, id); };
  auto claimed = co_await claim_idempotency_key(context, request, *body, replay_made);
  if (auto* answer = std::get_if<http::Response>(&claimed)) co_return std::move(*answer);
  auto hold = std::get<broadcast::Store::IdempotencyHold>(std::move(claimed));
  // The daily quota, and over the caller's threshold a second person's approval.
  Holdable held{"broadcast", *body, {}, hold, audit_entry(context, request, "send")};
  held.entry.summary = audit_summary(spec);
  if (auto* o = held.body.if_object()) {  // run again with the units the caller's scope gave it
    boost::system::error_code ec;
    if (auto audience = json::parse(spec.audience_json, ec); !ec) (*o)["audience"] = std::move(audience);
  }
  auto sent = held.entry;
  auto request_json = json::serialize(held.body);  // what a broadcast planned for later runs when it starts
  auto ruled = co_await apply_send_rules(context, request.principal, index, spec, std::move(held));
  http::Response answer;
  if (auto* refused = std::get_if<http::Response>(&ruled)) answer = std::move(*refused);
  else answer = co_await create_claimed(context, index, std::move(spec), hold, std::move(sent), std::move(request_json));
  // Anything but a broadcast made (or held) gives the key and the quota back: a retry need not wait for its lease.
  if (answer.status != 202) {
    if (!hold.key.empty()) co_await context.broadcasts->release_idempotency_key(hold);
    if (auto* taken = std::get_if<QuotaTaken>(&ruled)) co_await give_back_send_quota(context, *taken);
  }
  co_return answer;
}

awaitable<http::Response> create_claimed(Context context, std::shared_ptr<const directory::OrgIndex> index, broadcast::Spec spec,
                                         broadcast::Store::IdempotencyHold hold, audit::Entry sent, std::string request_json) {
  const bool moved_to_promotional_hours = spec.scheduled_for_promotional_hours;
  const auto send_at = spec.send_at;
  // One for later is planned, its audience resolved when it starts; one for now is queued.
  const bool later = send_at && *send_at > std::chrono::system_clock::now();
  std::variant<Enqueued, http::Response> queued;
  if (later) queued = co_await plan_broadcast(context, std::move(index), std::move(spec), std::move(request_json), std::move(hold));
  else queued = co_await enqueue_broadcast(context, std::move(index), std::move(spec), std::move(hold));
  if (auto* refused = std::get_if<http::Response>(&queued)) co_return std::move(*refused);
  const auto& q = std::get<Enqueued>(queued);
  sent.target = q.id;
  sent.unit = q.root;
  sent.count = static_cast<long long>(q.total - q.skipped);
  co_await keep_audit(context, std::move(sent));
  broadcast::Spec shown;
  shown.send_at = send_at;
  co_return accepted(q.id, q.total, q.skipped, false, later ? "scheduled" : "queued", moved_to_promotional_hours ? &shown : nullptr);
}

// A broadcast as JSON: state, counts per state, per channel and per unit;
// with `full`, its message and audience too.
json::object broadcast_json(const broadcast::BroadcastInfo& b, bool full) {
  json::object counts, by_channel, by_unit, cost_by_channel, extra;
  std::int64_t cost_total = 0, sms_segments = 0;
  for (const auto& [key, value] : b.counters) {
    if (value == 0 && key != "queued") continue;  // states nobody is in (counters moved through them)
    if (key == "$:sms_segments") sms_segments = value;
    else if (key.rfind("$:", 0) == 0) {  // what the accepted messages cost, in micros
      cost_by_channel[key.substr(2)] = pricing::format_amount(value);
      cost_total += value;
    } else if (key.rfind("x:", 0) == 0) {  // counted beside the states: possible_duplicates
      extra[key.substr(2)] = value;
    } else if (key.rfind("ch:", 0) == 0) by_channel[key.substr(3)] = value;
    else if (key.rfind("u:", 0) == 0) by_unit[key.substr(2)] = value;
    else counts[key] = value;
  }
  json::object out{{"id", b.id},     {"state", b.state},         {"priority", b.priority},
                   {"total", b.total}, {"created_at", b.created_at}, {"counts", std::move(counts)},
                   {"by_channel", std::move(by_channel)}, {"by_unit", std::move(by_unit)}};
  // Sends after which the provider may have sent anyway (a timeout): a person may have had the message twice.
  if (b.version > 0) out["version"] = b.version;  // planned for later: changed with PATCH and If-Match until it starts
  if (!b.not_sent_because.empty()) out["not_sent_because"] = b.not_sent_because;
  out["possible_duplicates"] = extra.contains("possible_duplicates") ? extra["possible_duplicates"] : json::value(0);
  // The cost of what was actually sent (accepted by a provider), at the prices of its creation.
  boost::system::error_code ec;
  auto message = json::parse(b.message_json, ec);
  const auto* prices = !ec && message.is_object() ? message.as_object().if_contains("prices") : nullptr;
  const auto* currency = prices && prices->is_object() ? prices->as_object().if_contains("currency") : nullptr;
  out["cost"] = json::object{{"currency", currency && currency->is_string() ? currency->as_string() : "INR"},
                             {"total", pricing::format_amount(cost_total)},
                             {"by_channel", std::move(cost_by_channel)},
                             {"sms_segments", sms_segments}};
  if (full) {
    if (message.is_object()) message.as_object().erase("template_source");  // the dispatcher's copy, not news to the caller
    // Money as decimal strings, as every cost is: a price kept as a number is shown as "0.115".
    if (auto* kept = message.is_object() ? message.as_object().if_contains("prices") : nullptr; kept && kept->is_object())
      for (auto& [key, price] : kept->as_object())
        if (price.is_number()) price = pricing::format_amount(std::llround(price.to_number<double>() * 1e6));
    out["message"] = std::move(message);
    out["audience"] = json::parse(b.audience_json, ec);
  }
  return out;
}

awaitable<http::Response> show(Context context, http::Request& request) {
  const auto id = request.params["id"];
  auto info = co_await visible_broadcast(context, request, id);
  if (auto* refused = std::get_if<http::Response>(&info)) co_return std::move(*refused);
  const auto& b = std::get<broadcast::BroadcastInfo>(info);
  auto response = http::json_response(200, json_text(broadcast_json(b, true)));
  if (auto etag = scheduled_etag(b); !etag.empty()) response.headers.emplace_back("ETag", std::move(etag));
  co_return response;
}

// Settled: nothing is queued or awaiting a report (or the broadcast was
// cancelled and nothing is queued). Its live progress (api/event_stream)
// ends with a `done` event then.
bool settled(const broadcast::BroadcastInfo& b) {
  auto value = [&](const char* key) {
    auto it = b.counters.find(key);
    return it == b.counters.end() ? 0 : it->second;
  };
  if (value("queued") > 0 || value("sending") > 0) return false;
  return b.state == "cancelled" || b.state == "done" || b.state == "not_sent";
}

awaitable<http::Response> events(Context context, http::Request& request) {
  const auto id = request.params["id"];
  auto info = co_await visible_broadcast(context, request, id);
  if (auto* refused = std::get_if<http::Response>(&info)) co_return std::move(*refused);
  SnapshotReader read = [context, id]() -> awaitable<std::optional<Snapshot>> {
    auto now = co_await context.broadcasts->get(id);
    if (!now || !*now) co_return std::nullopt;
    co_return Snapshot{json_text(broadcast_json(**now, false)), settled(**now)};
  };
  co_return event_stream(std::move(read), std::string(request.header("last-event-id").value_or("").substr(0, 64)));
}

// Cancel answers 202: the dispatchers settle what was still queued as
// `cancelled` in the moments after (GET shows the counts move).
awaitable<http::Response> cancel(Context context, http::Request& request) {
  const auto id = request.params["id"];
  auto info = co_await visible_broadcast(context, request, id);
  if (auto* refused = std::get_if<http::Response>(&info)) co_return std::move(*refused);
  auto before = co_await context.broadcasts->cancel(id);
  if (!before) co_return redis_unavailable(before.error().message());
  if (!*before) co_return not_found("broadcast", id);
  if (**before == "done")
    co_return http::problem(409, "nothing-to-cancel", "Nothing to cancel", "broadcast " + id + " is done: everyone in it has been sent to already");
  if (**before == "not_sent")
    co_return http::problem(409, "nothing-to-cancel", "Nothing to cancel", "broadcast " + id + " was not sent: " + std::get<broadcast::BroadcastInfo>(info).not_sent_because);
  if (**before != "cancelled") context.log->info("broadcast", id + " cancelled (was " + **before + ")");
  auto cancelled = audit_entry(context, request, "cancel", id);
  cancelled.unit = std::get<broadcast::BroadcastInfo>(info).root;
  cancelled.summary = "was " + **before;
  co_await keep_audit(context, std::move(cancelled));
  json::object body{{"id", id}, {"state", "cancelled"}, {"previous_state", **before}};
  co_return http::json_response(202, json_text(body));
}

// The policy's channels the recipient went through, in order, each with what came of it.
std::vector<std::pair<std::string, std::string>> channels_tried(const broadcast::Store::RecipientRow& r, const std::vector<std::string>& channels) {
  std::vector<std::pair<std::string, std::string>> out;  // channel, result
  for (std::size_t c = 0; c < r.left_because.size() && c < channels.size(); ++c) {
    std::string result;
    if (!((r.state.usable >> c) & 1u)) result = "no address";
    else if (c < r.state.channel || r.state.state == broadcast::State::failed) {
      result = r.left_because[c].empty() ? "failed" : r.left_because[c];
      if (result.starts_with(channels[c] + ": ")) result.erase(0, channels[c].size() + 2);  // said by "channel"
    } else result = broadcast::name(r.state.state);
    out.emplace_back(channels[c], std::move(result));
  }
  return out;
}

// Rows as the recipients listing shows them: the channel each is on, and why a skipped one was.
void explain_rows(std::vector<broadcast::Store::RecipientRow>& rows, const std::vector<std::string>& channels) {
  std::string policy;
  for (const auto& c : channels) policy += (policy.empty() ? "" : ", ") + c;
  for (auto& r : rows)
    if (r.state.state == broadcast::State::skipped && r.reason.empty()) r.reason = "no address for any channel of the policy (" + policy + ")";
}

std::string channel_of(const broadcast::StateRecord& s, const std::vector<std::string>& channels) {
  return s.channel < channels.size() ? channels[s.channel] : std::string();
}

// A recipients export, read and written a few chunks at a time while it is sent: any size, in constant memory.
struct RecipientsCsv {
  Context context;
  std::string id;
  std::size_t chunks = 0, next_chunk = 0;
  std::optional<broadcast::State> state;
  std::vector<std::string> channels;
  std::shared_ptr<const auth::Principal> principal;
  std::shared_ptr<const directory::OrgIndex> index;  // the units the caller's scope is read against
  std::optional<CallerScope> caller;                 // resolved once, at the first rows

  awaitable<std::optional<std::string>> next() {
    constexpr std::size_t kChunksAtOnce = 16;
    if (next_chunk >= chunks) co_return std::nullopt;
    std::string out;
    const auto end = std::min(chunks, next_chunk + kChunksAtOnce);
    auto rows = co_await context.broadcasts->recipients(id, end, state, 0, std::numeric_limits<std::size_t>::max(), next_chunk);
    if (!rows) throw std::runtime_error("recipients export of " + id + ": " + rows.error().message());  // cut short, not ended
    next_chunk = end;
    explain_rows(*rows, channels);
    if (!caller) caller.emplace(principal.get(), index->units());
    for (const auto& r : *rows) {
      std::string trail;
      for (const auto& [channel, result] : channels_tried(r, channels)) trail += (trail.empty() ? "" : "; ") + channel + " -> " + result;
      out += csv_field(r.contact.id) + "," + csv_field(r.contact.name) + "," + csv_field(r.contact.name_hi) + "," +
             caller->mobile(phone::to_e164(r.contact.mobile), r.contact.unit_id) + "," + csv_field(r.contact.unit_id) + "," + csv_field(r.contact.role) + "," +
             channel_of(r.state, channels) + "," + broadcast::name(r.state.state) + "," + csv_field(r.reason) + "," + csv_field(trail) + "\r\n";
    }
    co_return std::optional<std::string>(std::move(out));
  }
};

awaitable<http::Response> recipients(Context context, http::Request& request) {
  const auto& id = request.params["id"];
  std::optional<broadcast::State> state;
  Paging paging;
  paging.per_page = 100;
  bool csv = false;
  for (const auto& [name, value] : request.query) {
    if (name == "state") {
      if (value.empty()) continue;
      for (int s = 0; s < broadcast::kStateCount; ++s)
        if (value == broadcast::name(static_cast<broadcast::State>(s))) state = static_cast<broadcast::State>(s);
      if (!state)
        co_return http::problem(400, "invalid-parameter", "Invalid parameter",
                                "state=" + orgcast::quoted_input(value, 100) + " is not a recipient state (" + broadcast::state_names() + ")");
    } else if (name == "format") {
      if (value != "csv" && value != "json")
        co_return http::problem(400, "invalid-parameter", "Invalid parameter", "format must be json or csv, not " + quoted_input(value));
      csv = value == "csv";
    } else if (std::string why; read_paging_parameter(name, value, 10000, paging, why) && !why.empty()) {
      co_return http::problem(400, "invalid-parameter", "Invalid parameter", why);
    }
  }
  auto found = co_await visible_broadcast(context, request, id);
  if (auto* refused = std::get_if<http::Response>(&found)) co_return std::move(*refused);
  const auto* info = &std::get<broadcast::BroadcastInfo>(found);
  auto index = context.watcher->index();
  if (!index) co_return index_unavailable();
  // Each number whole only with view_contacts over the recipient's unit.
  const CallerScope caller(request, index->units());
  auto message = json::parse(info->message_json);
  std::vector<std::string> channels;
  for (const auto& c : message.as_object()["channels"].as_array()) channels.emplace_back(c.as_string());
  // How many in all (in that state, with one): the broadcast's counters, kept as recipients move.
  std::size_t total = info->chunks == 0 ? 0 : info->total;  // planned for later: nobody queued yet
  if (state) {
    auto it = info->counters.find(broadcast::name(*state));
    total = it == info->counters.end() || it->second < 0 ? 0 : static_cast<std::size_t>(it->second);
  }
  // An export with numbers whole is kept in the audit trail.
  auto keep_export = [&](std::size_t count) {
    auto exported = audit_entry(context, request, "export_numbers", id);
    exported.unit = info->root;
    exported.count = static_cast<long long>(count);
    exported.summary = std::string("recipients") + (csv ? " as CSV" : "") + (state ? ", state " + std::string(broadcast::name(*state)) : "");
    return exported;
  };
  const bool whole_numbers = request.principal->permissions.has(auth::Permission::view_contacts);
  if (csv) {  // every recipient (a spreadsheet is not paged), streamed
    if (whole_numbers && total > 0) {
      auto exported = keep_export(total);  // named: GCC 12 and temporaries inside a co_await
      co_await keep_audit(context, std::move(exported));
    }
    auto export_state = std::make_shared<RecipientsCsv>(RecipientsCsv{context, id, info->chunks, 0, state, channels, request.principal, index, std::nullopt});
    co_return csv_stream_response("contact_id,name,name_hi,mobile,unit_id,role,channel,state,reason,channels_tried\r\n",
                                  [export_state]() { return export_state->next(); }, id + "-recipients.csv");
  }
  auto rows = co_await context.broadcasts->recipients(id, info->chunks, state, paging.offset(), paging.per_page);
  if (!rows) co_return redis_unavailable(rows.error().message());
  explain_rows(*rows, channels);
  if (whole_numbers && !rows->empty()) {
    auto exported = keep_export(rows->size());
    co_await keep_audit(context, std::move(exported));
  }
  json::array items;
  for (const auto& r : *rows) {
    json::array trail;
    for (auto& [channel, result] : channels_tried(r, channels)) trail.push_back(json::object{{"channel", channel}, {"result", std::move(result)}});
    items.push_back(json::object{{"contact_id", r.contact.id},   {"name", r.contact.name},   {"name_hi", r.contact.name_hi},
                                 {"mobile", caller.mobile(phone::to_e164(r.contact.mobile), r.contact.unit_id)}, {"unit_id", r.contact.unit_id},
                                 {"role", r.contact.role},        {"channel", channel_of(r.state, channels)},
                                 {"state", broadcast::name(r.state.state)}, {"attempts", r.state.attempts}, {"reason", r.reason},
                                 {"channels_tried", std::move(trail)}});
  }
  json::object out{{"id", id}, {"page", paging.page_shown()}, {"per_page", paging.per_page}, {"total", total}, {"recipients", std::move(items)}};
  out["next"] = next_page_link(request, paging, total);
  co_return http::json_response(200, json_text(out));
}

}  // namespace

std::string stored_message_text(const broadcast::BroadcastInfo& info, std::string_view key) {
  boost::system::error_code ec;
  auto message = json::parse(info.message_json, ec);
  const auto* o = !ec ? message.if_object() : nullptr;
  const auto* v = o ? o->if_contains(key) : nullptr;
  return v && v->is_string() ? std::string(v->as_string()) : std::string();
}

awaitable<std::variant<broadcast::BroadcastInfo, http::Response>> visible_broadcast(Context context, const http::Request& request, std::string id) {
  auto info = co_await context.broadcasts->get(id);
  if (!info) co_return redis_unavailable(info.error().message());
  if (!*info) co_return not_found("broadcast", id);
  if (!caller_sees(context, request, (*info)->root, (*info)->author)) co_return not_found("broadcast", id);
  co_return std::move(**info);
}

void add_broadcast_routes(http::Router& router, const Context& context) {
  router.add("GET", "/v1/broadcasts/{id}/recipients", [context](http::Request& r) { return recipients(context, r); });
  router.add("POST", "/v1/broadcasts", [context](http::Request& r) { return create(context, r); });
  router.add("GET", "/v1/broadcasts/{id}", [context](http::Request& r) { return show(context, r); });
  router.add("GET", "/v1/broadcasts/{id}/events", [context](http::Request& r) { return events(context, r); });
  router.add("POST", "/v1/broadcasts/{id}/cancel", [context](http::Request& r) { return cancel(context, r); });
}

}  // namespace orgcast::api
