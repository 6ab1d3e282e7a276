#pragma once
// The per-profile daily send quota (auth.daily_quota): how many recipients
// one user or token may send to in a day (IST). Taken when a broadcast is
// made (or held for approval); refused whole when it would go over.
#include <memory>
#include <optional>

#include <boost/asio/awaitable.hpp>

#include "api/approvals.hpp"
#include "api/context.hpp"
#include "http/message.hpp"

namespace orgcast::api {

/// Takes `count` recipients from the quota of the person behind the caller
/// for today (the strictest of its lineage's profiles, api/approvals.hpp):
/// nullopt when taken or there is none, else the answer (429 saying what
/// is used, and when it renews).
boost::asio::awaitable<std::optional<http::Response>> take_send_quota(Context context, Lineage lineage, long long count);

}  // namespace orgcast::api
