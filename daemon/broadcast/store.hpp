#pragma once
// Broadcasts in Redis (keys in docs/PIPELINE.md): creation, which queues
// every recipient durably before the API answers 202, idempotency keys, and
// reading a broadcast's state and counters.
#include <chrono>
#include <map>
#include <memory>
#include <optional>
#include <string>

#include "core/clock.hpp"

#include <boost/asio/awaitable.hpp>

#include "broadcast/keys.hpp"
#include "broadcast/recipients.hpp"
#include "broadcast/spec.hpp"
#include "redis/client.hpp"

namespace orgcast::broadcast {

struct BroadcastInfo {
  std::string id, state, priority, created_at;
  std::string message_json;  // channels and content (template and variables), as the dispatcher reads them
  std::string audience_json;
  std::string author, root;  // who asked for it, and the audience's root unit id ("" several trees)
  std::size_t total = 0, chunks = 0;
  std::map<std::string, long long> counters;  // "queued", "ch:sms:sent", "u:<unit>:delivered"...
  /// A broadcast planned for later, its audience resolved when it starts:
  /// its version (0: none, queued when it was made), the request it runs
  /// then, and why it was not sent when it ends `not_sent`.
  long long version = 0;
  std::string request_json, not_sent_because;
};

class Store {
 public:
  /// `clock`: where creation and cancel times come from; null: the system's.
  /// `retention`: how long a broadcast's per-recipient records, failure
  /// reasons and provider-id mappings live after it is done (its summary,
  /// counters and cost stay).
  Store(std::shared_ptr<redis::Client> redis, std::string key_prefix, std::shared_ptr<const Clock> clock = nullptr,
        std::chrono::seconds retention = std::chrono::hours(24 * 90));

