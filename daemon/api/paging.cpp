#include "api/paging.hpp"

#include <boost/url/encode.hpp>
#include <boost/url/rfc/unreserved_chars.hpp>
#include <charconv>
#include <cstdint>
#include <map>

#include "api/common.hpp"
#include "core/text.hpp"

namespace orgcast::api {

bool read_paging_parameter(const std::string& name, const std::string& value, std::size_t most_per_page, Paging& paging, std::string& why) {
  if (name == "page" || name == "per_page") {
    why = read_paging(name, value, most_per_page, name == "page" ? paging.page : paging.per_page);
    if (why.empty() && name == "page" && paging.cursor) why = "give page or cursor, not both";
    return true;
  }
  if (name != "cursor") return false;
  std::size_t offset = 0;
  const auto end = value.data() + value.size();
  const auto read = value.size() < 2 || value[0] != 'o' ? std::from_chars_result{value.data(), std::errc::invalid_argument}
                                                          : std::from_chars(value.data() + 1, end, offset);
  if (read.ec != std::errc() || read.ptr != end || offset > 100'000'000) why = "cursor is not one this listing gave (use the `next` link as it is)";
  else if (paging.page != 1) why = "give page or cursor, not both";
  else paging.cursor = offset, why.clear();
  return true;
}

bool is_stream_id(std::string_view s) {
  const auto dash = s.find('-');
  if (s.empty() || s.size() > 41 || dash == 0 || dash == std::string_view::npos || dash + 1 == s.size()) return false;
  for (std::size_t i = 0; i < s.size(); ++i)
    if (i != dash && (s[i] < '0' || s[i] > '9')) return false;
  return true;
}

bool stream_id_in_range(std::string_view s) {
  const auto dash = s.find('-');
  if (dash == std::string_view::npos) return false;
  std::uint64_t ms = 0, n = 0;
  const auto a = std::from_chars(s.data(), s.data() + dash, ms);
  const auto b = std::from_chars(s.data() + dash + 1, s.data() + s.size(), n);
  return a.ec == std::errc() && a.ptr == s.data() + dash && b.ec == std::errc() && b.ptr == s.data() + s.size();
}

std::string link_with_cursor(const http::Request& request, std::string_view cursor) {
  std::map<std::string, std::string> kept;  // in name order: one link for one page
  for (const auto& [name, value] : request.query)
    if (name != "page" && name != "cursor") kept.emplace(name, value);
  // The path as sent (percent-encoded): a contact id may hold a space or a '#'.
  std::string link = request.target.substr(0, request.target.find('?')) + "?";
  for (const auto& [name, value] : kept) link += name + "=" + boost::urls::encode(value, boost::urls::unreserved_chars) + "&";
  return link + "cursor=" + boost::urls::encode(cursor, boost::urls::unreserved_chars);
}

boost::json::value next_page_link(const http::Request& request, const Paging& paging, std::size_t total) {
  const auto next = paging.offset() + paging.per_page;
  if (next >= total) return nullptr;
  return boost::json::value(link_with_cursor(request, "o" + std::to_string(next)));
}

std::optional<http::Response> read_list_paging(const http::Request& request, Paging& paging) {
  constexpr std::size_t kMostPerPage = 500;
  paging.per_page = 100;
  std::string why;
  for (const auto& [name, value] : request.query) {
    if (name == "limit") why = read_paging("per_page", value, kMostPerPage, paging.per_page).empty() ? "" : "limit must be a whole number from 1 to 500, not " + quoted_input(value);
    else if (name == "cursor") read_paging_parameter(name, value, kMostPerPage, paging, why);
    if (!why.empty()) return http::problem(400, "invalid-parameter", "Invalid parameter", why);
  }
  return std::nullopt;
}

boost::json::object paged_list(const http::Request& request, const Paging& paging, const char* key, boost::json::array rows) {
  const auto total = rows.size();
  boost::json::array page;
  for (std::size_t i = paging.offset(); i < total && i < paging.offset() + paging.per_page; ++i) page.push_back(std::move(rows[i]));
  return boost::json::object{{key, std::move(page)}, {"total", total}, {"next", next_page_link(request, paging, total)}};
}

}  // namespace orgcast::api
