#include "broadcast/spec.hpp"

#include <algorithm>
#include <boost/json.hpp>
#include <ctime>

#include "adapters/core/promotional_hours.hpp"
#include "core/text.hpp"
#include "core/utc_time.hpp"
#include "templates/bind.hpp"

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
// How far in the past a send_at may be (a clock a little behind, a request slow to arrive) before it is refused.
constexpr std::chrono::minutes kSendAtSlack{5};

void parse_template_content(const json::object& o, const SpecContext& context, Spec& spec, std::vector<SelectorError>& errors) {
  const auto& name = o.at("template");
  const auto* entry = name.is_string() && context.templates ? context.templates->find(name.as_string()) : nullptr;
  if (!entry) {
    std::string known;
    if (context.templates)
      for (const auto& [id, _] : context.templates->by_id) known += (known.empty() ? "" : ", ") + id;
    errors.push_back({"/template", name.is_string() ? "no template " + quoted(name.as_string()) + "; the templates are: " + known
                                                    : "expected a template id"});
    return;
  }
  if (o.contains("message")) errors.push_back({"/message", "give a template or literal text, not both"});
  const auto kind = entry->value->kind;
  if (kind == templates::Kind::summons && !context.for_meeting) {
    errors.push_back({"/template",
                      "template " + quoted(name.as_string()) +
                          " is a meeting summons: send it with POST /v1/meetings, which gives it its meeting code and counts the answers",
                      true});
    return;
  }
  if (kind == templates::Kind::reply && !context.for_replies) {
    errors.push_back({"/template",
                      "template " + quoted(name.as_string()) + " is a reply: the daemon sends it to someone who wrote, never as a broadcast",
                      true});
    return;
  }
  if (kind != templates::Kind::summons && context.for_meeting) {
    errors.push_back({"/template", "template " + quoted(name.as_string()) + " is not a meeting summons (its kind is " + templates::name(kind) + ")", true});
    return;
  }
  const auto* variables = o.if_contains("variables");
  auto bound = templates::bind_variables(*entry->value, variables, "/variables", context.rules.dlt_variable_max);
  if (auto* problems = std::get_if<std::vector<templates::BindProblem>>(&bound)) {
    for (auto& p : *problems) errors.push_back({std::move(p.pointer), std::move(p.message)});
    return;
  }
  spec.content = Content::of_template(*entry, std::get<templates::BoundValues>(std::move(bound)),
                                      variables ? json::serialize(*variables) : "{}", context.rules.default_language,
                                      context.dlt_entity_id, context.prices);
}

void parse_literal_content(const json::value& message, Spec& spec, std::vector<SelectorError>& errors) {
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
  if (!message.is_object()) {
    errors.push_back({"/message", "expected {\"text\": ...} or a text per channel"});
    return;
  }
  auto& c = spec.content;
  for (const auto& [key, value] : message.as_object()) {
    std::string at = "/message/" + std::string(key);
    if (key == "text") {
      if (auto text = text_at(value, at)) {
        c.sms = c.whatsapp = *text;
        c.push = PushText{"", *text};
      }
    } else if (key == "sms") {
      c.sms = text_at(value, at);
    } else if (key == "whatsapp") {
      c.whatsapp = text_at(value, at);
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
      c.push = push;
    } else {
      errors.push_back({at, "unknown key " + quoted(key) + "; expected text, sms, whatsapp or push"});
    }
  }
}

}  // namespace

std::string format_rfc3339(TimePoint t) { return format_utc(t); }

std::vector<adapters::Channel> parse_channels(const json::value& value, const std::string& at, std::vector<SelectorError>& errors) {
  std::vector<adapters::Channel> out;
  if (!value.is_array() || value.as_array().empty()) {
    errors.push_back({at, "expected a non-empty array of channels, tried in order: sms, whatsapp, push"});
    return out;
  }
  for (std::size_t i = 0; i < value.as_array().size(); ++i) {
    const auto& c = value.as_array()[i];
    const std::string where = at + "/" + std::to_string(i);
    std::optional<adapters::Channel> channel;
    if (c.is_string() && c.as_string() == "sms") channel = adapters::Channel::sms;
    else if (c.is_string() && c.as_string() == "whatsapp") channel = adapters::Channel::whatsapp;
    else if (c.is_string() && c.as_string() == "push") channel = adapters::Channel::push;
    if (!channel) {
      errors.push_back({where, "unknown channel; expected sms, whatsapp or push"});
      continue;
    }
    if (std::find(out.begin(), out.end(), *channel) != out.end())
      errors.push_back({where, std::string("the channel ") + adapters::name(*channel) + " is listed twice"});
    else out.push_back(*channel);
  }
  return out;
}

