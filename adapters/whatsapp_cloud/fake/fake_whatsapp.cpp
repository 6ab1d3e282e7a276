// fake-whatsapp: a local stand-in for Meta's WhatsApp Cloud API, built from
// its documented payloads (../README.md), for tests and benchmarks.
//   POST /{version}/{phone_number_id}/messages   Bearer token checked; template or text
//        200 {"messaging_product","contacts","messages":[{"id":"wamid.N"}]}
//        or the documented error body for undeliverable recipients (131026)
//        and throttling (130429, with the first N requests)
//   then, for each accepted message, signed status webhooks to --callback:
//        sent, read, delivered, delivered (out of order and twice, as Meta may)
//   GET /messages   the latest 1,000 accepted request bodies (JSON array)
//   GET /stats      {"requests", "accepted", "refused", "webhooks_sent", "webhooks_failed"}
// Flags: --listen H:P --port-file F --token T --app-secret S --callback URL
//        --undeliverable 919829000003,... --throttle-first N --statuses 0|1
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/json.hpp>
#include <atomic>
#include <set>
#include <thread>

#include "adapters/whatsapp_cloud/whatsapp_cloud_adapter.hpp"
#include "core/log.hpp"
#include "adapters/core/wire.hpp"
#include "http/recent_bodies.hpp"
#include "http/router.hpp"
#include "http/standalone.hpp"
#include "http_client/client.hpp"

namespace asio = boost::asio;
namespace json = boost::json;
using namespace orgcast;

namespace {

struct Options {
  std::string listen = "127.0.0.1:0", port_file, token = "test-token", app_secret = "test-secret", callback;
  std::set<std::string> undeliverable;
  int throttle_first = 0;
  bool statuses = true;
};

http::Response graph_error(int status, long code, const std::string& message, const std::string& details) {
  json::object error{{"message", message}, {"type", "OAuthException"}, {"code", code}, {"fbtrace_id", "AbCdEf"}};
  if (!details.empty()) error["error_data"] = json::object{{"messaging_product", "whatsapp"}, {"details", details}};
  return http::json_response(status, json::serialize(json::object{{"error", std::move(error)}}));
}

class FakeWhatsApp {
 public:
  FakeWhatsApp(Options options, std::shared_ptr<http_client::Client> client) : options_(std::move(options)), client_(std::move(client)) {}

  asio::awaitable<http::Response> send(http::Request& request) {
    ++requests_;
    if (request.header("authorization").value_or("") != "Bearer " + options_.token)
      co_return graph_error(401, 190, "Error validating access token", "");
    if (throttled_++ < options_.throttle_first)
      co_return graph_error(429, 130429, "Rate limit hit", "Cloud API message throughput has been reached.");
    boost::system::error_code ec;
    auto body = json::parse(request.body, ec);
    const json::object* o = !ec && body.is_object() ? &body.as_object() : nullptr;
    auto text = [&](const json::object& obj, const char* key) {
      auto* v = obj.if_contains(key);
      return v && v->is_string() ? std::string(v->as_string()) : std::string();
    };
    if (!o || text(*o, "messaging_product") != "whatsapp" || text(*o, "to").empty())
      co_return graph_error(400, 100, "Invalid parameter", "messaging_product and to are required");
    const auto type = text(*o, "type");
    const auto* t = o->if_contains("template");
    if (type == "template" && (!t || !t->is_object() || text(t->as_object(), "name").empty() || !t->as_object().contains("language")))
      co_return graph_error(400, 131008, "Required parameter is missing", "template.name and template.language are required");
    if (type != "template" && type != "text") co_return graph_error(400, 131051, "Unsupported message type", type);
    const auto to = text(*o, "to");
    if (options_.undeliverable.contains(to)) {
      ++refused_;
      co_return graph_error(400, 131026, "Message undeliverable", "Unable to deliver message: the recipient is not a WhatsApp user");
    }
    const std::string id = "wamid.FAKE" + std::to_string(++accepted_);
    recent_.add(request.body);
    if (options_.statuses && !options_.callback.empty())
      asio::co_spawn(co_await asio::this_coro::executor, statuses(id, to, text(*o, "biz_opaque_callback_data")), asio::detached);
    json::object answer{{"messaging_product", "whatsapp"},
                        {"contacts", json::array{json::object{{"input", to}, {"wa_id", to}}}},
                        {"messages", json::array{json::object{{"id", id}}}}};
    co_return http::json_response(200, json::serialize(answer));
  }

