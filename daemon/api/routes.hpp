#pragma once
// Every route of the HTTP API, mounted on one router. Each group lives in its
// own file; handlers are thin: parse, call the logic, shape the answer.
#include "api/context.hpp"
#include "config/config.hpp"
#include "http/router.hpp"

namespace orgcast::api {

void add_health_routes(http::Router& router, const Context& context);
void add_directory_routes(http::Router& router, const Context& context, const ServerConfig& server);
void add_unit_routes(http::Router& router, const Context& context);
void add_contact_search_routes(http::Router& router, const Context& context);
void add_audience_routes(http::Router& router, const Context& context);
void add_broadcast_routes(http::Router& router, const Context& context);
void add_broadcast_list_routes(http::Router& router, const Context& context);
void add_scheduled_broadcast_routes(http::Router& router, const Context& context);
void add_webhook_routes(http::Router& router, const Context& context);
void add_template_routes(http::Router& router, const Context& context);
void add_people_routes(http::Router& router, const Context& context);
void add_meeting_routes(http::Router& router, const Context& context);
void add_attendance_routes(http::Router& router, const Context& context);
void add_report_routes(http::Router& router, const Context& context);
void add_reply_link_routes(http::Router& router, const Context& context);
void add_access_routes(http::Router& router, const Context& context);
void add_user_routes(http::Router& router, const Context& context);
void add_audit_routes(http::Router& router, const Context& context);
void add_approval_routes(http::Router& router, const Context& context);
void add_session_routes(http::Router& router, const Context& context);
void add_blackout_routes(http::Router& router, const Context& context);
void add_schedule_routes(http::Router& router, const Context& context);
/// Runs recurring schedules' occurrences (context.scheduler, kind "schedule")
/// through `router`'s guarded routes; call once every route is guarded.
void run_schedules(const Context& context, const http::Router& router);
/// The scheduler's starts of broadcasts planned for later (api/scheduled_broadcasts.cpp).
void run_scheduled_broadcasts(const Context& context);

/// Every group above, on one router (the daemon's; tests read its route table).
void add_all_routes(http::Router& router, const Context& context, const ServerConfig& server);

}  // namespace orgcast::api
