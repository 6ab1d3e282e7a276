#pragma once
// Small pieces every API group uses: JSON bodies, pointer problems, and the
// answers for "Redis is down" and "no index yet".
#include <boost/asio/awaitable.hpp>
#include <boost/json/value.hpp>
#include <functional>
#include <optional>
#include <vector>

#include "directory/selector.hpp"
#include "http/message.hpp"
#include "http/problem.hpp"

namespace orgcast::api {

/// The request's media type, lower-case, without its parameters ("" none).
std::string media_type_of(const http::Request& request);

/// The parsed body, or a 400/415 response that says what is wrong and where
/// (a syntax error or a byte that is not UTF-8 by line, column and byte).
std::optional<boost::json::value> parse_json_body(const http::Request& request, http::Response& error);

/// "line L, column C (byte B)" of a byte offset in a text (the column counted in characters).
std::string text_position(std::string_view text, std::size_t offset);

/// 400 listing each problem with its JSON pointer.
http::Response pointer_problem(std::string title, const std::vector<directory::SelectorError>& errors);

/// 404 for a meeting id that names none.
http::Response no_meeting(const std::string& id);

/// Reads a `page` (1 to 1,000,000) or `per_page` (1 to `most_per_page`)
/// query value into `out`; "" when fine, else what is wrong.
std::string read_paging(const std::string& name, const std::string& value, std::size_t most_per_page, std::size_t& out);

/// One CSV field (RFC 4180 quoting); a leading = + - @ tab or CR is kept as text, not a formula.
std::string csv_field(std::string_view value);
/// 422 for an audience that matches no one, with the posts left after each
/// of its filters in turn (directory::filter_funnel): which one emptied it.
http::Response empty_audience(const directory::OrgIndex& index, const directory::Selector& selector);
/// A CSV export: 200, a UTF-8 byte-order mark, then the rows; saved as `filename`.
http::Response csv_response(std::string rows, const std::string& filename);
/// The same streamed (any size, in constant memory): the byte-order mark and
/// `header_row`, then each piece `rows` gives until nullopt. A piece that
/// throws cuts the body short (no last chunk), so a failed export never looks whole.
http::Response csv_stream_response(std::string header_row, std::function<boost::asio::awaitable<std::optional<std::string>>()> rows,
                                   const std::string& filename);

/// 503 for an operation that needs Redis or the index.
http::Response redis_unavailable(const std::string& why);
http::Response index_unavailable();

}  // namespace orgcast::api
