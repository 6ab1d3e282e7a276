#include "dispatch/dispatcher.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <random>

#include "broadcast/recipients.hpp"
#include "dispatch/scripts.hpp"
#include "metrics/registry.hpp"

namespace asio = boost::asio;
namespace orgcast::dispatch {

using broadcast::State;

namespace {

constexpr std::array<const char*, 3> kPriorities = {"urgent", "normal", "bulk"};
constexpr auto kPromptly = asio::as_tuple(asio::use_awaitable);

asio::awaitable<void> sleep_for(std::chrono::steady_clock::duration d) {
  asio::steady_timer timer(co_await asio::this_coro::executor, d);
  co_await timer.async_wait(kPromptly);
}

// Runs the tasks concurrently on the caller's executor and waits for all.
asio::awaitable<void> run_all(std::vector<asio::awaitable<void>> tasks) {
  auto executor = co_await asio::this_coro::executor;
  auto remaining = std::make_shared<std::size_t>(tasks.size());
  asio::steady_timer done(executor, asio::steady_timer::time_point::max());
  for (auto& task : tasks)
    asio::co_spawn(executor, std::move(task), [remaining, &done](std::exception_ptr) {
      if (--*remaining == 0) done.cancel();
    });
  if (*remaining > 0) co_await done.async_wait(kPromptly);
}

std::uint64_t micros_between(std::chrono::steady_clock::time_point from, std::chrono::steady_clock::time_point to) {
  return static_cast<std::uint64_t>(std::chrono::duration_cast<std::chrono::microseconds>(to - from).count());
}

// The chunk number a queue entry ([id, [field, value...]]) names, read from
// the reply that delivered it (no second round trip); nullopt if malformed
// or deleted meanwhile.
std::optional<std::size_t> chunk_of(const redis::Reply& entry) {
  if (entry.elements.size() < 2) return std::nullopt;
  const auto& fields = entry.elements[1].elements;
  for (std::size_t i = 0; i + 1 < fields.size(); i += 2)
    if (fields[i].str == "k" && fields[i + 1].as_integer() >= 0) return static_cast<std::size_t>(fields[i + 1].as_integer());
  return std::nullopt;
}

}  // namespace

Dispatcher::Dispatcher(asio::any_io_executor executor, std::shared_ptr<redis::Client> redis, std::vector<Route> routes,
                       DispatcherOptions options, const Log& log, metrics::Registry& metrics)
    : executor_(std::move(executor)), redis_(std::move(redis)), options_(std::move(options)), keys_{options_.key_prefix}, log_(log),
      metrics_(metrics) {
  // Where the workers' time goes (summed over workers): rate() of each is how many workers are in that phase.
  const char* help = "microseconds dispatch workers spent per phase: claim, send, record a window; idle";
  for (auto [phase, name] : {std::pair{claiming, "claim"}, std::pair{sending, "send"}, std::pair{recording, "record"}, std::pair{idling, "idle"}})
    phase_micros_[phase] = &metrics_.counter("orgcast_dispatch_worker_microseconds_total", help, {{"phase", name}});
  for (auto& route : routes) {
    const double rate = route.rate_per_second;
    for (auto channel : route.channels) lanes_by_channel_[static_cast<std::size_t>(channel)].push_back(lanes_.size());
    const std::string account(route.adapter->name());
    lanes_.push_back({std::move(route), TokenBucket(rate, std::max(1.0, rate / 20), std::chrono::steady_clock::now())});
    lanes_.back().request_micros = &metrics_.counter("orgcast_provider_request_microseconds_total",
                                                     "time provider requests took, from sending to the answer (average: divide by the requests)",
                                                     {{"provider", account}});
    lanes_.back().requests = &metrics_.counter("orgcast_provider_requests_total", "requests sent to the provider", {{"provider", account}});
  }
}

// In turn, skipping an account whose limit of requests in flight is taken
// by sends already given to it; when all are full, the one with the least
// given for its limit. So a small or slow account does not hold back the
// others, and a backlog is shared in proportion to the accounts' limits.
Dispatcher::Lane* Dispatcher::lane_for(adapters::Channel channel) {
  const auto c = static_cast<std::size_t>(channel);
  const auto& lanes = lanes_by_channel_[c];
  if (lanes.empty()) return nullptr;
  Lane* chosen = nullptr;
  double least_load = 0;
  for (std::size_t tried = 0; tried < lanes.size(); ++tried) {
    Lane* lane = &lanes_[lanes[(next_lane_[c] + tried) % lanes.size()]];
    const double load = static_cast<double>(lane->given) / lane->route.concurrency;
    if (load < 1) {
      chosen = lane;
      next_lane_[c] += tried;
      break;
    }
    if (!chosen || load < least_load) chosen = lane, least_load = load;
  }
  ++next_lane_[c];
  ++chosen->given;
  return chosen;
}

void Dispatcher::start() {
  for (int i = 0; i < options_.workers; ++i) {
    ++running_;
    asio::co_spawn(executor_, worker(shared_from_this(), i), asio::detached);
  }
}

void Dispatcher::stop() { stopping_ = true; }

asio::awaitable<void> Dispatcher::worker(std::shared_ptr<Dispatcher>, int) {
  while (!stopping_) {
    bool worked = false;
    if (redis_->connected()) {
      try {
        worked = co_await take_and_work();
      } catch (const std::exception& e) {
        log_.error("dispatch", std::string("worker failed: ") + e.what());
      }
    }
    if (!worked) {
      const auto idle_from = std::chrono::steady_clock::now();
      co_await sleep_for(options_.idle_poll);
      phase_micros_[idling]->inc(micros_between(idle_from, std::chrono::steady_clock::now()));
    }
  }
  --running_;
}

asio::awaitable<void> Dispatcher::acquire_token(Lane& lane) {
  while (true) {
    auto wait = lane.bucket.take(std::chrono::steady_clock::now());
    if (wait == std::chrono::steady_clock::duration::zero()) co_return;
    co_await sleep_for(wait);
  }
}

// First come, first served: a freed slot is handed to the longest waiting
// send, never taken by a newcomer (a window waits for its slowest send, so a
// send overtaken again and again would hold its whole window back).
asio::awaitable<void> Dispatcher::acquire_slot(Lane& lane) {
  if (lane.in_flight < lane.route.concurrency && lane.waiting.empty()) {
    ++lane.in_flight;
    co_return;
  }
  asio::steady_timer handed_over(co_await asio::this_coro::executor, SteadyTime::max());
  lane.waiting.push_back(&handed_over);
  boost::system::error_code cancelled;  // release_slot cancels the timer: the slot is ours
  co_await handed_over.async_wait(asio::redirect_error(asio::use_awaitable, cancelled));
}

void Dispatcher::release_slot(Lane& lane) {
  if (lane.waiting.empty()) {
    --lane.in_flight;
    return;
  }
  lane.waiting.front()->cancel();  // in_flight stays: the slot passes to that send
  lane.waiting.pop_front();
}

asio::awaitable<std::shared_ptr<const DispatchedBroadcast>> Dispatcher::broadcast_of(const std::string& id) {
  if (auto it = broadcasts_.find(id); it != broadcasts_.end()) co_return it->second;
  auto reply = co_await redis_->command(redis::cmd("HMGET", keys_.broadcast(id), "message", "units"));
  if (!reply || !reply->is_array() || reply->elements.size() < 2 || reply->elements[0].is_nil()) co_return nullptr;
  std::string error;
  auto parsed = DispatchedBroadcast::parse(id, reply->elements[0].str, reply->elements[1].str, options_.report_timeout, error);
  if (!parsed) {
    log_.error("dispatch", "broadcast " + id + " cannot be sent: " + error);
    co_return nullptr;
  }
  if (options_.index) parsed->index = options_.index();
  auto b = std::make_shared<const DispatchedBroadcast>(std::move(*parsed));
  broadcasts_[id] = b;
  co_return b;
}

// Work every instance may do, at most once a second: scheduled broadcasts
// whose send_at has come become active; sent recipients whose report is
// overdue go to their policy's next channel. Both are idempotent.
asio::awaitable<void> Dispatcher::housekeeping() {
  const auto now = std::chrono::steady_clock::now();
  if (now - last_housekeeping_ < std::chrono::seconds(1)) co_return;
  last_housekeeping_ = now;
  const auto now_ms = std::to_string(
      std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch()).count());
  auto due = co_await redis_->command(redis::cmd("ZRANGEBYSCORE", keys_.scheduled(), "-inf", now_ms, "LIMIT", "0", "100"));
  if (due && due->is_array() && !due->elements.empty()) {
    std::vector<redis::Args> activate;
    for (const auto& member : due->elements) {
      auto bar = member.str.find('|');
      if (bar == std::string::npos) continue;
      activate.push_back(redis::cmd("SADD", keys_.active(member.str.substr(0, bar)), member.str.substr(bar + 1)));
      activate.push_back(redis::cmd("ZREM", keys_.scheduled(), member.str));
    }
    co_await redis_->pipeline(std::move(activate));
  }
  auto moved = co_await redis_->command(redis::cmd("EVAL", kReportTimeoutScript, "1", keys_.report_wait(), now_ms, keys_.prefix, "1000"));
  if (moved && moved->is_array() && moved->elements.size() == 2 && moved->elements[1].integer > 0)
    metrics_.counter("orgcast_dispatch_report_timeouts_total", "recipients moved to the next channel for want of a delivery report")
        .inc(static_cast<std::uint64_t>(moved->elements[1].integer));
}

