#pragma once
// The dispatcher (docs/PIPELINE.md, "Dispatch"): workers take queued chunks
// from the broadcasts' Redis Streams (urgent first, round-robin between the
// broadcasts of one priority), send each recipient through the provider's
// adapter under its rate limit, fall back along the channel policy, retry
// what may succeed later, and record every outcome before acknowledging the
// chunk. A chunk whose instance died is taken over after the lease; its
// recipients left in `sending` are sent again (the documented duplicate
// window), so nothing is lost.
#include <array>
#include <atomic>
#include <chrono>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <random>
#include <string>
#include <unordered_set>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/steady_timer.hpp>

#include "adapters/core/adapter.hpp"
#include "broadcast/keys.hpp"
#include "broadcast/retention_sweep.hpp"
#include "core/clock.hpp"
#include "core/log.hpp"
#include "dispatch/backoff.hpp"
#include "dispatch/chunk_work.hpp"
#include "dispatch/token_bucket.hpp"
#include "redis/client.hpp"
#include "time_rules/time_rules.hpp"
#include "tracking/report_timeouts.hpp"

namespace orgcast::metrics {
class Registry;
class Counter;
}
namespace orgcast::directory {
class OrgIndex;
}

namespace orgcast::dispatch {

/// One provider account the dispatcher sends through: its adapter, the
/// channels it carries and its message rate. Several accounts carrying a
/// channel are used in turn.
struct Route {
  std::shared_ptr<adapters::Adapter> adapter;
  std::vector<adapters::Channel> channels;
  double rate_per_second = 1000;
  int concurrency = 16;      // requests in flight to this account, at most
  std::string callback_url;  // full URL of this account's webhook at this daemon
};

struct DispatcherOptions {
  std::string key_prefix;
  std::string consumer;      // unique per instance: host:pid:random
  int workers = 4;
  int window = 16;           // recipients sent in parallel by one worker
  BackoffPolicy backoff;
  std::chrono::milliseconds lease{30000};
  std::chrono::milliseconds idle_poll{100};
  std::chrono::seconds report_timeout{600};  // default for broadcasts that do not set one; 0: off
  std::chrono::milliseconds urgent_check{200};  // how often a worker on other work looks for urgent chunks
  /// The directory index in force (unit names for templates); may be empty.
  std::function<std::shared_ptr<const directory::OrgIndex>()> index;
  /// Where time comes from; null: the system's.
  std::shared_ptr<const Clock> clock;
  /// The time rules in force (quiet hours, the promotional window,
  /// blackouts: time_rules/), asked for every recipient about to be sent;
  /// null or empty: none.
  std::function<std::shared_ptr<const time_rules::Rules>()> time_rules;
};

class Dispatcher : public std::enable_shared_from_this<Dispatcher> {
 public:
  /// Works on `executor` (shared with the adapter's HTTP pool), which must
  /// run one handler at a time: the daemon's main io_context, run by one
  /// thread (a strand would cost an allocation per executor copy, i.e. per co_await).
  Dispatcher(boost::asio::any_io_executor executor, std::shared_ptr<redis::Client> redis,
             std::vector<Route> routes, DispatcherOptions options, const Log& log, metrics::Registry& metrics);

  /// Before start(): an account's callback URL gets its secret as a last
  /// path segment (auth/callback_secrets.hpp), for the accounts that have one.
  void add_callback_secrets(const std::function<std::optional<std::string>(const std::string& account)>& secret_of);
  void start();
  /// A graceful stop: no more claims; the windows in flight finish and are
  /// recorded (their records retried until `drain` has passed), what was
  /// claimed ahead goes back to the queue, unfinished entries are handed back.
  void stop(std::chrono::milliseconds drain);
  /// True once every worker returned after stop().
  bool finished() const { return running_.load() == 0 && stopping_.load(); }


