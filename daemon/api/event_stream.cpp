#include "api/event_stream.hpp"

#include "core/digest.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <memory>

namespace orgcast::api {

namespace {

struct EventStream {
  SnapshotReader read;
  std::chrono::milliseconds poll;
  std::string last;
  std::string resume_id;  // the client's Last-Event-ID: the state it already has
  int sequence = 0;
  bool finished = false;
  std::chrono::steady_clock::time_point last_write = std::chrono::steady_clock::now();
};

boost::asio::awaitable<std::optional<std::string>> next_event(std::shared_ptr<EventStream> s) {
  if (s->finished) co_return std::nullopt;
  if (s->sequence > 0) {
    boost::asio::steady_timer timer(co_await boost::asio::this_coro::executor, s->poll);
    co_await timer.async_wait(boost::asio::as_tuple(boost::asio::use_awaitable));
  }
  auto now = co_await s->read();
  if (!now) co_return std::string(": waiting for redis\n\n");  // away for a moment: the stream stays open
  if (now->json == s->last && !now->done) {
    if (std::chrono::steady_clock::now() - s->last_write < std::chrono::seconds(15)) co_return std::string();
    s->last_write = std::chrono::steady_clock::now();
    co_return std::string(": keep-alive\n\n");
  }
  const auto id = sha256_hex(now->json).substr(0, 16);
  const bool already_seen = s->sequence == 0 && !now->done && id == s->resume_id;  // a reconnect to an unchanged state
  s->last = now->json;
  s->last_write = std::chrono::steady_clock::now();
  ++s->sequence;
  if (already_seen) co_return std::string(": resumed\n\n");
  std::string event = "id: " + id + "\nevent: progress\ndata: " + now->json + "\n\n";
  if (now->done) {
    s->finished = true;
    event += "event: done\ndata: " + now->json + "\n\n";
  }
  co_return event;
}

}  // namespace

http::Response event_stream(SnapshotReader read, std::string last_event_id, std::chrono::milliseconds poll) {
  auto state = std::make_shared<EventStream>(EventStream{std::move(read), poll});
  state->resume_id = std::move(last_event_id);
  http::Response response;
  response.content_type = "text/event-stream";
  response.headers.emplace_back("Cache-Control", "no-cache");
  response.headers.emplace_back("X-Accel-Buffering", "no");
  response.stream = [state] { return next_event(state); };
  return response;
}

}  // namespace orgcast::api
