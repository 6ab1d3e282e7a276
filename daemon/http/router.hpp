#pragma once
// Maps (method, path pattern) to a handler. Patterns are literal segments
// and {name} parameters: "/v1/directory/contacts/{id}". A path that matches
// no pattern is 404; one that matches with another method is 405.
#include <functional>
#include <string>
#include <vector>

#include <boost/asio/awaitable.hpp>

#include "http/message.hpp"

namespace orgcast::http {

using Handler = std::function<boost::asio::awaitable<Response>(Request&)>;

class Router {
 public:
  /// body_limit 0: the server's default limit.
  void add(std::string method, std::string pattern, Handler handler, std::size_t body_limit = 0);

  struct Match {
    const Handler* handler = nullptr;
    std::size_t body_limit = 0;
    int status = 404;  // 404 or 405 when handler is null
    std::string allow;  // for 405
  };
  /// Finds the route and fills request.params.
  Match match(const std::string& method, const std::string& path, Request* request) const;
  /// Replaces each route's handler by what `wrapper` makes of it (who may call it: api/auth_guard).
  void wrap(const std::function<Handler(const std::string& method, const std::string& pattern, Handler inner)>& wrapper);
  /// Every route as (method, pattern), in the order added.
  std::vector<std::pair<std::string, std::string>> routes() const;

 private:
  struct Route {
    std::string method, pattern;
    std::vector<std::string> segments;
    Handler handler;
    std::size_t body_limit;
  };
  std::vector<Route> routes_;
};

}  // namespace orgcast::http
