#include "dispatch/http_transport.hpp"

#include <boost/asio/error.hpp>

namespace orgcast::dispatch {

namespace {

boost::asio::awaitable<adapters::HttpReply> call(std::shared_ptr<http_client::Client> client,
                                                 std::shared_ptr<http_client::KeepAlivePool> pool, adapters::HttpCall c) {
  http_client::Request request;
  request.method = std::move(c.method);
  request.url = std::move(c.url);
  request.headers = std::move(c.headers);
  request.body = std::move(c.body);
  request.timeout = c.timeout;
  const bool plain = pool && request.url.rfind("http://", 0) == 0;
  // Two statements, not `plain ? co_await … : co_await …`: GCC 12 frees the
  // result of a co_await inside a conditional expression twice.
  boost::system::result<http_client::Response> result{boost::system::in_place_error, boost::asio::error::invalid_argument};
  if (plain) result = co_await pool->send(std::move(request));
  else result = co_await client->send(std::move(request));
  adapters::HttpReply reply;
  if (!result) {
    const bool never_sent = plain ? result.error() == boost::asio::error::not_connected : http_client::never_sent(result.error());
    reply.transport = never_sent ? adapters::HttpReply::Transport::unreachable : adapters::HttpReply::Transport::interrupted;
    reply.error = result.error().message();
    co_return reply;
  }
  reply.status = result->status;
  reply.body = std::move(result->body);
  reply.headers = std::move(result->headers);
  co_return reply;
}

}  // namespace

adapters::Transport make_transport(std::shared_ptr<http_client::Client> client, std::shared_ptr<http_client::KeepAlivePool> pool) {
  return [client, pool](adapters::HttpCall c) { return call(client, pool, std::move(c)); };
}

}  // namespace orgcast::dispatch
