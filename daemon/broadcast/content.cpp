#include "broadcast/content.hpp"
#include "meetings/reply_link.hpp"

#include <boost/json.hpp>

#include "templates/bind.hpp"
#include "templates/loader.hpp"

namespace orgcast::broadcast {
namespace json = boost::json;

Content Content::of_template(const templates::Catalog::Entry& entry, templates::BoundValues bound, std::string variables_json,
                             std::string default_language, std::string dlt_entity_id, PricingConfig prices) {
  Content c;
  c.tmpl = entry.value;
  c.template_source = entry.source;
  c.variables_json = std::move(variables_json);
  c.bound = std::move(bound);
  c.needs = templates::ContactNeeds::of(*entry.value);
  c.default_language = std::move(default_language);
  c.dlt_entity_id = std::move(dlt_entity_id);
  c.prices = std::move(prices);
  return c;
}

bool Content::has(adapters::Channel channel) const {
  if (!tmpl) {
    return channel == adapters::Channel::sms ? sms.has_value() : channel == adapters::Channel::whatsapp ? whatsapp.has_value() : push.has_value();
  }
  return templates::choose_language(*tmpl, channel, default_language, default_language).has_value();
}

void Content::store_into(json::object& o) const {
  if (tmpl) {
    o["template"] = tmpl->id;
    o["template_file"] = tmpl->file;
    o["template_source"] = template_source;
    o["variables"] = json::parse(variables_json);
  } else {
    if (sms) o["sms"] = *sms;
    if (whatsapp) o["whatsapp"] = *whatsapp;
    if (push) o["push"] = json::object{{"title", push->title}, {"body", push->body}};
  }
  o["default_language"] = default_language;
  if (confirms_opt_out) o["confirms_opt_out"] = true;
  if (link_meeting != 0) o["reply_link_meeting"] = link_meeting;
  if (!dlt_entity_id.empty()) o["dlt_entity_id"] = dlt_entity_id;
  o["prices"] = json::object{{"currency", prices.currency},
                             {"sms_per_message", prices.sms_per_message},
                             {"sms_per_segment", prices.sms_per_segment},
                             {"whatsapp_per_message", prices.whatsapp_per_message},
                             {"push_per_message", prices.push_per_message}};
}

std::optional<Content> Content::load(const json::object& m, std::string& error) {
  Content c;
  auto text = [&](const json::object& o, const char* key) {
    auto* v = o.if_contains(key);
    return v && v->is_string() ? std::optional<std::string>(std::string(v->as_string())) : std::nullopt;
  };
  auto number = [&](const json::object& o, const char* key, double fallback) {
    auto* v = o.if_contains(key);
    return v && v->is_number() ? v->to_number<double>() : fallback;
  };
  c.default_language = text(m, "default_language").value_or("hi");
  c.dlt_entity_id = text(m, "dlt_entity_id").value_or("");
  if (auto* v = m.if_contains("confirms_opt_out"); v && v->is_bool()) c.confirms_opt_out = v->as_bool();
  if (auto* n = m.if_contains("reply_link_meeting"); n && n->is_int64()) c.link_meeting = static_cast<std::uint32_t>(n->as_int64());
  if (auto* p = m.if_contains("prices"); p && p->is_object()) {
    const auto& o = p->as_object();
    c.prices.currency = text(o, "currency").value_or(c.prices.currency);
    c.prices.sms_per_message = number(o, "sms_per_message", c.prices.sms_per_message);
    c.prices.sms_per_segment = number(o, "sms_per_segment", c.prices.sms_per_segment);
    c.prices.whatsapp_per_message = number(o, "whatsapp_per_message", c.prices.whatsapp_per_message);
    c.prices.push_per_message = number(o, "push_per_message", c.prices.push_per_message);
  }
  if (auto source = text(m, "template_source")) {
    // Already validated when the broadcast was created: read its structure only.
    auto parsed = templates::parse_template(*source, text(m, "template_file").value_or("?"), templates::Rules{}, false);
    if (!parsed.value) {
      error = "its template does not parse: " + (parsed.errors.empty() ? "" : parsed.errors.front().to_string());
      return std::nullopt;
    }
    c.template_source = std::move(*source);
    c.tmpl = std::make_shared<const templates::Template>(std::move(*parsed.value));
    const auto* variables = m.if_contains("variables");
    if (variables) c.variables_json = json::serialize(*variables);
    auto bound = templates::bind_variables(*c.tmpl, variables);
    if (auto* problems = std::get_if<std::vector<templates::BindProblem>>(&bound)) {
      error = "its variables no longer bind: " + problems->front().pointer + ": " + problems->front().message;
      return std::nullopt;
    }
    c.bound = std::get<templates::BoundValues>(std::move(bound));
    c.needs = templates::ContactNeeds::of(*c.tmpl);
    return c;
  }
  c.sms = text(m, "sms");
  c.whatsapp = text(m, "whatsapp");
  if (auto* p = m.if_contains("push"); p && p->is_object())
    c.push = PushText{text(p->as_object(), "title").value_or(""), text(p->as_object(), "body").value_or("")};
  return c;
}

std::string Content::fill(adapters::OutboundMessage& m, const directory::ContactView& contact, const directory::UnitTable* units) const {
  if (!tmpl) {
    switch (m.channel) {
      case adapters::Channel::sms: m.text = sms.value_or(""); break;
      case adapters::Channel::whatsapp: m.text = whatsapp.value_or(""); break;
      case adapters::Channel::push:
        m.title = push ? push->title : "";
        m.text = push ? push->body : "";
        break;
    }
    return "";
  }
  auto language = templates::choose_language(*tmpl, m.channel, contact.language, default_language);
  if (!language) return std::string("the template has no ") + adapters::name(m.channel) + " content";
  const auto values = templates::contact_values(contact, *language, needs, units);
  auto rendered = templates::render(*tmpl, m.channel, *language, bound, values);
  if (link_meeting != 0) {
    // This recipient's own token where the stand-in was.
    const auto key = meetings::reply_link_key();
    if (key.empty()) return "the reply link's key is not known yet";
    const auto token = meetings::link_token({link_meeting, contact.mobile}, key);
    if (token.empty()) return "no reply link can be made for this recipient";
    const auto stand_in = meetings::kLinkTokenStandIn;
    auto swap = [&](std::string& s) {
      for (auto at = s.find(stand_in); at != std::string::npos; at = s.find(stand_in, at + token.size())) s.replace(at, stand_in.size(), token);
    };
    swap(rendered.text);
    swap(rendered.title);
    for (auto& p : rendered.parameters) swap(p);
  }
  m.language = *language;
  m.text = std::move(rendered.text);
  m.title = std::move(rendered.title);
  if (m.channel == adapters::Channel::sms) {
    m.dlt_entity_id = dlt_entity_id;
    m.dlt_template_id = std::move(rendered.dlt_template_id);
    m.sender = std::move(rendered.sender);
    m.dlt_category = templates::name(tmpl->category);
    // Nothing goes to an operator that its DLT scrubbing would reject.
    if (auto error = sms::check_dlt(tmpl->sms.at(*language).dlt, m.text); !error.empty()) return "DLT check: " + error;
  } else if (m.channel == adapters::Channel::whatsapp) {
    m.whatsapp_template = std::move(rendered.whatsapp_name);
    m.whatsapp_language = std::move(rendered.whatsapp_language);
    m.parameters = std::move(rendered.parameters);
    m.button_payloads = std::move(rendered.button_payloads);
  }
  return "";
}

}  // namespace orgcast::broadcast
