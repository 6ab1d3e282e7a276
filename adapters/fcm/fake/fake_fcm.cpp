// fake-fcm: a local stand-in for FCM HTTP v1 and Google's OAuth2 token
// endpoint, built from their documented payloads (../README.md).
//   POST /token                                 grant_type=jwt-bearer, assertion=<RS256 JWT>
//        the JWT's signature is checked with --public-key; 200 {"access_token", "expires_in", "token_type"}
//   POST /v1/projects/{project}/messages:send   Bearer token checked
//        200 {"name": "projects/<p>/messages/<n>"}; tokens in --unregistered: 404 UNREGISTERED;
//        tokens in --invalid: 400 INVALID_ARGUMENT; the first --quota-first N: 429 QUOTA_EXCEEDED
//   GET /stats      {"requests", "accepted", "token_exchanges"}
//   GET /messages   the latest 1,000 accepted request bodies
#include <boost/asio/io_context.hpp>
#include <boost/json.hpp>
#include <atomic>
#include <fstream>
#include <mutex>
#include <set>
#include <sstream>

#include "adapters/core/wire.hpp"
#include "adapters/fcm/jwt.hpp"
#include "core/log.hpp"
#include "http/recent_bodies.hpp"
#include "http/router.hpp"
#include "http/standalone.hpp"

namespace asio = boost::asio;
namespace json = boost::json;
using namespace orgcast;

namespace {

struct Options {
  std::string listen = "127.0.0.1:0", port_file, public_key;
  std::set<std::string> unregistered, invalid;
  int quota_first = 0;
};

http::Response fcm_error(int status, const char* grpc_status, const char* error_code, const std::string& message) {
  json::object error{{"code", status}, {"message", message}, {"status", grpc_status}};
  if (error_code[0])
    error["details"] = json::array{json::object{{"@type", "type.googleapis.com/google.firebase.fcm.v1.FcmError"}, {"errorCode", error_code}}};
  return http::json_response(status, json::serialize(json::object{{"error", std::move(error)}}));
}

std::string file_text(const std::string& path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

class FakeFcm {
 public:
  explicit FakeFcm(Options options) : options_(std::move(options)) {}

  asio::awaitable<http::Response> token(http::Request& request) {
    auto form = adapters::query_params(request.body);
    if (form["grant_type"] != "urn:ietf:params:oauth:grant-type:jwt-bearer")
      co_return http::json_response(400, R"({"error":"unsupported_grant_type"})");
    if (!adapters::verify_rs256_jwt(form["assertion"], options_.public_key))
      co_return http::json_response(400, R"({"error":"invalid_grant","error_description":"Invalid JWT Signature."})");
    const auto n = ++exchanges_;
    std::lock_guard lock(mutex_);
    current_token_ = "ya29.fake-" + std::to_string(n);
    co_return http::json_response(200, json::serialize(json::object{{"access_token", current_token_}, {"expires_in", 3599}, {"token_type", "Bearer"}}));
  }

  asio::awaitable<http::Response> send(http::Request& request) {
    ++requests_;
    {
      std::lock_guard lock(mutex_);
      if (current_token_.empty() || request.header("authorization").value_or("") != "Bearer " + current_token_)
        co_return fcm_error(401, "UNAUTHENTICATED", "", "Request had invalid authentication credentials.");
    }
    boost::system::error_code ec;
    auto body = json::parse(request.body, ec);
    const json::value* message = !ec && body.is_object() ? body.as_object().if_contains("message") : nullptr;
    const json::value* token = message && message->is_object() ? message->as_object().if_contains("token") : nullptr;
    if (!token || !token->is_string()) co_return fcm_error(400, "INVALID_ARGUMENT", "INVALID_ARGUMENT", "message.token is required");
    const std::string t(token->as_string());
    if (quota_++ < options_.quota_first) {
      auto r = fcm_error(429, "RESOURCE_EXHAUSTED", "QUOTA_EXCEEDED", "Quota exceeded for quota metric");
      r.headers.emplace_back("Retry-After", "1");
      co_return r;
    }
    if (options_.unregistered.contains(t)) co_return fcm_error(404, "NOT_FOUND", "UNREGISTERED", "Requested entity was not found.");
    if (options_.invalid.contains(t)) co_return fcm_error(400, "INVALID_ARGUMENT", "INVALID_ARGUMENT", "The registration token is not a valid FCM registration token");
    const auto n = ++accepted_;
    recent_.add(request.body);
    co_return http::json_response(200, json::serialize(json::object{{"name", "projects/" + request.params["project"] + "/messages/0:" + std::to_string(n)}}));
  }

  http::Response stats() const {
    return http::json_response(200, json::serialize(json::object{
                                        {"requests", requests_.load()}, {"accepted", accepted_.load()}, {"token_exchanges", exchanges_.load()}}));
  }
  http::Response messages() const { return recent_.json_array(); }

 private:
  Options options_;
  std::atomic<long> requests_{0}, accepted_{0}, exchanges_{0}, quota_{0};
  std::mutex mutex_;  // guards current_token_
  std::string current_token_;
  http::RecentBodies recent_;
};

}  // namespace

int main(int argc, char** argv) {
  Options options;
  const bool flags_ok = http::parse_flags(argc, argv, "fake-fcm", [&](const std::string& flag, const std::string& value) {
    if (flag == "--listen") options.listen = value;
    else if (flag == "--port-file") options.port_file = value;
    else if (flag == "--public-key") options.public_key = file_text(value);
    else if (flag == "--unregistered") options.unregistered = adapters::comma_set(value);
    else if (flag == "--invalid") options.invalid = adapters::comma_set(value);
    else if (flag == "--quota-first") options.quota_first = std::stoi(value);
    else return false;
    return true;
  });
  if (!flags_ok) return 2;
  asio::io_context io(1);
  Log log(LogLevel::warn);
  FakeFcm fake(options);
  http::Router router;
  router.add("POST", "/token", [&](http::Request& r) { return fake.token(r); });
  router.add("POST", "/v1/projects/{project}/messages:send", [&](http::Request& r) { return fake.send(r); });
  http::add_inspection_routes(router, [&] { return fake.messages(); }, [&] { return fake.stats(); });
  http::serve_until_signalled(io, router, options.listen, options.port_file, log);
  return 0;
}
