#include "api/routes.hpp"

namespace orgcast::api {

void add_all_routes(http::Router& router, const Context& context, const ServerConfig& server) {
  add_health_routes(router, context);
  add_directory_routes(router, context, server);
  add_audience_routes(router, context);
  add_broadcast_routes(router, context);
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
}

}  // namespace orgcast::api
