#pragma once
// Redis keys of broadcasts and their queues (docs/PIPELINE.md). Shared by
// the broadcast store (enqueue), the dispatcher and report ingestion.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace orgcast::broadcast {

struct Keys {
  std::string prefix;

  /// A broadcast id is "b" and its number: anything else (a path such as
  /// "b4:c" or "seq") would name another key under bc: and is no broadcast.
  static bool is_broadcast_id(std::string_view id) {
    if (id.size() < 2 || id.size() > 20 || id[0] != 'b' || id[1] == '0') return false;
    for (std::size_t i = 1; i < id.size(); ++i)
      if (id[i] < '0' || id[i] > '9') return false;
    return true;
  }
  std::string sequence() const { return prefix + "bc:seq"; }
  /// zset of every broadcast id by when it was made (ms): the listing's index, newest first.
  std::string made() const { return prefix + "bc:made"; }
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
  /// hash recipient index -> when (ms since the epoch) its retry is due, for
  /// recipients of chunk k queued again after a retryable failure: whoever
  /// reads the chunk next honours it, also after a crash.
  std::string retry_due(const std::string& id, std::size_t k) const { return broadcast(id) + ":due:" + std::to_string(k); }
  /// zset "<stream>|<k>" by when (ms) the first retry of a chunk set aside
  /// to wait for its retries is due: the chunk is queued again then.
  std::string retries() const { return prefix + "q:retry"; }
  static std::string retry_member(const std::string& stream, std::size_t k) { return stream + "|" + std::to_string(k); }
  std::string active(const std::string& priority) const { return prefix + "q:active:" + priority; }
  /// zset of "<priority>|<stream>" by send_at (ms since the epoch): queued, not yet active.
  std::string scheduled() const { return prefix + "q:scheduled"; }
  /// zset of sent recipients' refs by the time (ms) their report is due, for
  /// the channel policy's "no report in time" fallback.
  std::string report_wait() const { return prefix + "q:dlr-wait"; }
  std::string stream(const std::string& priority, const std::string& id) const { return prefix + "q:" + priority + ":" + id; }
  /// The priority and broadcast id a stream key names; false if it is none.
  bool stream_parts(std::string_view stream_key, std::string& priority, std::string& id) const {
    if (stream_key.substr(0, prefix.size() + 2) != prefix + "q:") return false;
    const auto tail = stream_key.substr(prefix.size() + 2);
    const auto colon = tail.find(':');
    if (colon == std::string_view::npos || !is_broadcast_id(tail.substr(colon + 1))) return false;
    priority = tail.substr(0, colon);
    id = tail.substr(colon + 1);
    return true;
  }
  /// hash mobile (E.164 digits) -> "<when>|<how>": people who opted out of
  /// `channel` (STOP by reply, or recorded by the office); every broadcast
  /// skips them on that channel (one HMGET per chunk).
  std::string opted_out(std::string_view channel) const { return prefix + "consent:out:" + std::string(channel); }
  /// list of JSON entries, newest first: a person's consent history.
  std::string consent_log(std::uint64_t mobile) const { return prefix + "consent:log:" + std::to_string(mobile); }
  /// list of in:messages ids, newest first: what a person wrote.
  std::string inbound_of(std::uint64_t mobile) const { return prefix + "in:person:" + std::to_string(mobile); }
  std::string inbound_messages() const { return prefix + "in:messages"; }
  /// hash app token -> why it is dead (FCM said UNREGISTERED or INVALID_ARGUMENT):
  /// never sent to again, by any broadcast.
  std::string dead_push_tokens() const { return prefix + "push:dead"; }
  /// set of broadcast ids that ended and whose records are still to be given
  /// their retention (lua/expire_ended.lua).
  std::string ended() const { return prefix + "bc:ended"; }
  /// INCR on every cancel: dispatchers poll it to learn of cancels at once.
  std::string cancel_sequence() const { return prefix + "bc:cancel-seq"; }
  /// zset broadcast id by cancel sequence: the newest cancels.
  std::string cancelled() const { return prefix + "bc:cancelled"; }
  /// hash "<stream>|<entry>" -> the owner tokens (4 bytes each) of every hold
  /// of that queue entry so far: a takeover claims what the dead ones left.
  std::string holds() const { return prefix + "q:holds"; }
  /// zset consumer -> the time (ms) its lease runs to; refreshed by its heartbeat.
  std::string leases() const { return prefix + "q:leases"; }
  static std::string hold_field(const std::string& stream, const std::string& entry) { return stream + "|" + entry; }
  /// A provider's message id -> the recipient's ref (docs/PIPELINE.md).
  std::string provider_message(std::string_view provider, const std::string& message_id) const {
    return prefix + "pm:" + std::string(provider) + ":" + message_id;
  }
  /// hash message id -> "state|reason": reports that came before their mapping.
  std::string early_reports(std::string_view provider) const { return prefix + "pm-early:" + std::string(provider); }
};

inline constexpr const char* kConsumerGroup = "dispatch";

}  // namespace orgcast::broadcast
