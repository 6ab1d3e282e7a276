#pragma once
// Requests held for a second person's approval (the two-person rule,
// docs/ACCESS.md): a broadcast whose audience is over its author's
// profile's threshold waits here, its audience frozen (the people it
// reaches, their count, breakdown, cost and a rendered message), until
// someone else with `approve` over its units approves or rejects it, or it
// expires.
#include <chrono>
#include <functional>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <boost/asio/awaitable.hpp>

#include "core/clock.hpp"
#include "redis/client.hpp"

namespace orgcast::approvals {

struct Approval {
  std::map<std::string, std::string> fields;  // id, kind, state, author, root, count, body, frozen, created_at, expires_at...
  std::string field(const std::string& name) const {
    auto it = fields.find(name);
    return it == fields.end() ? std::string() : it->second;
  }
};

class ApprovalStore {
 public:
  ApprovalStore(std::shared_ptr<redis::Client> redis, std::string key_prefix, std::shared_ptr<const Clock> clock = nullptr);

  /// Commands written with a held request, knowing its id (its Idempotency-Key marked done).
  using AlsoWrite = std::function<std::vector<redis::Args>(const std::string& id)>;
  /// Holds a request: its fields, and the mobiles of the people it reaches. Its id (ap<N>).
  boost::asio::awaitable<redis::Result<std::string>> hold(std::map<std::string, std::string> fields, std::vector<std::uint64_t> mobiles,
                                                          std::chrono::hours expires_after, AlsoWrite also = {});
  /// nullopt when there is none; a pending one past its expiry reads `expired`.
  boost::asio::awaitable<redis::Result<std::optional<Approval>>> get(std::string id);
  boost::asio::awaitable<redis::Result<std::vector<std::uint64_t>>> people(std::string id);
  /// The newest first, at most `count`.
  boost::asio::awaitable<redis::Result<std::vector<Approval>>> newest(std::size_t count);
  /// "ok", "none", "expired", or the decision it already had (lua/decide_approval.lua).
  boost::asio::awaitable<redis::Result<std::string>> decide(std::string id, std::string state, std::string who, std::string reason);
  /// Back to pending after an approval that could not send (why kept as last_failure): it may be approved again.
  boost::asio::awaitable<redis::Result<std::size_t>> reopen(std::string id, std::string why);
  /// What an approval made: its broadcast ("" nobody was left), and the meeting ("" none).
  boost::asio::awaitable<redis::Result<std::size_t>> sent_as(std::string id, std::string broadcast, std::string meeting = "");

 private:
  std::string key(const std::string& name) const { return prefix_ + name; }
  std::shared_ptr<redis::Client> redis_;
  std::string prefix_;
  std::shared_ptr<const Clock> clock_;
};

}  // namespace orgcast::approvals
