#include "adapters/provider_sim/provider_sim_adapter.hpp"

#include "adapters/core/wire.hpp"

#include <boost/json.hpp>

namespace orgcast::adapters {
namespace json = boost::json;

ProviderSimAdapter::ProviderSimAdapter(std::string name, std::string base_url, Transport transport,
                                       std::chrono::milliseconds timeout)
    : name_(std::move(name)), base_url_(std::move(base_url)), transport_(std::move(transport)), timeout_(timeout) {}

HttpCall ProviderSimAdapter::request_for(const OutboundMessage& m) const {
  HttpCall call;
  call.url = base_url_ + "/send";
  call.headers = {{"Content-Type", "application/json"}};
  // Built in one block of memory (one request per message: allocations per value showed in profiles).
  json::monotonic_resource memory(4096);
  json::object body({{"to", m.to},
                     {"channel", adapters::name(m.channel)},
                     {"text", m.text},
                     {"reference", m.reference},
                     {"callback_url", m.callback_url}},
                    &memory);
  // The rendered content's other fields, as the real providers take them.
  if (!m.language.empty()) body["language"] = m.language;
  if (!m.title.empty()) body["title"] = m.title;
  if (!m.dlt_template_id.empty())
    body["dlt"] = json::object{{"entity_id", m.dlt_entity_id}, {"template_id", m.dlt_template_id}, {"sender", m.sender}};
  if (!m.whatsapp_template.empty()) {
    json::array parameters;
    for (const auto& p : m.parameters) parameters.emplace_back(p);
    body["template"] = json::object{{"name", m.whatsapp_template}, {"language", m.whatsapp_language}, {"parameters", std::move(parameters)}};
  }
  call.body = json::serialize(body);
  call.timeout = timeout_;
  return call;
}

SendResult ProviderSimAdapter::interpret(const HttpReply& reply) {
  if (reply.transport != HttpReply::Transport::ok) return transport_failure(reply);
  SendResult result;
  result.failure = failure_for_http_status(reply.status);
  boost::system::error_code ec;
  unsigned char memory_block[1024];  // an answer is small: parsed without touching the heap
  json::monotonic_resource memory(memory_block, sizeof memory_block);
  auto body = json::parse(reply.body, ec, &memory);
  const json::object* o = !ec && body.is_object() ? &body.as_object() : nullptr;
  if (result.accepted()) {
    const json::value* id = o ? o->if_contains("message_id") : nullptr;
    if (!id || !id->is_string()) {
      // Accepted without an id cannot be tracked: treat as a provider fault.
      result.failure = SendFailure::transient;
      result.reason = "accepted without a message_id";
      return result;
    }
    result.provider_message_id = id->as_string();
    return result;
  }
  if (const json::value* error = o ? o->if_contains("error") : nullptr; error && error->is_object()) {
    const auto& e = error->as_object();
    if (auto* code = e.if_contains("code"); code && code->is_string()) result.provider_code = code->as_string();
    if (auto* message = e.if_contains("message"); message && message->is_string()) result.reason = message->as_string();
  }
  if (result.failure == SendFailure::bad_request && result.provider_code == "invalid_recipient")
    result.failure = SendFailure::invalid_recipient;
  if (result.reason.empty()) result.reason = "HTTP " + std::to_string(reply.status);
  result.retry_after = parse_retry_after(reply.header("retry-after"));
  return result;
}

boost::asio::awaitable<SendResult> ProviderSimAdapter::send(const OutboundMessage& message) {
  auto reply = co_await transport_(request_for(message));
  co_return interpret(reply);
}

CallbackResult ProviderSimAdapter::parse_callback(const CallbackRequest& request) const {
  CallbackResult result;
  boost::system::error_code ec;
  json::monotonic_resource memory(request.body.size() * 2 + 1024);  // a batch of reports in one block
  auto body = json::parse(request.body, ec, &memory);
  if (ec || !body.is_object()) {
    result.status = 400;
    result.error = "the report is not a JSON object";
    return result;
  }
  // One report, or several in {"reports": [...]} (see tools/provider_sim/README.md).
  std::vector<const json::object*> items;
  if (auto* many = body.as_object().if_contains("reports")) {
    if (!many->is_array()) {
      result.status = 400;
      result.error = "\"reports\" must be an array";
      return result;
    }
    for (const auto& item : many->as_array()) items.push_back(item.if_object());
  } else {
    items.push_back(&body.as_object());
  }
  for (std::size_t n = 0; n < items.size(); ++n) {
    const std::string where = items.size() > 1 || body.as_object().contains("reports") ? "reports[" + std::to_string(n) + "]: " : "";
    if (!items[n]) {
      result.status = 400;
      result.error = where + "a report is a JSON object";
      result.reports.clear();
      return result;
    }
    const auto& o = *items[n];
    auto text = [&](const char* key) { return text_field(o, key); };
    DeliveryReport report;
    report.provider_message_id = text("message_id");
    report.reference = text("reference");
    auto status = text("status");
    if (report.provider_message_id.empty() || (status != "delivered" && status != "undelivered")) {
      result.status = 400;
      result.error = where + "a report needs message_id and status delivered or undelivered";
      result.reports.clear();
      return result;
    }
    report.status = status == "delivered" ? ReportStatus::delivered : ReportStatus::failed;
    report.provider_code = text("error_code");
    if (report.status == ReportStatus::failed) report.reason = "not delivered: " + report.provider_code;
    result.reports.push_back(std::move(report));
  }
  return result;
}

}  // namespace orgcast::adapters
