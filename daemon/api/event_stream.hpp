#pragma once
// Server-sent events of something that changes (a broadcast's counts, a
// meeting's tally): an event whenever its JSON changes (read every `poll`),
// a comment every 15 s so that proxies keep a quiet stream open, and a
// final `done` event once it is settled. Each event's id names its content
// (a digest of the JSON), so a client that reconnects with Last-Event-ID
// gets nothing until the state moves on from what it last saw.
#include <chrono>
#include <functional>
#include <optional>
#include <string>

#include <boost/asio/awaitable.hpp>

#include "http/message.hpp"

namespace orgcast::api {

struct Snapshot {
  std::string json;
  bool done = false;  // nothing more will change: the stream ends after this one
};

/// Reads the state now; nullopt when it cannot be read for a moment (Redis away): the stream waits.
using SnapshotReader = std::function<boost::asio::awaitable<std::optional<Snapshot>>()>;

/// `last_event_id`: the request's Last-Event-ID header ("" none).
http::Response event_stream(SnapshotReader read, std::string last_event_id = "", std::chrono::milliseconds poll = std::chrono::milliseconds(500));

}  // namespace orgcast::api
