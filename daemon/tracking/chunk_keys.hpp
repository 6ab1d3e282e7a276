#pragma once
// The keys a delivery report or a report timeout may touch for one chunk
// of a broadcast. Their recipients come from stored references (a `pm:`
// mapping, a q:dlr-wait entry), so the caller reads those first and then
// names every key in the script's KEYS: the queue keys depend on the
// broadcast's priority, read once per broadcast (it never changes).
#include <cstddef>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include <boost/asio/awaitable.hpp>

#include "broadcast/keys.hpp"
#include "redis/client.hpp"

namespace orgcast::tracking {

/// How many keys append_chunk_keys adds (helpers.lua, chunk_keys_at).
inline constexpr std::size_t kKeysPerChunk = 7;

/// Appends, in the order helpers.lua's chunk_keys_at reads them: the
/// broadcast, the chunk's states, counters, failures, the chunk's
/// "queued again" mark, the broadcast's queue and its priority's active set.
void append_chunk_keys(redis::Args& args, const broadcast::Keys& keys, const std::string& id, std::size_t k, const std::string& priority);

/// "<id>:<k>:..." (a `pm:` ref or a q:dlr-wait member): the broadcast and chunk; false if malformed.
bool parse_chunk_ref(const std::string& ref, std::string& id, std::size_t& k);

/// Broadcasts' priorities, read once each (a bounded cache). Thread-safe:
/// the webhook handlers of every HTTP thread share one.
class Priorities {
 public:
  using ById = std::map<std::string, std::string>;
  Priorities(std::shared_ptr<redis::Client> redis, broadcast::Keys keys);
  /// The priorities of `ids` (empty ones skipped), from the cache or read
  /// in one pipeline. "normal" for a broadcast that no longer exists (its
  /// scripts then find nothing to fall back to).
  boost::asio::awaitable<redis::Result<ById>> of(const std::vector<std::string>& ids);

 private:
  std::shared_ptr<redis::Client> redis_;
  broadcast::Keys keys_;
  mutable std::mutex mutex_;                   // guards known_
  std::map<std::string, std::string> known_;  // bounded: cleared past 10,000
};

}  // namespace orgcast::tracking
