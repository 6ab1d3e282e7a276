#include "adapters/kannel/kannel_adapter.hpp"

#include "adapters/core/wire.hpp"
#include "core/digest.hpp"

#include <boost/url.hpp>

#include <cstdio>
#include <cstdlib>
#include <random>

namespace orgcast::adapters {
namespace {

bool ascii_gsm_safe(std::string_view text) {
  for (unsigned char c : text)
    if (c >= 0x80) return false;
  return true;
}

// UTF-16BE bytes (an MO in coding 2) as UTF-8.
std::string utf8_from_utf16be(std::string_view bytes) {
  std::string out;
  auto put = [&](char32_t c) {
    if (c < 0x80) out += static_cast<char>(c);
    else if (c < 0x800) out += {static_cast<char>(0xC0 | (c >> 6)), static_cast<char>(0x80 | (c & 0x3F))};
    else if (c < 0x10000)
      out += {static_cast<char>(0xE0 | (c >> 12)), static_cast<char>(0x80 | ((c >> 6) & 0x3F)), static_cast<char>(0x80 | (c & 0x3F))};
    else
      out += {static_cast<char>(0xF0 | (c >> 18)), static_cast<char>(0x80 | ((c >> 12) & 0x3F)),
              static_cast<char>(0x80 | ((c >> 6) & 0x3F)), static_cast<char>(0x80 | (c & 0x3F))};
  };
  for (std::size_t i = 0; i + 1 < bytes.size(); i += 2) {
    char32_t unit = (static_cast<unsigned char>(bytes[i]) << 8) | static_cast<unsigned char>(bytes[i + 1]);
    if (unit >= 0xD800 && unit < 0xDC00 && i + 3 < bytes.size()) {
      const char32_t low = (static_cast<unsigned char>(bytes[i + 2]) << 8) | static_cast<unsigned char>(bytes[i + 3]);
      unit = 0x10000 + ((unit - 0xD800) << 10) + (low - 0xDC00);
      i += 2;
    }
    put(unit);
  }
  return out;
}

}  // namespace

std::string normalise_message_id(std::string_view id) {
  std::string s;
  for (char c : id)
    if (c != ' ' && c != '\t') s += static_cast<char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
  if (s.starts_with("0x")) s = s.substr(2);
  const bool decimal = !s.empty() && s.find_first_not_of("0123456789") == std::string::npos;
  const bool hex = !s.empty() && s.find_first_not_of("0123456789abcdef") == std::string::npos;
  if (!decimal && hex && s.size() <= 16) {  // an SMSC's hex spelling of a decimal id
    std::uint64_t value = 0;
    for (char c : s) value = value * 16 + static_cast<std::uint64_t>(c <= '9' ? c - '0' : c - 'a' + 10);
    return std::to_string(value);
  }
  if (decimal) {
    const auto first = s.find_first_not_of('0');
    return first == std::string::npos ? "0" : s.substr(first);
  }
  return s;
}

KannelAdapter::KannelAdapter(KannelSettings settings, Transport transport)
    : settings_(std::move(settings)), transport_(std::move(transport)) {
  char buffer[16];
  std::snprintf(buffer, sizeof buffer, "%08x", static_cast<unsigned>(std::random_device{}()));
  instance_ = buffer;
}

HttpCall KannelAdapter::request_for(const OutboundMessage& m, const std::string& message_id) const {
  boost::urls::url url(settings_.url + "/cgi-bin/sendsms");
  auto params = url.params();
  params.append({"username", settings_.username});
  params.append({"password", settings_.password});
  params.append({"to", without_plus(m.to)});
  params.append({"from", m.sender.empty() ? settings_.sender : m.sender});
  params.append({"text", m.text});
  // Devanagari and anything beyond ASCII go as UCS-2 (coding 2); Kannel
  // converts our UTF-8 with `charset` and splits long texts with UDH.
  params.append({"charset", "UTF-8"});
  params.append({"coding", ascii_gsm_safe(m.text) ? "0" : "2"});
  params.append({"dlr-mask", std::to_string(settings_.dlr_mask)});
  if (!m.callback_url.empty())
    params.append({"dlr-url", m.callback_url + "?id=" + message_id + "&type=%d&smsc_id=%F&reply=%A"});
  if (!settings_.smsc.empty()) params.append({"smsc", settings_.smsc});
  // India's DLT fields as SMPP TLVs: the SMSC group maps these meta-data keys (README).
  if (!m.dlt_template_id.empty())
    params.append({"meta-data", "?smpp?PE_ID=" + m.dlt_entity_id + "&TEMPLATE_ID=" + m.dlt_template_id});
  HttpCall call;
  call.method = "GET";
  call.url = std::string(url.buffer());
  call.timeout = settings_.timeout;
  return call;
}

SendResult KannelAdapter::interpret(const HttpReply& reply, const std::string& message_id) {
  if (reply.transport != HttpReply::Transport::ok) return transport_failure(reply);
  SendResult result;
  // smsbox answers 202 "0: Accepted for delivery" or "3: Queued for later delivery".
  if (reply.status == 202 || reply.status == 200) {
    result.provider_message_id = message_id;
    return result;
  }
  result.failure = failure_for_http_status(reply.status);
  if (reply.status == 403) result.failure = SendFailure::unauthorized;  // "Authorization failed for sendsms"
  result.provider_code = std::to_string(reply.status);
  result.reason = reply.body.substr(0, 200);
  if (auto after = parse_retry_after(reply.header("retry-after"))) result.retry_after = after;
  return result;
}

boost::asio::awaitable<SendResult> KannelAdapter::send(const OutboundMessage& message) {
  const std::string id = instance_ + "-" + std::to_string(++sequence_);
  auto reply = co_await transport_(request_for(message, id));
  co_return interpret(reply, id);
}

CallbackResult KannelAdapter::parse_callback(const CallbackRequest& request) const {
  CallbackResult out;
  out.body = "ok";
  auto q = query_params(request.query);
  if (q.contains("type") && q.contains("id")) {
    // A delivery report: Kannel calls the dlr-url once per report and per part.
    DeliveryReport report;
    report.provider_message_id = normalise_message_id(q["id"]);
    report.provider_code = q["type"];
    report.reason = q["reply"];
    const int type = std::atoi(q["type"].c_str());
    switch (type) {
      case 1: report.status = ReportStatus::delivered; break;
      case 2: report.status = ReportStatus::failed; break;    // undelivered to the phone
      case 16: report.status = ReportStatus::failed; break;   // rejected by the SMSC
      case 4: case 8: report.status = ReportStatus::accepted; break;  // buffered; accepted by the SMSC
      default:
        out.status = 400;
        out.error = "unknown Kannel report type " + q["type"];
        return out;
    }
    if (report.reason.empty()) report.reason = type == 2 ? "undelivered (Kannel type 2)" : type == 16 ? "rejected by the SMSC (Kannel type 16)" : "";
    out.reports.push_back(std::move(report));
    return out;
  }
  if (q.contains("from") && (q.contains("text") || q.contains("binary"))) {
    // An inbound message from sms-service's get-url (README: the parameters it sends).
    InboundMessage mo;
    mo.from = q["from"].starts_with('+') ? q["from"] : "+" + q["from"];
    mo.text = q["coding"] == "2" && q.contains("binary") ? utf8_from_utf16be(q["binary"]) : q["text"];
    // Kannel gives MO no id: sender, time (to the second) and the text's
    // digest stand in (STOP then START within a second are two messages; the
    // same callback again is one); without a time, none (the inbound store
    // then de-duplicates by sender and text).
    if (!q["ts"].empty()) mo.provider_message_id = mo.from + "@" + q["ts"] + ":" + sha1_hex(mo.text).substr(0, 12);
    mo.sent_at = q["ts"];
    out.inbound.push_back(std::move(mo));
    out.body = "";  // an empty answer: Kannel sends no reply SMS
    return out;
  }
  out.status = 400;
  out.error = "neither a delivery report (id, type) nor an inbound message (from, text)";
  return out;
}

}  // namespace orgcast::adapters
