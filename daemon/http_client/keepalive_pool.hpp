#pragma once
// Outbound plain-HTTP/1.1 on kept-alive connections, written on Beast, for
// the dispatcher's hot path (one request per message). At 10k+ requests/s
// curl's per-request work (handle set-up, header parsing, timer calls,
// connection checks) was most of orgcastd's CPU; this pool does only what a
// provider call needs. HTTPS URLs stay with the curl client (client.hpp).
//
// Everything runs on the executor it is created with (the dispatcher's: the
// main io_context, run by one thread): call send() only from coroutines on
// that executor. Requests wait
// for a free connection when `max_connections_per_host` are busy. A
// request's timeout is enforced by a sweep every 100 ms that closes the
// connection of a request past its deadline (no timer per request).
//
// Errors: asio::error::not_connected means the request never reached the
// server (connect failed); any other error means it may have.
#include <memory>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/system/result.hpp>

#include "core/log.hpp"
#include "http_client/client.hpp"

namespace orgcast::http_client {

class KeepAlivePool : public std::enable_shared_from_this<KeepAlivePool> {
 public:
  static std::shared_ptr<KeepAlivePool> create(boost::asio::any_io_executor executor, Options options, const Log& log);
  ~KeepAlivePool();

  /// `request.url` must be http://host[:port]/path.
  boost::asio::awaitable<boost::system::result<Response>> send(Request request);
  /// Closes every connection; requests in flight fail.
  void stop();

  struct Impl;

 private:
  explicit KeepAlivePool(std::shared_ptr<Impl> impl) : impl_(std::move(impl)) {}
  std::shared_ptr<Impl> impl_;
};

}  // namespace orgcast::http_client
