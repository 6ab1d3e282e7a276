#pragma once
// The two-person rule as broadcasts meet it (docs/ACCESS.md): whether a
// caller's broadcast of so many people must wait for a second person, and
// holding it (api/approval_api.cpp answers the approvers).
#include <cstdint>
#include <memory>
#include <optional>
#include <vector>

#include <boost/asio/awaitable.hpp>
#include <boost/json/value.hpp>

#include "api/context.hpp"
#include "audit/chain.hpp"
#include "broadcast/spec.hpp"
#include "http/message.hpp"

namespace orgcast::api {

/// The audience size above which this caller's broadcasts wait for approval; nullopt: never.
std::optional<long long> approval_threshold(const Context& context, const auth::Principal& caller);

/// Holds the broadcast with its audience frozen (the people `posts` reach,
/// their count, breakdown, cost and one rendered message): 202 with the
/// approval's id and `pending_approval`. `body` is the request's, its
/// audience as `spec` has it (units written in).
boost::asio::awaitable<http::Response> hold_for_approval(Context context, audit::Entry held, std::shared_ptr<const directory::OrgIndex> index,
                                                         broadcast::Spec spec, boost::json::value body, std::vector<std::uint32_t> posts);

}  // namespace orgcast::api
