// GET /healthz: the process answers. GET /readyz: Redis answers and the
// directory index is loaded (else 503 with the reasons). GET /metrics.
// GET /v1/openapi.json: the API document (openapi/document.hpp), open as
// the repository that holds it is: it names routes, never data.
#include <boost/json.hpp>

#include "api/routes.hpp"
#include "directory_store/watcher.hpp"
#include "http/problem.hpp"
#include "metrics/registry.hpp"
#include "openapi/document.hpp"
#include "redis/client.hpp"

namespace orgcast::api {
namespace {

boost::asio::awaitable<http::Response> healthz(http::Request&) { co_return http::json_response(200, R"({"status":"ok"})"); }

boost::asio::awaitable<http::Response> readyz(Context context, http::Request&) {
  boost::json::object body;
  bool redis_ok = context.redis->connected();
  auto index = context.watcher->index();
  bool ready = redis_ok && index != nullptr;
  body["status"] = ready ? "ready" : "not ready";
  body["redis"] = context.redis->status();
  body["directory"] = context.watcher->status();
  if (index) body["directory_version"] = index->version();
  auto response = http::json_response(ready ? 200 : 503, boost::json::serialize(body));
  if (!ready) response.headers.emplace_back("Retry-After", "1");
  co_return response;
}

boost::asio::awaitable<http::Response> metrics_text(Context context, http::Request&) {
  co_return http::text_response(200, context.metrics->render(), "text/plain; version=0.0.4; charset=utf-8");
}

boost::asio::awaitable<http::Response> api_document(http::Request&) {
  auto response = http::json_response(200, openapi::document_json());
  response.headers.emplace_back("Cache-Control", "public, max-age=300");
  co_return response;
}

}  // namespace

void add_health_routes(http::Router& router, const Context& context) {
  router.add("GET", "/healthz", healthz);
  router.add("GET", "/readyz", [context](http::Request& r) { return readyz(context, r); });
  router.add("GET", "/metrics", [context](http::Request& r) { return metrics_text(context, r); });
  router.add("GET", "/v1/openapi.json", api_document);
}

}  // namespace orgcast::api
