#pragma once
// Keeps every inbound message a provider brings (an SMS reply, a WhatsApp
// message), once — a provider that retries its webhook must not make one
// reply two — with what was decided about it (inbound/reply_decision), and
// in the same atomic step (lua/store_inbound.lua) applies a STOP or START
// and records a YES or NO for its meeting: a message kept is never an
// answer lost.
// Messages go to the bounded stream `in:messages`, and to the person's own
// list.
#include <map>
#include <memory>
#include <string>
#include <vector>

#include <boost/asio/awaitable.hpp>

#include "adapters/core/adapter.hpp"
#include "broadcast/keys.hpp"
#include "core/clock.hpp"
#include "inbound/reply_decision.hpp"
#include "redis/client.hpp"

namespace orgcast::inbound {

class InboundStore {
 public:
  InboundStore(std::shared_ptr<redis::Client> redis, std::string key_prefix, std::shared_ptr<const Clock> clock = nullptr);
  /// Stores the messages from the provider account `provider`; the new
  /// ones (not seen before), in order.
  boost::asio::awaitable<redis::Result<std::vector<Received>>> store(std::string provider, std::vector<Received> messages);
  /// The latest messages, newest first; with `before` (a message id), those older than it.
  boost::asio::awaitable<redis::Result<redis::Reply>> latest(std::size_t limit, std::string before = "");
  /// One person's (E.164 digits) messages, newest first: `count` after the
  /// message `after` ("" from the newest) of the last 500 kept, and how
  /// many are kept. By id, not position: one that comes in meanwhile does
  /// not shift the next page. `after` no longer kept: none.
  struct PersonPage {
    std::vector<redis::Reply> messages;
    std::size_t kept = 0;
    std::string last;  // the page's last id, the next page's `after`; "" when no page follows
  };
  boost::asio::awaitable<redis::Result<PersonPage>> of_person(std::uint64_t mobile, std::string after, std::size_t count);

  /// The office records an opt-out ("out") or opt-in ("in") of `channel`
  /// ("sms", "whatsapp", "push" or "all") for a person; 1 when recorded.
  boost::asio::awaitable<redis::Result<std::size_t>> record_consent(std::uint64_t mobile, std::string consent, std::string channel, std::string who,
                                                             std::string note);
  struct Consent {
    std::map<std::string, std::string> opted_out;  // channel -> "<when>|<how>"
    std::vector<std::string> history;              // JSON entries, newest first
  };
  boost::asio::awaitable<redis::Result<Consent>> consent_of(std::uint64_t mobile);

 private:
  std::shared_ptr<redis::Client> redis_;
  broadcast::Keys keys_;
  std::shared_ptr<const Clock> clock_;
};

}  // namespace orgcast::inbound
