// Units over HTTP: the way from a name to a unit id, within the caller's scope.
//   GET /v1/directory/units                  the caller's top units (its scope's roots)
//   GET /v1/directory/units?parent=<id>      that unit's children
//   GET /v1/directory/units?q=<text>         units whose English or Hindi name or id holds it, those starting with it first
//   &limit=N (1-500, 100) and &cursor= (the `next` link's): each with its level, parent, children and the posts in its subtree
#include <boost/json.hpp>

#include "api/caller_scope.hpp"
#include "api/common.hpp"
#include "api/paging.hpp"
#include "api/routes.hpp"
#include "core/json_text.hpp"
#include "core/text.hpp"
#include "directory/unit_search.hpp"
#include "directory_store/watcher.hpp"

namespace orgcast::api {

namespace json = boost::json;
using boost::asio::awaitable;

namespace {

json::object unit_json(const directory::OrgIndex& index, std::uint32_t u) {
  const auto& units = index.units();
  const auto [first, end] = index.post_range(u, units.subtree_end(u));
  const auto parent = units.parent(u);
  return json::object{{"id", units.id(u)},
                      {"name", units.name(u)},
                      {"name_hi", units.name_hi(u)},
                      {"level", index.vocabulary().levels()[units.level(u)]},
                      {"parent", parent == directory::kNoUnit ? json::value(nullptr) : json::value(units.id(parent))},
                      {"children", units.children(u).size()},
                      {"posts", end - first}};
}

awaitable<http::Response> list(Context context, http::Request& request) {
  auto index = context.watcher->index();
  if (!index) co_return index_unavailable();
  const auto& units = index->units();
  const CallerScope caller(request, units);
  auto bad = [](const std::string& what) { return http::problem(400, "invalid-parameter", "Invalid parameter", what); };
  std::string parent_id, query;
  Paging paging;
  if (auto refused = read_list_paging(request, paging)) co_return std::move(*refused);
  const auto limit = paging.per_page;
  for (const auto& [name, value] : request.query) {
    if (name == "parent") {
      if (value.empty()) co_return bad("parent must name a unit");
      parent_id = value;
    }
    else if (name == "q") {
      if (value.empty() || characters(value) > 100) co_return bad("q must be 1 to 100 characters");
      query = value;
    }
  }
  if (!parent_id.empty() && !query.empty()) co_return bad("give parent or q, not both");
  const auto first = paging.offset();
  std::vector<std::uint32_t> found;
  std::size_t total = 0;
  if (!query.empty()) {
    auto matches = directory::search_units(units, query, caller.scope(), first + limit);
    found = std::move(matches.units);
    total = matches.total;
  } else if (!parent_id.empty()) {
    const auto parent = units.find(parent_id);
    if (parent == directory::kNoUnit || !caller.reaches(parent)) co_return not_found("unit", parent_id);
    found = units.children(parent);
    total = found.size();
  } else {
    found = caller.scope().whole() ? units.roots() : caller.scope().roots();
    total = found.size();
  }
  json::array out;
  for (std::size_t i = first; i < found.size() && i < first + limit; ++i) out.push_back(unit_json(*index, found[i]));
  co_return http::json_response(200, json_text(json::object{{"units", std::move(out)}, {"total", total}, {"next", next_page_link(request, paging, total)}}));
}

}  // namespace

void add_unit_routes(http::Router& router, const Context& context) {
  router.add("GET", "/v1/directory/units", [context](http::Request& r) { return list(context, r); });
}

}  // namespace orgcast::api