  // Status webhooks as Meta sends them, signed with the app secret: read
  // before delivered, and delivered twice.
  asio::awaitable<void> statuses(std::string id, std::string to, std::string opaque) {
    for (const char* status : {"sent", "read", "delivered", "delivered"}) {
      asio::steady_timer pause(co_await asio::this_coro::executor, std::chrono::milliseconds(20));
      co_await pause.async_wait(asio::use_awaitable);
      json::object s{{"id", id}, {"status", status}, {"timestamp", "1795400000"}, {"recipient_id", to}};
      if (!opaque.empty()) s["biz_opaque_callback_data"] = opaque;
      json::object value{{"messaging_product", "whatsapp"},
                         {"metadata", json::object{{"display_phone_number", "911140000000"}, {"phone_number_id", "1234567890"}}},
                         {"statuses", json::array{std::move(s)}}};
      json::object payload{{"object", "whatsapp_business_account"},
                           {"entry", json::array{json::object{
                                         {"id", "WABA1"},
                                         {"changes", json::array{json::object{{"value", std::move(value)}, {"field", "messages"}}}}}}}};
      http_client::Request r;
      r.url = options_.callback;
      r.body = json::serialize(payload);
      r.headers = {{"Content-Type", "application/json"},
                   {"X-Hub-Signature-256", adapters::whatsapp_signature(options_.app_secret, r.body)}};
      auto answer = co_await client_->send(std::move(r));
      (answer && answer->status == 200 ? webhooks_sent_ : webhooks_failed_)++;
    }
  }

  http::Response messages() const { return recent_.json_array(); }

  http::Response stats() const {
    return http::json_response(200, json::serialize(json::object{{"requests", requests_.load()},
                                                                 {"accepted", accepted_.load()},
                                                                 {"refused", refused_.load()},
                                                                 {"webhooks_sent", webhooks_sent_.load()},
                                                                 {"webhooks_failed", webhooks_failed_.load()}}));
  }

 private:
  Options options_;
  std::shared_ptr<http_client::Client> client_;
  std::atomic<long> requests_{0}, accepted_{0}, refused_{0}, throttled_{0}, webhooks_sent_{0}, webhooks_failed_{0};
  http::RecentBodies recent_;
};

}  // namespace

int main(int argc, char** argv) {
  Options options;
  const bool flags_ok = http::parse_flags(argc, argv, "fake-whatsapp", [&](const std::string& flag, const std::string& value) {
    if (flag == "--listen") options.listen = value;
    else if (flag == "--port-file") options.port_file = value;
    else if (flag == "--token") options.token = value;
    else if (flag == "--app-secret") options.app_secret = value;
    else if (flag == "--callback") options.callback = value;
    else if (flag == "--throttle-first") options.throttle_first = std::stoi(value);
    else if (flag == "--statuses") options.statuses = value != "0";
    else if (flag == "--undeliverable") options.undeliverable = adapters::comma_set(value);
    else return false;
    return true;
  });
  if (!flags_ok) return 2;
  asio::io_context io(1);
  Log log(LogLevel::warn);
  FakeWhatsApp fake(options, http_client::Client::create(io.get_executor(), {}, log));
  http::Router router;
  router.add("POST", "/{version}/{phone}/messages", [&](http::Request& r) { return fake.send(r); });
  http::add_inspection_routes(router, [&] { return fake.messages(); }, [&] { return fake.stats(); });
  http::serve_until_signalled(io, router, options.listen, options.port_file, log);
  return 0;
}
