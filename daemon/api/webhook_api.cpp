// /v1/webhooks/{provider} (GET or POST, as the provider calls): delivery
// reports and inbound messages from a provider. The handler parses (through
// the provider's adapter), calls tracking/ (reports) and inbound/ (messages),
// and answers: 503 when any part could not be kept, so the provider retries.
//   GET /v1/inbound?limit=50   the latest inbound messages, newest first
#include <boost/json.hpp>
#include <chrono>
#include <cstdlib>
#include <map>

#include "api/common.hpp"
#include "api/routes.hpp"
#include "inbound/inbound_store.hpp"
#include "tracking/report_tracker.hpp"
#include "metrics/registry.hpp"
#include "redis/client.hpp"

namespace orgcast::api {
using boost::asio::awaitable;

namespace {

awaitable<http::Response> receive(Context context, http::Request& request) {
  const auto& name = request.params["provider"];
  auto it = context.adapters.find(name);
  if (it == context.adapters.end()) co_return http::problem(404, "not-found", "Unknown provider", "no provider named " + name);
  const auto question = request.target.find('?');
  adapters::CallbackRequest callback{request.method, question == std::string::npos ? "" : request.target.substr(question + 1),
                                     request.headers, request.body};
  auto parsed = it->second->parse_callback(callback);
  if (!parsed.error.empty()) {
    context.metrics->counter("orgcast_webhook_rejected_total", "provider callbacks refused", {{"provider", name}}).inc();
    co_return http::problem(parsed.status, "invalid-callback", "Invalid callback", parsed.error);
  }
  if (!context.redis->connected()) co_return redis_unavailable(context.redis->status());  // the provider retries
  const auto inbound_count = parsed.inbound.size();
  auto stored = co_await context.inbound->store(name, std::move(parsed.inbound));
  if (!stored) co_return redis_unavailable(stored.error().message());
  if (inbound_count > 0)
    context.metrics->counter("orgcast_inbound_messages_total", "inbound messages received", {{"provider", name}}).inc(inbound_count);
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

awaitable<http::Response> inbound(Context context, http::Request& request) {
  std::size_t limit = 50;
  if (auto it = request.query.find("limit"); it != request.query.end()) {
    limit = static_cast<std::size_t>(std::max(1, std::min(1000, std::atoi(it->second.c_str()))));
  }
  auto reply = co_await context.inbound->latest(limit);
  if (!reply) co_return redis_unavailable(reply.error().message());
  boost::json::array out;
  for (const auto& entry : reply->elements) {
    if (entry.elements.size() < 2) continue;
    boost::json::object m{{"id", entry.elements[0].str}};
    const auto& fields = entry.elements[1].elements;
    for (std::size_t i = 0; i + 1 < fields.size(); i += 2) m[fields[i].str] = fields[i + 1].str;
    out.push_back(std::move(m));
  }
  co_return http::json_response(200, boost::json::serialize(boost::json::object{{"messages", std::move(out)}}));
}

}  // namespace

void add_webhook_routes(http::Router& router, const Context& context) {
  router.add("POST", "/v1/webhooks/{provider}", [context](http::Request& r) { return receive(context, r); });
  router.add("GET", "/v1/webhooks/{provider}", [context](http::Request& r) { return receive(context, r); });
  router.add("GET", "/v1/inbound", [context](http::Request& r) { return inbound(context, r); });
}

}  // namespace orgcast::api
