// What a person wrote and what they consented to, by any of their contact
// ids (answers and consent belong to the person, their mobile: contact ids
// are posts and change with re-imports):
//   GET /v1/directory/contacts/{id}/inbound   their messages, newest first, with what was done with each
//   GET /v1/directory/contacts/{id}/consent   channels they opted out of, and the history
//   PUT /v1/directory/contacts/{id}/consent   {"consent": "out"|"in", "channel": "sms"|"whatsapp"|"push"|"all", "note": "..."}
#include <boost/json.hpp>

#include "api/common.hpp"
#include "api/routes.hpp"
#include "core/text.hpp"
#include "directory/phone.hpp"
#include "directory_store/watcher.hpp"
#include "inbound/inbound_store.hpp"
#include "redis/client.hpp"

namespace orgcast::api {

namespace json = boost::json;
using boost::asio::awaitable;

namespace {

// The person behind a contact id: their mobile, or a 404 / 503 answer.
std::optional<std::uint64_t> mobile_of(const Context& context, const std::string& id, http::Response& error) {
  auto index = context.watcher->index();
  if (!index) {
    error = index_unavailable();
    return std::nullopt;
  }
  auto ref = index->find_contact(id);
  if (!ref) {
    error = http::problem(404, "not-found", "No such contact", "no contact with id " + quoted_input(id));
    return std::nullopt;
  }
  return index->person_mobile(ref->person);
}

json::object entry_json(const redis::Reply& entry) {
  json::object m{{"id", entry.elements.at(0).str}};
  const auto& fields = entry.elements.at(1).elements;
  for (std::size_t i = 0; i + 1 < fields.size(); i += 2) m[fields[i].str] = fields[i + 1].str;
  return m;
}

awaitable<http::Response> inbound_of(Context context, http::Request& request) {
  http::Response error;
  auto mobile = mobile_of(context, request.params["id"], error);
  if (!mobile) co_return error;
  auto entries = co_await context.inbound->of_person(*mobile, 100);
  if (!entries) co_return redis_unavailable(entries.error().message());
  json::array out;
  for (const auto& e : *entries)
    if (e.elements.size() >= 2) out.push_back(entry_json(e));
  co_return http::json_response(200, json::serialize(json::object{{"mobile", phone::to_e164(*mobile)}, {"messages", std::move(out)}}));
}

awaitable<http::Response> get_consent(Context context, http::Request& request) {
  http::Response error;
  auto mobile = mobile_of(context, request.params["id"], error);
  if (!mobile) co_return error;
  auto consent = co_await context.inbound->consent_of(*mobile);
  if (!consent) co_return redis_unavailable(consent.error().message());
  json::object opted_out;
  for (const auto& [channel, detail] : consent->opted_out) {
    const auto bar = detail.find('|');
    opted_out[channel] = json::object{{"since", detail.substr(0, bar)}, {"how", bar == std::string::npos ? "" : detail.substr(bar + 1)}};
  }
  json::array history;
  for (const auto& entry : consent->history) {
    boost::system::error_code ec;
    auto v = json::parse(entry, ec);
    if (!ec) history.push_back(std::move(v));
  }
  co_return http::json_response(200, json::serialize(json::object{
                                         {"mobile", phone::to_e164(*mobile)}, {"opted_out", std::move(opted_out)}, {"history", std::move(history)}}));
}

awaitable<http::Response> put_consent(Context context, http::Request& request) {
  http::Response error;
  auto mobile = mobile_of(context, request.params["id"], error);
  if (!mobile) co_return error;
  auto body = parse_json_body(request, error);
  if (!body) co_return error;
  std::vector<directory::SelectorError> errors;
  const auto* o = body->if_object();
  if (!o) co_return http::problem(400, "invalid-body", "Invalid consent", "the body must be a JSON object");
  for (const auto& [key, value] : *o)
    if (key != "consent" && key != "channel" && key != "note") errors.push_back({"/" + json_pointer_token(key), "unknown field"});
  auto text = [&](const char* key) -> std::string {
    const auto* v = o->if_contains(key);
    return v && v->is_string() ? std::string(v->as_string()) : "";
  };
  const auto consent = text("consent"), channel = text("channel"), note = text("note");
  if (consent != "out" && consent != "in") errors.push_back({"/consent", "must be \"out\" or \"in\""});
  if (channel != "sms" && channel != "whatsapp" && channel != "push" && channel != "all")
    errors.push_back({"/channel", "must be \"sms\", \"whatsapp\", \"push\" or \"all\""});
  if (o->contains("note") && !o->at("note").is_string()) errors.push_back({"/note", "must be a string"});
  if (characters(note) > 500) errors.push_back({"/note", "at most 500 characters"});
  if (!errors.empty()) co_return pointer_problem("Invalid consent", errors);
  if (!context.redis->connected()) co_return redis_unavailable(context.redis->status());
  auto done = co_await context.inbound->record_consent(*mobile, consent, channel, "office", note);
  if (!done) co_return redis_unavailable(done.error().message());
  co_return co_await get_consent(context, request);
}

}  // namespace

void add_people_routes(http::Router& router, const Context& context) {
  router.add("GET", "/v1/directory/contacts/{id}/inbound", [context](http::Request& r) { return inbound_of(context, r); });
  router.add("GET", "/v1/directory/contacts/{id}/consent", [context](http::Request& r) { return get_consent(context, r); });
  router.add("PUT", "/v1/directory/contacts/{id}/consent", [context](http::Request& r) { return put_consent(context, r); });
}

}  // namespace orgcast::api
