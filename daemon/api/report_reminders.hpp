#pragma once
// A daily-report reminder's body checked as POST /v1/reports/remind checks
// it (its level, role and unit in the directory and the caller's scope),
// for a schedule that sends one at each occurrence: told when it is made,
// not at 09:00 tomorrow.
#include <boost/json/object.hpp>
#include <optional>
#include <string>

#include "api/context.hpp"
#include "http/message.hpp"

namespace orgcast::api {

/// Why the reminder would be refused now (400, 403, 503; each field by its
/// pointer under `at`), or nullopt. One that `recurring` names its day as
/// today or yesterday, not a fixed one.
std::optional<http::Response> report_reminder_refused(const Context& context, const http::Request& request, const boost::json::object& body,
                                                      const std::string& at, bool recurring);

}  // namespace orgcast::api
