#pragma once
// Keeps every inbound message a provider brings (an SMS reply, a WhatsApp
// message), once: a provider that retries its webhook must not make one
// reply two. Messages go to the bounded stream `in:messages`, where the
// keyword engine reads them.
#include <memory>
#include <string>
#include <vector>

#include <boost/asio/awaitable.hpp>

#include "adapters/core/adapter.hpp"
#include "core/clock.hpp"
#include "redis/client.hpp"

namespace orgcast::inbound {

class InboundStore {
 public:
  InboundStore(std::shared_ptr<redis::Client> redis, std::string key_prefix, std::shared_ptr<const Clock> clock = nullptr);
  /// Stores the messages from the provider account `provider`; how many were new.
  boost::asio::awaitable<redis::Result<std::size_t>> store(std::string provider, std::vector<adapters::InboundMessage> messages);
  /// The latest messages, newest first.
  boost::asio::awaitable<redis::Result<redis::Reply>> latest(std::size_t limit);

 private:
  std::shared_ptr<redis::Client> redis_;
  std::string prefix_;
  std::shared_ptr<const Clock> clock_;
};

}  // namespace orgcast::inbound
