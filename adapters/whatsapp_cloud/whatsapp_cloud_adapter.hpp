#pragma once
// WhatsApp through Meta's Cloud API (adapters/whatsapp_cloud/README.md):
// approved template messages (name, language, body parameters) and, for the
// daemon's replies inside the 24-hour customer-service window, free text.
// The webhook answers Meta's GET verification and takes signed POSTs of
// message statuses and inbound messages.
#include <chrono>
#include <string>

#include "adapters/core/adapter.hpp"

namespace orgcast::adapters {

struct WhatsAppCloudSettings {
  std::string name = "whatsapp";  // the account's name in config and in /v1/webhooks/{name}
  std::string url = "https://graph.facebook.com";
  std::string api_version = "v20.0";
  std::string phone_number_id;
  std::string access_token;
  std::string app_secret;    // checks X-Hub-Signature-256
  std::string verify_token;  // answers the GET verification
  std::chrono::milliseconds timeout{10000};
};

class WhatsAppCloudAdapter final : public Adapter {
 public:
  WhatsAppCloudAdapter(WhatsAppCloudSettings settings, Transport transport);

  std::string_view name() const override { return settings_.name; }
  boost::asio::awaitable<SendResult> send(const OutboundMessage& message) override;
  CallbackResult parse_callback(const CallbackRequest& request) const override;

  /// The Graph API request for a message (exposed for tests).
  HttpCall request_for(const OutboundMessage& message) const;
  /// What Meta's answer means, its error codes classified (exposed for tests).
  static SendResult interpret(const HttpReply& reply);

 private:
  WhatsAppCloudSettings settings_;
  Transport transport_;
};

/// The failure class of a Cloud API error code (README's table).
SendFailure whatsapp_failure(long code, long http_status);

/// "sha256=<hex HMAC-SHA256 of body under secret>", as Meta signs webhooks.
std::string whatsapp_signature(std::string_view secret, std::string_view body);

}  // namespace orgcast::adapters
