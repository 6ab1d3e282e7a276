#pragma once
// Runs an io_context on a background thread so a test can drive coroutines
// synchronously, with a deadline on every wait.
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>
#include <chrono>
#include <future>
#include <stdexcept>
#include <thread>

namespace orgcast::testing {

class IoRunner {
 public:
  IoRunner() : guard_(io_.get_executor()), thread_([this] { io_.run(); }) {}
  ~IoRunner() {
    guard_.reset();
    io_.stop();
    thread_.join();
  }
  boost::asio::any_io_executor executor() { return io_.get_executor(); }

  template <typename T>
  T run(boost::asio::awaitable<T> task, std::chrono::seconds timeout = std::chrono::seconds(30)) {
    auto future = boost::asio::co_spawn(io_, std::move(task), boost::asio::use_future);
    if (future.wait_for(timeout) != std::future_status::ready) throw std::runtime_error("coroutine did not finish in time");
    return future.get();
  }

 private:
  boost::asio::io_context io_;
  boost::asio::executor_work_guard<boost::asio::io_context::executor_type> guard_;
  std::thread thread_;
};

}  // namespace orgcast::testing
