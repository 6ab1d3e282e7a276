#pragma once
// An asynchronous Redis client: hiredis's async API driven by Asio, on one
// strand that owns the hiredis context and its socket. Commands may be sent
// from any thread or coroutine; completions resume on the caller's executor.
//
// The client reconnects by itself with exponential backoff and jitter. A
// command sent while disconnected fails at once with Errc::not_connected
// (callers retry or answer 503); a reply later than the command timeout
// resets the connection, failing every command in flight with Errc::timeout.
// Blocking commands (BLPOP, XREAD BLOCK) are not for this client: they would
// hold up every command pipelined behind them.
#include <atomic>
#include <chrono>
#include <memory>
#include <mutex>
#include <string>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>

#include "core/log.hpp"
#include "redis/errors.hpp"
#include "redis/reply.hpp"

namespace orgcast::redis {

struct Options {
  std::string host = "127.0.0.1";
  int port = 6379;
  int db = 0;
  std::string password;  // empty: no AUTH
  std::chrono::milliseconds connect_timeout{2000};
  std::chrono::milliseconds command_timeout{5000};
  std::chrono::milliseconds reconnect_min{100};
  std::chrono::milliseconds reconnect_max{5000};
};

class Client : public std::enable_shared_from_this<Client> {
 public:
  static std::shared_ptr<Client> create(boost::asio::any_io_executor executor, Options options, const Log& log);
  ~Client();

  /// Starts connecting; the client keeps a connection up until stop().
  void start();
  /// Closes the connection; commands in flight fail with Errc::stopped.
  void stop();

  bool connected() const { return connected_.load(); }
  /// Increases by one on every successful (re)connection, so a user can
  /// tell that it may have missed something while the link was down.
  std::uint64_t connection_epoch() const { return epoch_.load(); }
  /// "connected" or why not, for /readyz.
  std::string status() const;

  /// One command.
  boost::asio::awaitable<Result<Reply>> command(Args args);
  /// Several commands written at once; replies in order. Fails as a whole
  /// only if the connection fails; server errors are per-reply.
  boost::asio::awaitable<Result<std::vector<Reply>>> pipeline(std::vector<Args> commands);

  struct Impl;

 private:
  Client(boost::asio::any_io_executor executor, Options options, const Log& log);
  std::unique_ptr<Impl> impl_;
  std::atomic<bool> connected_{false};
  std::atomic<std::uint64_t> epoch_{0};
  mutable std::mutex status_mutex_;
  std::string status_ = "not started";
  friend struct Impl;
};

/// Runs any number of commands in pipelines of `depth` (bounding what is
/// buffered at once); fails on the first connection error or server error.
boost::asio::awaitable<Result<std::vector<Reply>>> pipeline_in_batches(Client& client, std::vector<Args> commands,
                                                                         std::size_t depth = 64);

/// Turns an error reply into Errc::server_error (for callers that treat any
/// server error as failure) and keeps other replies.
Result<Reply> ok_reply(Result<Reply> reply);

}  // namespace orgcast::redis
