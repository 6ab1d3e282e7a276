#pragma once
// Lists paged by position (meetings, the people of one, reports, who has
// not reported, a broadcast's recipients): `per_page` rows from where
// `page` (1, 2, ...) or the opaque `cursor` of the page before's `next`
// link says. `next` keeps every other parameter and is null on the last page.
#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/value.hpp>
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

#include "http/message.hpp"

namespace orgcast::api {

struct Paging {
  std::size_t page = 1, per_page = 0;
  std::optional<std::size_t> cursor;  // the offset a `next` link gave

  std::size_t offset() const { return cursor ? *cursor : (page - 1) * per_page; }
  /// Whether the n-th match (from 0) is on this page.
  bool has(std::size_t n) const { return n >= offset() && n < offset() + per_page; }
  /// The page a cursor lands on, for answers that say their page.
  std::size_t page_shown() const { return offset() / per_page + 1; }
};

/// Reads `name`=`value` when it is page, per_page or cursor (true), with
/// what is wrong in `why` ("" when fine); false for any other parameter.
bool read_paging_parameter(const std::string& name, const std::string& value, std::size_t most_per_page, Paging& paging, std::string& why);

/// A Redis stream id ("<ms>-<n>"): the cursor of lists read newest first
/// by message id (the audit trail, inbound messages).
bool is_stream_id(std::string_view s);
/// A stream id whose two numbers each fit 64 bits, as Redis takes them.
bool stream_id_in_range(std::string_view s);

/// This request's path and query with `cursor` set to `cursor`: the `next`
/// link of any list (every other parameter kept, in name order).
std::string link_with_cursor(const http::Request& request, std::string_view cursor);

/// The link to the page after this one of `total` matches, or null.
boost::json::value next_page_link(const http::Request& request, const Paging& paging, std::size_t total);

/// Lists read whole (tokens, users, templates, schedules, blackouts, a
/// person's meetings: tens to hundreds of rows) take `limit` (1 to 500,
/// 100) and `cursor` like the rest: read into `paging`, or a 400 saying
/// what is wrong with them.
std::optional<http::Response> read_list_paging(const http::Request& request, Paging& paging);

/// `{key: this page of rows, total, next}`.
boost::json::object paged_list(const http::Request& request, const Paging& paging, const char* key, boost::json::array rows);

}  // namespace orgcast::api
