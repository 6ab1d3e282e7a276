// POST /v1/webhooks/{provider}: delivery reports (and, later, inbound
// messages) from a provider. The adapter parses; each report is applied by
// one Lua script that only moves a recipient's state forward.
#include <boost/json.hpp>
#include <map>

#include "api/common.hpp"
#include "api/routes.hpp"
#include "dispatch/scripts.hpp"
#include "metrics/registry.hpp"
#include "redis/client.hpp"

namespace orgcast::api {
using boost::asio::awaitable;

namespace {

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
  adapters::CallbackRequest callback{request.method, "", request.headers, request.body};
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
    for (const auto& outcome : reply.elements) ++outcomes[outcome.str];
  }
  for (const auto& [outcome, count] : outcomes)
    context.metrics->counter("orgcast_delivery_reports_total", "delivery reports by outcome", {{"provider", name}, {"outcome", outcome}})
        .inc(count);
  // The provider sends it again; applying a report twice changes nothing.
  if (!all_applied) co_return redis_unavailable("a report could not be applied; retry");
  co_return http::json_response(parsed.status, parsed.body.empty() ? R"({"ok":true})" : parsed.body);
}

}  // namespace

void add_webhook_routes(http::Router& router, const Context& context) {
  router.add("POST", "/v1/webhooks/{provider}", [context](http::Request& r) { return receive(context, r); });
}

}  // namespace orgcast::api
