#include "api/common.hpp"
#include "core/json_repeated_key.hpp"
#include "core/text.hpp"
#include "directory/resolver.hpp"

#include <algorithm>
#include <charconv>

#include <boost/json.hpp>

namespace orgcast::api {

std::string media_type_of(const http::Request& request) {
  const auto type = request.header("content-type").value_or("");
  std::string media(trim(type.substr(0, type.find(';'))));
  for (auto& c : media) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return media;
}

std::optional<boost::json::value> parse_json_body(const http::Request& request, http::Response& error) {
  // Exactly application/json (a charset may follow): "text/plain;json" is
  // what a page elsewhere can make a browser send without asking.
  const auto type = request.header("content-type").value_or("");
  const auto media = media_type_of(request);
  std::string rest(type.find(';') == std::string_view::npos ? std::string_view() : trim(type.substr(type.find(';') + 1)));
  for (auto& c : rest) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (media != "application/json" || (!rest.empty() && rest != "charset=utf-8" && rest != "charset=\"utf-8\"")) {
    error = http::problem(415, "unsupported-media-type", "Unsupported media type",
                          "send the body as application/json (optionally ; charset=utf-8), not " + quoted_input(type.empty() ? "nothing" : type, 100));
    return std::nullopt;
  }
  // Named where it is: a client's developer finds the byte, not just "syntax error".
  if (const auto bad = invalid_utf8_at(request.body); bad != std::string_view::npos) {
    error = http::problem(400, "invalid-utf8", "Invalid UTF-8", "the body is not valid UTF-8 at " + text_position(request.body, bad));
    return std::nullopt;
  }
  boost::system::error_code ec;
  boost::json::parse_options options;
  options.max_depth = 32;
  boost::json::stream_parser parser({}, options);
  const auto used = parser.write(request.body.data(), request.body.size(), ec);
  if (!ec) parser.finish(ec);
  if (ec) {
    error = http::problem(400, "invalid-json", "Invalid JSON",
                          "the body is not valid JSON at " + text_position(request.body, std::min(used, request.body.size())) + ": " + ec.message());
    return std::nullopt;
  }
  // A key given twice would mean one thing here and another to a proxy or log reader that keeps the first.
  if (const auto twice = repeated_key(request.body); twice.offset != std::string_view::npos) {
    error = http::problem(400, "invalid-json", "Invalid JSON",
                          "the key " + quoted_input(twice.key, 100) + " is given twice in one object at " + text_position(request.body, twice.offset) +
                              "; give it once");
    return std::nullopt;
  }
  return parser.release();
}

std::string text_position(std::string_view text, std::size_t offset) {
  std::size_t line = 1, line_start = 0;
  for (std::size_t i = 0; i < offset && i < text.size(); ++i)
    if (text[i] == '\n') ++line, line_start = i + 1;
  return "line " + std::to_string(line) + ", column " + std::to_string(characters(text.substr(line_start, offset - line_start)) + 1) +
         " (byte " + std::to_string(offset) + ")";
}

http::Response pointer_problem(std::string title, const std::vector<directory::SelectorError>& errors) {
  std::vector<http::ProblemItem> items;
  for (const auto& e : errors) items.push_back({"pointer", e.pointer, e.message});
  std::string detail = errors.size() == 1 ? (errors[0].pointer.empty() ? "" : errors[0].pointer + ": ") + errors[0].message
                                          : std::to_string(errors.size()) + " problems; see errors";
  // 403 when a problem is a unit outside the caller's scope; 422 only when
  // every problem is of a well-formed request that cannot be done.
  const bool forbidden = std::any_of(errors.begin(), errors.end(), [](const auto& e) { return e.forbidden; });
  if (forbidden) return http::problem(403, "out-of-scope", "Outside your scope", detail, items);
  const bool unprocessable = !errors.empty() && std::all_of(errors.begin(), errors.end(), [](const auto& e) { return e.unprocessable; });
  return http::problem(unprocessable ? 422 : 400, unprocessable ? "unprocessable" : "invalid-input", std::move(title), detail, items);
}

http::Response no_meeting(const std::string& id) {
  return http::problem(404, "not-found", "No such meeting", "no meeting " + quoted_input(id));
}

std::string read_paging(const std::string& name, const std::string& value, std::size_t most_per_page, std::size_t& out) {
  const std::size_t most = name == "page" ? 1000000 : most_per_page;
  std::size_t n = 0;
  auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), n);
  if (ec != std::errc() || end != value.data() + value.size() || n < 1 || n > most)
    return name + " must be a whole number from 1 to " + std::to_string(most);
  out = n;
  return "";
}

std::string csv_field(std::string_view value) {
  // A value a spreadsheet would run as a formula is written as text (OWASP: CSV injection).
  const bool formula = !value.empty() && (value[0] == '=' || value[0] == '+' || value[0] == '-' || value[0] == '@' || value[0] == '\t' || value[0] == '\r');
  if (!formula && value.find_first_of(",\"\r\n") == std::string_view::npos) return std::string(value);
  std::string out = formula ? "\"'" : "\"";
  for (char c : value) out += c == '"' ? std::string("\"\"") : std::string(1, c);
  return out + "\"";
}

http::Response empty_audience(const directory::OrgIndex& index, const directory::Selector& selector) {
  const auto funnel = directory::filter_funnel(index, selector);
  std::vector<http::ProblemItem> items;
  std::string emptied, counts;
  for (const auto& [filter, left] : funnel) {
    items.push_back({"filter", filter, std::to_string(left) + " posts left after it"});
    counts += (counts.empty() ? "" : ", ") + filter + " " + std::to_string(left);
    if (left == 0 && emptied.empty()) emptied = filter;
  }
  const std::string detail = "/audience: the audience matches no one (posts left after each filter: " + counts + ")" +
                             (emptied.empty() ? std::string() : "; " + emptied + " emptied it");
  return http::problem(422, "empty-audience", "Nobody to send to", detail, items, items.size());
}

http::Response csv_response(std::string rows, const std::string& filename) {
  // A byte-order mark first: without it Excel reads UTF-8 as the machine's code page and garbles every Hindi name.
  auto response = http::text_response(200, "\xEF\xBB\xBF" + std::move(rows), "text/csv; charset=utf-8");
  response.headers.emplace_back("Content-Disposition", "attachment; filename=\"" + filename + "\"");
  return response;
}

namespace {

// The head of a streamed CSV, then its rows.
struct CsvStream {
  std::string head;
  std::function<boost::asio::awaitable<std::optional<std::string>>()> rows;
  bool started = false;

  boost::asio::awaitable<std::optional<std::string>> next() {
    if (!started) {
      started = true;
      co_return std::optional<std::string>(std::move(head));
    }
    co_return co_await rows();
  }
};

}  // namespace

http::Response csv_stream_response(std::string header_row, std::function<boost::asio::awaitable<std::optional<std::string>>()> rows,
                                   const std::string& filename) {
  auto state = std::make_shared<CsvStream>(CsvStream{"\xEF\xBB\xBF" + std::move(header_row), std::move(rows)});
  http::Response response;
  response.content_type = "text/csv; charset=utf-8";
  response.headers.emplace_back("Content-Disposition", "attachment; filename=\"" + filename + "\"");
  response.stream = [state]() { return state->next(); };
  return response;
}

http::Response redis_unavailable(const std::string& why) { return http::unavailable("Redis is unavailable: " + why, 2); }

http::Response index_unavailable() { return http::unavailable("the directory index is not loaded yet", 1); }

}  // namespace orgcast::api
