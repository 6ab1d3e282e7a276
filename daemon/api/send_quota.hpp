#pragma once
// The per-profile daily send quota (auth.daily_quota): how many recipients
// one user or token may send to in a day (IST). Taken when a request that
// sends is made (or held for approval); refused whole when it would go
// over; given back when what took it was not made after all.
#include <string>
#include <variant>

#include <boost/asio/awaitable.hpp>

#include "api/approvals.hpp"
#include "api/context.hpp"
#include "http/message.hpp"

namespace orgcast::api {

/// Takes `count` recipients from the quota of the person behind the caller
/// for today (the strictest of its lineage's profiles, api/approvals.hpp):
/// what was taken (nothing when there is no quota), else the answer (429
/// saying what is used, and when it renews).
boost::asio::awaitable<std::variant<QuotaTaken, http::Response>> take_send_quota(Context context, Lineage lineage, long long count);

/// Gives what was taken back (the request it was taken for made nothing).
boost::asio::awaitable<void> give_back_send_quota(Context context, QuotaTaken taken);

}  // namespace orgcast::api
