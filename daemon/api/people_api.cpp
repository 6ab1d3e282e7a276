// What a person wrote and what they consented to, by any of their contact
// ids (answers and consent belong to the person, their mobile: contact ids
// are posts and change with re-imports):
//   GET /v1/directory/contacts/{id}/inbound   their messages, newest first, with what was done with each
//   GET /v1/directory/contacts/{id}/consent   channels they opted out of, and the history
//   PUT /v1/directory/contacts/{id}/consent   {"consent": "out"|"in", "channel": "sms"|"whatsapp"|"push"|"all", "note": "..."}
#include <boost/json.hpp>

#include "api/audit_trail.hpp"
#include "api/caller_scope.hpp"
#include "api/inbound_json.hpp"
#include "api/contact_read_limit.hpp"
#include "api/common.hpp"
#include "api/paging.hpp"
#include "api/routes.hpp"
#include "core/text.hpp"
#include "directory/phone.hpp"
#include "directory_store/watcher.hpp"
#include "inbound/inbound_store.hpp"
#include "redis/client.hpp"
#include "core/json_text.hpp"

namespace orgcast::api {

namespace json = boost::json;
using boost::asio::awaitable;

namespace {

// The person behind a contact id in the caller's scope: their mobile, and
// how it is shown to the caller (masked without view_contacts there).
struct Person {
  std::uint64_t mobile = 0;
  std::string shown;
  std::string unit;  // the contact's unit id
};

// The person, or a 404 / 503 answer.
std::optional<Person> person_of(const Context& context, const http::Request& request, http::Response& error) {
  auto index = context.watcher->index();
  if (!index) {
    error = index_unavailable();
    return std::nullopt;
  }
  const auto id = request.params.at("id");
  const CallerScope caller(request, index->units());
  if (auto refused = contact_read_refused(context, request)) {
    error = std::move(*refused);
    return std::nullopt;
  }
  const auto placed = reachable_contact(context, caller, *index, id);
  if (!placed) {
    error = not_found("contact", id);
    return std::nullopt;
  }
  const auto mobile = index->person_mobile(placed->ref.person);
  return Person{mobile, caller.mobile(phone::to_e164(mobile), placed->unit), std::string(index->units().id(placed->unit))};
}


awaitable<http::Response> inbound_of(Context context, http::Request& request) {
  std::size_t limit = 100;
  std::string after;  // the cursor: the id of the last message of the page before
  for (const auto& [name, value] : request.query) {
    std::string why;
    if (name == "limit" && !read_paging("per_page", value, 500, limit).empty()) why = "limit must be a whole number from 1 to 500, not " + quoted_input(value);
    if (name == "cursor" && !is_stream_id(value)) why = "cursor is not one this listing gave (use the `next` link as it is)";
    if (!why.empty()) co_return http::problem(400, "invalid-parameter", "Invalid parameter", why);
    if (name == "cursor") after = value;
  }
  http::Response error;
  auto person = person_of(context, request, error);
  if (!person) co_return error;
  auto entries = co_await context.inbound->of_person(person->mobile, std::move(after), limit);
  if (!entries) co_return redis_unavailable(entries.error().message());
  json::array out;
  for (const auto& e : entries->messages)
    if (e.elements.size() >= 2) {
      auto m = inbound_message_json(e);
      m["from"] = person->shown;
      m["mobile"] = person->shown;
      out.push_back(std::move(m));
    }
  co_return http::json_response(200, json_text(json::object{{"mobile", person->shown},
                                                            {"messages", std::move(out)},
                                                            {"total", entries->kept},
                                                            {"next", entries->last.empty() ? json::value(nullptr) : json::value(link_with_cursor(request, entries->last))}}));
}

awaitable<http::Response> get_consent(Context context, http::Request& request) {
  http::Response error;
  auto person = person_of(context, request, error);
  if (!person) co_return error;
  auto consent = co_await context.inbound->consent_of(person->mobile);
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
  co_return http::json_response(200, json_text(json::object{
                                         {"mobile", person->shown}, {"opted_out", std::move(opted_out)}, {"history", std::move(history)}}));
}

awaitable<http::Response> put_consent(Context context, http::Request& request) {
  http::Response error;
  auto person = person_of(context, request, error);
  if (!person) co_return error;
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
  const std::string how = "office";  // named: GCC 12 and temporaries inside a co_await
  auto done = co_await context.inbound->record_consent(person->mobile, consent, channel, how, note);
  if (!done) co_return redis_unavailable(done.error().message());
  auto recorded = audit_entry(context, request, "consent_change", request.params["id"]);
  recorded.unit = person->unit;
  recorded.summary = consent + " " + channel;
  co_await keep_audit(context, std::move(recorded));
  co_return co_await get_consent(context, request);
}

}  // namespace

void add_people_routes(http::Router& router, const Context& context) {
  router.add("GET", "/v1/directory/contacts/{id}/inbound", [context](http::Request& r) { return inbound_of(context, r); });
  router.add("GET", "/v1/directory/contacts/{id}/consent", [context](http::Request& r) { return get_consent(context, r); });
  router.add("PUT", "/v1/directory/contacts/{id}/consent", [context](http::Request& r) { return put_consent(context, r); });
}

}  // namespace orgcast::api
