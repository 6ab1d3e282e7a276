#include "dispatch/http_transport.hpp"

namespace orgcast::dispatch {

namespace {

boost::asio::awaitable<adapters::HttpReply> call(std::shared_ptr<http_client::Client> client, adapters::HttpCall c) {
  http_client::Request request;
  request.method = std::move(c.method);
  request.url = std::move(c.url);
  request.headers = std::move(c.headers);
  request.body = std::move(c.body);
  request.timeout = c.timeout;
  auto result = co_await client->send(std::move(request));
  adapters::HttpReply reply;
  if (!result) {
    reply.transport = http_client::never_sent(result.error()) ? adapters::HttpReply::Transport::unreachable
                                                              : adapters::HttpReply::Transport::interrupted;
    reply.error = result.error().message();
    co_return reply;
  }
  reply.status = result->status;
  reply.body = std::move(result->body);
  reply.headers = std::move(result->headers);
  co_return reply;
}

}  // namespace

adapters::Transport make_transport(std::shared_ptr<http_client::Client> client) {
  return [client](adapters::HttpCall c) { return call(client, std::move(c)); };
}

}  // namespace orgcast::dispatch
