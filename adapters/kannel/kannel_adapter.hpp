#pragma once
// SMS through Kannel (adapters/kannel/README.md): messages go to smsbox's
// `sendsms` HTTP interface with a dlr-url naming our own message id;
// Kannel calls it back for each delivery report (and each part of a long
// message), and its sms-service `get-url` brings inbound messages (MO).
#include <atomic>
#include <chrono>
#include <string>

#include "adapters/core/adapter.hpp"

namespace orgcast::adapters {

struct KannelSettings {
  std::string name = "kannel";  // the account's name in config and in /v1/webhooks/{name}
  std::string url;              // smsbox's sendsms base, e.g. http://127.0.0.1:13013
  std::string username, password;
  std::string sender;           // `from` when the message has no DLT sender header
  std::string smsc;             // route to this smsc-id, if set
  int dlr_mask = 31;            // 1 delivered, 2 undelivered, 4 buffered, 8 SMSC accepted, 16 SMSC rejected
  std::chrono::milliseconds timeout{10000};
};

class KannelAdapter final : public Adapter {
 public:
  KannelAdapter(KannelSettings settings, Transport transport);

  std::string_view name() const override { return settings_.name; }
  boost::asio::awaitable<SendResult> send(const OutboundMessage& message) override;
  CallbackResult parse_callback(const CallbackRequest& request) const override;

  /// The sendsms request for a message under our message id (exposed for tests).
  HttpCall request_for(const OutboundMessage& message, const std::string& message_id) const;
  /// What smsbox's answer means (exposed for tests).
  static SendResult interpret(const HttpReply& reply, const std::string& message_id);

 private:
  KannelSettings settings_;
  Transport transport_;
  std::atomic<std::uint64_t> sequence_{0};
  std::string instance_;  // distinguishes this process's ids from another's
};

/// A message id as reports may spell it differently than we first saw it
/// (case, leading zeros, hex for decimal): the form they are matched in.
std::string normalise_message_id(std::string_view id);

}  // namespace orgcast::adapters
