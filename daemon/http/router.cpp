#include "http/router.hpp"

#include "core/text.hpp"

namespace orgcast::http {
namespace {

std::vector<std::string> segments_of(std::string_view path) {
  std::vector<std::string> out;
  for (auto piece : split_trimmed(path, '/')) out.emplace_back(piece);
  return out;
}

}  // namespace

void Router::add(std::string method, std::string pattern, Handler handler, std::size_t body_limit) {
  auto segments = segments_of(pattern);
  routes_.push_back({std::move(method), std::move(pattern), std::move(segments), std::move(handler), body_limit, {}});
}

void Router::set_prechecks(const std::function<Precheck(const std::string& method, const std::string& pattern)>& make) {
  for (auto& route : routes_) route.precheck = make(route.method, route.pattern);
}

void Router::wrap(const std::function<Handler(const std::string& method, const std::string& pattern, Handler inner)>& wrapper) {
  for (auto& route : routes_) route.handler = wrapper(route.method, route.pattern, std::move(route.handler));
}

std::vector<std::pair<std::string, std::string>> Router::routes() const {
  std::vector<std::pair<std::string, std::string>> out;
  for (const auto& route : routes_) out.emplace_back(route.method, route.pattern);
  return out;
}

Router::Match Router::match(const std::string& method, const std::string& path, Request* request) const {
  auto segments = segments_of(path);
  Match result;
  for (const auto& route : routes_) {
    if (route.segments.size() != segments.size()) continue;
    bool fits = true;
    for (std::size_t i = 0; i < segments.size() && fits; ++i) {
      const auto& want = route.segments[i];
      fits = (want.size() > 1 && want.front() == '{' && want.back() == '}') || want == segments[i];
    }
    if (!fits) continue;
    if (route.method != method) {
      result.status = 405;
      result.allow += (result.allow.empty() ? "" : ", ") + route.method;
      continue;
    }
    if (request) {
      for (std::size_t i = 0; i < segments.size(); ++i) {
        const auto& want = route.segments[i];
        if (want.front() == '{') request->params[want.substr(1, want.size() - 2)] = segments[i];
      }
    }
    return Match{&route.handler, route.precheck ? &route.precheck : nullptr, route.body_limit, 200, ""};
  }
  return result;
}

}  // namespace orgcast::http
