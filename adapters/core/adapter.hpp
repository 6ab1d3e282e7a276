#pragma once
// The adapter contract. An adapter turns one outbound message into its
// provider's API call and the provider's callbacks (delivery reports,
// inbound messages) into our terms. It never touches the HTTP server, Redis,
// the queue or the org index: it gets a Transport for its HTTP calls, and
// the daemon mounts its callback route and hands it the raw request.
#include <functional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <boost/asio/awaitable.hpp>

#include "adapters/core/send_result.hpp"

namespace orgcast::adapters {

enum class Channel { sms, whatsapp, push };
const char* name(Channel channel);

/// One message to one recipient, rendered: what the adapter puts on the wire.
struct OutboundMessage {
  std::string reference;     // ours, echoed back in reports: "<broadcast>:<recipient>:<attempt>"
  Channel channel = Channel::sms;
  std::string to;            // E.164 for SMS and WhatsApp, a device token for push
  std::string text;          // SMS text; WhatsApp body as the recipient reads it; push body
  std::string title;         // push
  std::string language;      // of the content (hi, en...)
  // SMS: India's DLT fields (empty for a literal reply without them) and
  // the template's DLT category (transactional, service, promotional).
  std::string dlt_entity_id, dlt_template_id, sender, dlt_category;
  // WhatsApp: the approved template, its language code and body parameters
  // in order; an empty name means free text (a reply inside the 24-hour window).
  std::string whatsapp_template, whatsapp_language;
  std::vector<std::string> parameters;
  std::vector<std::string> button_payloads;  // the template's quick-reply buttons, in order
  std::string callback_url;  // where the provider should report delivery
};

// ---- the HTTP an adapter may do, through the daemon's client

struct HttpCall {
  std::string method = "POST";
  std::string url;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  std::chrono::milliseconds timeout{10000};
};

struct HttpReply {
  enum class Transport { ok, unreachable, interrupted };  // interrupted: timeout or reset, maybe sent
  Transport transport = Transport::ok;
  long status = 0;
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;  // names lower-case
  std::string error;                                         // transport error text
  std::string header(std::string_view name) const;
};

using Transport = std::function<boost::asio::awaitable<HttpReply>(HttpCall)>;

// ---- callbacks

enum class ReportStatus { accepted, delivered, read, failed };

struct DeliveryReport {
  std::string provider_message_id;
  std::string reference;  // ours, when the provider echoes it
  ReportStatus status = ReportStatus::delivered;
  std::string provider_code;
  std::string reason;
};

struct InboundMessage {
  std::string from;  // E.164
  std::string text;
  std::string provider_message_id;
  Channel channel = Channel::sms;  // the channel it came on (an opt-out covers that one)
  std::string via;                 // how it came when not by a provider's channel: "link" (the one-tap reply link)
  std::string sent_at;             // when the provider says it was sent, as it says it ("" not given)
  std::string replied_to;          // the provider's id of our message it answers (WhatsApp's context.id), if it says
};

struct CallbackRequest {
  std::string method;
  std::string query;
  std::vector<std::pair<std::string, std::string>> headers;  // names lower-case
  std::string body;
};

struct CallbackResult {
  int status = 200;       // what to answer the provider
  std::string body;
  std::string error;      // non-empty: the callback was refused (and why)
  std::vector<DeliveryReport> reports;
  std::vector<InboundMessage> inbound;
};

class Adapter {
 public:
  virtual ~Adapter() = default;
  /// The provider's name in config and in /v1/webhooks/{name}.
  virtual std::string_view name() const = 0;
  virtual boost::asio::awaitable<SendResult> send(const OutboundMessage& message) = 0;
  /// Pure: parses one callback request.
  virtual CallbackResult parse_callback(const CallbackRequest& request) const = 0;
  /// False for providers that never report delivery (FCM): an accepted
  /// message stays `sent` and is not moved to the next channel for want of a report.
  virtual bool reports_delivery() const { return true; }
};

/// The failure for a transport problem (no HTTP answer at all).
SendResult transport_failure(const HttpReply& reply);

}  // namespace orgcast::adapters
