#include "api/audit_trail.hpp"

#include "audit/audit_log.hpp"
#include "auth/principal.hpp"

namespace orgcast::api {

audit::Entry audit_entry(const Context& context, const http::Request& request, std::string action, std::string target) {
  audit::Entry entry;
  entry.who = request.principal ? request.principal->tag() : "anonymous";
  entry.address = context.client_address ? context.client_address(request) : request.peer;
  entry.action = std::move(action);
  entry.target = std::move(target);
  entry.outcome = "ok";
  return entry;
}

boost::asio::awaitable<void> keep_audit(Context context, audit::Entry entry) {
  if (!context.audit) co_return;
  const auto action = entry.action;
  auto kept = co_await context.audit->append(std::move(entry));
  if (!kept && context.log) context.log->error("audit", "an audit entry (" + action + ") could not be kept: " + kept.error().message());
}

}  // namespace orgcast::api
