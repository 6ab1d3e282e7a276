// /v1/webhooks/{provider} (GET or POST, as the provider calls): delivery
// reports and inbound messages from a provider. The adapter parses; each
// report is applied by one Lua script that only moves a recipient's state
// forward; inbound messages are kept in the `in:messages` stream (keywords
// act on them in a later issue).
//   GET /v1/inbound?limit=50   the latest inbound messages, newest first
#include <boost/json.hpp>
#include <chrono>
#include <cstdlib>
#include <map>

#include "api/common.hpp"
#include "api/routes.hpp"
#include "core/utc_time.hpp"
#include "dispatch/scripts.hpp"
#include "metrics/registry.hpp"
#include "redis/client.hpp"

namespace orgcast::api {
using boost::asio::awaitable;

namespace {

// Stores one inbound message unless its provider id was seen in the last
// day: a provider that retries a webhook must not make one reply two.
constexpr const char* kStoreInboundScript = R"LUA(
local prefix, provider, id = ARGV[1], ARGV[2], ARGV[3]
if id ~= '' and not redis.call('SET', prefix .. 'in:seen:' .. provider .. ':' .. id, '1', 'NX', 'EX', 86400) then
  return 0
end
redis.call('XADD', prefix .. 'in:messages', 'MAXLEN', '~', '1000000', '*', 'provider', provider, 'from', ARGV[4],
           'text', ARGV[5], 'provider_message_id', id, 'received_at', ARGV[6])
return 1
)LUA";

const char* state_code(adapters::ReportStatus status) {
  switch (status) {
    case adapters::ReportStatus::delivered: return "3";
    case adapters::ReportStatus::read: return "4";
    case adapters::ReportStatus::failed: return "5";
    case adapters::ReportStatus::accepted: return "2";
  }
  return "2";
}

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
  // One script call per 200 reports: their counter moves are summed.
  std::vector<redis::Args> scripts;
  for (std::size_t n = 0; n < parsed.reports.size(); ++n) {
    if (n % 200 == 0) scripts.push_back(redis::cmd("EVAL", dispatch::kApplyReportsScript, "0", context.key_prefix, name));
    const auto& report = parsed.reports[n];
    scripts.back().push_back(report.provider_message_id);
    scripts.back().push_back(state_code(report.status));
    scripts.back().push_back(report.reason);
  }
  // Inbound messages, stored with the provider that brought them (and kept bounded).
  const auto now = format_utc(std::chrono::system_clock::now());
  for (const auto& mo : parsed.inbound)
    scripts.push_back(redis::cmd("EVAL", kStoreInboundScript, "0", context.key_prefix, name, mo.provider_message_id, mo.from, mo.text, now));
  if (!parsed.inbound.empty())
    context.metrics->counter("orgcast_inbound_messages_total", "inbound messages received", {{"provider", name}}).inc(parsed.inbound.size());
  auto applied = co_await context.redis->pipeline(std::move(scripts));
  if (!applied) co_return redis_unavailable(applied.error().message());
  bool all_applied = true;
  std::map<std::string, std::size_t> outcomes;  // counted per callback, not per report
  for (const auto& reply : *applied) {
    if (reply.is_error()) {
      all_applied = false;
      context.log->warn("webhook", "reports from " + name + " were not applied: " + reply.str);
      continue;
    }
    if (reply.is_array())
      for (const auto& outcome : reply.elements) ++outcomes[outcome.str];
  }
  for (const auto& [outcome, count] : outcomes)
    context.metrics->counter("orgcast_delivery_reports_total", "delivery reports by outcome", {{"provider", name}, {"outcome", outcome}})
        .inc(count);
  // The provider sends it again; applying a report twice changes nothing.
  if (!all_applied) co_return redis_unavailable("a report could not be applied; retry");
  if (!parsed.body.empty() && parsed.body.front() != '{') co_return http::text_response(parsed.status, parsed.body, "text/plain");
  co_return http::json_response(parsed.status, parsed.body.empty() ? R"({"ok":true})" : parsed.body);
}

awaitable<http::Response> inbound(Context context, http::Request& request) {
  std::size_t limit = 50;
  if (auto it = request.query.find("limit"); it != request.query.end()) {
    limit = static_cast<std::size_t>(std::max(1, std::min(1000, std::atoi(it->second.c_str()))));
  }
  // Built before the co_await: GCC 12 mishandles temporaries with destructors inside one.
  auto newest_first = redis::cmd("XREVRANGE", context.key_prefix + "in:messages", "+", "-", "COUNT", std::to_string(limit));
  auto reply = co_await context.redis->command(std::move(newest_first));
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
