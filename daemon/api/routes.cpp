#include "api/routes.hpp"

#include "api/document_rules.hpp"

#include "broadcast/keys.hpp"

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
  add_contact_search_routes(router, context);
  add_audience_routes(router, context);
  add_broadcast_routes(router, context);
  add_broadcast_list_routes(router, context);
  add_scheduled_broadcast_routes(router, context);
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
  add_blackout_routes(router, context);
  add_schedule_routes(router, context);
  router.require("/v1/broadcasts/", "id", broadcast::Keys::is_broadcast_id, "broadcast");
  router.require("/v1/meetings/", "id", numbered("m"), "meeting");
  router.require("/v1/approvals/", "id", numbered("ap"), "approval");
  router.require("/v1/tokens/", "id", numbered("tk"), "token");
  router.require("/v1/blackouts/", "id", numbered("bo"), "blackout");
  router.require("/v1/schedules/", "id", numbered("sc"), "schedule");
  hold_routes_to_the_document(router);
}

}  // namespace orgcast::api
