#pragma once
// Making a meeting and queueing its summons (api/meeting_api.cpp), for a
// caller's POST and for a held request once approved (api/approval_api.cpp).
#include <cstdint>
#include <memory>
#include <vector>

#include <boost/asio/awaitable.hpp>
#include <boost/json/value.hpp>

#include "api/context.hpp"
#include "audit/chain.hpp"
#include "broadcast/store.hpp"
#include "http/message.hpp"

namespace orgcast::auth {
struct Principal;
}

namespace orgcast::api {

/// Makes the meeting `body` describes for `author` (its scope, its tag) and
/// queues its summons: 201 with the meeting, its code and its summons, or why
/// not. Without `frozen` the daily quota and the two-person rule apply (202
/// held); with it (a held request approved) the summons goes to exactly
/// those people the directory still has.
boost::asio::awaitable<http::Response> make_meeting(Context context, std::shared_ptr<const directory::OrgIndex> index, boost::json::value body,
                                                    broadcast::Store::IdempotencyHold hold, std::shared_ptr<const auth::Principal> author,
                                                    audit::Entry entry, std::vector<std::uint32_t> frozen = {});

}  // namespace orgcast::api
