#pragma once
// The per-profile daily send quota (auth.daily_quota): how many recipients
// one user or token may send to in a day (IST). Taken when a broadcast is
// made (or held for approval); refused whole when it would go over.
#include <memory>
#include <optional>

#include <boost/asio/awaitable.hpp>

#include "api/context.hpp"
#include "http/message.hpp"

namespace orgcast::api {

/// The caller's quota, if its profile has one.
std::optional<long long> daily_quota(const Context& context, const auth::Principal& caller);

/// Takes `count` recipients from the caller's quota for today: nullopt when
/// taken, else the answer (429 saying what is left, and when it renews).
boost::asio::awaitable<std::optional<http::Response>> take_send_quota(Context context, std::shared_ptr<const auth::Principal> caller,
                                                                     long long count);

}  // namespace orgcast::api
