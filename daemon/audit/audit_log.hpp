#pragma once
// The audit trail in Redis (docs/ACCESS.md, "Audit trail"): an append-only
// stream of chained entries (audit/chain.hpp) and its head beside it, each
// append a compare-and-set on the head (lua/append_audit.lua), so instances
// appending at once never fork the chain.
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include <boost/asio/awaitable.hpp>

#include "audit/chain.hpp"
#include "core/clock.hpp"
#include "redis/client.hpp"

namespace orgcast::audit {

class AuditLog {
 public:
  /// `key`: the HMAC key, read from a file by the caller (never kept in Redis).
  AuditLog(std::shared_ptr<redis::Client> redis, std::string key_prefix, std::string key, std::shared_ptr<const Clock> clock = nullptr);

  /// Appends the entry: its seq, time, link and mac are filled in here. The new head.
  boost::asio::awaitable<redis::Result<std::string>> append(Entry entry);
  /// "<seq>:<mac>" of the last entry ("0:" none yet).
  boost::asio::awaitable<redis::Result<std::string>> head();
  /// Stored entries, newest first, before the stream id `before` ("" from the newest): (stream id, entry JSON).
  boost::asio::awaitable<redis::Result<std::vector<std::pair<std::string, std::string>>>> newest(std::string before, std::size_t count);
  /// Every stored entry's JSON, oldest first (for verify).
  boost::asio::awaitable<redis::Result<std::vector<std::string>>> all();

 private:
  std::shared_ptr<redis::Client> redis_;
  std::string stream_, head_key_, key_;
  std::shared_ptr<const Clock> clock_;
};

}  // namespace orgcast::audit
