#pragma once
// orgcast's OpenAPI 3.1 document: daemon/openapi/spec/*.yaml, embedded at
// build time and merged (openapi.yaml is the root; every other file adds
// its `paths` and `components`). The daemon serves it, takes each route's
// query parameters from it, and holds JSON request bodies to its schemas
// (BodyRules), so the document and the daemon cannot say different things.
#include <boost/json/object.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "openapi/json_schema.hpp"

namespace orgcast::openapi {

/// The merged document (built once; throws std::invalid_argument naming the
/// file and place when a fragment is not valid YAML or repeats a path's
/// method or a component).
const boost::json::object& document();
/// The same as compact JSON, as GET /v1/openapi.json serves it.
const std::string& document_json();

/// The operation for (method, path template), e.g. ("POST", "/v1/broadcasts"); nullptr: none.
const boost::json::object* operation(std::string_view method, std::string_view pattern);
/// Every operation as ("METHOD", path template), in document order.
std::vector<std::pair<std::string, std::string>> operations();
/// The names of an operation's query parameters (empty when it has none or is unknown).
std::vector<std::string> query_names(std::string_view method, std::string_view pattern);

/// Merges YAML fragments (name, text) into one document; the first is the root.
boost::json::object merge_fragments(const std::vector<std::pair<std::string_view, std::string_view>>& fragments);

/// The request-body rules of the document: each operation's
/// application/json schema, prepared once.
class BodyRules {
 public:
  explicit BodyRules(const boost::json::object& document);
  /// Whether the operation reads a JSON body with a schema.
  bool has_schema(std::string_view method, std::string_view pattern) const;
  /// What is wrong with `body` for that operation (empty when it fits or has no schema).
  std::vector<SchemaError> check(std::string_view method, std::string_view pattern, const boost::json::value& body) const;

 private:
  SchemaChecker checker_;
  std::vector<std::pair<std::string, const boost::json::value*>> schemas_;  // "METHOD pattern" -> schema
};

/// The rules of document(), built once.
const BodyRules& body_rules();

}  // namespace orgcast::openapi
