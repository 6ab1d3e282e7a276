#include "broadcast/spec.hpp"

#include <boost/json.hpp>
#include <ctime>

#include "core/text.hpp"
#include "core/utc_time.hpp"

namespace orgcast::broadcast {
namespace json = boost::json;
using directory::SelectorError;

const char* name(Priority priority) {
  switch (priority) {
    case Priority::urgent: return "urgent";
    case Priority::normal: return "normal";
    case Priority::bulk: return "bulk";
  }
  return "normal";
}

namespace {

constexpr std::size_t kMaxTextBytes = 4096;

}  // namespace

std::string format_rfc3339(TimePoint t) { return format_utc(t); }

std::variant<Spec, std::vector<SelectorError>> parse_spec(const json::value& body, const directory::OrgIndex& index,
                                                          TimePoint now) {
  std::vector<SelectorError> errors;
  Spec spec;
  if (!body.is_object()) return std::vector<SelectorError>{{"", "a broadcast is a JSON object"}};
  const auto& o = body.as_object();
  static const std::vector<std::string> keys = {"audience", "message", "channels", "priority",
                                                "send_at", "expires_at", "report_timeout_s"};
  directory::reject_unknown_keys(o, keys, "", errors);

  if (auto* audience = o.if_contains("audience")) {
    auto parsed = directory::parse_selector(*audience, index, "/audience");
    if (auto* problems = std::get_if<std::vector<SelectorError>>(&parsed)) errors.insert(errors.end(), problems->begin(), problems->end());
    else spec.audience = std::get<directory::Selector>(std::move(parsed));
    spec.audience_json = json::serialize(*audience);
  } else {
    errors.push_back({"/audience", "missing: who the broadcast goes to (an audience selector)"});
  }

  if (auto* channels = o.if_contains("channels")) {
    if (!channels->is_array() || channels->as_array().empty()) {
      errors.push_back({"/channels", "expected a non-empty array of channels, tried in order: sms, whatsapp, push"});
    } else {
      for (std::size_t i = 0; i < channels->as_array().size(); ++i) {
        const auto& c = channels->as_array()[i];
        std::string at = "/channels/" + std::to_string(i);
        std::optional<adapters::Channel> channel;
        if (c.is_string() && c.as_string() == "sms") channel = adapters::Channel::sms;
        else if (c.is_string() && c.as_string() == "whatsapp") channel = adapters::Channel::whatsapp;
        else if (c.is_string() && c.as_string() == "push") channel = adapters::Channel::push;
        if (!channel) {
          errors.push_back({at, "unknown channel; expected sms, whatsapp or push"});
          continue;
        }
        bool twice = false;
        for (auto seen : spec.channels) twice |= (seen == *channel);
        if (twice) errors.push_back({at, std::string("the channel ") + adapters::name(*channel) + " is listed twice"});
        else spec.channels.push_back(*channel);
      }
    }
  } else {
    errors.push_back({"/channels", "missing: the channel policy, e.g. [\"whatsapp\", \"sms\"]"});
  }

  auto text_at = [&](const json::value& v, const std::string& at) -> std::optional<std::string> {
    if (!v.is_string() || v.as_string().empty()) {
      errors.push_back({at, "expected a non-empty string"});
      return std::nullopt;
    }
    if (v.as_string().size() > kMaxTextBytes) {
      errors.push_back({at, "longer than 4096 bytes"});
      return std::nullopt;
    }
    return std::string(v.as_string());
  };
  if (auto* message = o.if_contains("message"); message && message->is_object()) {
    for (const auto& [key, value] : message->as_object()) {
      std::string at = "/message/" + std::string(key);
      if (key == "text") {
        if (auto text = text_at(value, at)) {
          spec.sms_text = spec.whatsapp_text = *text;
          spec.push_text = PushText{"", *text};
        }
      } else if (key == "sms") {
        spec.sms_text = text_at(value, at);
      } else if (key == "whatsapp") {
        spec.whatsapp_text = text_at(value, at);
      } else if (key == "push") {
        if (!value.is_object()) {
          errors.push_back({at, "expected {\"title\": ..., \"body\": ...}"});
          continue;
        }
        PushText push;
        if (auto* title = value.as_object().if_contains("title"); title && title->is_string()) push.title = title->as_string();
        auto* push_body = value.as_object().if_contains("body");
        if (auto text = push_body ? text_at(*push_body, at + "/body") : std::nullopt) push.body = *text;
        else if (!push_body) errors.push_back({at + "/body", "missing"});
        spec.push_text = push;
      } else {
        errors.push_back({at, "unknown key " + quoted(key) + "; expected text, sms, whatsapp or push"});
      }
    }
    for (auto channel : spec.channels) {
      bool has = channel == adapters::Channel::sms ? spec.sms_text.has_value()
                 : channel == adapters::Channel::whatsapp ? spec.whatsapp_text.has_value()
                                                          : spec.push_text.has_value();
      if (!has) errors.push_back({"/message", std::string("no text for the channel ") + adapters::name(channel) + " of the policy"});
    }
  } else {
    errors.push_back({"/message", "missing: {\"text\": ...} or a text per channel"});
  }

  if (auto* priority = o.if_contains("priority")) {
    if (priority->is_string() && priority->as_string() == "urgent") spec.priority = Priority::urgent;
    else if (priority->is_string() && priority->as_string() == "normal") spec.priority = Priority::normal;
    else if (priority->is_string() && priority->as_string() == "bulk") spec.priority = Priority::bulk;
    else errors.push_back({"/priority", "expected urgent, normal or bulk"});
  }
  auto time_at = [&](const char* key) -> std::optional<TimePoint> {
    auto* v = o.if_contains(key);
    if (!v) return std::nullopt;
    auto t = v->is_string() ? parse_rfc3339(v->as_string()) : std::nullopt;
    if (!t) errors.push_back({std::string("/") + key, "expected an RFC 3339 time, e.g. 2026-11-23T10:00:00+05:30"});
    return t;
  };
  spec.send_at = time_at("send_at");
  spec.expires_at = time_at("expires_at");
  if (spec.expires_at && *spec.expires_at <= std::max(now, spec.send_at.value_or(now)))
    errors.push_back({"/expires_at", "must be later than now and than send_at"});
  if (auto* timeout = o.if_contains("report_timeout_s")) {
    if (!timeout->is_int64() || timeout->as_int64() < 10 || timeout->as_int64() > 7 * 86400)
      errors.push_back({"/report_timeout_s", "expected whole seconds from 10 to 604800"});
    else spec.report_timeout = std::chrono::seconds(timeout->as_int64());
  }
  if (!errors.empty()) return errors;
  return spec;
}

}  // namespace orgcast::broadcast
