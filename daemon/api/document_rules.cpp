#include "api/document_rules.hpp"

#include <boost/json.hpp>

#include "api/common.hpp"
#include "core/text.hpp"
#include "openapi/document.hpp"

namespace orgcast::api {

namespace {

// Whether a handler could read the body as JSON: sent as JSON, as
// something with "json" in its type, or as nothing (a CSV sign-in sheet, a
// form are their handlers'). parse_json_body then holds it to exactly
// application/json (415), so no media type slips past the schema.
bool maybe_json(const http::Request& request) {
  const auto media = media_type_of(request);
  return media.empty() || media.find("json") != std::string::npos;
}

}  // namespace

void hold_routes_to_the_document(http::Router& router) {
  router.set_query_names([](const std::string& method, const std::string& pattern) -> std::optional<std::vector<std::string>> {
    // A provider's own parameters (Kannel's, WhatsApp's verification): the
    // document names those orgcast reads; a provider may send more.
    if (pattern.starts_with("/v1/webhooks/")) return std::nullopt;
    return openapi::query_names(method, pattern);
  });
  const auto& rules = openapi::body_rules();
  router.wrap([&rules](const std::string& method, const std::string& pattern, http::Handler inner) -> http::Handler {
    // A provider's callback is checked by its handler, which proves who
    // sent it first: a stranger learns nothing from what a body may hold.
    if (pattern.starts_with("/v1/webhooks/")) return inner;
    const auto* operation = openapi::operation(method, pattern);
    if (operation && !operation->contains("requestBody")) {
      // A body where none is read is a mistake the caller should hear of
      // (a reason sent with a cancel would be dropped without a word). An
      // empty object says nothing, and many generated clients send one.
      return [method, pattern, inner = std::move(inner)](http::Request& request) -> boost::asio::awaitable<http::Response> {
        if (const auto said = trim(request.body); !said.empty() && said != "{}")
          co_return http::problem(400, "invalid-body", "Unexpected body", method + " " + pattern + " takes no body; send it without one");
        co_return co_await inner(request);
      };
    }
    if (!rules.has_schema(method, pattern)) return inner;
    return [&rules, method, pattern, inner = std::move(inner)](http::Request& request) -> boost::asio::awaitable<http::Response> {
      if (!request.body.empty() && maybe_json(request)) {
        http::Response error;
        auto body = parse_json_body(request, error);
        if (!body) co_return error;
        auto errors = rules.check(method, pattern, *body);
        if (!errors.empty()) {
          std::vector<directory::SelectorError> items;
          for (auto& e : errors) items.push_back({std::move(e.pointer), std::move(e.message)});
          co_return pointer_problem("Invalid body", items);
        }
      }
      co_return co_await inner(request);
    };
  });
}

}  // namespace orgcast::api