  /// One request's hold on an Idempotency-Key (empty key: none).
  struct IdempotencyHold {
    std::string key, owner, body_hash;
  };
  struct IdempotencyClaim {
    enum class Outcome { claimed, done, in_progress, mismatch } outcome = Outcome::claimed;
    std::string id;  // done: the broadcast the key names
  };
  /// Claims an Idempotency-Key for this request under a lease
  /// (lua/idempotency_claim.lua): a request that failed or died does not
  /// block retries beyond the lease.
  boost::asio::awaitable<redis::Result<IdempotencyClaim>> claim_idempotency_key(const IdempotencyHold& hold,
                                                                                std::chrono::milliseconds lease);
  /// Gives the key back after a failure, if this request still holds it.
  boost::asio::awaitable<void> release_idempotency_key(const IdempotencyHold& hold);
  /// The key's command marking it done with `made` (not a broadcast: a held
  /// request's approval), for a caller's pipeline; nothing when there is no key.
  std::optional<redis::Args> idempotency_done(const IdempotencyHold& hold, const std::string& made) const;
  /// A broadcast is written in three steps, so that the daemon never holds
  /// every recipient at once: a new id; its recipients slice by slice
  /// (write_chunks, any number of times); then commit, which makes it exist.
  boost::asio::awaitable<redis::Result<std::string>> new_id();
  /// Writes a slice's chunks as chunks first_chunk, first_chunk + 1...
  /// and frees them; returns how many were written.
  boost::asio::awaitable<redis::Result<std::size_t>> write_chunks(const std::string& id, std::size_t first_chunk, QueuedAudience& slice);
  /// Makes the broadcast exist and queues its `chunks` chunks; `audience`
  /// holds the totals and counters of every slice (no chunks). With a key,
  /// only while this request holds it: "" when another request took it over.
  /// Starting a planned broadcast (start_scheduled): its version and the starter's owner token.
  struct Start {
    long long version = 0;
    std::string owner;
  };
  boost::asio::awaitable<redis::Result<std::string>> commit(const Spec& spec, const std::string& id, QueuedAudience audience,
                                                            std::size_t chunks, const IdempotencyHold& hold, const Start* start = nullptr);
  /// A broadcast planned for spec.send_at, nobody queued yet: `request_json`
  /// is what runs when it starts; `matched` whom its audience matches now.
  /// Version 1. "" when another request took the Idempotency-Key over.
  boost::asio::awaitable<redis::Result<std::string>> plan(const Spec& spec, const std::string& id, std::size_t matched,
                                                          const std::string& request_json, const IdempotencyHold& hold);
  /// Takes the start of version `version` for `owner` under `lease`
  /// (lua/start_scheduled.lua): "ok", "busy|<ms>", "stale" or the state it is in.
  boost::asio::awaitable<redis::Result<std::string>> take_start(const std::string& id, long long version, const std::string& owner,
                                                                std::chrono::milliseconds lease);
  /// Lets go of a start this owner took and could not finish.
  boost::asio::awaitable<void> release_start(const std::string& id, const std::string& owner);
  /// Writes `fields` into a planned broadcast that the caller read as
  /// `version` (lua/edit_scheduled.lua): the new version as text, or
  /// "stale", "starting" or the state it is in.
  boost::asio::awaitable<redis::Result<std::string>> edit_scheduled(const std::string& id, long long version,
                                                                    std::vector<std::pair<std::string, std::string>> fields);
  /// Ends a planned broadcast `not_sent`, saying why; false when it no longer waited to start.
  boost::asio::awaitable<redis::Result<bool>> end_scheduled(const std::string& id, long long version, const std::string& owner, std::string why);
  /// Deletes chunks written for a start that was not committed (unless another starter committed them).
  boost::asio::awaitable<void> discard_chunks(const std::string& id, std::size_t chunks);
  /// Whether `owner` still holds the broadcast's start (checked before each slice it writes).
  boost::asio::awaitable<redis::Result<bool>> holds_start(const std::string& id, const std::string& owner);
  boost::asio::awaitable<redis::Result<std::optional<BroadcastInfo>>> get(const std::string& id);
  /// A broadcast as the listing reads it: when it was made (ms) and its fields (no counters).
  struct Made {
    long long ms = 0;
    BroadcastInfo info;
  };
  /// Broadcasts made from `min_ms` to `max_ms` (both included), newest
  /// first, at most `count`; one whose hash is gone has only its id (and an empty state).
  boost::asio::awaitable<redis::Result<std::vector<Made>>> made_between(long long max_ms, long long min_ms, std::size_t count);
  /// Cancels what has not been sent yet (the dispatchers settle it as
  /// `cancelled`). Returns the state before, or nullopt if there is no such broadcast.
  boost::asio::awaitable<redis::Result<std::optional<std::string>>> cancel(const std::string& id);
  struct RecipientRow {
    std::size_t number = 0;  // chunk * kRecipientsPerChunk + index
    directory::ContactRecord contact;
    StateRecord state;
    std::string reason;  // failures only
    /// Per policy channel up to the current one: why the recipient left it
    /// (or, for the current one, why it failed); "" when it had no address there.
    std::vector<std::string> left_because;
  };
  /// Recipients in `state` (or all, when empty), in queue order, of chunks
  /// first_chunk up to `chunks`: skips `offset` matches and returns at most `limit`. Reads the chunks in order: a cost
  /// proportional to the broadcast, acceptable for reports, not for polling.
  boost::asio::awaitable<redis::Result<std::vector<RecipientRow>>> recipients(const std::string& id, std::size_t chunks,
                                                                              std::optional<State> state, std::size_t offset,
                                                                              std::size_t limit, std::size_t first_chunk = 0);


 private:
  std::shared_ptr<redis::Client> redis_;
  std::shared_ptr<const Clock> clock_;
  std::chrono::seconds retention_;
  Keys keys_;
};

/// The channels and content of a spec as JSON (what the dispatcher needs).
std::string message_json(const Spec& spec);

}  // namespace orgcast::broadcast