asio::awaitable<bool> Dispatcher::take_and_work() {
  co_await housekeeping();
  // Urgent first, then normal, then bulk; one entry per broadcast per read.
  for (const char* priority : kPriorities)
    if (co_await read_and_work(priority)) co_return true;
  // Nothing new: take over chunks whose instance stopped working on them.
  co_return co_await take_over_one();
}

asio::awaitable<bool> Dispatcher::read_and_work(const char* priority) {
  auto members = co_await redis_->command(redis::cmd("SMEMBERS", keys_.active(priority)));
  if (!members || !members->is_array() || members->elements.empty()) co_return false;
  redis::Args read = redis::cmd("XREADGROUP", "GROUP", broadcast::kConsumerGroup, options_.consumer, "COUNT", "1", "STREAMS");
  for (const auto& m : members->elements) read.push_back(m.str);
  for (std::size_t i = 0; i < members->elements.size(); ++i) read.emplace_back(">");
  auto reply = co_await redis_->command(std::move(read));
  if (!reply || reply->is_error() || !reply->is_array() || reply->elements.empty()) co_return false;
  // One entry from each stream that had one: round-robin between broadcasts.
  std::vector<std::shared_ptr<ChunkWork>> works;
  for (const auto& stream : reply->elements)
    for (const auto& entry : stream.elements.at(1).elements)
      if (auto k = chunk_of(entry))
        works.push_back(std::make_shared<ChunkWork>(keys_, options_.consumer, stream.elements.at(0).str, entry.elements.at(0).str, *k, false));
  // Noted before the move: a worker that worked a chunk looks for the next one at once, not after idle_poll.
  const bool took = !works.empty();
  co_await work_chunks(std::move(works));
  co_return took;
}

