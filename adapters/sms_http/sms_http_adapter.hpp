#pragma once
// SMS through an Indian HTTP aggregator (adapters/sms_http/README.md). Every
// aggregator spells its API differently, so the request's field names, its
// format (JSON or form), the auth header, where the answer keeps the message
// id and error code, and the delivery callback's fields are settings. The
// DLT fields travel with every message; promotional messages are held
// outside 10:00-21:00 IST; DLT rejections are permanent, with a readable reason.
#include <chrono>
#include <map>
#include <string>
#include <vector>

#include "adapters/core/adapter.hpp"

namespace orgcast::adapters {

struct SmsHttpSettings {
  std::string name = "sms_http";
  std::string url;                    // the send endpoint, whole
  std::string method = "POST";        // POST or GET
  std::string format = "json";        // json or form (POST bodies); GET puts the fields in the query
  std::string auth_header, auth_value;  // e.g. Authorization: Bearer ...; empty: none
  std::string to_format = "digits";   // digits (919829012345) or e164 (+919829012345)
  std::map<std::string, std::string> fields{{"to", "to"},           {"text", "text"},
                                            {"sender", "sender"},   {"entity_id", "pe_id"},
                                            {"template_id", "template_id"}, {"callback", "callback_url"},
                                            {"reference", "reference"}};
  std::string id_path = "message_id";            // in the JSON answer, dotted: data.id
  std::string error_code_path = "error.code";
  std::string error_message_path = "error.message";
  // The delivery callback (JSON POST or GET query).
  std::string callback_id = "message_id", callback_status = "status", callback_code = "error_code";
  std::vector<std::string> delivered_values{"DELIVRD", "DELIVERED"};
  std::vector<std::string> failed_values{"UNDELIV", "UNDELIVERED", "FAILED", "REJECTD", "REJECTED", "EXPIRED"};
  // Replies (MO) on the same callback URL, when `mo_from` is set: an item
  // with a sender and a text in these fields, and no delivery status, is a
  // message from a person (Gupshup: msisdn, content; Kaleyra: source, message).
  std::string mo_from, mo_text = "text", mo_id = "id", mo_time = "time";
  /// An error code the operator or aggregator gives for a DLT rejection -> why, in words.
  std::map<std::string, std::string> dlt_codes;
  std::chrono::milliseconds timeout{10000};
};

/// The DLT rejections most Indian aggregators report, by their usual codes.
std::map<std::string, std::string> default_dlt_codes();

class SmsHttpAdapter final : public Adapter {
 public:
  SmsHttpAdapter(SmsHttpSettings settings, Transport transport);

  std::string_view name() const override { return settings_.name; }
  boost::asio::awaitable<SendResult> send(const OutboundMessage& message) override;
  CallbackResult parse_callback(const CallbackRequest& request) const override;

  HttpCall request_for(const OutboundMessage& message) const;
  SendResult interpret(const HttpReply& reply) const;
  /// Refusals before sending: no DLT template id; a promotional message
  /// outside 10:00-21:00 IST (held: retried when the window opens). nullopt: send.
  static std::optional<SendResult> hold_or_refuse(const OutboundMessage& message, std::chrono::system_clock::time_point now);

 private:
  SmsHttpSettings settings_;
  Transport transport_;
};

}  // namespace orgcast::adapters
