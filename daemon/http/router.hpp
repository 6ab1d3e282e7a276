#pragma once
// Maps (method, path pattern) to a handler. Patterns are literal segments
// and {name} parameters: "/v1/directory/contacts/{id}". Each segment of a
// path is percent-decoded before it is matched; an empty segment ("//", a
// trailing "/") matches nothing. A parameter is UTF-8
// without control characters, and may be held to a shape of its own
// (require): a broadcast id is "b" and digits, never a Redis key. A path
// that matches no pattern is 404; one that matches with another method is 405.
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include <boost/asio/awaitable.hpp>

#include "http/message.hpp"

namespace orgcast::http {

using Handler = std::function<boost::asio::awaitable<Response>(Request&)>;
/// Run once the request's header is read, before its body: an answer to
/// give instead (and close), or nullopt to go on. It sees the method and
/// headers and may set request.principal (who may send a body: api/auth_guard).
using Precheck = std::function<boost::asio::awaitable<std::optional<Response>>(Request&)>;

class Router {
 public:
  /// body_limit 0: the server's default limit.
  void add(std::string method, std::string pattern, Handler handler, std::size_t body_limit = 0);

  struct Match {
    const Handler* handler = nullptr;
    const Precheck* precheck = nullptr;  // null: none
    std::size_t body_limit = 0;
    int status = 404;  // 404 or 405 when handler is null
    std::string allow;  // for 405
  };
  /// Finds the route and fills request.params.
  Match match(const std::string& method, const std::string& path, Request* request) const;
  /// Replaces each route's handler by what `wrapper` makes of it (who may call it: api/auth_guard).
  void wrap(const std::function<Handler(const std::string& method, const std::string& pattern, Handler inner)>& wrapper);
  /// Gives each route the precheck `make` returns for it (an empty one: none).
  void set_prechecks(const std::function<Precheck(const std::string& method, const std::string& pattern)>& make);
  /// Replaces each route's precheck (perhaps empty) by what `wrapper` makes of it.
  void wrap_prechecks(const std::function<Precheck(const std::string& method, const std::string& pattern, Precheck inner)>& wrapper);
  /// Parameter `param` of every route whose pattern starts with `pattern_prefix`
  /// must satisfy `valid`, or the route answers 404 "no <noun> <value>"
  /// without reaching its handler (after the same access checks: a stranger
  /// learns nothing from the shape of an id). Call after every add.
  void require(const std::string& pattern_prefix, const std::string& param, std::function<bool(std::string_view)> valid, std::string noun);
  /// The query parameters each route takes: `names` returns them for a
  /// route (nullopt: any, its handler reads them all, e.g. a provider's
  /// callback). Any other is answered 400 naming it, after the access
  /// checks and before the handler. Call after every add, before wrap.
  void set_query_names(const std::function<std::optional<std::vector<std::string>>(const std::string& method, const std::string& pattern)>& names);
  /// Every route as (method, pattern), in the order added.
  std::vector<std::pair<std::string, std::string>> routes() const;

 private:
  struct Route {
    std::string method, pattern;
    std::vector<std::string> segments;
    Handler handler;
    std::size_t body_limit;
    Precheck precheck;
    struct Shape {
      std::size_t segment;
      std::function<bool(std::string_view)> valid;
      Handler refuse;  // 404 naming the value
    };
    std::vector<Shape> shapes;
  };
  std::vector<Route> routes_;
};

}  // namespace orgcast::http
