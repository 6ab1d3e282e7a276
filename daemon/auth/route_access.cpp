#include "auth/route_access.hpp"

namespace orgcast::auth {

namespace {

struct Row {
  std::string_view method, pattern;
  Access access;
};

constexpr Access kOpen{true, std::nullopt};
constexpr Access kAnyCaller{false, std::nullopt};
constexpr Access need(Permission p) { return Access{false, p}; }

// Reading people needs view; their numbers are whole only with view_contacts
// over their unit (api/caller_scope), masked otherwise.
const Row kTable[] = {
    {"GET", "/healthz", kOpen},
    {"GET", "/readyz", kOpen},
    {"GET", "/metrics", kOpen},
    {"GET", "/v1/openapi.json", kOpen},  // the API document: routes and shapes, never data
    {"GET", "/r/{token}", kOpen},  // the reply link: the token is the credential
    {"POST", "/r/{token}", kOpen},
    {"GET", "/v1/webhooks/{provider}", kOpen},  // providers authenticate their own way
    {"POST", "/v1/webhooks/{provider}", kOpen},
    {"GET", "/v1/webhooks/{provider}/{secret}", kOpen},  // the secret in the path is the credential
    {"POST", "/v1/webhooks/{provider}/{secret}", kOpen},
    {"POST", "/v1/session", kOpen},  // logging in: the password is the credential
    {"GET", "/v1/session", kAnyCaller},
    {"DELETE", "/v1/session", kAnyCaller},
    {"GET", "/v1/tokens", need(Permission::manage_tokens)},
    {"POST", "/v1/tokens", need(Permission::manage_tokens)},
    {"POST", "/v1/tokens/{id}/revoke", need(Permission::manage_tokens)},
    {"GET", "/v1/users", need(Permission::manage_users)},
    {"POST", "/v1/users", need(Permission::manage_users)},
    {"POST", "/v1/users/{username}/disable", need(Permission::manage_users)},
    {"POST", "/v1/users/{username}/enable", need(Permission::manage_users)},
    {"GET", "/v1/audit", need(Permission::view)},
    {"GET", "/v1/approvals", need(Permission::view)},
    {"GET", "/v1/approvals/{id}", need(Permission::view)},
    {"POST", "/v1/approvals/{id}/approve", need(Permission::approve)},
    {"POST", "/v1/approvals/{id}/reject", need(Permission::approve)},
    {"GET", "/v1/directory", need(Permission::view)},
    {"POST", "/v1/directory/import", need(Permission::manage_directory)},
    {"GET", "/v1/directory/contacts", need(Permission::view)},
    {"GET", "/v1/directory/contacts/{id}", need(Permission::view)},
    {"PUT", "/v1/directory/contacts/{id}", need(Permission::manage_directory)},
    {"DELETE", "/v1/directory/contacts/{id}", need(Permission::manage_directory)},
    {"GET", "/v1/directory/contacts/{id}/attendance", need(Permission::view)},
    {"GET", "/v1/directory/contacts/{id}/consent", need(Permission::view)},
    {"PUT", "/v1/directory/contacts/{id}/consent", need(Permission::manage_directory)},
    {"GET", "/v1/directory/contacts/{id}/inbound", need(Permission::view)},
    {"GET", "/v1/directory/units/{id}/attendance", need(Permission::view)},
    {"GET", "/v1/inbound", need(Permission::view)},
    {"POST", "/v1/audiences/preview", need(Permission::view)},
    {"GET", "/v1/templates", need(Permission::view)},
    {"GET", "/v1/directory/units", need(Permission::view)},
    {"GET", "/v1/broadcasts", need(Permission::view)},
    {"GET", "/v1/templates/{id}", need(Permission::view)},
    {"POST", "/v1/templates/{id}/preview", need(Permission::view)},
    {"POST", "/v1/broadcasts", need(Permission::send_announcement)},
    {"GET", "/v1/broadcasts/{id}", need(Permission::view)},
    {"PATCH", "/v1/broadcasts/{id}", need(Permission::send_announcement)},
    {"GET", "/v1/broadcasts/{id}/events", need(Permission::view)},
    {"GET", "/v1/broadcasts/{id}/recipients", need(Permission::view)},
    {"POST", "/v1/broadcasts/{id}/cancel", need(Permission::send_announcement)},
    {"POST", "/v1/meetings", need(Permission::send_summons)},
    {"GET", "/v1/meetings", need(Permission::view)},
    {"GET", "/v1/meetings/{id}", need(Permission::view)},
    {"PATCH", "/v1/meetings/{id}", need(Permission::manage_meetings)},
    {"GET", "/v1/meetings/{id}/events", need(Permission::view)},
    {"GET", "/v1/meetings/{id}/people", need(Permission::view)},
    {"POST", "/v1/meetings/{id}/cancel", need(Permission::manage_meetings)},
    {"POST", "/v1/meetings/{id}/remind", need(Permission::manage_meetings)},
    {"GET", "/v1/meetings/{id}/attendance", need(Permission::view)},
    {"POST", "/v1/meetings/{id}/attendance", need(Permission::manage_meetings)},
    // Blackouts hold what a region is sent: made and ended by whoever may approve sends.
    {"GET", "/v1/blackouts", need(Permission::view)},
    {"POST", "/v1/blackouts", need(Permission::approve)},
    {"DELETE", "/v1/blackouts/{id}", need(Permission::approve)},
    // A schedule's maker needs the permission of what it runs (checked by its handler, and again at each occurrence).
    {"POST", "/v1/schedules", need(Permission::view)},
    {"GET", "/v1/schedules", need(Permission::view)},
    {"GET", "/v1/schedules/{id}", need(Permission::view)},
    {"DELETE", "/v1/schedules/{id}", need(Permission::view)},
    {"GET", "/v1/reports", need(Permission::view)},
    {"GET", "/v1/reports/missing", need(Permission::view)},
    {"POST", "/v1/reports/remind", need(Permission::send_announcement)},
};

}  // namespace

std::optional<Access> access_for(std::string_view method, std::string_view pattern) {
  for (const auto& row : kTable)
    if (row.method == method && row.pattern == pattern) return row.access;
  return std::nullopt;
}

std::vector<std::string> open_routes() {
  std::vector<std::string> out;
  for (const auto& row : kTable)
    if (row.access.open) out.push_back(std::string(row.method) + " " + std::string(row.pattern));
  return out;
}

}  // namespace orgcast::auth
