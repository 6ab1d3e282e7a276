#pragma once
// Adapter for the simulated provider (tools/provider-sim).
#include <string>

#include "adapters/core/adapter.hpp"

namespace orgcast::adapters {

class ProviderSimAdapter final : public Adapter {
 public:
  /// base_url: "http://127.0.0.1:PORT"; name: this account's name in config.
  ProviderSimAdapter(std::string name, std::string base_url, Transport transport,
                     std::chrono::milliseconds timeout = std::chrono::milliseconds(10000));

  std::string_view name() const override { return name_; }
  boost::asio::awaitable<SendResult> send(const OutboundMessage& message) override;
  CallbackResult parse_callback(const CallbackRequest& request) const override;

  /// The request for a message (exposed for tests).
  HttpCall request_for(const OutboundMessage& message) const;
  /// What a reply means (exposed for tests).
  static SendResult interpret(const HttpReply& reply);

 private:
  std::string name_, base_url_;
  Transport transport_;
  std::chrono::milliseconds timeout_;
};

}  // namespace orgcast::adapters
