#pragma once
// The daemon's I/O threads: one io_context per thread (DESIGN.md, "one
// io_context per core"). The first context runs the dispatcher, its HTTP
// pool, the Redis connection and the timers; the HTTP server spreads its
// connections over all of them. So a send, its answer and its bookkeeping
// never hop between threads: with one io_context run by two threads, those
// hand-offs (futex wake-ups, task switches) cost more on the 2-core machine
// than the second thread gave (docs/BENCHMARKS.md, "one io_context per thread").
#include <memory>
#include <vector>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>

namespace orgcast::app {

class IoThreads {
 public:
  explicit IoThreads(int threads);

  /// The first context: dispatch, Redis, timers, signals.
  boost::asio::io_context& main() { return *contexts_.front(); }
  /// One executor per context, for spreading connections.
  std::vector<boost::asio::any_io_executor> executors() const;
  /// Runs the other contexts on threads of their own and the main one on
  /// the caller's; returns when all have stopped.
  void run();
  /// Stops every context (from any thread).
  void stop();

 private:
  std::vector<std::unique_ptr<boost::asio::io_context>> contexts_;
  // The contexts beside the main one may have nothing to do for a while: kept running until stop().
  std::vector<boost::asio::executor_work_guard<boost::asio::io_context::executor_type>> idle_guards_;
};

}  // namespace orgcast::app
