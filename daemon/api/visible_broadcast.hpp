#pragma once
// A broadcast as the caller may see it: the same 404 for one that does not
// exist and one whose audience is outside the caller's scope (and not its own).
#include <string>
#include <string_view>
#include <variant>

#include <boost/asio/awaitable.hpp>

#include "api/context.hpp"
#include "broadcast/store.hpp"
#include "http/message.hpp"

namespace orgcast::api {

/// The broadcast, or the answer: 404, or 503 when it could not be read.
boost::asio::awaitable<std::variant<broadcast::BroadcastInfo, http::Response>> visible_broadcast(Context context, const http::Request& request,
                                                                                                 std::string id);

/// A text field of the broadcast's stored message ("template", "send_at"); "" when it has none.
std::string stored_message_text(const broadcast::BroadcastInfo& info, std::string_view key);

}  // namespace orgcast::api
