#pragma once
// Outbound HTTP for provider adapters: libcurl's multi interface driven by
// Asio, so thousands of requests are in flight on keep-alive connections
// without a thread each and without blocking an I/O thread. One strand owns
// the CURLM handle, its sockets (opened by Asio and lent to curl) and its
// timer; requests may come from any coroutine, and complete on the caller's
// executor.
//
// A transport failure (refused, timed out, reset) is an error_code in the
// curl category; an HTTP answer of any status is a Response.
#include <chrono>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/system/error_code.hpp>
#include <boost/system/result.hpp>

#include "core/log.hpp"

namespace orgcast::http_client {

struct Request {
  std::string method = "POST";
  std::string url;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  std::chrono::milliseconds timeout{10000};
};

struct Response {
  long status = 0;
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;  // names lower-case

  /// The first header with this (lower-case) name, or "".
  std::string header(std::string_view name) const;
};

struct Options {
  long max_connections_per_host = 64;
  long max_total_connections = 256;
};

/// Errors are CURLcode values in this category.
const boost::system::error_category& curl_category();

/// True for the curl errors after which the request may not have reached
/// the server at all (connect failures) — as opposed to a timeout or reset
/// mid-request, after which the provider may have acted on it.
bool never_sent(const boost::system::error_code& error);

class Client : public std::enable_shared_from_this<Client> {
 public:
  static std::shared_ptr<Client> create(boost::asio::any_io_executor executor, Options options, const Log& log);
  ~Client();

  boost::asio::awaitable<boost::system::result<Response>> send(Request request);
  /// Fails every request in flight (operation_aborted) and closes the connections.
  void stop();
  /// Requests in flight now.
  std::size_t in_flight() const;

  struct Impl;

 private:
  Client(boost::asio::any_io_executor executor, Options options, const Log& log);
  std::shared_ptr<Impl> impl_;
};

}  // namespace orgcast::http_client