asio::awaitable<bool> Dispatcher::take_over_one() {
  std::vector<std::string> streams;
  for (const char* priority : kPriorities) {
    auto members = co_await redis_->command(redis::cmd("SMEMBERS", keys_.active(priority)));
    if (members && members->is_array())
      for (const auto& m : members->elements) streams.push_back(m.str);
  }
  for (const auto& stream : streams) {
    auto claimed = co_await redis_->command(redis::cmd("XAUTOCLAIM", stream, broadcast::kConsumerGroup, options_.consumer,
                                                       std::to_string(options_.lease.count()), "0-0", "COUNT", "1"));
    if (!claimed || !claimed->is_array() || claimed->elements.size() < 2 || claimed->elements[1].elements.empty()) continue;
    const auto& entry = claimed->elements[1].elements[0];
    auto k = chunk_of(entry);
    if (!k) continue;
    log_.warn("dispatch", "taking over chunk " + entry.elements[0].str + " of " + stream + " (its instance stopped)");
    metrics_.counter("orgcast_dispatch_chunks_reclaimed_total", "queue chunks taken over from a stopped instance").inc();
    std::vector<std::shared_ptr<ChunkWork>> works;
    works.push_back(std::make_shared<ChunkWork>(keys_, options_.consumer, stream, entry.elements[0].str, *k, true));
    co_await work_chunks(std::move(works));
    co_return true;
  }
  co_return false;
}

