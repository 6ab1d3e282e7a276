#pragma once
// Small pieces every API group uses: JSON bodies, pointer problems, and the
// answers for "Redis is down" and "no index yet".
#include <boost/json/value.hpp>
#include <optional>
#include <vector>

#include "directory/selector.hpp"
#include "http/message.hpp"
#include "http/problem.hpp"

namespace orgcast::api {

/// The parsed body, or a 400/415 response that says what is wrong and where.
std::optional<boost::json::value> parse_json_body(const http::Request& request, http::Response& error);

/// 400 listing each problem with its JSON pointer.
http::Response pointer_problem(std::string title, const std::vector<directory::SelectorError>& errors);

/// 404 for a meeting id that names none.
http::Response no_meeting(const std::string& id);

/// Reads a `page` (1 to 1,000,000) or `per_page` (1 to `most_per_page`)
/// query value into `out`; "" when fine, else what is wrong.
std::string read_paging(const std::string& name, const std::string& value, std::size_t most_per_page, std::size_t& out);

/// One CSV field (RFC 4180 quoting); a leading = + - @ is kept as text, not a formula.
std::string csv_field(std::string_view value);

/// 503 for an operation that needs Redis or the index.
http::Response redis_unavailable(const std::string& why);
http::Response index_unavailable();

}  // namespace orgcast::api
