#pragma once
// The HTTP/1.1 server: Beast, one coroutine per connection on an executor
// that runs it one handler at a time, keep-alive, read and write timeouts
// checked by a sweep, a body limit per route, a cap on connections (503
// beyond it), and a designed shutdown: stop accepting, let requests in flight finish
// within the grace period, then close what is left.
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include <boost/asio/any_io_executor.hpp>

#include "config/config.hpp"
#include "core/log.hpp"
#include "http/router.hpp"

namespace orgcast::metrics {
class Registry;
}

namespace orgcast::http {

class Server {
 public:
  /// Accepts on `executor`. Connections are spread in turn over
  /// `connection_executors`, each of which must run one handler at a time
  /// (an io_context run by one thread: no strand needed, and none paid
  /// for); when it is empty, each connection gets a strand of `executor`.
  Server(boost::asio::any_io_executor executor, const ServerConfig& config, const Router& router, const Log& log,
         metrics::Registry& metrics, std::vector<boost::asio::any_io_executor> connection_executors = {});
  ~Server();

  /// Binds and starts accepting; returns the bound port (useful with port 0).
  /// Throws on bind failure (a start-up error).
  std::uint16_t start();
  /// Stops accepting; closes idle connections now and busy ones after their
  /// response; calls `done` when no connection is left or the grace ends.
  void stop(std::function<void()> done);

  struct State;

 private:
  std::shared_ptr<State> state_;
};

}  // namespace orgcast::http
