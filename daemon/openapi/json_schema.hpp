#pragma once
// Checks JSON values against the schemas of one OpenAPI document, for the
// keywords JSON Schema draft 7 and 2020-12 share (the list in
// openapi/spec/openapi.yaml): the document's request-body schemas are the
// rules the daemon holds bodies to, so a field the document does not name,
// or a wrong type, is refused before any handler reads it.
//
// Written here rather than taken from a library: Debian 12's one C++
// validator (libvalijson-dev) depends on Qt 5, POCO and four other JSON
// libraries' development packages, and speaks draft 7, not OpenAPI 3.1's
// 2020-12; the subset needed is small and its messages are ours.
#include <boost/json/object.hpp>
#include <boost/json/value.hpp>
#include <map>
#include <memory>
#include <regex>
#include <string>
#include <vector>

namespace orgcast::openapi {

struct SchemaError {
  std::string pointer;  // JSON pointer into the checked value ("" for the whole)
  std::string message;
};

class SchemaChecker {
 public:
  /// `document` must outlive the checker; $refs resolve within it.
  explicit SchemaChecker(const boost::json::object& document) : document_(document) {}

  /// Readies `schema` (and what it refers to) for check(); throws
  /// std::invalid_argument naming `at` and the keyword when it uses one
  /// the checker does not know, a $ref that names nothing, or a bad
  /// pattern, so that no rule is silently ignored.
  void prepare(const boost::json::value& schema, const std::string& at);

  /// What is wrong with `value` under `schema` (prepared), at most `most`.
  std::vector<SchemaError> check(const boost::json::value& schema, const boost::json::value& value, std::size_t most = 20) const;

 private:
  const boost::json::value& resolve(const boost::json::value& schema) const;
  void check_at(const boost::json::value& schema, const boost::json::value& value, const std::string& pointer,
                std::vector<SchemaError>& out, std::size_t most) const;

  const boost::json::object& document_;
  std::map<std::string, std::shared_ptr<const std::regex>> patterns_;
  std::vector<std::string> prepared_refs_;
};

}  // namespace orgcast::openapi