// Works the chunks window by window in turn, so that the broadcasts they
// belong to progress side by side; finishes each when all its recipients
// are recorded.
asio::awaitable<void> Dispatcher::work_chunks(std::vector<std::shared_ptr<ChunkWork>> works) {
  std::vector<std::shared_ptr<ChunkWork>> loaded;
  for (auto& work : works) {
    auto b = co_await broadcast_of(work->broadcast_id());
    if (!b) {
      log_.error("dispatch", "broadcast " + work->broadcast_id() + " is missing or unreadable; its chunk stays queued");
      continue;
    }
    work->set_broadcast(b);
    auto replies = co_await redis_->pipeline(work->load_commands());
    if (!replies || !work->load(*replies)) continue;  // taken over later (lease)
    if (auto ask = work->dead_tokens_command()) {
      auto dead = co_await redis_->command(std::move(*ask));
      if (!dead) continue;
      work->apply_dead_tokens(*dead);
    }
    loaded.push_back(work);
  }
  const bool urgent = !loaded.empty() && loaded.front()->priority() == "urgent";
  while (!stopping_) {
    // An urgent broadcast overtakes: these chunks wait while this worker takes one of its chunks.
    if (!urgent && std::chrono::steady_clock::now() - last_urgent_check_ >= options_.urgent_check) {
      last_urgent_check_ = std::chrono::steady_clock::now();
      co_await read_and_work("urgent");
    }
    bool sent = false, waiting = false;
    for (std::size_t n = 0; n < loaded.size();) {
      auto& work = loaded[n];
      if (!work->has_pending()) {
        ++n;
        continue;
      }
      auto step = co_await work_window(work);
      if (step == Step::failed) {  // Redis is away: the entry is taken over later
        loaded.erase(loaded.begin() + static_cast<std::ptrdiff_t>(n));
        continue;
      }
      (step == Step::sent ? sent : waiting) = true;
      ++n;
    }
    if (sent) continue;
    if (!waiting) break;
    // Every recipient left waits for a retry: sleep, keeping the leases.
    auto soonest = SteadyTime::max();
    for (const auto& work : loaded)
      if (work->has_pending()) soonest = std::min(soonest, work->next_retry());
    co_await sleep_for(std::min<std::chrono::steady_clock::duration>(soonest - std::chrono::steady_clock::now(), options_.lease / 3));
    std::vector<redis::Args> refresh;
    for (const auto& work : loaded)
      if (work->has_pending())
        refresh.push_back(redis::cmd("XCLAIM", work->stream(), broadcast::kConsumerGroup, options_.consumer, "0", work->entry(), "JUSTID"));
    co_await redis_->pipeline(std::move(refresh));
  }
  if (stopping_) co_return;  // what is left is taken over after the lease
  for (const auto& work : loaded) {
    auto finished = co_await redis_->command(work->finish_command());
    if (finished && finished->integer == 1) {
      broadcasts_.erase(work->broadcast_id());
      log_.info("dispatch", "broadcast " + work->broadcast_id() + ": every recipient dispatched");
    }
  }
}

