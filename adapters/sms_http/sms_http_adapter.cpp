#include "adapters/sms_http/sms_http_adapter.hpp"

#include "adapters/core/promotional_hours.hpp"
#include "adapters/core/wire.hpp"

#include <boost/json.hpp>
#include <boost/url.hpp>

namespace orgcast::adapters {
namespace json = boost::json;

namespace {

// The value at a dotted path ("data.id"); null when absent.
const json::value* find_path(const json::value& root, const std::string& path) {
  const json::value* v = &root;
  std::size_t from = 0;
  while (v && from <= path.size()) {
    const auto dot = path.find('.', from);
    const auto key = path.substr(from, dot == std::string::npos ? std::string::npos : dot - from);
    if (!v->is_object()) return nullptr;
    v = v->as_object().if_contains(key);
    if (dot == std::string::npos) break;
    from = dot + 1;
  }
  return v;
}

bool has_path(const json::value& root, const std::string& path) { return find_path(root, path) != nullptr; }

// The value at a dotted path as text; "" when absent.
std::string at_path(const json::value& root, const std::string& path) {
  const auto* v = find_path(root, path);
  if (!v) return {};
  if (v->is_string()) return std::string(v->as_string());
  if (v->is_int64()) return std::to_string(v->as_int64());
  if (v->is_uint64()) return std::to_string(v->as_uint64());
  return {};
}

bool one_of(const std::vector<std::string>& values, const std::string& value) {
  for (const auto& v : values)
    if (v == value) return true;
  return false;
}

}  // namespace

std::map<std::string, std::string> default_dlt_codes() {
  return {{"ENTITY_NOT_REGISTERED", "the principal entity is not registered on DLT"},
          {"ENTITY_INACTIVE", "the principal entity is blocked or inactive on DLT"},
          {"HEADER_NOT_REGISTERED", "the sender header is not registered on DLT"},
          {"HEADER_INACTIVE", "the sender header is blocked or inactive on DLT"},
          {"PE_HEADER_MISMATCH", "the sender header does not belong to the principal entity"},
          {"TEMPLATE_NOT_FOUND", "the DLT template id is not registered"},
          {"TEMPLATE_MISMATCH", "the text does not match the registered DLT template"},
          {"TEMPLATE_HEADER_MISMATCH", "the DLT template is not linked to this sender header"},
          {"PROMOTIONAL_TIME", "promotional SMS may only be sent from 10:00 to 21:00 IST"},
          {"CONSENT_NOT_FOUND", "no consent on DLT for this recipient"}};
}

SmsHttpAdapter::SmsHttpAdapter(SmsHttpSettings settings, Transport transport)
    : settings_(std::move(settings)), transport_(std::move(transport)) {
  if (settings_.dlt_codes.empty()) settings_.dlt_codes = default_dlt_codes();
}

std::optional<SendResult> SmsHttpAdapter::hold_or_refuse(const OutboundMessage& m, std::chrono::system_clock::time_point now) {
  if (m.dlt_template_id.empty()) {
    SendResult refused;
    refused.failure = SendFailure::rejected_content;
    refused.provider_code = "no_dlt_template";
    refused.reason = "the template has no DLT template ID: Indian operators reject unregistered SMS";
    return refused;
  }
  if (m.dlt_category != "promotional") return std::nullopt;
  // Promotional SMS: 10:00 to 21:00 IST only. Outside, held until 10:00
  // (broadcasts are scheduled for the window when accepted; this holds what
  // is still being sent at 21:00).
  auto opens = promotional_window_opens(now);
  if (!opens) return std::nullopt;
  SendResult held;
  held.failure = SendFailure::throttled;
  held.provider_code = "promotional_hours";
  held.reason = "promotional SMS are held until 10:00 IST";
  held.retry_after = std::chrono::duration_cast<std::chrono::milliseconds>(*opens - now) + std::chrono::seconds(1);
  return held;
}

HttpCall SmsHttpAdapter::request_for(const OutboundMessage& m) const {
  std::vector<std::pair<std::string, std::string>> values{
      {"to", settings_.to_format == "e164" ? m.to : without_plus(m.to)},
      {"text", m.text},
      {"sender", m.sender},
      {"entity_id", m.dlt_entity_id},
      {"template_id", m.dlt_template_id},
      {"callback", m.callback_url},
      {"reference", m.reference}};
  HttpCall call;
  call.method = settings_.method;
  call.timeout = settings_.timeout;
  if (!settings_.auth_header.empty()) call.headers.emplace_back(settings_.auth_header, settings_.auth_value);
  boost::urls::url url(settings_.url);
  json::object body;
  for (const auto& [ours, value] : values) {
    auto field = settings_.fields.find(ours);
    if (field == settings_.fields.end() || field->second.empty() || value.empty()) continue;
    if (settings_.method == "GET" || settings_.format == "form") url.params().append({field->second, value});
    else body[field->second] = value;
  }
  if (settings_.method == "GET") {
    call.url = std::string(url.buffer());
  } else if (settings_.format == "form") {
    call.url = settings_.url;
    call.body = std::string(url.encoded_query());
    call.headers.emplace_back("Content-Type", "application/x-www-form-urlencoded");
  } else {
    call.url = settings_.url;
    call.body = json::serialize(body);
    call.headers.emplace_back("Content-Type", "application/json");
  }
  return call;
}

SendResult SmsHttpAdapter::interpret(const HttpReply& reply) const {
  if (reply.transport != HttpReply::Transport::ok) return transport_failure(reply);
  SendResult result;
  boost::system::error_code ec;
  auto body = json::parse(reply.body, ec);
  if (ec) body = json::object{};
  const auto id = at_path(body, settings_.id_path);
  const auto code = at_path(body, settings_.error_code_path);
  if (reply.status >= 200 && reply.status < 300 && !id.empty() && code.empty()) {
    result.provider_message_id = id;
    return result;
  }
  result.provider_code = code.empty() ? std::to_string(reply.status) : code;
  result.reason = at_path(body, settings_.error_message_path);
  if (auto dlt = settings_.dlt_codes.find(code); dlt != settings_.dlt_codes.end()) {
    // A DLT rejection: the same message would be rejected again.
    result.failure = SendFailure::rejected_content;
    result.reason = "DLT: " + dlt->second + (result.reason.empty() ? "" : " (" + result.reason + ")");
    return result;
  }
  result.failure = reply.status >= 200 && reply.status < 300 ? SendFailure::transient : failure_for_http_status(reply.status);
  if (result.reason.empty()) result.reason = reply.status < 300 ? "accepted without a message id" : "HTTP " + std::to_string(reply.status);
  result.retry_after = parse_retry_after(reply.header("retry-after"));
  return result;
}

boost::asio::awaitable<SendResult> SmsHttpAdapter::send(const OutboundMessage& message) {
  if (auto refused = hold_or_refuse(message, std::chrono::system_clock::now())) co_return *refused;
  auto reply = co_await transport_(request_for(message));
  co_return interpret(reply);
}

CallbackResult SmsHttpAdapter::parse_callback(const CallbackRequest& request) const {
  CallbackResult out;
  json::value fields = json::object{};
  if (request.method == "GET" || request.body.empty()) {
    for (auto& [key, value] : query_params(request.query)) fields.as_object()[key] = value;
  } else {
    boost::system::error_code ec;
    fields = json::parse(request.body, ec);
    if (ec || !fields.is_object()) {
      out.status = 400;
      out.error = "expected a JSON object";
      return out;
    }
  }
  // One report, or {"reports": [...]} / a JSON array of them.
  std::vector<const json::value*> items;
  if (fields.is_object() && fields.as_object().contains("reports") && fields.as_object().at("reports").is_array())
    for (const auto& r : fields.as_object().at("reports").as_array()) items.push_back(&r);
  else items.push_back(&fields);
  for (const auto* item : items) {
    const bool a_reply = !settings_.mo_from.empty() && has_path(*item, settings_.mo_text) && !has_path(*item, settings_.callback_status);
    if (auto from = a_reply ? at_path(*item, settings_.mo_from) : std::string(); !from.empty()) {
      InboundMessage mo;
      mo.channel = Channel::sms;
      mo.from = from;
      mo.text = at_path(*item, settings_.mo_text);
      mo.provider_message_id = at_path(*item, settings_.mo_id);
      mo.sent_at = at_path(*item, settings_.mo_time);
      out.inbound.push_back(std::move(mo));
      continue;
    }
    DeliveryReport report;
    report.provider_message_id = at_path(*item, settings_.callback_id);
    const auto status = at_path(*item, settings_.callback_status);
    report.provider_code = at_path(*item, settings_.callback_code);
    if (one_of(settings_.delivered_values, status)) report.status = ReportStatus::delivered;
    else if (one_of(settings_.failed_values, status)) report.status = ReportStatus::failed;
    else report.status = ReportStatus::accepted;
    if (report.status == ReportStatus::failed) {
      auto dlt = settings_.dlt_codes.find(report.provider_code);
      report.reason = dlt != settings_.dlt_codes.end() ? "DLT: " + dlt->second : status + (report.provider_code.empty() ? "" : " " + report.provider_code);
    }
    if (report.provider_message_id.empty()) {
      out.status = 400;
      out.error = "a report without " + settings_.callback_id;
      return out;
    }
    out.reports.push_back(std::move(report));
  }
  return out;
}

}  // namespace orgcast::adapters
