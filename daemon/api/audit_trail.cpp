#include "api/audit_trail.hpp"

#include "audit/audit_log.hpp"
#include "auth/principal.hpp"
#include "core/text.hpp"
#include "metrics/registry.hpp"

#include <cctype>

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

std::string audit_text(std::string_view typed, std::size_t most) {
  auto text = quoted_input(typed, most);
  text = text.substr(1, text.size() - 2);  // without the quotes
  for (std::size_t at = 0; at < text.size();) {
    auto end = at;
    while (end < text.size() && std::isdigit(static_cast<unsigned char>(text[end]))) ++end;
    if (end - at >= 10)
      for (auto d = at + 5; d + 2 < end; ++d) text[d] = '*';
    at = end == at ? at + 1 : end;
  }
  return text;
}

boost::asio::awaitable<void> keep_audit(Context context, audit::Entry entry) {
  if (!context.audit) co_return;
  const auto action = entry.action;
  auto kept = co_await context.audit->append(std::move(entry));
  if (!kept) {
    if (context.metrics) context.metrics->counter("orgcast_audit_failures_total", "audit entries that could not be kept").inc();
    if (context.log) context.log->error("audit", "an audit entry (" + action + ") could not be kept: " + kept.error().message());
  }
}

}  // namespace orgcast::api
