#pragma once
// A small durable scheduler (docs/SCHEDULE.md): work planned for a time —
// a meeting's reminders, scheduled sends — kept in Redis, so it runs by
// itself, once, across restarts and several instances. An item is added
// under a stable id (adding it again adds nothing), claimed at its due
// time by one instance under a lease, and run by the handler of its kind;
// a handler that fails is retried with backoff, up to a limit. An
// instance that dies mid-run leaves the item to be claimed again when its
// lease runs out: handlers are given the item's id to stay idempotent.
// Time comes from the injected clock.
#include <atomic>
#include <chrono>
#include <functional>
#include <map>
#include <optional>
#include <memory>
#include <string>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>

#include "core/clock.hpp"
#include "core/log.hpp"
#include "redis/client.hpp"

namespace orgcast::schedule {

struct Item {
  std::string id, kind, payload;  // payload: JSON, as added
  std::chrono::system_clock::time_point due;
  int attempts = 0;  // this run included
};

struct SchedulerOptions {
  std::string key_prefix;
  std::chrono::milliseconds poll{250};     // how often due items are looked for
  std::chrono::milliseconds lease{60000};  // a run not finished by then is claimed again
  std::chrono::milliseconds retry_base{5000};
  int max_attempts = 5;
  std::chrono::hours keep_finished{24 * 30};
  std::shared_ptr<const Clock> clock;  // null: the system's
};

class Scheduler : public std::enable_shared_from_this<Scheduler> {
 public:
  /// "" when the item's work is done; else why it failed (it is retried).
  using Handler = std::function<boost::asio::awaitable<std::string>(const Item&)>;

  Scheduler(boost::asio::any_io_executor executor, std::shared_ptr<redis::Client> redis, SchedulerOptions options, const Log& log);
  /// The handler of a kind; set before start().
  void on(std::string kind, Handler handler) { handlers_[std::move(kind)] = std::move(handler); }
  /// Plans `kind` with `payload` at `due`, under `id`; how many were added: 0 when the id was known.
  boost::asio::awaitable<redis::Result<std::size_t>> add(std::string id, std::string kind, std::chrono::system_clock::time_point due,
                                                         std::string payload);
  /// The item's state ("scheduled", "running", "done", "failed"), last error and attempts; nullopt when unknown.
  struct State {
    std::string state, last_error;
    int attempts = 0;
  };
  boost::asio::awaitable<redis::Result<std::optional<State>>> state_of(std::string id);

  void start();
  void stop() { stopping_ = true; }
  /// One pass: claims the due items and runs them; how many ran. (start() runs passes every poll.)
  boost::asio::awaitable<std::size_t> run_due();

 private:
  boost::asio::awaitable<void> loop(std::shared_ptr<Scheduler> self);
  std::string key(const std::string& name) const { return options_.key_prefix + name; }

  boost::asio::any_io_executor executor_;
  std::shared_ptr<redis::Client> redis_;
  SchedulerOptions options_;
  std::shared_ptr<const Clock> clock_;
  const Log& log_;
  std::map<std::string, Handler> handlers_;
  std::atomic<bool> stopping_{false};
};

}  // namespace orgcast::schedule
