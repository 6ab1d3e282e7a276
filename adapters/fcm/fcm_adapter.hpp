#pragma once
// App push through Firebase Cloud Messaging's HTTP v1 API
// (adapters/fcm/README.md). A service account's key signs a JWT that is
// exchanged for an OAuth2 access token, kept and refreshed five minutes
// before it expires, never fetched per message. FCM sends no delivery
// reports: an accepted push stays `sent`.
#include <chrono>
#include <string>

#include "adapters/core/adapter.hpp"

namespace orgcast::adapters {

struct FcmSettings {
  std::string name = "fcm";
  std::string url = "https://fcm.googleapis.com";
  std::string service_account_json;  // the key file's contents
  std::chrono::milliseconds timeout{10000};
};

class FcmAdapter final : public Adapter {
 public:
  /// Throws std::invalid_argument when the service account key is unusable.
  FcmAdapter(FcmSettings settings, Transport transport);

  std::string_view name() const override { return settings_.name; }
  boost::asio::awaitable<SendResult> send(const OutboundMessage& message) override;
  CallbackResult parse_callback(const CallbackRequest& request) const override;
  bool reports_delivery() const override { return false; }

  /// The send request under an access token (exposed for tests).
  HttpCall request_for(const OutboundMessage& message, const std::string& access_token) const;
  /// What FCM's answer means (exposed for tests).
  static SendResult interpret(const HttpReply& reply);
  /// Token exchanges so far (a test checks it is not one per message).
  long token_exchanges() const { return exchanges_; }

 private:
  boost::asio::awaitable<std::string> access_token(std::string& error);

  FcmSettings settings_;
  Transport transport_;
  std::string project_id_, client_email_, private_key_, private_key_id_, token_uri_;
  std::string token_;
  std::chrono::steady_clock::time_point token_expires_{};
  bool refreshing_ = false;
  long exchanges_ = 0;
};

}  // namespace orgcast::adapters
