#include "api/routes.hpp"

#include "broadcast/keys.hpp"

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace orgcast::api {

namespace {

// An id orgcast numbers itself: its prefix and up to 18 digits. Anything
// else (a colon, a suffix) names nothing, and never reaches a Redis key.
std::function<bool(std::string_view)> numbered(std::string_view prefix) {
  return [prefix](std::string_view id) {
    if (!id.starts_with(prefix) || id.size() == prefix.size() || id.size() > prefix.size() + 18) return false;
    for (char c : id.substr(prefix.size()))
      if (c < '0' || c > '9') return false;
    return true;
  };
}

}  // namespace

void add_all_routes(http::Router& router, const Context& context, const ServerConfig& server) {
  add_health_routes(router, context);
  add_directory_routes(router, context, server);
  add_unit_routes(router, context);
  add_audience_routes(router, context);
  add_broadcast_routes(router, context);
  add_broadcast_list_routes(router, context);
  add_webhook_routes(router, context);
  add_template_routes(router, context);
  add_people_routes(router, context);
  add_meeting_routes(router, context);
  add_attendance_routes(router, context);
  add_report_routes(router, context);
  add_reply_link_routes(router, context);
  add_access_routes(router, context);
  add_user_routes(router, context);
  add_audit_routes(router, context);
  add_approval_routes(router, context);
  add_session_routes(router, context);
  router.require("/v1/broadcasts/", "id", broadcast::Keys::is_broadcast_id, "broadcast");
  router.require("/v1/meetings/", "id", numbered("m"), "meeting");
  router.require("/v1/approvals/", "id", numbered("ap"), "approval");
  router.require("/v1/tokens/", "id", numbered("tk"), "token");
  // The query parameters each route takes; a route not named takes none
  // (?stat=failed is a typo to be told, not a filter silently dropped).
  static const std::map<std::pair<std::string, std::string>, std::vector<std::string>> taken = {
      {{"GET", "/v1/approvals"}, {"state"}},
      {{"GET", "/v1/audit"}, {"who", "action", "unit", "from", "to", "limit", "before"}},
      {{"GET", "/v1/broadcasts/{id}/recipients"}, {"state", "page", "per_page", "format"}},
      {{"POST", "/v1/directory/import"}, {"report_only"}},
      {{"GET", "/v1/meetings"}, {"date", "unit", "page", "per_page"}},
      {{"GET", "/v1/meetings/{id}/people"}, {"answer", "page", "per_page", "format"}},
      {{"GET", "/v1/reports"}, {"date", "level", "role", "unit", "page", "per_page"}},
      {{"GET", "/v1/reports/missing"}, {"date", "level", "role", "unit", "page", "per_page"}},
      {{"GET", "/v1/inbound"}, {"limit", "outcome"}},
      {{"GET", "/v1/directory/units"}, {"parent", "q", "limit"}},
      {{"GET", "/v1/broadcasts"}, {"state", "unit", "author", "kind", "from", "to", "limit", "cursor"}},
  };
  router.set_query_names([](const std::string& method, const std::string& pattern) -> std::optional<std::vector<std::string>> {
    if (pattern.starts_with("/v1/webhooks/")) return std::nullopt;  // each provider's own parameters (Kannel's, WhatsApp's verification)
    auto it = taken.find({method, pattern});
    return it == taken.end() ? std::vector<std::string>{} : it->second;
  });
}

}  // namespace orgcast::api
