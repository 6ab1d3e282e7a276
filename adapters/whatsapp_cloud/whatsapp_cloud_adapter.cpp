#include "adapters/whatsapp_cloud/whatsapp_cloud_adapter.hpp"

#include "adapters/core/wire.hpp"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <boost/json.hpp>

namespace orgcast::adapters {
namespace json = boost::json;

namespace {

long number_of(const json::object& o, const char* key) {
  auto* v = o.if_contains(key);
  return v && v->is_int64() ? static_cast<long>(v->as_int64()) : 0;
}

}  // namespace

SendFailure whatsapp_failure(long code, long http_status) {
  switch (code) {
    // Throttling: the app, the business account, the phone number's throughput, spam and pair limits.
    case 4: case 80007: case 130429: case 131048: case 131056: case 133016: return SendFailure::throttled;
    // Temporary trouble at Meta.
    case 1: case 2: case 131000: case 131016: case 133004: return SendFailure::transient;
    // Our access token or permissions.
    case 0: case 3: case 10: case 190: case 200: return SendFailure::unauthorized;
    // This recipient cannot get it on WhatsApp (not a WhatsApp user, outside
    // the 24-hour window for free text, not allowed in test mode...).
    case 131026: case 131030: case 131047: case 131049: case 131021: return SendFailure::invalid_recipient;
    // The template: missing, paused, disabled, parameters wrong.
    case 132000: case 132001: case 132005: case 132007: case 132012: case 132015: case 132016: case 132068: case 132069:
      return SendFailure::rejected_content;
    default: break;
  }
  if (code >= 200 && code <= 299) return SendFailure::unauthorized;  // permission errors
  return failure_for_http_status(http_status);
}

std::string whatsapp_signature(std::string_view secret, std::string_view body) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  HMAC(EVP_sha256(), secret.data(), static_cast<int>(secret.size()), reinterpret_cast<const unsigned char*>(body.data()), body.size(),
       digest, &length);
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out = "sha256=";
  for (unsigned i = 0; i < length; ++i) {
    out += kHex[digest[i] >> 4];
    out += kHex[digest[i] & 15];
  }
  return out;
}

WhatsAppCloudAdapter::WhatsAppCloudAdapter(WhatsAppCloudSettings settings, Transport transport)
    : settings_(std::move(settings)), transport_(std::move(transport)) {}

HttpCall WhatsAppCloudAdapter::request_for(const OutboundMessage& m) const {
  json::object body{{"messaging_product", "whatsapp"}, {"recipient_type", "individual"}, {"to", without_plus(m.to)}};
  if (!m.whatsapp_template.empty()) {
    json::array parameters;
    for (const auto& p : m.parameters) parameters.push_back(json::object{{"type", "text"}, {"text", p}});
    json::object t{{"name", m.whatsapp_template}, {"language", json::object{{"code", m.whatsapp_language}}}};
    json::array components;
    if (!parameters.empty()) components.push_back(json::object{{"type", "body"}, {"parameters", std::move(parameters)}});
    // Quick-reply buttons: each tap comes back as a `button` message with this payload.
    for (std::size_t i = 0; i < m.button_payloads.size(); ++i)
      components.push_back(json::object{{"type", "button"}, {"sub_type", "quick_reply"}, {"index", std::to_string(i)},
                                        {"parameters", json::array{json::object{{"type", "payload"}, {"payload", m.button_payloads[i]}}}}});
    if (!components.empty()) t["components"] = std::move(components);
    body["type"] = "template";
    body["template"] = std::move(t);
  } else {
    // Free text: only inside the 24-hour window after the person wrote to us (else 131047).
    body["type"] = "text";
    body["text"] = json::object{{"preview_url", false}, {"body", m.text}};
  }
  body["biz_opaque_callback_data"] = m.reference;  // echoed in status webhooks
  HttpCall call;
  call.url = settings_.url + "/" + settings_.api_version + "/" + settings_.phone_number_id + "/messages";
  call.headers = {{"Content-Type", "application/json"}, {"Authorization", "Bearer " + settings_.access_token}};
  call.body = json::serialize(body);
  call.timeout = settings_.timeout;
  return call;
}

SendResult WhatsAppCloudAdapter::interpret(const HttpReply& reply) {
  if (reply.transport != HttpReply::Transport::ok) return transport_failure(reply);
  SendResult result;
  boost::system::error_code ec;
  auto body = json::parse(reply.body, ec);
  const json::object* o = !ec && body.is_object() ? &body.as_object() : nullptr;
  if (reply.status >= 200 && reply.status < 300) {
    // {"messaging_product": "whatsapp", "contacts": [...], "messages": [{"id": "wamid..."}]}
    const auto* messages = o ? o->if_contains("messages") : nullptr;
    if (messages && messages->is_array() && !messages->as_array().empty() && messages->as_array()[0].is_object())
      result.provider_message_id = text_field(messages->as_array()[0].as_object(), "id");
    if (result.provider_message_id.empty()) {
      result.failure = SendFailure::transient;
      result.reason = "accepted without a message id";
    }
    return result;
  }
  // {"error": {"message", "type", "code", "error_data": {"details"}, "fbtrace_id"}}
  const auto* error = o ? o->if_contains("error") : nullptr;
  const json::object empty;
  const auto& e = error && error->is_object() ? error->as_object() : empty;
  const long code = number_of(e, "code");
  result.failure = whatsapp_failure(code, reply.status);
  result.provider_code = code ? std::to_string(code) : std::to_string(reply.status);
  result.reason = text_field(e, "message");
  if (auto* data = e.if_contains("error_data"); data && data->is_object())
    if (auto details = text_field(data->as_object(), "details"); !details.empty()) result.reason += ": " + details;
  if (result.reason.empty()) result.reason = "HTTP " + std::to_string(reply.status);
  result.retry_after = parse_retry_after(reply.header("retry-after"));
  return result;
}

