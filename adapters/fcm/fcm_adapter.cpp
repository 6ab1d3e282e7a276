#include "adapters/fcm/fcm_adapter.hpp"

#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/json.hpp>
#include <boost/url.hpp>
#include <stdexcept>

#include "adapters/core/wire.hpp"
#include "adapters/fcm/jwt.hpp"

namespace orgcast::adapters {
namespace json = boost::json;

namespace {

constexpr auto kRefreshBefore = std::chrono::minutes(5);

}  // namespace

FcmAdapter::FcmAdapter(FcmSettings settings, Transport transport) : settings_(std::move(settings)), transport_(std::move(transport)) {
  boost::system::error_code ec;
  auto key = json::parse(settings_.service_account_json, ec);
  if (ec || !key.is_object()) throw std::invalid_argument("the service account key is not JSON");
  const auto& o = key.as_object();
  project_id_ = text_field(o, "project_id");
  client_email_ = text_field(o, "client_email");
  private_key_ = text_field(o, "private_key");
  private_key_id_ = text_field(o, "private_key_id");
  token_uri_ = text_field(o, "token_uri");
  if (project_id_.empty() || client_email_.empty() || private_key_.empty() || token_uri_.empty())
    throw std::invalid_argument("the service account key lacks project_id, client_email, private_key or token_uri");
}

HttpCall FcmAdapter::request_for(const OutboundMessage& m, const std::string& access_token) const {
  json::object notification{{"body", m.text}};
  if (!m.title.empty()) notification["title"] = m.title;
  json::object message{{"token", m.to},
                       {"notification", std::move(notification)},
                       {"data", json::object{{"reference", m.reference}}},
                       {"android", json::object{{"priority", "high"}}}};
  HttpCall call;
  call.url = settings_.url + "/v1/projects/" + project_id_ + "/messages:send";
  call.headers = {{"Content-Type", "application/json"}, {"Authorization", "Bearer " + access_token}};
  call.body = json::serialize(json::object{{"message", std::move(message)}});
  call.timeout = settings_.timeout;
  return call;
}

SendResult FcmAdapter::interpret(const HttpReply& reply) {
  if (reply.transport != HttpReply::Transport::ok) return transport_failure(reply);
  SendResult result;
  boost::system::error_code ec;
  auto body = json::parse(reply.body, ec);
  const json::object* o = !ec && body.is_object() ? &body.as_object() : nullptr;
  if (reply.status == 200) {
    result.provider_message_id = o ? text_field(*o, "name") : "";  // projects/<p>/messages/<id>
    if (result.provider_message_id.empty()) {
      result.failure = SendFailure::transient;
      result.reason = "accepted without a message name";
    }
    return result;
  }
  // {"error": {"code", "message", "status", "details": [{"@type": "...FcmError", "errorCode": "UNREGISTERED"}]}}
  std::string code, message;
  if (auto* e = o ? o->if_contains("error") : nullptr; e && e->is_object()) {
    message = text_field(e->as_object(), "message");
    code = text_field(e->as_object(), "status");
    if (auto* details = e->as_object().if_contains("details"); details && details->is_array())
      for (const auto& d : details->as_array())
        if (d.is_object() && !text_field(d.as_object(), "errorCode").empty()) code = text_field(d.as_object(), "errorCode");
  }
  if (code == "UNREGISTERED" || code == "INVALID_ARGUMENT" || code == "NOT_FOUND") result.failure = SendFailure::invalid_recipient;
  else if (code == "QUOTA_EXCEEDED" || code == "RESOURCE_EXHAUSTED") result.failure = SendFailure::throttled;
  else if (code == "UNAVAILABLE" || code == "INTERNAL") result.failure = SendFailure::transient;
  else if (code == "SENDER_ID_MISMATCH" || code == "THIRD_PARTY_AUTH_ERROR" || code == "PERMISSION_DENIED" || code == "UNAUTHENTICATED")
    result.failure = reply.status == 401 ? SendFailure::unauthorized : SendFailure::invalid_recipient;
  else result.failure = failure_for_http_status(reply.status);
  result.provider_code = code.empty() ? std::to_string(reply.status) : code;
  result.reason = message.empty() ? "HTTP " + std::to_string(reply.status) : message;
  result.retry_after = parse_retry_after(reply.header("retry-after"));
  return result;
}

boost::asio::awaitable<std::string> FcmAdapter::access_token(std::string& error) {
  // Sends run on one strand: while one exchange is in flight the others wait for it.
  for (int waited = 0; refreshing_ && waited < 1000; ++waited) {
    boost::asio::steady_timer pause(co_await boost::asio::this_coro::executor, std::chrono::milliseconds(10));
    co_await pause.async_wait(boost::asio::use_awaitable);
  }
  if (!token_.empty() && std::chrono::steady_clock::now() + kRefreshBefore < token_expires_) co_return token_;
  refreshing_ = true;
  const auto now = std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
  const auto header = json::serialize(json::object{{"alg", "RS256"}, {"typ", "JWT"}, {"kid", private_key_id_}});
  const auto claims = json::serialize(json::object{{"iss", client_email_},
                                                   {"scope", "https://www.googleapis.com/auth/firebase.messaging"},
                                                   {"aud", token_uri_},
                                                   {"iat", now},
                                                   {"exp", now + 3600}});
  auto jwt = sign_rs256_jwt(header, claims, private_key_, error);
  if (!jwt) {
    refreshing_ = false;
    co_return std::string();
  }
  HttpCall exchange;
  exchange.url = token_uri_;
  exchange.headers = {{"Content-Type", "application/x-www-form-urlencoded"}};
  boost::urls::url form("x:");
  form.params().append({"grant_type", "urn:ietf:params:oauth:grant-type:jwt-bearer"});
  form.params().append({"assertion", *jwt});
  exchange.body = std::string(form.encoded_query());
  exchange.timeout = settings_.timeout;
  ++exchanges_;
  auto reply = co_await transport_(exchange);
  refreshing_ = false;
  boost::system::error_code ec;
  auto body = json::parse(reply.body, ec);
  if (reply.transport != HttpReply::Transport::ok || reply.status != 200 || ec || !body.is_object() ||
      text_field(body.as_object(), "access_token").empty()) {
    error = "the token exchange failed: HTTP " + std::to_string(reply.status) + " " + reply.body.substr(0, 200) + reply.error;
    co_return std::string();
  }
  token_ = text_field(body.as_object(), "access_token");
  long long expires_in = 3600;
  if (auto* e = body.as_object().if_contains("expires_in"); e && e->is_int64()) expires_in = e->as_int64();
  token_expires_ = std::chrono::steady_clock::now() + std::chrono::seconds(expires_in);
  co_return token_;
}

boost::asio::awaitable<SendResult> FcmAdapter::send(const OutboundMessage& message) {
  std::string error;
  const auto token = co_await access_token(error);
  if (token.empty()) {
    SendResult failed;
    failed.failure = SendFailure::transient;  // retried: the exchange may work next time
    failed.provider_code = "oauth";
    failed.reason = error;
    co_return failed;
  }
  auto reply = co_await transport_(request_for(message, token));
  auto result = interpret(reply);
  if (reply.status == 401) token_.clear();  // revoked or expired early: a fresh one next time
  co_return result;
}

CallbackResult FcmAdapter::parse_callback(const CallbackRequest&) const {
  CallbackResult out;
  out.status = 404;
  out.error = "FCM sends no callbacks";
  return out;
}

}  // namespace orgcast::adapters
