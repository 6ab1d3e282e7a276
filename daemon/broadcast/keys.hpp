#pragma once
// Redis keys of broadcasts and their queues (docs/PIPELINE.md). Shared by
// the broadcast store (enqueue), the dispatcher and report ingestion.
#include <cstddef>
#include <string>

namespace orgcast::broadcast {

struct Keys {
  std::string prefix;

  std::string sequence() const { return prefix + "bc:seq"; }
  std::string idempotency(const std::string& key) const { return prefix + "bc:idem:" + key; }
  std::string broadcast(const std::string& id) const { return prefix + "bc:" + id; }
  std::string records(const std::string& id, std::size_t k) const { return broadcast(id) + ":r:" + std::to_string(k); }
  std::string states(const std::string& id, std::size_t k) const { return broadcast(id) + ":s:" + std::to_string(k); }
  std::string counters(const std::string& id) const { return broadcast(id) + ":c"; }
  /// hash "<recipient number>:<channel index>" -> why the recipient left or failed on that channel.
  std::string failures(const std::string& id) const { return broadcast(id) + ":f"; }
  static std::string failure_field(std::size_t number, std::size_t channel) {
    return std::to_string(number) + ":" + std::to_string(channel);
  }
  /// Set while chunk k has an extra queue entry for recipients that fell back.
  std::string requeued(const std::string& id, std::size_t k) const { return broadcast(id) + ":rq:" + std::to_string(k); }
  std::string active(const std::string& priority) const { return prefix + "q:active:" + priority; }
  /// zset of "<priority>|<stream>" by send_at (ms since the epoch): queued, not yet active.
  std::string scheduled() const { return prefix + "q:scheduled"; }
  /// zset of sent recipients' refs by the time (ms) their report is due, for
  /// the channel policy's "no report in time" fallback.
  std::string report_wait() const { return prefix + "q:dlr-wait"; }
  std::string stream(const std::string& priority, const std::string& id) const { return prefix + "q:" + priority + ":" + id; }
  /// hash app token -> why it is dead (FCM said UNREGISTERED or INVALID_ARGUMENT):
  /// never sent to again, by any broadcast.
  std::string dead_push_tokens() const { return prefix + "push:dead"; }
  // pm:<provider>:<message id> and the hash pm-early:<provider> are
  // named inside the Lua scripts (dispatch/scripts.hpp), which take the prefix.
};

inline constexpr const char* kConsumerGroup = "dispatch";

}  // namespace orgcast::broadcast
