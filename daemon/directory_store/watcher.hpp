#pragma once
// Keeps this daemon's org index current. At start and after every Redis
// reconnection it loads the version in use and builds the index (on the
// compute pool); then it polls the change stream every change_poll_ms and
// applies single-contact changes, or reloads when another import became
// current. Readers get the index through index(), an immutable snapshot.
#include <atomic>
#include <chrono>
#include <memory>
#include <mutex>
#include <string>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>

#include "core/log.hpp"
#include "directory/org_index.hpp"
#include "directory_store/store.hpp"
#include "redis/client.hpp"

namespace orgcast::metrics {
class Registry;
}

namespace orgcast::directory_store {

class Watcher : public std::enable_shared_from_this<Watcher> {
 public:
  Watcher(boost::asio::any_io_executor io, boost::asio::any_io_executor compute, std::shared_ptr<redis::Client> redis,
          Store& store, directory::Vocabulary vocabulary, std::chrono::milliseconds poll, const Log& log,
          metrics::Registry& metrics);

  void start();
  void stop();

  /// The current index; null until the first load finished.
  std::shared_ptr<const directory::OrgIndex> index() const;
  /// A new vocabulary (config reload): the index is rebuilt with it.
  void set_vocabulary(directory::Vocabulary vocabulary);
  void set_poll_interval(std::chrono::milliseconds poll) { poll_ms_ = static_cast<int>(poll.count()); }
  std::string status() const;
  /// Waits (at most `most`) until this daemon's index holds the change with
  /// stream id `change`: whoever wrote it reads it back right after. False
  /// when it did not come in time.
  boost::asio::awaitable<bool> caught_up(std::string change, std::chrono::milliseconds most);
  /// True once the watcher's loop has returned after stop().
  bool finished() const { return finished_.load(); }

 private:
  boost::asio::awaitable<void> run(std::shared_ptr<Watcher> self);
  boost::asio::awaitable<bool> load_full();
  boost::asio::awaitable<bool> follow_changes();
  void publish(std::shared_ptr<const directory::OrgIndex> index);
  void set_status(std::string text);
  void set_applied(const std::string& position);

  boost::asio::any_io_executor io_, compute_;
  std::shared_ptr<redis::Client> redis_;
  Store& store_;
  const Log& log_;
  metrics::Registry& metrics_;
  std::atomic<int> poll_ms_;
  std::atomic<bool> stopping_{false};
  std::atomic<bool> finished_{false};
  std::atomic<bool> vocabulary_changed_{false};
  mutable std::mutex mutex_;  // guards index_, vocabulary_, status_ and applied_
  std::shared_ptr<const directory::OrgIndex> index_;
  directory::Vocabulary vocabulary_;
  std::string status_ = "not loaded";
  std::string position_ = "0-0";  // read up to, on the watcher's own strand
  std::string applied_ = "0-0";   // in the published index
  std::uint64_t epoch_seen_ = 0;
};

}  // namespace orgcast::directory_store
