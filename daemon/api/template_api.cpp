// Templates over HTTP:
//   GET  /v1/templates                 the templates in force: kind, variables, channels and languages
//   GET  /v1/templates/{id}            one, with its texts as registered (DLT, Meta)
//   POST /v1/templates/{id}/preview    {"contact": "C1"} or {"variables": {...}}, optionally
//                                      "channels": [...], "languages": [...]: each variant rendered,
//                                      with its encoding, SMS segments and cost
#include <boost/json.hpp>

#include "api/caller_scope.hpp"
#include "api/contact_read_limit.hpp"
#include "api/common.hpp"
#include "api/paging.hpp"
#include "api/routes.hpp"
#include "broadcast/spec.hpp"
#include "core/text.hpp"
#include "directory_store/store.hpp"
#include "directory_store/watcher.hpp"
#include "pricing/cost.hpp"
#include "templates/bind.hpp"
#include "templates/contact_values.hpp"
#include "core/json_text.hpp"

namespace orgcast::api {
namespace json = boost::json;
using boost::asio::awaitable;
using adapters::Channel;

namespace {

constexpr Channel kChannels[] = {Channel::sms, Channel::whatsapp, Channel::push};

json::object template_json(const templates::Template& t) {
  json::array variables;
  for (const auto& v : t.variables) {
    json::object o{{"name", v.name},
                   {"type", v.type == templates::VariableType::time ? "time" : "text"},
                   {"from", v.from_contact() ? "contact" : "broadcast"},
                   {"required", v.required},
                   {"example", v.example_for("en")}};
    if (v.type == templates::VariableType::text) o["max_length"] = v.max_length;
    if (v.default_value) o["default"] = *v.default_value;
    variables.push_back(std::move(o));
  }
  json::object channels;
  auto languages = [](const auto& variants) {
    json::array out;
    for (const auto& [lang, _] : variants) out.emplace_back(lang);
    return out;
  };
  if (!t.sms.empty()) channels["sms"] = languages(t.sms);
  if (!t.whatsapp.empty()) channels["whatsapp"] = languages(t.whatsapp);
  if (!t.push.empty()) channels["push"] = languages(t.push);
  return {{"id", t.id},
          {"file", t.file},
          {"kind", templates::name(t.kind)},
          {"dlt_category", templates::name(t.category)},
          {"variables", std::move(variables)},
          {"channels", std::move(channels)}};
}

awaitable<http::Response> list(Context context, http::Request& request) {
  Paging paging;
  if (auto refused = read_list_paging(request, paging)) co_return std::move(*refused);
  const auto messaging = context.messaging();
  json::array out;
  for (const auto& [_, entry] : messaging->catalog.by_id) out.push_back(template_json(*entry.value));
  co_return http::json_response(200, json_text(paged_list(request, paging, "templates", std::move(out))));
}

// One template with its texts as they are registered (SMS on DLT, WhatsApp at Meta): what a scheduler's developer needs to fill it.
awaitable<http::Response> show(Context context, http::Request& request) {
  const auto id = request.params["id"];
  const auto messaging = context.messaging();
  const auto* entry = messaging->catalog.find(id);
  if (!entry) co_return not_found("template", id);
  const auto& t = *entry->value;
  auto out = template_json(t);
  json::object sms, whatsapp;
  for (const auto& [language, v] : t.sms)
    sms[language] = json::object{{"registered", v.registered}, {"dlt_template_id", v.dlt_template_id}, {"sender", v.sender}};
  for (const auto& [language, v] : t.whatsapp) whatsapp[language] = json::object{{"name", v.name}, {"language", v.language}, {"body", v.body}};
  out["texts"] = json::object{{"sms", std::move(sms)}, {"whatsapp", std::move(whatsapp)}};
  co_return http::json_response(200, json_text(out));
}

// One rendered variant as the preview shows it.
json::object variant_json(const templates::Template& t, Channel channel, const templates::Rendered& r, const PricingConfig& prices) {
  const auto cost = pricing::cost_of(channel, r.text, prices);
  json::object o{{"channel", adapters::name(channel)}, {"language", r.language}, {"text", r.text},
                 {"characters", characters(r.text)}, {"cost", pricing::format_amount(cost.micros)}};
  switch (channel) {
    case Channel::sms: {
      o["encoding"] = sms::name(cost.encoding);
      o["segments"] = cost.sms_segments;
      o["dlt_template_id"] = r.dlt_template_id;
      o["sender"] = r.sender;
      auto check = sms::check_dlt(t.sms.at(r.language).dlt, r.text);
      o["dlt_check"] = check.empty() ? "passes" : check;
      break;
    }
    case Channel::whatsapp: {
      json::array parameters;
      for (const auto& p : r.parameters) parameters.emplace_back(p);
      o["template"] = json::object{{"name", r.whatsapp_name}, {"language", r.whatsapp_language}, {"parameters", std::move(parameters)}};
      break;
    }
    case Channel::push: o["title"] = r.title; break;
  }
  return o;
}

// The variables for a sample rendering: the template's examples in the
// language, overridden by those the request gives.
json::object sample_variables(const templates::Template& t, const std::string& language, const json::object* given) {
  json::object merged;
  for (const auto& v : t.variables)
    if (!v.from_contact()) merged[v.name] = v.example_for(language);
  if (given)
    for (const auto& [key, value] : *given) merged[key] = value;
  return merged;
}

awaitable<http::Response> preview(Context context, http::Request& request) {
  const auto messaging = context.messaging();
  const auto& id = request.params["id"];
  const auto* entry = messaging->catalog.find(id);
  if (!entry) co_return http::problem(404, "not-found", "No such template", "no template " + quoted(id));
  const auto& t = *entry->value;
  http::Response error;
  auto body = parse_json_body(request, error);
  if (!body) co_return error;
  if (!body->is_object()) co_return pointer_problem("Invalid preview request", {{"", "expected an object"}});
  const auto& o = body->as_object();
  std::vector<directory::SelectorError> problems;
  directory::reject_unknown_keys(o, {"contact", "variables", "channels", "languages"}, "", problems);
  const auto* given = o.if_contains("variables");
  if (given && !given->is_object()) problems.push_back({"/variables", "expected an object of variable names to values"});
  std::vector<Channel> channels(std::begin(kChannels), std::end(kChannels));
  if (auto* c = o.if_contains("channels")) channels = broadcast::parse_channels(*c, "/channels", problems);
  std::vector<std::string> languages;
  if (auto* l = o.if_contains("languages")) {
    if (!l->is_array()) problems.push_back({"/languages", "expected an array of language codes"});
    else
      for (const auto& lang : l->as_array())
        if (lang.is_string()) languages.emplace_back(lang.as_string());
  }
  // A contact's own rendering: their language, their name and unit.
  std::optional<directory::ContactRecord> contact;
  std::shared_ptr<const directory::OrgIndex> index;
  if (auto* c = o.if_contains("contact")) {
    index = context.watcher->index();
    if (!index) co_return index_unavailable();
    // A contact's rendering is a read of the contact: only within the caller's scope.
    const CallerScope caller(request, index->units());
    if (auto refused = contact_read_refused(context, request)) co_return std::move(*refused);
    auto placed = c->is_string() ? reachable_contact(context, caller, *index, c->as_string()) : std::nullopt;
    if (!placed) {
      problems.push_back({"/contact", "no contact with this id in the directory"});
    } else {
      std::uint32_t record = placed->ref.record;
      auto fetched = co_await context.store->fetch_records(*index, std::span<const std::uint32_t>(&record, 1));
      if (!fetched) co_return redis_unavailable(fetched.error().message());
      if (!fetched->empty() && !fetched->front().id.empty()) contact = fetched->front();
      else problems.push_back({"/contact", "the contact vanished meanwhile"});
    }
  }
  if (!problems.empty()) co_return pointer_problem("Invalid preview request", problems);

  json::array variants;
  for (auto channel : channels) {
    std::vector<std::string> langs;
    if (contact) {
      if (auto lang = templates::choose_language(t, channel, contact->language, messaging->rules.default_language)) langs.push_back(*lang);
    } else {
      auto all = [&](const auto& variants) {
        for (const auto& [lang, _] : variants)
          if (languages.empty() || std::find(languages.begin(), languages.end(), lang) != languages.end()) langs.push_back(lang);
      };
      channel == Channel::sms ? all(t.sms) : channel == Channel::whatsapp ? all(t.whatsapp) : all(t.push);
    }
    for (const auto& lang : langs) {
      const json::value merged = sample_variables(t, lang, given ? &given->as_object() : nullptr);
      auto bound = templates::bind_variables(t, &merged, "/variables", messaging->rules.dlt_variable_max);
      if (auto* errors = std::get_if<std::vector<templates::BindProblem>>(&bound)) {
        for (auto& e : *errors) problems.push_back({std::move(e.pointer), std::move(e.message)});
        co_return pointer_problem("Invalid preview request", problems);
      }
      const auto values = contact ? templates::contact_values(contact->view(), lang, templates::ContactNeeds::of(t), &index->units())
                                  : templates::example_contact(t, lang);
      auto rendered = templates::render(t, channel, lang, std::get<templates::BoundValues>(bound), values);
      variants.push_back(variant_json(t, channel, rendered, messaging->prices));
    }
  }
  json::object out{{"template", template_json(t)}, {"currency", messaging->prices.currency}, {"variants", std::move(variants)}};
  if (contact) out["contact"] = json::object{{"id", contact->id}, {"language", contact->language}};
  co_return http::json_response(200, json_text(out));
}

}  // namespace

void add_template_routes(http::Router& router, const Context& context) {
  router.add("GET", "/v1/templates", [context](http::Request& r) { return list(context, r); });
  router.add("GET", "/v1/templates/{id}", [context](http::Request& r) { return show(context, r); });
  router.add("POST", "/v1/templates/{id}/preview", [context](http::Request& r) { return preview(context, r); });
}

}  // namespace orgcast::api