 private:
  boost::asio::awaitable<void> worker(std::shared_ptr<Dispatcher> self, int number);
  boost::asio::awaitable<void> housekeeping();
  boost::asio::awaitable<void> recheck_held_on_new_rules();
  boost::asio::awaitable<bool> take_and_work();
  boost::asio::awaitable<void> requeue_due_retries(const std::string& now_ms);
  /// Reads one new entry from each active stream of `priority` and works them; false if none.
  boost::asio::awaitable<bool> read_and_work(const char* priority);
  /// Takes over one entry of `priority` whose holder's lease ran out (or who never had one).
  boost::asio::awaitable<bool> take_over_one(const char* priority);
  boost::asio::awaitable<void> keep_leases(std::shared_ptr<Dispatcher> self);
  /// One heartbeat: extends this instance's lease, learns which held entries were taken over.
  boost::asio::awaitable<bool> beat();
  /// Sleeps until the injected clock has moved by `d` (wakes within 50 ms of a jump).
  boost::asio::awaitable<void> sleep_on_clock(std::chrono::milliseconds d);
  long long now_ms() const;
  boost::asio::awaitable<void> watch_cancels(std::shared_ptr<Dispatcher> self);
  /// Why nothing more of the chunk's broadcast may be sent (cancelled, expired), if so.
  std::optional<broadcast::State> withheld(const ChunkWork& work) const;
  /// Up to `window` due recipients of the chunk that the time rules let go
  /// now; those they hold wait in the chunk until the rules' end.
  std::vector<std::size_t> due_and_allowed(ChunkWork& work, std::size_t window);
  /// Whether a time rule began (or the rules changed) since recipient i's
  /// window was let go, and holds it now: until when (steady clock).
  std::optional<std::chrono::steady_clock::time_point> held_at_send(const ChunkWork& work, std::size_t i);
  void count_held(std::size_t held);
  /// The chunk's holds were made under other rules than `rules`: forgotten.
  void forget_stale_holds(ChunkWork& work, const std::shared_ptr<const time_rules::Rules>& rules);
  std::uint32_t new_token();
  void count_redis_error(const char* step);
  enum class Recorded { written, lost, failed };
  static Recorded recorded(const redis::Result<redis::Reply>& reply);
  boost::asio::awaitable<void> work_chunks(std::vector<std::shared_ptr<ChunkWork>> works);
  enum class Step { sent, waiting, failed };  // a window went out; all wait for retries; Redis failed
  boost::asio::awaitable<Step> work_window(std::shared_ptr<ChunkWork> work);
  /// Sends each through the next account for its channel; `via` gets the accounts.
  boost::asio::awaitable<void> send_batch(std::shared_ptr<ChunkWork> work, std::shared_ptr<std::vector<std::size_t>> batch,
                                          std::shared_ptr<std::vector<adapters::SendResult>> results,
                                          std::shared_ptr<std::vector<const adapters::Adapter*>> via);
  boost::asio::awaitable<std::shared_ptr<const DispatchedBroadcast>> broadcast_of(const std::string& id);
  struct Lane {
    Route route;
    TokenBucket bucket;
    int in_flight = 0;                                 // requests to the account now
    int given = 0;                                     // sends given to it and not yet answered (waiting ones too)
    metrics::Counter* request_micros = nullptr;        // orgcast_provider_request_microseconds_total
    metrics::Counter* requests = nullptr;
    std::deque<boost::asio::steady_timer*> waiting;  // sends waiting for a free slot, woken in turn
  };
  /// The next account for a channel (in turn); null when none carries it.
  Lane* lane_for(adapters::Channel channel);
  boost::asio::awaitable<void> acquire_token(Lane& lane);
  /// Waits until the account has fewer than its `concurrency` requests in flight, and takes a slot.
  static boost::asio::awaitable<void> acquire_slot(Lane& lane);
  static void release_slot(Lane& lane);

  boost::asio::any_io_executor executor_;
  std::shared_ptr<redis::Client> redis_;
  std::vector<Lane> lanes_;
  std::array<std::vector<std::size_t>, 3> lanes_by_channel_;  // by adapters::Channel
  std::array<std::size_t, 3> next_lane_{};
  DispatcherOptions options_;
  std::shared_ptr<const Clock> clock_;
  broadcast::Keys keys_;
  tracking::ReportTimeouts report_timeouts_;
  broadcast::RetentionSweep retention_;
  const Log& log_;
  metrics::Registry& metrics_;
  struct CachedBroadcast {
    std::shared_ptr<const DispatchedBroadcast> broadcast;
    std::chrono::steady_clock::time_point loaded;
  };
  static constexpr std::size_t kBroadcastCacheSize = 256;
  static constexpr std::chrono::seconds kBroadcastCacheAge{60};
  std::map<std::string, CachedBroadcast> broadcasts_;  // read once a minute at most, per broadcast
  std::mt19937 random_{std::random_device{}()};
  enum Phase { claiming, sending, recording, idling };  // where a worker's time goes
  std::array<metrics::Counter*, 4> phase_micros_{};  // by Phase
  std::chrono::steady_clock::time_point last_housekeeping_{}, last_urgent_check_{};
  std::shared_ptr<const time_rules::Rules> rules_seen_;  // the time rules at the last housekeeping
  std::array<std::chrono::steady_clock::time_point, 3> last_takeover_check_{};  // by priority
  std::unordered_set<std::string> cancelled_;  // broadcasts cancelled (the newest, from bc:cancelled)
  long long cancel_seq_ = 0;                     // bc:cancel-seq as last read
  std::vector<std::weak_ptr<ChunkWork>> held_;  // entries whose leases keep_leases refreshes
  std::chrono::steady_clock::time_point drain_deadline_ = std::chrono::steady_clock::time_point::max();
  std::atomic<bool> stopping_{false};
  std::atomic<int> running_{0};
  bool leased_ = false;  // the first heartbeat is in: workers may read (a holder with no lease is taken over)
};

}  // namespace orgcast::dispatch
