#pragma once
// HTTP requests and responses as the handlers see them: plain data, no Beast
// types, so that handler files compile without Beast and are easy to test.
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include <boost/asio/awaitable.hpp>

namespace orgcast::auth {
struct Principal;
}

namespace orgcast::http {

struct Request {
  std::string method;  // "GET", "POST", ...
  std::string target;  // as sent: path and query
  std::string path;    // decoded path, without the query
  std::unordered_map<std::string, std::string> query;   // decoded
  std::vector<std::pair<std::string, std::string>> headers;  // names lower-case
  std::unordered_map<std::string, std::string> params;  // from the route pattern, e.g. {id}
  std::string body;
  std::string peer;  // the connection's remote address
  /// Who sent it (set by api/auth_guard for every route that needs credentials).
  std::shared_ptr<const auth::Principal> principal;
  /// Made by the daemon itself (a schedule's occurrence), never by the
  /// server from a client: it may use the scheduler's "plan:" keys.
  bool from_schedule = false;

  /// The first header with this (lower-case) name.
  std::optional<std::string_view> header(std::string_view name) const;
};

struct Response {
  int status = 200;
  std::string content_type = "application/json";
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;  // extra headers
  /// A streamed response (server-sent events): the server writes the head,
  /// then each piece this returns as it comes (an empty one: nothing to
  /// write yet), until it returns nullopt or the client goes away; `body` is
  /// not used. The connection closes after.
  std::function<boost::asio::awaitable<std::optional<std::string>>()> stream;
};

/// A JSON body with a status.
Response json_response(int status, std::string body);
/// A text/plain body with a status.
Response text_response(int status, std::string body, std::string content_type = "text/plain; charset=utf-8");

}  // namespace orgcast::http
