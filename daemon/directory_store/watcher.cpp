#include "directory_store/watcher.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <charconv>
#include <utility>

#include "core/run_on.hpp"
#include "directory/index_from_chunks.hpp"
#include "metrics/registry.hpp"

namespace asio = boost::asio;

namespace orgcast::directory_store {
namespace {

constexpr std::size_t kChangesPerPoll = 1000;

asio::awaitable<void> sleep_for(std::chrono::milliseconds duration) {
  asio::steady_timer timer(co_await asio::this_coro::executor);
  timer.expires_after(duration);
  co_await timer.async_wait(asio::as_tuple(asio::use_awaitable));
}

}  // namespace

Watcher::Watcher(asio::any_io_executor io, asio::any_io_executor compute, std::shared_ptr<redis::Client> redis,
                 Store& store, directory::Vocabulary vocabulary, std::chrono::milliseconds poll, const Log& log,
                 metrics::Registry& metrics)
    : io_(std::move(io)), compute_(std::move(compute)), redis_(std::move(redis)), store_(store), log_(log),
      metrics_(metrics), poll_ms_(static_cast<int>(poll.count())), vocabulary_(std::move(vocabulary)) {}

void Watcher::start() { asio::co_spawn(io_, run(shared_from_this()), asio::detached); }

void Watcher::stop() { stopping_ = true; }

std::shared_ptr<const directory::OrgIndex> Watcher::index() const {
  std::lock_guard lock(mutex_);
  return index_;
}

void Watcher::set_vocabulary(directory::Vocabulary vocabulary) {
  std::lock_guard lock(mutex_);
  if (vocabulary == vocabulary_) return;
  vocabulary_ = std::move(vocabulary);
  vocabulary_changed_ = true;
}

std::string Watcher::status() const {
  std::lock_guard lock(mutex_);
  return status_;
}

void Watcher::set_status(std::string text) {
  std::lock_guard lock(mutex_);
  status_ = std::move(text);
}

void Watcher::publish(std::shared_ptr<const directory::OrgIndex> index) {
  metrics_.gauge("orgcast_directory_version", "directory version in use").set(static_cast<double>(index->version()));
  metrics_.gauge("orgcast_directory_posts", "posts (contact rows) in the index").set(static_cast<double>(index->posts().size()));
  metrics_.gauge("orgcast_directory_persons", "distinct people in the index").set(index->person_count());
  metrics_.gauge("orgcast_directory_units", "units in the index").set(index->units().size());
  metrics_.gauge("orgcast_directory_index_bytes", "memory held by the org index").set(static_cast<double>(index->memory_bytes()));
  std::lock_guard lock(mutex_);
  index_ = std::move(index);
  status_ = "loaded";
}

asio::awaitable<bool> Watcher::load_full() {
  auto started = std::chrono::steady_clock::now();
  auto snapshot = co_await store_.load_current();
  if (!snapshot) {
    set_status("loading the directory failed: " + snapshot.error().message());
    log_.warn("directory", "loading the directory failed: " + snapshot.error().message());
    co_return false;
  }
  directory::Vocabulary vocabulary = [&] {
    std::lock_guard lock(mutex_);
    vocabulary_changed_ = false;
    return vocabulary_;
  }();
  auto shared = std::make_shared<Snapshot>(std::move(*snapshot));
  std::string error;
  // Closures are named before co_await: GCC 12 destroys a closure temporary
  // in a co_await expression twice.
  auto build = [shared, vocabulary, &error] {
    return directory::build_index_from_chunks(vocabulary, shared->meta.version, shared->unit_chunks,
                                              shared->contact_chunks, shared->overlay, &error);
  };
  auto index = co_await run_on(compute_, std::move(build));
  if (!index) {
    set_status("the directory in Redis is unusable: " + error);
    log_.error("directory", "version " + std::to_string(shared->meta.version) + " is unusable: " + error);
    co_return false;
  }
  std::chrono::duration<double> took = std::chrono::steady_clock::now() - started;
  metrics_.gauge("orgcast_directory_index_build_seconds", "time to load and build the last full index").set(took.count());
  log_.info("directory", "index of version " + std::to_string(index->version()) + " built: " +
                             std::to_string(index->units().size()) + " units, " + std::to_string(index->posts().size()) +
                             " posts, " + std::to_string(index->person_count()) + " people" +
                             (index->skipped() ? ", " + std::to_string(index->skipped()) + " contacts skipped (not in the vocabulary)" : "") +
                             " in " + std::to_string(took.count()) + " s");
  position_ = shared->stream_position;
  publish(std::move(index));
  set_applied(position_);
  co_return true;
}

// Returns false when a full reload is needed.
asio::awaitable<bool> Watcher::follow_changes() {
  auto current = index();
  auto changes = co_await store_.changes_since(position_, kChangesPerPoll);
  if (!changes) co_return true;  // a connection problem: the next round decides
  std::vector<directory::ContactChange> contact_changes;
  for (const auto& change : *changes) {
    position_ = change.stream_id;
    if (change.kind == "import" && change.version != current->version()) co_return false;
    if (change.kind != "contact" || change.version != current->version()) continue;
    directory::ContactChange c{change.contact_id, std::nullopt};
    if (!change.record.empty()) {
      directory::ContactRecord record;
      if (!directory::decode_contact(change.record, record)) {
        log_.warn("directory", "skipping a corrupt change of contact " + change.contact_id);
        continue;
      }
      c.record = std::move(record);
    }
    contact_changes.push_back(std::move(c));
  }
  if (contact_changes.empty()) {
    set_applied(position_);
    co_return true;
  }
  std::size_t rejected = 0;
  auto apply = [current, &contact_changes, &rejected] {
    return directory::apply_changes(*current, contact_changes, &rejected);
  };
  auto next = co_await run_on(compute_, std::move(apply));
  metrics_.counter("orgcast_directory_changes_applied_total", "single-contact changes applied to the index").inc(contact_changes.size());
  if (rejected) log_.warn("directory", std::to_string(rejected) + " contact changes did not fit the vocabulary or units");
  publish(std::move(next));
  set_applied(position_);
  co_return true;
}

namespace {

// A stream id "<ms>-<n>" as a pair to compare; {0, 0} for anything else.
std::pair<unsigned long long, unsigned long long> stream_order(std::string_view id) {
  unsigned long long ms = 0, n = 0;
  const auto dash = id.find('-');
  if (dash == std::string_view::npos) return {0, 0};
  std::from_chars(id.data(), id.data() + dash, ms);
  std::from_chars(id.data() + dash + 1, id.data() + id.size(), n);
  return {ms, n};
}

}  // namespace

void Watcher::set_applied(const std::string& position) {
  const std::lock_guard lock(mutex_);
  applied_ = position;
}

asio::awaitable<bool> Watcher::caught_up(std::string change, std::chrono::milliseconds most) {
  const auto wanted = stream_order(change);
  const auto until = std::chrono::steady_clock::now() + most;
  while (true) {
    {
      const std::lock_guard lock(mutex_);
      if (stream_order(applied_) >= wanted) co_return true;
    }
    if (std::chrono::steady_clock::now() >= until) co_return false;
    co_await sleep_for(std::chrono::milliseconds(10));
  }
}

asio::awaitable<void> Watcher::run(std::shared_ptr<Watcher>) {  // the argument keeps the watcher alive
  bool need_full = true;
  while (!stopping_) {
    if (!redis_->connected()) {
      if (index()) set_status("stale: Redis is unreachable");
      co_await sleep_for(std::chrono::milliseconds(100));
      continue;
    }
    if (redis_->connection_epoch() != epoch_seen_) {
      // Changes may have been missed (or Redis restarted): start over.
      epoch_seen_ = redis_->connection_epoch();
      need_full = true;
    }
    if (need_full || vocabulary_changed_) {
      need_full = !co_await load_full();
      if (need_full) co_await sleep_for(std::chrono::milliseconds(500));
      continue;
    }
    need_full = !co_await follow_changes();
    if (!need_full) co_await sleep_for(std::chrono::milliseconds(poll_ms_.load()));
  }
  finished_ = true;
}

}  // namespace orgcast::directory_store
