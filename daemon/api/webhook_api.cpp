// /v1/webhooks/{provider}[/{secret}] (GET or POST, as the provider calls): delivery
// reports and inbound messages from a provider. The handler parses (through
// the provider's adapter), calls tracking/ (reports) and inbound/ (messages),
// and answers: 503 when any part could not be kept, so the provider retries.
//   GET /v1/inbound?limit=50&outcome=opted_out&cursor=   the latest inbound messages, newest first (cursor: the `next` link's),
//                                                with what was done with each (inbound/reply_decision.hpp)
#include <algorithm>
#include <boost/json.hpp>
#include <charconv>
#include <chrono>
#include <cstdlib>
#include <map>

#include "api/common.hpp"
#include "api/paging.hpp"
#include "api/routes.hpp"
#include "core/text.hpp"
#include "api/caller_scope.hpp"
#include "auth/callback_secrets.hpp"
#include "auth/principal.hpp"
#include "api/inbound_json.hpp"
#include "core/mask.hpp"
#include "directory_store/watcher.hpp"
#include "inbound/inbound_path.hpp"
#include "inbound/sender_directory.hpp"
#include "tracking/report_tracker.hpp"
#include "metrics/registry.hpp"
#include "redis/client.hpp"

namespace orgcast::api {
using boost::asio::awaitable;

namespace {

awaitable<http::Response> receive(Context context, http::Request& request) {
  const auto name = request.params["provider"];
  auto it = context.adapters.find(name);
  if (it == context.adapters.end()) co_return http::problem(404, "not-found", "Unknown provider", "no provider named " + quoted_input(name, 64));
  // An account whose callbacks prove nothing else carries its secret in the
  // path; a callback without it is refused and counted, and changes nothing.
  if (context.callback_secrets && context.callback_secrets->guards(name)) {
    const auto expected = context.callback_secrets->of(name);
    if (!expected) co_return http::unavailable("the callback secrets are not loaded yet", 1);  // the provider retries
    const auto given = request.params.count("secret") ? request.params["secret"] : std::string();
    if (!auth::same_secret(given, *expected)) {
      context.metrics->counter("orgcast_webhook_forged_total", "provider callbacks refused for a missing or wrong secret", {{"provider", name}}).inc();
      co_return http::problem(403, "forged-callback", "Refused",
                              "a callback for " + name + " must come to its own URL, with the account's secret in the path (/v1/webhooks/" + name +
                                  "/<secret>)");
    }
  } else if (request.params.count("secret")) {
    co_return http::problem(404, "not-found", "Unknown callback URL", name + "'s callbacks come to /v1/webhooks/" + name);
  }
  const auto question = request.target.find('?');
  adapters::CallbackRequest callback{request.method, question == std::string::npos ? "" : request.target.substr(question + 1),
                                     request.headers, request.body};
  auto parsed = it->second->parse_callback(callback);
  if (!parsed.error.empty()) {
    context.metrics->counter("orgcast_webhook_rejected_total", "provider callbacks refused", {{"provider", name}}).inc();
    co_return http::problem(parsed.status, "invalid-callback", "Invalid callback", parsed.error);
  }
  if (!context.redis->connected()) co_return redis_unavailable(context.redis->status());  // the provider retries
  auto stored = co_await context.replies->receive(name, std::move(parsed.inbound));
  if (!stored) co_return redis_unavailable(stored.error().message());
  for (const auto& r : *stored) {
    context.metrics->counter("orgcast_inbound_messages_total", "inbound messages received, by what was done with them",
                             {{"provider", name}, {"outcome", r.decision.outcome}})
        .inc();
    if (r.decision.outcome == "answer")
      context.metrics->counter("orgcast_meeting_answers_total", "YES and NO replies, by what came of them", {{"outcome", r.answered}}).inc();
    if (!r.auto_reply.empty())
      context.metrics
          ->counter("orgcast_auto_replies_total", "automatic replies, by kind and what the guards said (queued, repeated, help_sent_today, rate_limited)",
                    {{"kind", r.auto_reply}, {"outcome", r.auto_reply_outcome}})
          .inc();
  }
  auto applied = co_await context.tracker->apply(name, std::move(parsed.reports));
  if (!applied) co_return redis_unavailable(applied.error().message());
  for (const auto& [outcome, count] : applied->outcomes)
    context.metrics->counter("orgcast_delivery_reports_total", "delivery reports by outcome", {{"provider", name}, {"outcome", outcome}})
        .inc(count);
  // The provider sends it again; applying a report twice changes nothing.
  if (!applied->all_applied) {
    context.log->warn("webhook", "reports from " + name + " were not applied: " + applied->error);
    co_return redis_unavailable("a report could not be applied; retry");
  }
  if (!parsed.body.empty() && parsed.body.front() != '{') co_return http::text_response(parsed.status, parsed.body, "text/plain");
  co_return http::json_response(parsed.status, parsed.body.empty() ? R"({"ok":true})" : parsed.body);
}

// The outcomes inbound/reply_decision.hpp gives a message.
bool known_outcome(const std::string& o) {
  for (const char* known : {"opted_out", "opted_in", "answer", "report", "help", "for_a_person", "unrecognised", "unknown_sender"})
    if (o == known) return true;
  return false;
}

awaitable<http::Response> inbound(Context context, http::Request& request) {
  std::size_t limit = 50;
  std::string outcome, before;
  for (const auto& [name, value] : request.query) {
    if (name == "cursor") {  // a message id: "<ms>-<n>"
      if (!is_stream_id(value))
        co_return http::problem(400, "invalid-parameter", "Invalid parameter", "cursor is not one this listing gave (use the `next` link as it is)");
      before = value;
    } else if (name == "limit") {
      int n = 0;
      const auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), n);
      if (ec != std::errc() || end != value.data() + value.size() || n < 1 || n > 1000)
        co_return http::problem(400, "invalid-parameter", "Invalid parameter", "limit must be a whole number from 1 to 1000");
      limit = static_cast<std::size_t>(n);
    } else if (name == "outcome") {
      if (!known_outcome(value))
        co_return http::problem(400, "invalid-parameter", "Invalid parameter",
                                "outcome must be one of opted_out, opted_in, answer, report, help, for_a_person, unrecognised, unknown_sender");
      outcome = value;
    } else {
      co_return http::problem(400, "invalid-parameter", "Unknown parameter", "unknown query parameter " + quoted_input(name));
    }
  }
  // With an outcome, the newest 10,000 messages are looked through.
  // With an outcome, or a scope short of the whole directory, the newest 10,000 messages are looked through.
  const bool whole = request.principal->whole_directory();
  const std::size_t window = outcome.empty() && whole ? limit : 10000;
  auto reply = co_await context.inbound->latest(window, before);
  if (!reply) co_return redis_unavailable(reply.error().message());
  if (reply->is_error())  // a cursor of the right shape that is no message id (past 64 bits)
    co_return http::problem(400, "invalid-parameter", "Invalid parameter", "cursor is not one this listing gave (use the `next` link as it is)");
  auto index = context.watcher->index();
  if (!index && !whole) co_return index_unavailable();
  std::optional<CallerScope> caller;
  if (index) caller.emplace(request, index->units());
  boost::json::array out;
  std::string last_read;  // the id of the last message looked at: the next page starts after it
  for (const auto& entry : reply->elements) {
    if (entry.elements.size() < 2 || out.size() >= limit) continue;
    last_read = entry.elements[0].str;
    auto m = inbound_message_json(entry);
    if (!outcome.empty() && (!m.contains("outcome") || m["outcome"].as_string() != outcome)) continue;
    // A message is the caller's when its writer holds a post in the scope (a
    // stranger's, only with the whole directory); the number is masked
    // without view_contacts there.
    const std::string from = m.contains("from") && m["from"].is_string() ? std::string(m["from"].as_string()) : "";
    std::uint32_t unit = directory::kNoUnit;
    if (auto sender = context.senders ? context.senders->find(from) : std::nullopt; sender && caller && sender->index == index)
      if (const auto* post = caller->first_reached(sender->posts)) unit = post->unit;
    if (!whole && unit == directory::kNoUnit) continue;
    const bool unmasked = whole ? request.principal->permissions.has(auth::Permission::view_contacts) : caller->unmasked_at(unit);
    if (!unmasked)
      for (const char* number : {"from", "mobile"})  // the sender's number as given, and as the directory spells it
        if (auto* v = m.if_contains(number); v && v->is_string()) *v = mask_phone(v->as_string());
    out.push_back(std::move(m));
  }
  // More may be older when the page is full, or the window read was.
  boost::json::value next = nullptr;
  if (!last_read.empty() && (out.size() >= limit || reply->elements.size() >= window)) {
    next = boost::json::value(link_with_cursor(request, last_read));
  }
  co_return http::json_response(200, boost::json::serialize(boost::json::object{{"messages", std::move(out)}, {"next", std::move(next)}}));
}

}  // namespace

void add_webhook_routes(http::Router& router, const Context& context) {
  router.add("POST", "/v1/webhooks/{provider}", [context](http::Request& r) { return receive(context, r); });
  router.add("GET", "/v1/webhooks/{provider}", [context](http::Request& r) { return receive(context, r); });
  router.add("POST", "/v1/webhooks/{provider}/{secret}", [context](http::Request& r) { return receive(context, r); });
  router.add("GET", "/v1/webhooks/{provider}/{secret}", [context](http::Request& r) { return receive(context, r); });
  router.add("GET", "/v1/inbound", [context](http::Request& r) { return inbound(context, r); });
}

}  // namespace orgcast::api
