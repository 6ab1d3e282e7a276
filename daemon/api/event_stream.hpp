#pragma once
// Server-sent events of something that changes (a broadcast's counts, a
// meeting's tally): an event whenever its JSON changes (read every `poll`),
// a comment every 15 s so that proxies keep a quiet stream open, and a
// final `done` event once it is settled.
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

http::Response event_stream(SnapshotReader read, std::chrono::milliseconds poll = std::chrono::milliseconds(500));

}  // namespace orgcast::api
