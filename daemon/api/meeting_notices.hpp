#pragma once
// Messages to a meeting's summoned people beyond the summons (docs/REPLIES.md,
// "Meetings"): the reminder to those who have not answered, and the notices
// when a meeting is moved or cancelled. Each is one broadcast through the
// pipeline to exactly those people, on the summons' channels, with the
// meeting's values (per language where the meeting has them).
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include <boost/asio/awaitable.hpp>
#include <boost/json/value.hpp>

#include "api/enqueue.hpp"
#include "meetings/meeting_store.hpp"
#include "schedule/scheduler.hpp"

namespace orgcast::api {

using Queued = std::variant<Enqueued, http::Response>;

/// Asked before a message to summoned people is queued, with its spec and
/// the request that makes it: nullopt to go on, else the answer instead (a
/// caller's reminder held for approval, or over its quota).
using SendGate = std::function<boost::asio::awaitable<std::optional<http::Response>>(broadcast::Spec spec, boost::json::value body)>;

/// Sends `template_id` to the summoned people among `mobiles`, on the
/// summons' channels (or `channels`, when given); nobody left (all gone from
/// the directory, or none given): no broadcast, an Enqueued with an empty id.
boost::asio::awaitable<Queued> message_summoned(Context context, meetings::Meeting meeting, std::vector<std::uint64_t> mobiles,
                                                std::string template_id, broadcast::Store::IdempotencyHold hold,
                                                std::vector<std::string> channels = {}, SendGate gate = {});

/// 409 when nobody should be messaged about the meeting any more: cancelled, or started.
std::optional<http::Response> meeting_closed(const meetings::Meeting& meeting);

/// Who a reminder goes to, among those summoned who have not answered:
/// those the summons reached (on its channels), or those it reached on no
/// channel (through the channels its policy did not have).
enum class Remind { silent, not_delivered };

/// The meeting's reminder (`meeting_reminder`). A cancelled meeting, or one that has started: 409.
boost::asio::awaitable<Queued> remind_silent(Context context, std::string meeting_id, broadcast::Store::IdempotencyHold hold,
                                             Remind who = Remind::silent, SendGate gate = {});

/// Plans the meeting's reminders in the scheduler: one item per offset
/// before `starts_at` still ahead, under an id naming the start, so a
/// meeting moved gets new ones and the old ones find it moved and do nothing.
boost::asio::awaitable<redis::Result<std::size_t>> plan_reminders(Context context, std::string meeting_id, std::string starts_at,
                                                                  std::vector<std::string> offsets);

/// The scheduler's handler of a planned reminder: "" when done (sent, or
/// nothing to do: the meeting cancelled, moved or started), else why not
/// (retried). Sent once however often it runs: its item id is its
/// Idempotency-Key.
boost::asio::awaitable<std::string> run_planned_reminder(Context context, schedule::Item item);

}  // namespace orgcast::api