// One window: up to W recipients marked `sending`, sent in parallel, their
// outcomes recorded in one pipeline.
asio::awaitable<Dispatcher::Step> Dispatcher::work_window(std::shared_ptr<ChunkWork> work) {
  const auto window = static_cast<std::size_t>(std::max(1, options_.window));
  const auto started = std::chrono::steady_clock::now();
  auto batch = std::make_shared<std::vector<std::size_t>>();
  bool claimed_ahead = false;
  if (auto ahead = work->take_preclaimed()) {  // claimed in the previous window's pipeline
    *batch = std::move(*ahead);
    claimed_ahead = true;
    if (batch->empty()) co_return Step::sent;  // another instance had them all
  } else {
    *batch = work->take_due(started, window);
    if (batch->empty()) co_return Step::waiting;
  }
  if (work->broadcast().expired(std::chrono::system_clock::now())) {
    auto settled = co_await redis_->command(work->settle_command(*batch, State::expired));
    co_return settled ? Step::sent : Step::failed;
  }
  auto claimed_at = started;
  if (!claimed_ahead) {
    auto claim = co_await redis_->command(work->claim_command(*batch));
    claimed_at = std::chrono::steady_clock::now();
    phase_micros_[claiming]->inc(micros_between(started, claimed_at));
    if (!claim || claim->is_error()) co_return Step::failed;
    auto mine = work->claimed(*batch, *claim);
    if (!mine) {  // cancelled: nothing more of this chunk is sent
      auto settled = co_await redis_->command(work->settle_command(*batch, State::cancelled));
      co_return settled ? Step::sent : Step::failed;
    }
    *batch = std::move(*mine);
  }
  auto results = std::make_shared<std::vector<adapters::SendResult>>(batch->size());
  auto via = std::make_shared<std::vector<const adapters::Adapter*>>(batch->size());
  co_await send_batch(work, batch, results, via);
  const auto sent_at = std::chrono::steady_clock::now();
  phase_micros_[sending]->inc(micros_between(claimed_at, sent_at));
  auto writes = std::make_shared<std::vector<redis::Args>>(work->record(*batch, *results, *via, options_.backoff, random_, metrics_));
  // The next window's claim rides in this pipeline, after the writes it
  // depends on (fallbacks queued again): one round trip per window, not two.
  auto next = std::make_shared<std::vector<std::size_t>>(work->take_due(sent_at, window));
  if (!next->empty()) writes->push_back(work->claim_command(*next));
  auto written = co_await redis_->pipeline(std::move(*writes));
  phase_micros_[recording]->inc(micros_between(sent_at, std::chrono::steady_clock::now()));
  if (!written) co_return Step::failed;  // `sending` recipients go again after the takeover
  if (!next->empty()) work->set_preclaimed(*next, written->back());
  co_return Step::sent;
}

asio::awaitable<void> Dispatcher::send_batch(std::shared_ptr<ChunkWork> work, std::shared_ptr<std::vector<std::size_t>> batch,
                                             std::shared_ptr<std::vector<adapters::SendResult>> results,
                                             std::shared_ptr<std::vector<const adapters::Adapter*>> via) {
  std::vector<asio::awaitable<void>> sends;
  for (std::size_t n = 0; n < batch->size(); ++n) {
    if (auto dead = work->known_dead_token((*batch)[n])) {  // the policy's next channel, no request
      (*results)[n] = std::move(*dead);
      continue;
    }
    const auto channel = work->channel_of((*batch)[n]);
    Lane* lane = lane_for(channel);
    if (!lane) {  // a permanent failure on this channel: the policy's next one
      (*results)[n] = {adapters::SendFailure::bad_request, "", "no_provider",
                       std::string("no provider account carries ") + adapters::name(channel), std::nullopt};
      continue;
    }
    (*via)[n] = lane->route.adapter.get();
    adapters::OutboundMessage m;
    auto error = work->message_for((*batch)[n], lane->route.callback_url, m);
    if (!error.empty()) {  // never expected: templates and broadcasts are checked before
      --lane->given;
      (*results)[n] = {adapters::SendFailure::rejected_content, "", "", error, std::nullopt};
      continue;
    }
    sends.push_back([](Lane* lane, adapters::OutboundMessage m, adapters::SendResult* out) -> asio::awaitable<void> {
      co_await acquire_slot(*lane);
      co_await acquire_token(*lane);
      const auto asked = std::chrono::steady_clock::now();
      *out = co_await lane->route.adapter->send(m);
      lane->request_micros->inc(micros_between(asked, std::chrono::steady_clock::now()));
      lane->requests->inc();
      release_slot(*lane);
      --lane->given;
    }(lane, std::move(m), &(*results)[n]));
  }
  co_await run_all(std::move(sends));
}

}  // namespace orgcast::dispatch
