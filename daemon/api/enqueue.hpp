#pragma once
// Queuing a broadcast, shared by POST /v1/broadcasts and the meetings'
// summons: the audience resolved on the compute pool, then fetched,
// encoded and written in slices (each freed before the next), then
// committed in one script under the request's Idempotency-Key hold.
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include <boost/asio/awaitable.hpp>

#include "api/context.hpp"
#include "broadcast/spec.hpp"
#include "broadcast/store.hpp"
#include "http/message.hpp"
#include "replies/reply_lane.hpp"

namespace orgcast::directory {
class OrgIndex;
}

namespace orgcast::api {

struct Enqueued {
  std::string id;
  std::size_t total = 0, skipped = 0;
  std::string root;  // the audience's root unit id ("" several trees)
};

/// What a broadcast request is checked against (broadcast::parse_spec):
/// the messaging config in force, which must outlive it, and the time now.
inline broadcast::SpecContext spec_context(const Messaging& messaging, std::chrono::system_clock::time_point now) {
  return {&messaging.catalog, messaging.rules, messaging.dlt_entity_id, messaging.prices, now};
}

/// Called after each slice is written with the mobiles of its recipients
/// and, for each, the unit of the post that made them match; false when
/// what it keeps could not be written (the request fails with 503).
using SliceHook = std::function<boost::asio::awaitable<bool>(std::string broadcast_id, std::vector<std::uint64_t> mobiles,
                                                             std::vector<std::uint32_t> units)>;

/// A planned broadcast being started: queued under its own id, committed
/// only while the starter still holds its start.
struct Starting {
  std::string id;
  broadcast::Store::Start start;
};

/// The broadcast queued, or the answer that says why not (503, 409).
boost::asio::awaitable<std::variant<Enqueued, http::Response>> enqueue_broadcast(Context context, std::shared_ptr<const directory::OrgIndex> index,
                                                                                 broadcast::Spec spec, broadcast::Store::IdempotencyHold hold,
                                                                                 SliceHook on_slice = {}, std::optional<Starting> starting = std::nullopt);

/// 422 for an audience that matches no one, saying which filter emptied it (worked out on the compute pool).
boost::asio::awaitable<http::Response> explain_empty_audience(Context context, std::shared_ptr<const directory::OrgIndex> index,
                                                              directory::Selector audience);

/// A random owner token for a hold (an Idempotency-Key's, a planned broadcast's start): 16 hex digits.
std::string new_owner();

/// Claims the request's Idempotency-Key (if it has one) for this body: the
/// hold to queue under (empty key: none given), or the answer to give now —
/// what the key made before (`replay` of its broadcast id), 409 while the
/// first request runs, 422 for another body, 400 for a key over 200 bytes.
boost::asio::awaitable<std::variant<broadcast::Store::IdempotencyHold, http::Response>> claim_idempotency_key(
    Context context, const http::Request& request, const boost::json::value& body,
    const std::function<boost::asio::awaitable<http::Response>(std::string id)>& replay);

/// A broadcast the daemon sends on its own (the reply lane's), checked like
/// a POST /v1/broadcasts body and queued without an Idempotency-Key.
boost::asio::awaitable<replies::ReplyLane::Sent> enqueue_reply(Context context, boost::json::object body, bool confirms_opt_out);

}  // namespace orgcast::api
