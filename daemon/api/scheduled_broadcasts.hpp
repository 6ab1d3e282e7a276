#pragma once
// Broadcasts planned for later (docs/SCHEDULE.md): a POST /v1/broadcasts
// whose send_at is to come is kept as its request, nobody queued; its
// audience is resolved when it starts, from the directory and with its
// author's scope as they are then. Until it starts it can be changed
// (PATCH /v1/broadcasts/{id} with If-Match) or cancelled. Each version's
// start is a durable scheduler item, run once across instances and
// restarts; a start later than its grace (an outage) is not sent and says why.
#include <memory>
#include <string>
#include <variant>

#include <boost/asio/awaitable.hpp>
#include <boost/json/fwd.hpp>

#include "api/context.hpp"
#include "api/enqueue.hpp"
#include "broadcast/spec.hpp"
#include "broadcast/store.hpp"
#include "http/message.hpp"

namespace orgcast::directory {
class OrgIndex;
}
namespace orgcast::http {
class Router;
}

namespace orgcast::api {

/// Plans `spec` (send_at to come) to run `request` when it starts: the
/// broadcast made, with whom its audience matches now (none skipped yet),
/// or the answer why not (422 an audience that matches no one, 503, 409).
boost::asio::awaitable<std::variant<Enqueued, http::Response>> plan_broadcast(Context context, std::shared_ptr<const directory::OrgIndex> index,
                                                                              broadcast::Spec spec, std::string request_json,
                                                                              broadcast::Store::IdempotencyHold hold);

/// The broadcast's ETag while it can be changed (its version), "" else.
std::string scheduled_etag(const broadcast::BroadcastInfo& info);

void add_scheduled_broadcast_routes(http::Router& router, const Context& context);
/// Registers the scheduler's handler that starts planned broadcasts.
void run_scheduled_broadcasts(const Context& context);

}  // namespace orgcast::api