std::variant<Spec, std::vector<SelectorError>> parse_spec(const json::value& body, const directory::OrgIndex& index,
                                                          const SpecContext& context) {
  const auto now = context.now;
  std::vector<SelectorError> errors;
  Spec spec;
  if (!body.is_object()) return std::vector<SelectorError>{{"", "a broadcast is a JSON object"}};
  const auto& o = body.as_object();
  static const std::vector<std::string> keys = {"audience", "template", "variables", "kind", "message", "channels",
                                                "priority", "send_at", "expires_at", "report_timeout_s"};
  directory::reject_unknown_keys(o, keys, "", errors);

  if (auto* given = o.if_contains("audience")) {
    // An audience without units is the caller's scope: written into the
    // audience kept with the broadcast, so that no later reading of it
    // widens it to the whole directory.
    json::value audience = *given;
    if (auto* selector = audience.if_object(); selector && context.scope && !context.scope->whole()) {
      auto* units = selector->if_contains("units");
      if (!units || (units->is_array() && units->as_array().empty())) {
        json::array ids;
        for (auto u : context.scope->roots()) ids.emplace_back(index.units().id(u));
        (*selector)["units"] = std::move(ids);
      }
    }
    auto parsed = directory::parse_selector(audience, index, "/audience", context.scope);
    if (auto* problems = std::get_if<std::vector<SelectorError>>(&parsed)) errors.insert(errors.end(), problems->begin(), problems->end());
    else spec.audience = std::get<directory::Selector>(std::move(parsed));
    spec.audience_json = json::serialize(audience);
  } else {
    errors.push_back({"/audience", "missing: who the broadcast goes to (an audience selector)"});
  }

  if (auto* channels = o.if_contains("channels")) {
    spec.channels = parse_channels(*channels, "/channels", errors);
  } else {
    errors.push_back({"/channels", "missing: the channel policy, e.g. [\"whatsapp\", \"sms\"]"});
  }

  if (o.contains("template")) {
    parse_template_content(o, context, spec, errors);
  } else if (o.contains("message")) {
    // Free text carries no registered (DLT) template: only the daemon's own
    // replies may send it, never a client, whatever it calls its request.
    if (!context.for_replies)
      errors.push_back({"/message", "literal text is only for replies the daemon sends; a broadcast names a template"});
    else parse_literal_content(o.at("message"), spec, errors);
    spec.content.default_language = context.rules.default_language;
    spec.content.dlt_entity_id = context.dlt_entity_id;
    spec.content.prices = context.prices;
  } else {
    errors.push_back({"/template", "missing: the template to send (see GET /v1/templates)"});
  }
  if (errors.empty())
    for (std::size_t i = 0; i < spec.channels.size(); ++i)
      if (!spec.content.has(spec.channels[i]))
        errors.push_back({"/channels/" + std::to_string(i), std::string(spec.content.tmpl ? "the template has no " : "the message has no text for ") +
                                                                adapters::name(spec.channels[i]) + " content"});

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
    if (!t) errors.push_back({std::string("/") + key, "expected " + std::string(kRfc3339Expected)});
    return t;
  };
  // Whole seconds, as they are kept (a planned broadcast's start is matched against its stored send_at).
  spec.send_at = time_at("send_at");
  spec.expires_at = time_at("expires_at");
  if (spec.send_at) spec.send_at = std::chrono::floor<std::chrono::seconds>(*spec.send_at);
  if (spec.expires_at) spec.expires_at = std::chrono::floor<std::chrono::seconds>(*spec.expires_at);
  // A time well in the past is a mistake (a wrong date or zone), not "now":
  // sent at once, it would reach everyone at an hour nobody chose.
  if (spec.send_at && *spec.send_at > now + std::chrono::hours(24 * 366))
    errors.push_back({"/send_at", "is more than a year ahead (now is " + format_rfc3339(now) + "); a broadcast is planned at most a year ahead"});
  if (spec.send_at && *spec.send_at < now - kSendAtSlack)
    errors.push_back({"/send_at", "is more than five minutes in the past (now is " + format_rfc3339(now) + "); leave it out to send at once"});
  // Promotional SMS may only go out 10:00-21:00 IST: outside it the
  // broadcast is scheduled for 10:00 (rather than workers holding its
  // messages for hours).
  if (errors.empty() && spec.content.tmpl && spec.content.tmpl->category == templates::DltCategory::promotional &&
      std::find(spec.channels.begin(), spec.channels.end(), adapters::Channel::sms) != spec.channels.end())
    if (auto opens = adapters::promotional_window_opens(spec.send_at.value_or(now))) {
      spec.send_at = *opens;
      spec.scheduled_for_promotional_hours = true;
    }
  if (spec.expires_at && *spec.expires_at <= std::max(now, spec.send_at.value_or(now)))
    errors.push_back({"/expires_at", spec.scheduled_for_promotional_hours
                                         ? "must be later than 10:00 IST, when this promotional SMS may first be sent"
                                         : "must be later than now and than send_at"});
  if (auto* timeout = o.if_contains("report_timeout_s")) {
    if (!timeout->is_int64() || timeout->as_int64() < 10 || timeout->as_int64() > 7 * 86400)
      errors.push_back({"/report_timeout_s", "expected whole seconds from 10 to 604800"});
    else spec.report_timeout = std::chrono::seconds(timeout->as_int64());
  }
  if (auto* kind = o.if_contains("kind"); kind && !context.for_replies)
    errors.push_back({"/kind", "not a field of a broadcast (a template names its own kind)"});
  else if (kind && (!kind->is_string() || kind->as_string() != "reply"))
    errors.push_back({"/kind", "only \"reply\" may be given (a template names its own kind)"});
  if (!errors.empty()) return errors;
  return spec;
}

}  // namespace orgcast::broadcast
