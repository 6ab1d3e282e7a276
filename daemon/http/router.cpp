#include "http/router.hpp"

#include <algorithm>

#include "core/text.hpp"
#include "http/problem.hpp"

namespace orgcast::http {
namespace {

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// The path's segments after its leading "/", each percent-decoded; nullopt
// when an escape is malformed. Empty segments are kept: "/a//b" is not "/a/b".
std::optional<std::vector<std::string>> segments_of(std::string_view path) {
  std::vector<std::string> out;
  if (path.starts_with('/')) path.remove_prefix(1);
  std::string segment;
  for (std::size_t i = 0; i <= path.size(); ++i) {
    if (i == path.size() || path[i] == '/') {
      out.push_back(std::move(segment));
      segment.clear();
      continue;
    }
    if (path[i] != '%') {
      segment += path[i];
      continue;
    }
    const int high = i + 2 < path.size() ? hex_value(path[i + 1]) : -1, low = i + 2 < path.size() ? hex_value(path[i + 2]) : -1;
    if (high < 0 || low < 0) return std::nullopt;
    segment += static_cast<char>(high * 16 + low);
    i += 2;
  }
  return out;
}

bool is_parameter(const std::string& segment) { return segment.size() > 2 && segment.front() == '{' && segment.back() == '}'; }

// What any parameter may be: a name or an id in UTF-8, never a control
// character or a path (how long one may be is its handler's to say).
bool plausible_parameter(std::string_view value) {
  if (value.empty() || !valid_utf8(value)) return false;
  for (unsigned char c : value)
    if (c < 0x20 || c == 0x7f || c == '/') return false;
  return true;
}

// 404 naming the parameter's value as the thing it does not name.
Handler refusal(std::string noun, std::string param) {
  return [noun, param](Request& request) -> boost::asio::awaitable<Response> {
    co_return problem(404, "not-found", "Not found", "no " + noun + " " + quoted_input(request.params[param]));
  };
}

}  // namespace

void Router::add(std::string method, std::string pattern, Handler handler, std::size_t body_limit) {
  auto segments = segments_of(pattern).value_or(std::vector<std::string>{});
  Route route{std::move(method), std::move(pattern), std::move(segments), std::move(handler), body_limit, {}, {}};
  // Every parameter is at least plausible; what it names is said in the
  // words of the segment before it ("contacts/{id}": "no contact ...").
  for (std::size_t i = 0; i < route.segments.size(); ++i) {
    if (!is_parameter(route.segments[i])) continue;
    const auto param = route.segments[i].substr(1, route.segments[i].size() - 2);
    std::string noun = i > 0 && !is_parameter(route.segments[i - 1]) && route.segments[i - 1].size() > 2 ? route.segments[i - 1] : param;
    if (noun.ends_with('s')) noun.pop_back();
    route.shapes.push_back({i, plausible_parameter, refusal(noun, param)});
  }
  routes_.push_back(std::move(route));
}

void Router::require(const std::string& pattern_prefix, const std::string& param, std::function<bool(std::string_view)> valid, std::string noun) {
  for (auto& route : routes_) {
    if (!route.pattern.starts_with(pattern_prefix)) continue;
    for (std::size_t i = 0; i < route.segments.size(); ++i)
      if (route.segments[i] == "{" + param + "}") route.shapes.push_back({i, valid, refusal(noun, param)});
  }
}

void Router::set_prechecks(const std::function<Precheck(const std::string& method, const std::string& pattern)>& make) {
  for (auto& route : routes_) route.precheck = make(route.method, route.pattern);
}

void Router::wrap_prechecks(const std::function<Precheck(const std::string& method, const std::string& pattern, Precheck inner)>& wrapper) {
  for (auto& route : routes_) route.precheck = wrapper(route.method, route.pattern, std::move(route.precheck));
}

void Router::wrap(const std::function<Handler(const std::string& method, const std::string& pattern, Handler inner)>& wrapper) {
  for (auto& route : routes_) {
    route.handler = wrapper(route.method, route.pattern, std::move(route.handler));
    for (auto& shape : route.shapes) shape.refuse = wrapper(route.method, route.pattern, std::move(shape.refuse));
  }
}

void Router::set_query_names(const std::function<std::optional<std::vector<std::string>>(const std::string& method, const std::string& pattern)>& names) {
  for (auto& route : routes_) {
    auto taken = names(route.method, route.pattern);
    if (!taken) continue;
    std::string expected;
    for (const auto& name : *taken) expected += (expected.empty() ? "" : ", ") + name;
    route.handler = [inner = std::move(route.handler), taken = std::move(*taken), expected](Request& request) -> boost::asio::awaitable<Response> {
      for (const auto& [name, value] : request.query)
        if (std::find(taken.begin(), taken.end(), name) == taken.end())
          co_return problem(400, "invalid-parameter", "Invalid parameter",
                            "unknown query parameter " + quoted_input(name) + (expected.empty() ? "; this route takes none" : "; expected " + expected));
      co_return co_await inner(request);
    };
  }
}

std::vector<std::pair<std::string, std::string>> Router::routes() const {
  std::vector<std::pair<std::string, std::string>> out;
  for (const auto& route : routes_) out.emplace_back(route.method, route.pattern);
  return out;
}

Router::Match Router::match(const std::string& method, const std::string& path, Request* request) const {
  Match result;
  const auto decoded = segments_of(path);
  if (!decoded) return result;
  const auto& segments = *decoded;
  for (const auto& route : routes_) {
    if (route.segments.size() != segments.size()) continue;
    bool fits = true;
    for (std::size_t i = 0; i < segments.size() && fits; ++i) {
      const auto& want = route.segments[i];
      fits = is_parameter(want) || want == segments[i];
    }
    if (!fits) continue;
    const Handler* handler = &route.handler;
    for (const auto& shape : route.shapes)
      if (handler == &route.handler && !shape.valid(segments[shape.segment])) handler = &shape.refuse;
    if (route.method != method) {
      result.status = 405;
      result.allow += (result.allow.empty() ? "" : ", ") + route.method;
      continue;
    }
    if (request) {
      for (std::size_t i = 0; i < segments.size(); ++i) {
        const auto& want = route.segments[i];
        if (is_parameter(want)) request->params[want.substr(1, want.size() - 2)] = segments[i];
      }
    }
    return Match{handler, route.precheck ? &route.precheck : nullptr, route.body_limit, 200, ""};
  }
  return result;
}

}  // namespace orgcast::http