boost::asio::awaitable<SendResult> WhatsAppCloudAdapter::send(const OutboundMessage& message) {
  auto reply = co_await transport_(request_for(message));
  co_return interpret(reply);
}

CallbackResult WhatsAppCloudAdapter::parse_callback(const CallbackRequest& request) const {
  CallbackResult out;
  if (request.method == "GET") {
    // Meta's subscription check: echo hub.challenge when the token is ours.
    auto q = query_params(request.query);
    if (q["hub.mode"] != "subscribe" || q["hub.verify_token"] != settings_.verify_token || settings_.verify_token.empty()) {
      out.status = 403;
      out.error = "webhook verification refused: wrong hub.mode or hub.verify_token";
      return out;
    }
    out.body = q["hub.challenge"];
    return out;
  }
  std::string signature;
  for (const auto& [name, value] : request.headers)
    if (name == "x-hub-signature-256") signature = value;
  const auto expected = whatsapp_signature(settings_.app_secret, request.body);
  if (signature.size() != expected.size() || CRYPTO_memcmp(signature.data(), expected.data(), expected.size()) != 0) {
    out.status = 401;
    out.error = signature.empty() ? "missing X-Hub-Signature-256" : "X-Hub-Signature-256 does not match the body";
    return out;
  }
  boost::system::error_code ec;
  auto body = json::parse(request.body, ec);
  if (ec || !body.is_object()) {
    out.status = 400;
    out.error = "not a JSON object";
    return out;
  }
  const auto* entries = body.as_object().if_contains("entry");
  if (!entries || !entries->is_array()) return out;  // nothing for us: acknowledged
  for (const auto& entry : entries->as_array()) {
    const auto* changes = entry.is_object() ? entry.as_object().if_contains("changes") : nullptr;
    if (!changes || !changes->is_array()) continue;
    for (const auto& change : changes->as_array()) {
      const auto* value = change.is_object() ? change.as_object().if_contains("value") : nullptr;
      if (!value || !value->is_object()) continue;
      const auto& v = value->as_object();
      if (const auto* statuses = v.if_contains("statuses"); statuses && statuses->is_array()) {
        for (const auto& s : statuses->as_array()) {
          if (!s.is_object()) continue;
          const auto& so = s.as_object();
          DeliveryReport report;
          report.provider_message_id = text_field(so, "id");
          report.reference = text_field(so, "biz_opaque_callback_data");
          const auto status = text_field(so, "status");
          if (status == "delivered") report.status = ReportStatus::delivered;
          else if (status == "read") report.status = ReportStatus::read;
          else if (status == "failed") report.status = ReportStatus::failed;
          else report.status = ReportStatus::accepted;  // sent (and anything newer)
          if (const auto* errors = so.if_contains("errors"); errors && errors->is_array() && !errors->as_array().empty() &&
                                                             errors->as_array()[0].is_object()) {
            const auto& e = errors->as_array()[0].as_object();
            report.provider_code = std::to_string(number_of(e, "code"));
            report.reason = text_field(e, "title");
            if (const auto* data = e.if_contains("error_data"); data && data->is_object())
              if (auto details = text_field(data->as_object(), "details"); !details.empty()) report.reason += ": " + details;
          }
          if (!report.provider_message_id.empty()) out.reports.push_back(std::move(report));
        }
      }
      if (const auto* messages = v.if_contains("messages"); messages && messages->is_array()) {
        for (const auto& m : messages->as_array()) {
          if (!m.is_object()) continue;
          const auto& mo = m.as_object();
          InboundMessage in;
          in.channel = Channel::whatsapp;
          in.from = "+" + text_field(mo, "from");
          in.provider_message_id = text_field(mo, "id");
          in.sent_at = text_field(mo, "timestamp");
          // A reply to one of our messages (swiped, or a button under it) names it: the summons it answers.
          if (const auto* c = mo.if_contains("context"); c && c->is_object()) in.replied_to = text_field(c->as_object(), "id");
          // A tap on a template's quick-reply button carries the payload we
          // gave it (e.g. "YES 47"); an interactive reply, the id we gave
          // the button or list row; each read like a typed reply.
          auto chosen = [](const json::object& o, const char* key, const char* fallback) {
            auto v = text_field(o, key);
            return v.empty() ? text_field(o, fallback) : v;
          };
          if (const auto* t = mo.if_contains("text"); t && t->is_object()) {
            in.text = text_field(t->as_object(), "body");
          } else if (const auto* b = mo.if_contains("button"); b && b->is_object()) {
            in.text = chosen(b->as_object(), "payload", "text");
          } else if (const auto* i = mo.if_contains("interactive"); i && i->is_object()) {
            const auto& io = i->as_object();
            for (const char* kind : {"button_reply", "list_reply"})
              if (const auto* r = io.if_contains(kind); r && r->is_object()) in.text = chosen(r->as_object(), "id", "title");
          }
          if (in.text.empty()) in.text = "[" + text_field(mo, "type") + "]";
          out.inbound.push_back(std::move(in));
        }
      }
    }
  }
  return out;
}

}  // namespace orgcast::adapters
