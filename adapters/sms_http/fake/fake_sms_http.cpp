// fake-sms-http: a local stand-in for an Indian SMS aggregator's HTTP API,
// shaped like the common ones (../README.md), with the operators' DLT
// checks, for tests and benchmarks.
//   POST /v1/sms   JSON or form: to, text, sender, pe_id, template_id, callback_url, reference
//        Authorization: Bearer <--api-key> checked (401 otherwise)
//        200 {"status":"OK","data":{"message_id":"AGG<n>"}}
//        DLT scrubbing, as the operator would: an unknown principal entity,
//        sender header or template id, or a header not of that entity, is
//        refused with 400 {"status":"ERROR","error":{"code":"TEMPLATE_NOT_FOUND","message":...}}
//   then a delivery callback to the request's callback_url (JSON POST):
//        {"message_id","status":"DELIVRD"|"UNDELIV","error_code","reference","done_at"}
//   GET /messages   the latest 1,000 accepted request bodies (as JSON objects)
//   GET /stats      {"requests","accepted","rejected","reports_sent","reports_failed"}
// Flags: --listen H:P --port-file F --api-key K --entity PE --headers H1,H2
//        --templates T1,T2 (empty: any) --undelivered 919829000009,... --report-delay-ms N --reports 0|1
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/json.hpp>
#include <atomic>
#include <set>

#include "adapters/core/wire.hpp"
#include "core/log.hpp"
#include "http/recent_bodies.hpp"
#include "http/router.hpp"
#include "http/standalone.hpp"
#include "http_client/client.hpp"

namespace asio = boost::asio;
namespace json = boost::json;
using namespace orgcast;

namespace {

struct Options {
  std::string listen = "127.0.0.1:0", port_file, api_key = "test-key", entity;
  std::set<std::string> headers, templates, undelivered;
  int report_delay_ms = 20;
  bool reports = true;
};

http::Response aggregator_error(int status, const std::string& code, const std::string& message) {
  return http::json_response(
      status, json::serialize(json::object{{"status", "ERROR"}, {"error", json::object{{"code", code}, {"message", message}}}}));
}

// The request's fields, from a JSON object or a form body.
std::map<std::string, std::string> fields_of(const http::Request& request) {
  if (request.header("content-type").value_or("").starts_with("application/x-www-form-urlencoded"))
    return adapters::query_params(request.body);
  std::map<std::string, std::string> out;
  boost::system::error_code ec;
  auto body = json::parse(request.body, ec);
  if (ec || !body.is_object()) return out;
  for (const auto& [key, value] : body.as_object())
    if (value.is_string()) out[std::string(key)] = std::string(value.as_string());
  return out;
}

class FakeSmsHttp {
 public:
  FakeSmsHttp(Options options, std::shared_ptr<http_client::Client> client) : options_(std::move(options)), client_(std::move(client)) {}

  asio::awaitable<http::Response> send(http::Request& request) {
    ++requests_;
    if (request.header("authorization").value_or("") != "Bearer " + options_.api_key)
      co_return aggregator_error(401, "AUTH_FAILED", "invalid API key");
    auto f = fields_of(request);
    if (f["to"].empty() || f["text"].empty()) co_return aggregator_error(400, "BAD_REQUEST", "to and text are required");
    if (auto refused = dlt_scrub(f)) {
      ++rejected_;
      co_return *refused;
    }
    const std::string id = "AGG" + std::to_string(++accepted_);
    json::object kept;
    for (const auto& [key, value] : f) kept[key] = value;
    recent_.add(json::serialize(kept));
    if (options_.reports && !f["callback_url"].empty()) {
      const bool delivered = !options_.undelivered.contains(f["to"]);
      asio::co_spawn(co_await asio::this_coro::executor, report(f["callback_url"], id, f["reference"], delivered), asio::detached);
    }
    co_return http::json_response(200, json::serialize(json::object{{"status", "OK"}, {"data", json::object{{"message_id", id}}}}));
  }

  http::Response messages() const { return recent_.json_array(); }

  http::Response stats() const {
    return http::json_response(200, json::serialize(json::object{{"requests", requests_.load()},
                                                                 {"accepted", accepted_.load()},
                                                                 {"rejected", rejected_.load()},
                                                                 {"reports_sent", reports_sent_.load()},
                                                                 {"reports_failed", reports_failed_.load()}}));
  }

 private:
  // What the operator's DLT scrubbing refuses, in the order it checks.
  std::optional<http::Response> dlt_scrub(std::map<std::string, std::string>& f) const {
    if (!options_.entity.empty() && f["pe_id"] != options_.entity)
      return aggregator_error(400, "ENTITY_NOT_REGISTERED", "principal entity '" + f["pe_id"] + "' is not registered");
    if (!options_.headers.empty() && !options_.headers.contains(f["sender"]))
      return aggregator_error(400, "HEADER_NOT_REGISTERED", "header '" + f["sender"] + "' is not registered");
    if (f["template_id"].empty()) return aggregator_error(400, "TEMPLATE_NOT_FOUND", "template_id is required");
    if (!options_.templates.empty() && !options_.templates.contains(f["template_id"]))
      return aggregator_error(400, "TEMPLATE_NOT_FOUND", "template '" + f["template_id"] + "' is not registered for this entity");
    return std::nullopt;
  }

  asio::awaitable<void> report(std::string url, std::string id, std::string reference, bool delivered) {
    asio::steady_timer pause(co_await asio::this_coro::executor, std::chrono::milliseconds(options_.report_delay_ms));
    co_await pause.async_wait(asio::use_awaitable);
    http_client::Request r;
    r.url = std::move(url);
    r.body = json::serialize(json::object{{"message_id", id},
                                          {"status", delivered ? "DELIVRD" : "UNDELIV"},
                                          {"error_code", delivered ? "000" : "001"},
                                          {"reference", reference},
                                          {"done_at", "2026-11-23 10:00:05"}});
    r.headers = {{"Content-Type", "application/json"}};
    auto answer = co_await client_->send(std::move(r));
    (answer && answer->status == 200 ? reports_sent_ : reports_failed_)++;
  }

  Options options_;
  std::shared_ptr<http_client::Client> client_;
  std::atomic<long> requests_{0}, accepted_{0}, rejected_{0}, reports_sent_{0}, reports_failed_{0};
  http::RecentBodies recent_;
};

}  // namespace

int main(int argc, char** argv) {
  Options options;
  const bool flags_ok = http::parse_flags(argc, argv, "fake-sms-http", [&](const std::string& flag, const std::string& value) {
    if (flag == "--listen") options.listen = value;
    else if (flag == "--port-file") options.port_file = value;
    else if (flag == "--api-key") options.api_key = value;
    else if (flag == "--entity") options.entity = value;
    else if (flag == "--headers") options.headers = adapters::comma_set(value);
    else if (flag == "--templates") options.templates = adapters::comma_set(value);
    else if (flag == "--undelivered") options.undelivered = adapters::comma_set(value);
    else if (flag == "--report-delay-ms") options.report_delay_ms = std::stoi(value);
    else if (flag == "--reports") options.reports = value != "0";
    else return false;
    return true;
  });
  if (!flags_ok) return 2;
  asio::io_context io(1);
  Log log(LogLevel::warn);
  FakeSmsHttp fake(options, http_client::Client::create(io.get_executor(), {}, log));
  http::Router router;
  router.add("POST", "/v1/sms", [&](http::Request& r) { return fake.send(r); });
  http::add_inspection_routes(router, [&] { return fake.messages(); }, [&] { return fake.stats(); });
  http::serve_until_signalled(io, router, options.listen, options.port_file, log);
  return 0;
}
