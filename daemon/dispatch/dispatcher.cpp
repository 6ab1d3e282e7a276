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
#include "core/utc_time.hpp"
#include "directory/scope.hpp"
#include "templates/template.hpp"
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
    : executor_(std::move(executor)), redis_(std::move(redis)), options_(std::move(options)),
      clock_(options_.clock ? options_.clock : system_clock()), keys_{options_.key_prefix}, report_timeouts_(redis_, keys_),
      retention_(redis_, keys_), log_(log), metrics_(metrics) {
  // Where the workers' time goes (summed over workers): rate() of each is how many workers are in that phase.
  const char* help = "microseconds dispatch workers spent per phase: claim, send, record a window; idle";
  for (auto [phase, name] : {std::pair{claiming, "claim"}, std::pair{sending, "send"}, std::pair{recording, "record"}, std::pair{idling, "idle"}})
    phase_micros_[phase] = &metrics_.counter("orgcast_dispatch_worker_microseconds_total", help, {{"phase", name}});
  for (auto& route : routes) {
    const double rate = route.rate_per_second;
    for (auto channel : route.channels) lanes_by_channel_[static_cast<std::size_t>(channel)].push_back(lanes_.size());
    const std::string account(route.adapter->name());
    lanes_.push_back({std::move(route), TokenBucket(rate, std::max(1.0, rate / 20), clock_->steady_now())});
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

void Dispatcher::add_callback_secrets(const std::function<std::optional<std::string>(const std::string& account)>& secret_of) {
  for (auto& lane : lanes_)
    if (auto secret = secret_of(std::string(lane.route.adapter->name())); secret && !lane.route.callback_url.empty())
      lane.route.callback_url += "/" + *secret;
}

void Dispatcher::start() {
  for (int i = 0; i < options_.workers; ++i) {
    ++running_;
    asio::co_spawn(executor_, worker(shared_from_this(), i), asio::detached);
  }
  asio::co_spawn(executor_, keep_leases(shared_from_this()), asio::detached);
  asio::co_spawn(executor_, watch_cancels(shared_from_this()), asio::detached);
}

void Dispatcher::stop(std::chrono::milliseconds drain) {
  asio::post(executor_, [self = shared_from_this(), drain] {
    self->drain_deadline_ = self->clock_->steady_now() + drain;
    self->stopping_ = true;
  });
}

asio::awaitable<void> Dispatcher::worker(std::shared_ptr<Dispatcher>, int) {
  while (!stopping_) {
    bool worked = false;
    if (redis_->connected() && leased_) {
      try {
        worked = co_await take_and_work();
      } catch (const std::exception& e) {
        log_.error("dispatch", std::string("worker failed: ") + e.what());
      }
    }
    if (!worked && !stopping_) {
      const auto idle_from = clock_->steady_now();
      co_await sleep_for(options_.idle_poll);
      phase_micros_[idling]->inc(micros_between(idle_from, clock_->steady_now()));
    }
  }
  --running_;
}

asio::awaitable<void> Dispatcher::acquire_token(Lane& lane) {
  while (true) {
    auto wait = lane.bucket.take(clock_->steady_now());
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
  // Bounded in number and age: an entry is read again after a minute, so it
  // never pins an old directory index (unit names) for long, and broadcasts
  // other instances finished leave the cache.
  const auto now = clock_->steady_now();
  if (auto it = broadcasts_.find(id); it != broadcasts_.end() && now - it->second.loaded < kBroadcastCacheAge) co_return it->second.broadcast;
  std::erase_if(broadcasts_, [&](const auto& entry) { return now - entry.second.loaded >= kBroadcastCacheAge; });
  if (broadcasts_.size() >= kBroadcastCacheSize) broadcasts_.erase(broadcasts_.begin());
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
  broadcasts_[id] = {b, now};
  co_return b;
}

// Chunks held by a time rule wait in q:retry until the rule's end. When
// the rules change (a blackout ended early, quiet hours changed), every
// chunk set aside is made due now: each is read again and asks the new
// rules (one waiting for a retry finds it still not due and waits again).
asio::awaitable<void> Dispatcher::recheck_held_on_new_rules() {
  if (!options_.time_rules) co_return;
  auto rules = options_.time_rules();
  if (rules == rules_seen_) co_return;
  const bool first = !rules_seen_;
  rules_seen_ = rules;
  if (first) co_return;
  auto due_now = co_await redis_->command(redis::cmd("ZUNIONSTORE", keys_.retries(), "1", keys_.retries(), "WEIGHTS", "0"));
  if (!due_now || due_now->is_error()) count_redis_error("recheck_held");
  else log_.info("dispatch", "the time rules changed: " + std::to_string(due_now->as_integer()) + " chunks set aside are read again");
}

// Work every instance may do, at most once a second: scheduled broadcasts
// whose send_at has come become active; chunks set aside for retries that
// are due are queued again; ended broadcasts' records get their retention;
// sent recipients whose report is overdue go to their policy's next
// channel. Each is idempotent.
asio::awaitable<void> Dispatcher::housekeeping() {
  const auto now = clock_->steady_now();
  if (now - last_housekeeping_ < std::chrono::seconds(1)) co_return;
  last_housekeeping_ = now;
  const auto now_ms = std::to_string(
      std::chrono::duration_cast<std::chrono::milliseconds>(clock_->system_now().time_since_epoch()).count());
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
  co_await recheck_held_on_new_rules();
  co_await requeue_due_retries(now_ms);
  if (auto swept = co_await retention_.sweep(); !swept) count_redis_error("retention");
  auto moved = co_await report_timeouts_.apply_due(clock_->system_now());
  if (!moved) {
    count_redis_error("report_timeout");
    co_return;
  }
  if (auto n = moved->fell_back; n > 0)
    metrics_.counter("orgcast_dispatch_report_timeouts_total", "sent recipients with no delivery report in time", {{"outcome", "fell_back"}})
        .inc(static_cast<std::uint64_t>(n));
  if (auto n = moved->unconfirmed; n > 0)
    metrics_.counter("orgcast_dispatch_report_timeouts_total", "sent recipients with no delivery report in time", {{"outcome", "unconfirmed"}})
        .inc(static_cast<std::uint64_t>(n));
}

// Chunks set aside to wait for their retries go back into their queues
// when the soonest is due: read first, then queued again by a script that
// checks each once more (requeue_retries.lua).
asio::awaitable<void> Dispatcher::requeue_due_retries(const std::string& now_ms) {
  auto due = co_await redis_->command(redis::cmd("ZRANGEBYSCORE", keys_.retries(), "-inf", now_ms, "LIMIT", "0", "500"));
  if (!due || due->is_error()) {
    count_redis_error("requeue_retries");
    co_return;
  }
  if (!due->is_array() || due->elements.empty()) co_return;
  auto requeue = redis::cmd("EVAL", kRequeueRetriesScript, "", keys_.retries());
  redis::Args argv{now_ms};
  auto malformed = redis::cmd("ZREM", keys_.retries());
  for (const auto& member : due->elements) {
    const auto bar = member.str.rfind('|');
    std::string priority, id;
    if (bar == std::string::npos || !keys_.stream_parts(std::string_view(member.str).substr(0, bar), priority, id)) {
      malformed.push_back(member.str);  // never written so: dropped, so that it cannot hold up the members behind it
      continue;
    }
    const auto k = std::strtoull(member.str.c_str() + bar + 1, nullptr, 10);
    requeue.push_back(member.str.substr(0, bar));
    requeue.push_back(keys_.active(priority));
    requeue.push_back(keys_.requeued(id, k));
    argv.push_back(member.str);
    argv.push_back(std::to_string(k));
  }
  if (malformed.size() > 2) co_await redis_->command(std::move(malformed));
  requeue[2] = std::to_string(requeue.size() - 3);
  for (auto& a : argv) requeue.push_back(std::move(a));
  auto queued = co_await redis_->command(std::move(requeue));
  if (!queued || queued->is_error()) count_redis_error("requeue_retries");
}

asio::awaitable<bool> Dispatcher::take_and_work() {
  co_await housekeeping();
  // Urgent first, then normal, then bulk; one entry per broadcast per read.
  // A dead instance's chunks of a priority are taken over before newer
  // work of that priority or below is read.
  for (const char* priority : kPriorities) {
    if (co_await take_over_one(priority)) co_return true;
    if (co_await read_and_work(priority)) co_return true;
  }
  co_return false;
}

std::uint32_t Dispatcher::new_token() {
  std::uniform_int_distribution<std::uint32_t> draw(1, 0xFFFFFFFFu);
  return draw(random_);
}

void Dispatcher::count_redis_error(const char* step) {
  metrics_.counter("orgcast_dispatch_redis_errors_total", "pipeline steps that failed on a Redis error or a lost connection (retried or taken over)",
                   {{"step", step}})
      .inc();
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
        works.push_back(std::make_shared<ChunkWork>(keys_, options_.consumer, stream.elements.at(0).str, entry.elements.at(0).str, *k,
                                                    new_token()));
  // Noted before the move: a worker that worked a chunk looks for the next one at once, not after idle_poll.
  const bool took = !works.empty();
  co_await work_chunks(std::move(works));
  co_return took;
}

long long Dispatcher::now_ms() const {
  return std::chrono::duration_cast<std::chrono::milliseconds>(clock_->system_now().time_since_epoch()).count();
}

// Looks for an entry of `priority` whose holder's lease ran out (or who
// never had one), at most every quarter lease per priority (each look is a
// script call per stream).
asio::awaitable<bool> Dispatcher::take_over_one(const char* priority) {
  const auto p = static_cast<std::size_t>(std::find(kPriorities.begin(), kPriorities.end(), std::string_view(priority)) - kPriorities.begin());
  const auto now = clock_->steady_now();
  if (now - last_takeover_check_[p] < options_.lease / 4) co_return false;
  last_takeover_check_[p] = now;
  auto members = co_await redis_->command(redis::cmd("SMEMBERS", keys_.active(priority)));
  if (!members || !members->is_array()) co_return false;
  const auto at = std::to_string(now_ms());
  for (const auto& m : members->elements) {
    const auto token = new_token();
    const auto token_bytes = broadcast::StateRecord::token_bytes(token);
    auto take = redis::cmd("EVAL", kTakeOverScript, "3", m.str, keys_.holds(), keys_.leases(), broadcast::kConsumerGroup, options_.consumer, at,
                           token_bytes, std::to_string(options_.lease.count()));
    for (const auto& weak : held_)  // what our own workers hold of this stream is not ours to take again
      if (auto w = weak.lock(); w && !w->lost() && w->stream() == m.str) take.push_back(w->entry());
    auto claimed = co_await redis_->command(std::move(take));
    if (!claimed || claimed->is_error()) {
      count_redis_error("take_over");
      continue;
    }
    if (!claimed->is_array() || claimed->elements.size() < 3) continue;
    auto k = chunk_of(*claimed);
    if (!k) continue;
    log_.warn("dispatch", "taking over chunk " + claimed->elements[0].str + " of " + m.str + " (its instance's lease ran out)");
    metrics_.counter("orgcast_dispatch_chunks_reclaimed_total", "queue chunks taken over from a stopped instance").inc();
    std::vector<std::shared_ptr<ChunkWork>> works;
    works.push_back(std::make_shared<ChunkWork>(keys_, options_.consumer, m.str, claimed->elements[0].str, *k, token,
                                                claimed->elements[2].str));
    co_await work_chunks(std::move(works));
    co_return true;
  }
  co_return false;
}

asio::awaitable<void> Dispatcher::sleep_on_clock(std::chrono::milliseconds d) {
  const auto until = clock_->steady_now() + d;
  for (auto now = clock_->steady_now(); now < until; now = clock_->steady_now())
    co_await sleep_for(std::min<std::chrono::steady_clock::duration>(until - now, std::chrono::milliseconds(50)));
}

// The lease is the instance's, not each entry's: a heartbeat every third
// of the lease (on the injected clock) extends it, so however slow a
// provider, however long a send waits for a token or a slot, a live
// instance's chunks are never taken over. An entry found taken over (this
// instance stalled past its lease) is lost: its worker writes nothing more
// of it. The lease is dropped after the last worker returned, so whatever
// a stop could not hand back is taken over at once.
asio::awaitable<void> Dispatcher::keep_leases(std::shared_ptr<Dispatcher>) {
  auto last_beat = clock_->steady_now();
  while (!stopping_ || running_.load() > 0) {
    const bool beaten = co_await beat();
    if (beaten) {
      leased_ = true;
      last_beat = clock_->steady_now();
    } else if (leased_ && clock_->steady_now() - last_beat > options_.lease) {
      // Our lease ran out unrenewed: others may take what we hold. No new
      // work is read until a heartbeat lands; the chunks held are worked on
      // (their records are refused once another instance holds them, and
      // the next heartbeat marks those lost). Giving them up here would
      // strand them: our own name's entries are never taken over.
      leased_ = false;
      log_.warn("dispatch", "the heartbeat failed for longer than the lease: no new work until it lands again");
    }
    const auto pause = beaten ? options_.lease / 3 : std::chrono::milliseconds(100);  // Redis away: the workers wait too
    co_await sleep_on_clock(pause);
  }
  auto drop = redis::cmd("ZREM", keys_.leases(), options_.consumer);
  co_await redis_->command(std::move(drop));
}

asio::awaitable<bool> Dispatcher::beat() {
  std::vector<std::shared_ptr<ChunkWork>> works;
  for (auto& weak : held_)
    if (auto w = weak.lock(); w && !w->lost()) works.push_back(std::move(w));
  std::erase_if(held_, [](const auto& weak) { return weak.expired(); });
  const auto now = now_ms();
  auto beat = redis::cmd("EVAL", kBeatScript, std::to_string(works.size() + 1), keys_.leases());
  for (const auto& w : works) beat.push_back(w->stream());
  beat.push_back(broadcast::kConsumerGroup);
  beat.push_back(options_.consumer);
  beat.push_back(std::to_string(now + options_.lease.count()));
  beat.push_back(std::to_string(now));
  for (const auto& w : works) beat.push_back(w->entry());
  auto lost = co_await redis_->command(std::move(beat));
  if (!lost || lost->is_error() || !lost->is_array()) {
    count_redis_error("beat");
    co_return false;
  }
  for (const auto& position : lost->elements)
    if (position.integer >= 0 && static_cast<std::size_t>(position.integer) < works.size()) {
      auto& w = works[static_cast<std::size_t>(position.integer)];
      log_.warn("dispatch", "lost the lease of chunk " + w->entry() + " of " + w->stream() + " (another instance took it over)");
      w->lose();
    }
  co_return true;
}

// Works the chunks window by window in turn, so that the broadcasts they
// belong to progress side by side; finishes each when all its recipients
// are recorded. On a graceful stop, what was claimed ahead goes back to the
// queue and unfinished entries are handed back at once.
asio::awaitable<void> Dispatcher::work_chunks(std::vector<std::shared_ptr<ChunkWork>> works) {
  std::vector<std::shared_ptr<ChunkWork>> loaded;
  // Held from now on, all of them before the first wait: a takeover look by
  // another worker meanwhile must not take them as given up.
  for (auto& work : works) held_.push_back(work);
  for (auto& work : works) {
    auto b = co_await broadcast_of(work->broadcast_id());
    if (!b) {
      log_.error("dispatch", "broadcast " + work->broadcast_id() + " is missing or unreadable; its chunk stays queued");
      work->lose();
      continue;
    }
    work->set_broadcast(b);
    auto replies = co_await redis_->pipeline(work->load_commands());
    if (!replies || !work->load(*replies, clock_->steady_now(), clock_->system_now())) {  // taken over after the lease
      count_redis_error("load");
      work->lose();
      continue;
    }
    if (auto asks = work->lookup_commands(); !asks.empty()) {
      const auto asked = asks.size();
      auto known = co_await redis_->pipeline(std::move(asks));
      if (!known || known->size() != asked || std::any_of(known->begin(), known->end(), [](const auto& r) { return r.is_error(); })) {
        count_redis_error("load");
        work->lose();
        continue;
      }
      work->apply_lookups(*known);
    }
    loaded.push_back(work);
  }
  const bool urgent = !loaded.empty() && loaded.front()->priority() == "urgent";
  while (!stopping_) {
    // An urgent broadcast overtakes: these chunks wait while this worker takes one of its chunks.
    if (!urgent && clock_->steady_now() - last_urgent_check_ >= options_.urgent_check) {
      last_urgent_check_ = clock_->steady_now();
      co_await read_and_work("urgent");
    }
    bool sent = false;
    for (std::size_t n = 0; n < loaded.size();) {
      auto& work = loaded[n];
      if (!work->has_pending() || work->lost()) {
        ++n;
        continue;
      }
      auto step = co_await work_window(work);
      if (step == Step::failed) {  // Redis failed, or the entry was taken over: taken over after the lease
        work->lose();
        loaded.erase(loaded.begin() + static_cast<std::ptrdiff_t>(n));
        continue;
      }
      sent = sent || step == Step::sent;
      ++n;
    }
    // Nothing went out: every recipient left waits for a retry (or none is
    // left). The chunks are set aside, not held: their due times are in
    // Redis and the chunk is queued again when the soonest comes.
    if (!sent) break;
  }
  for (const auto& work : loaded) {
    if (work->lost()) continue;
    if (stopping_ && work->has_pending()) {
      auto released = co_await redis_->command(work->release_command());
      if (!released || released->is_error()) count_redis_error("release");
      work->lose();
      continue;
    }
    forget_stale_holds(*work, options_.time_rules ? options_.time_rules() : nullptr);  // set aside by the rules in force, not old ones
    const bool set_aside = work->has_pending();
    auto finished = co_await redis_->command(work->finish_command(clock_->steady_now(), clock_->system_now()));
    if (!finished || finished->is_error()) {
      count_redis_error("finish");
    } else if (finished->integer == -2) {
      log_.warn("dispatch", "chunk " + work->entry() + " of " + work->stream() + " was taken over before it was finished here");
    } else if (finished->integer < 0) {
      log_.warn("dispatch", "chunk " + work->entry() + " of " + work->stream() + " still has recipients sending; left to be taken over");
    } else if (set_aside) {
      metrics_.counter("orgcast_dispatch_chunks_set_aside_total", "chunks whose recipients all wait for retries, queued again when due").inc();
    } else if (finished->integer == 1) {
      broadcasts_.erase(work->broadcast_id());
      log_.info("dispatch", "broadcast " + work->broadcast_id() + ": every chunk worked");
    }
    work->lose();  // no lease to keep any more
  }
}

// What the record script said: written (or found already written), lost
// to another hold, or failed (an error reply or no answer: send it again).
Dispatcher::Recorded Dispatcher::recorded(const redis::Result<redis::Reply>& reply) {
  if (!reply || reply->is_error() || !reply->is_array() || reply->elements.empty()) return Recorded::failed;
  const auto& word = reply->elements[0].str;
  if (word == "written" || word == "already") return Recorded::written;
  return Recorded::lost;
}

// One window: up to W recipients marked `sending`, sent in parallel, their
// outcomes recorded in one script call, sent again until Redis takes it
// (it is idempotent), as long as this hold owns them.
asio::awaitable<Dispatcher::Step> Dispatcher::work_window(std::shared_ptr<ChunkWork> work) {
  const auto window = static_cast<std::size_t>(std::max(1, options_.window));
  const auto started = clock_->steady_now();
  auto batch = std::make_shared<std::vector<std::size_t>>();
  // Cancelled or expired: everyone left ends now, retries not yet due included.
  if (auto why = withheld(*work)) {
    auto settled = co_await redis_->command(work->settle_command(work->take_preclaimed().value_or(std::vector<std::size_t>{}), *why));
    if (!settled || settled->is_error()) count_redis_error("settle");
    co_return settled && !settled->is_error() ? Step::sent : Step::failed;
  }
  bool claimed_ahead = false;
  if (auto ahead = work->take_preclaimed()) {  // claimed in the previous window's pipeline
    *batch = std::move(*ahead);
    claimed_ahead = true;
    if (batch->empty()) co_return Step::sent;  // another instance had them all
  } else {
    *batch = due_and_allowed(*work, window);
    if (batch->empty()) co_return Step::waiting;
  }
  auto claimed_at = started;
  if (!claimed_ahead) {
    auto claim = co_await redis_->command(work->claim_command(*batch));
    claimed_at = clock_->steady_now();
    phase_micros_[claiming]->inc(micros_between(started, claimed_at));
    if (!claim || claim->is_error()) {  // tried again shortly: nobody was sent
      count_redis_error("claim");
      work->put_back(*batch);
      co_await sleep_for(std::chrono::milliseconds(50));
      co_return Step::sent;
    }
    auto mine = work->claimed(*batch, *claim);
    if (!mine) {  // cancelled: nothing more of this chunk is sent
      auto settled = co_await redis_->command(work->settle_command(*batch, State::cancelled));
      if (!settled || settled->is_error()) count_redis_error("settle");
      co_return settled && !settled->is_error() ? Step::sent : Step::failed;
    }
    *batch = std::move(*mine);
  }
  auto results = std::make_shared<std::vector<adapters::SendResult>>(batch->size());
  auto via = std::make_shared<std::vector<const adapters::Adapter*>>(batch->size());
  co_await send_batch(work, batch, results, via);
  const auto sent_at = clock_->steady_now();
  phase_micros_[sending]->inc(micros_between(claimed_at, sent_at));
  auto record = std::make_shared<redis::Args>(
      work->record(*batch, *results, *via, options_.backoff, random_, metrics_, sent_at, clock_->system_now()));
  // The next window's claim rides in this pipeline, after the writes it
  // depends on (fallbacks queued again): one round trip per window, not two.
  auto next = std::make_shared<std::vector<std::size_t>>(stopping_ ? std::vector<std::size_t>{} : due_and_allowed(*work, window));
  auto writes = std::make_shared<std::vector<redis::Args>>();
  writes->push_back(*record);
  if (!next->empty()) writes->push_back(work->claim_command(*next));
  auto written = co_await redis_->pipeline(std::move(*writes));
  if (!next->empty()) {
    redis::Reply no_answer;
    no_answer.type = redis::Reply::Type::error;
    work->set_preclaimed(*next, written && written->size() == 2 ? written->back() : no_answer);
  }
  auto outcome = recorded(written ? redis::Result<redis::Reply>(std::move(written->front())) : redis::Result<redis::Reply>(written.error()));
  for (auto pause = std::chrono::milliseconds(50); outcome == Recorded::failed;) {
    count_redis_error("record");
    if (work->lost() || (stopping_ && clock_->steady_now() >= drain_deadline_)) {
      log_.error("dispatch", "could not record a window of chunk " + work->entry() + " of " + work->stream() +
                                 "; its recipients stay sending and are sent again by the takeover");
      co_return Step::failed;
    }
    co_await sleep_for(pause);
    pause = std::min(pause * 2, std::chrono::milliseconds(1000));
    outcome = recorded(co_await redis_->command(redis::Args(*record)));
  }
  phase_micros_[recording]->inc(micros_between(sent_at, clock_->steady_now()));
  if (outcome == Recorded::lost) {
    log_.warn("dispatch", "chunk " + work->entry() + " of " + work->stream() + " was taken over while its window was sent");
    co_return Step::failed;
  }
  co_return Step::sent;
}

void Dispatcher::forget_stale_holds(ChunkWork& work, const std::shared_ptr<const time_rules::Rules>& rules) {
  if (work.rules_tag() == rules.get()) return;
  work.release_rule_holds();  // asked again under the rules in force
  work.set_rules_tag(rules);
}

namespace {

// The time rules asked of one chunk's recipients: its broadcast's kind,
// whether it is promotional, and each blackout's region, resolved once.
class RuleCheck {
 public:
  RuleCheck(const time_rules::Rules& rules, const ChunkWork& work, std::shared_ptr<const directory::OrgIndex> index) : rules_(rules), index_(std::move(index)) {
    const auto& b = work.broadcast();
    // Literal text is the daemon's reply to someone who wrote: never held.
    kind_ = b.content.tmpl ? templates::name(b.content.tmpl->kind) : "reply";
    promotional_ = b.content.tmpl && b.content.tmpl->category == templates::DltCategory::promotional;
    if (index_)
      for (const auto& blackout : rules.blackouts) regions_.push_back(directory::Scope::of(blackout.units, index_->units()));
  }
  /// Which region a recipient is in is unknown until the directory's index is loaded.
  bool regions_unknown() const { return !index_ && !rules_.blackouts.empty(); }
  std::optional<time_rules::Hold> hold(const ChunkWork& work, std::size_t i, time_rules::SysTime wall) const {
    const auto unit = work.unit_of(i);
    time_rules::Message message{kind_, promotional_ && work.channel_of(i) == adapters::Channel::sms, [&](const time_rules::Blackout& blackout) {
                                  return regions_[static_cast<std::size_t>(&blackout - rules_.blackouts.data())].contains(unit, index_->units());
                                }};
    return time_rules::hold(rules_, message, wall);
  }

 private:
  const time_rules::Rules& rules_;
  std::shared_ptr<const directory::OrgIndex> index_;
  std::string_view kind_;
  bool promotional_ = false;
  std::vector<directory::Scope> regions_;
};

constexpr auto kRegionsUnknownWait = std::chrono::seconds(5);

}  // namespace

std::vector<std::size_t> Dispatcher::due_and_allowed(ChunkWork& work, std::size_t window) {
  const auto now = clock_->steady_now();
  auto rules = options_.time_rules ? options_.time_rules() : nullptr;
  forget_stale_holds(work, rules);
  const auto wall = clock_->system_now();
  if (!rules || rules->empty()) {
    work.set_rules_checked(wall, time_rules::SysTime::max());
    return work.take_due(now, window);
  }
  // What is let go now is asked again at its request if a rule begins first (held_at_send).
  work.set_rules_checked(wall, time_rules::next_change(*rules, wall));
  const auto& b = work.broadcast();
  const RuleCheck check(*rules, work, b.index ? b.index : (options_.index ? options_.index() : nullptr));
  std::vector<std::size_t> allowed;
  std::size_t held = 0;
  if (check.regions_unknown()) {
    // Nobody goes into a possible silence; asked again shortly.
    for (auto i : work.take_due(now, window)) work.hold_until(i, now + kRegionsUnknownWait);
    return allowed;
  }
  // Held ones are no longer due, so each round takes others: a chunk
  // partly inside a blackout's region still sends the rest.
  while (allowed.size() < window) {
    auto due = work.take_due(now, window - allowed.size());
    if (due.empty()) break;
    for (auto i : due) {
      if (auto hold = check.hold(work, i, wall)) {
        work.hold_until(i, now + std::chrono::duration_cast<std::chrono::steady_clock::duration>(hold->until - wall));
        if (held++ == 0) log_.debug("dispatch", "broadcast " + work.broadcast_id() + ": held by " + hold->why + " until " + format_utc(hold->until));
      } else {
        allowed.push_back(i);
      }
    }
  }
  count_held(held);
  return allowed;
}

void Dispatcher::count_held(std::size_t held) {
  if (held) metrics_.counter("orgcast_dispatch_held_by_time_rules_total", "recipients held at send time by quiet hours, the promotional window or a blackout").inc(held);
}

std::optional<std::chrono::steady_clock::time_point> Dispatcher::held_at_send(const ChunkWork& work, std::size_t i) {
  // Nothing per message while no rule can have begun: the rules in force
  // (changed through the API, say) are looked at again only a second after
  // the window's check, for a window still waiting for the rate.
  constexpr auto kRulesLookedAtAgainAfter = std::chrono::seconds(1);
  const auto wall = clock_->system_now();
  if (wall < work.rules_checked_until() && wall < work.rules_checked_at() + kRulesLookedAtAgainAfter) return std::nullopt;
  auto rules = options_.time_rules ? options_.time_rules() : nullptr;
  if (wall < work.rules_checked_until() && rules.get() == work.rules_tag()) return std::nullopt;  // as when its window was let go
  if (!rules || rules->empty()) return std::nullopt;
  const auto now = clock_->steady_now();
  const auto& b = work.broadcast();
  const RuleCheck check(*rules, work, b.index ? b.index : (options_.index ? options_.index() : nullptr));
  if (check.regions_unknown()) return now + kRegionsUnknownWait;
  auto hold = check.hold(work, i, wall);
  if (!hold) return std::nullopt;
  count_held(1);
  return now + std::chrono::duration_cast<std::chrono::steady_clock::duration>(hold->until - wall);
}

std::optional<State> Dispatcher::withheld(const ChunkWork& work) const {
  if (cancelled_.contains(work.broadcast_id())) return State::cancelled;
  if (work.broadcast().expired(clock_->system_now())) return State::expired;
  return std::nullopt;
}

// Every instance learns of a cancel within a poll: one GET of the cancel
// sequence every 20 ms (not a Redis read per send), then the new ids.
asio::awaitable<void> Dispatcher::watch_cancels(std::shared_ptr<Dispatcher>) {
  while (!stopping_ || running_.load() > 0) {
    co_await sleep_for(std::chrono::milliseconds(20));
    if (!redis_->connected()) continue;
    auto seq = co_await redis_->command(redis::cmd("GET", keys_.cancel_sequence()));
    if (!seq || seq->is_error() || seq->is_nil() || seq->as_integer() <= cancel_seq_) continue;
    const auto newest = seq->as_integer();
    auto ids = co_await redis_->command(redis::cmd("ZRANGEBYSCORE", keys_.cancelled(), "(" + std::to_string(cancel_seq_), "+inf"));
    if (!ids || ids->is_error() || !ids->is_array()) continue;
    if (cancelled_.size() > 20000) cancelled_.clear();  // bounded: the zset keeps the newest 10,000
    for (const auto& id : ids->elements) cancelled_.insert(id.str);
    cancel_seq_ = newest;
  }
}

asio::awaitable<void> Dispatcher::send_batch(std::shared_ptr<ChunkWork> work, std::shared_ptr<std::vector<std::size_t>> batch,
                                             std::shared_ptr<std::vector<adapters::SendResult>> results,
                                             std::shared_ptr<std::vector<const adapters::Adapter*>> via) {
  std::vector<asio::awaitable<void>> sends;
  for (std::size_t n = 0; n < batch->size(); ++n) {
    if (auto refused = work->known_refusal((*batch)[n])) {  // the policy's next channel, no request
      (*results)[n] = std::move(*refused);
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
    sends.push_back([](Dispatcher* self, std::shared_ptr<ChunkWork> work, std::size_t i, Lane* lane, adapters::OutboundMessage m,
                       adapters::SendResult* out) -> asio::awaitable<void> {
      co_await acquire_slot(*lane);
      // The time rules are asked before the wait for a token too: at a rule's edge the rest of a window takes none.
      auto deferred = self->held_at_send(*work, i);
      if (!deferred) co_await self->acquire_token(*lane);
      // Cancel and expiry are final: checked right before the request, after
      // any wait for a slot or a token (the claim may be long past).
      if (auto withheld = self->withheld(*work)) {
        work->withhold(i, *withheld);
        release_slot(*lane);
        --lane->given;
        co_return;
      }
      // So are the time rules, when one may have begun since its window was let go.
      if (deferred || (deferred = self->held_at_send(*work, i))) {
        work->defer(i, *deferred);
        release_slot(*lane);
        --lane->given;
        co_return;
      }
      const auto asked = self->clock_->steady_now();
      *out = co_await lane->route.adapter->send(m);
      lane->request_micros->inc(micros_between(asked, self->clock_->steady_now()));
      // A 429 with Retry-After pauses the whole account, not one recipient.
      if (out->failure == adapters::SendFailure::throttled && out->retry_after)
        lane->bucket.pause_until(self->clock_->steady_now() + *out->retry_after);
      lane->requests->inc();
      release_slot(*lane);
      --lane->given;
    }(this, work, (*batch)[n], lane, std::move(m), &(*results)[n]));
  }
  co_await run_all(std::move(sends));
}

}  // namespace orgcast::dispatch
