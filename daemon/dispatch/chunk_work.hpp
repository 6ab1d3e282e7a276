#pragma once
// One queue entry being worked on: a chunk's recipients and their state
// records, and the dispatcher's decisions about them as plain functions that
// build Redis commands. The coroutines in dispatcher.cpp only await what
// these build; the state lives here, on the heap, not in coroutine frames
// (GCC 12 mishandles large frames holding strings: docs/PIPELINE.md).
#include <chrono>
#include <map>
#include <memory>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include "adapters/core/adapter.hpp"
#include "broadcast/content.hpp"
#include "broadcast/keys.hpp"
#include "broadcast/recipients.hpp"
#include "dispatch/backoff.hpp"
#include "pricing/cost.hpp"
#include "redis/reply.hpp"

namespace orgcast::metrics {
class Registry;
}
namespace orgcast::directory {
class OrgIndex;
}

namespace orgcast::dispatch {

/// What the dispatcher needs of a broadcast (read once, cached).
struct DispatchedBroadcast {
  std::string id;
  std::vector<adapters::Channel> channels;
  broadcast::Content content;
  std::shared_ptr<const directory::OrgIndex> index;  // unit names for unit and unit_path; may be null
  std::vector<std::string> units;  // breakdown index -> unit id
  std::optional<std::chrono::system_clock::time_point> expires_at;
  std::chrono::seconds report_timeout{0};  // 0: no fallback for a missing report

  /// From the broadcast hash's `message` and `units` fields; nullopt (and why) if unreadable.
  static std::optional<DispatchedBroadcast> parse(std::string id, const std::string& message_json, const std::string& units_json,
                                                  std::chrono::seconds default_report_timeout, std::string& error);
  bool expired(std::chrono::system_clock::time_point now) const { return expires_at && now >= *expires_at; }
};

using SteadyTime = std::chrono::steady_clock::time_point;

class ChunkWork {
 public:
  /// `consumer`: this instance's name in the consumer group. `token`: this
  /// hold's owner token (non-zero, new for every hold). `earlier_tokens`:
  /// on a takeover, the tokens of the entry's earlier holds (4 bytes each),
  /// whose `sending` recipients this hold sends; empty on a fresh read.
  ChunkWork(const broadcast::Keys& keys, std::string consumer, std::string stream, std::string entry, std::size_t k,
            std::uint32_t token, std::string earlier_tokens = {});
  // recipients_ point into records_bytes_: the object stays where it is.
  ChunkWork(const ChunkWork&) = delete;
  ChunkWork& operator=(const ChunkWork&) = delete;

  const std::string& stream() const { return stream_; }
  const std::string& entry() const { return entry_; }
  const std::string& priority() const { return priority_; }
  const std::string& broadcast_id() const { return id_; }
  std::size_t chunk() const { return k_; }
  /// The owner token as the state records hold it (4 bytes, little-endian).
  const std::string& token_bytes() const { return token_bytes_; }
  /// Another instance took the entry over (its lease ran out): nothing of
  /// this hold is written any more.
  bool lost() const { return lost_; }
  void lose() { lost_ = true; }

  void set_broadcast(std::shared_ptr<const DispatchedBroadcast> b) { broadcast_ = std::move(b); }
  const DispatchedBroadcast& broadcast() const { return *broadcast_; }

  /// Reads the chunk: clears its "queued again" mark first (so that a
  /// fallback after this read queues it once more), then its recipients,
  /// states and retry due times.
  std::vector<redis::Args> load_commands() const;
  /// Takes the replies of load_commands(); false when the chunk is gone.
  /// Pending: the `queued` recipients (a retry not before its due time),
  /// and on a takeover the `sending` ones an earlier hold of the entry claimed.
  bool load(std::vector<redis::Reply>& replies, SteadyTime now, std::chrono::system_clock::time_point wall_now);

  /// What is known before sending, asked once per chunk in one pipeline:
  /// which of its app tokens are dead (push in the policy), and who opted
  /// out of each channel of the policy (HMGET by mobile). For apply_lookups.
  std::vector<redis::Args> lookup_commands() const;
  void apply_lookups(const std::vector<redis::Reply>& replies);
  /// Recipient i is not to be sent on its current channel — opted out of
  /// it, or on push with a token FCM refused before (in any broadcast): the
  /// failure to record instead of sending (the policy's next channel; none
  /// left: `skipped` when opted out).
  std::optional<adapters::SendResult> known_refusal(std::size_t i) const;

  bool has_pending() const { return !pending_.empty() || preclaimed_.has_value(); }
  /// Up to `window` recipients whose (re)try is due; empty if all wait.
  std::vector<std::size_t> take_due(SteadyTime now, std::size_t window);
  /// Returns a batch whose claim failed to the front of pending (a claim is
  /// idempotent: the next one takes them, also if the failed one did).
  void put_back(const std::vector<std::size_t>& batch) { pending_.insert(pending_.begin(), batch.begin(), batch.end()); }
  /// When the soonest waiting retry is due.
  SteadyTime next_retry() const;
  /// Recipient i (taken from pending) waits until `until` for a time rule
  /// (quiet hours, a blackout); back in pending. Kept apart from retries'
  /// due times and not in Redis: when the rules change, or the chunk comes
  /// back, the rules are asked again.
  void hold_until(std::size_t i, SteadyTime until);
  /// Forgets the time rules' holds (the rules changed); retries keep theirs.
  void release_rule_holds() { rule_holds_.clear(); }
  /// Which rules the holds were made under (an identity, compared only).
  /// Held, not only pointed at: rules made later cannot take the old ones'
  /// address and pass for them.
  const void* rules_tag() const { return rules_tag_.get(); }
  void set_rules_tag(std::shared_ptr<const void> tag) { rules_tag_ = std::move(tag); }
  /// Recipient i's unit, as the snapshot queued with the broadcast has it.
  std::string_view unit_of(std::size_t i) const { return recipients_.at(i).unit_id; }

  /// Write-ahead `sending` for the batch under this hold's token (lua/claim.lua);
  /// idempotent: a recipient already claimed by this hold is claimed again.
  redis::Args claim_command(const std::vector<std::size_t>& batch) const;
  /// Keeps those of the batch the script claimed; nullopt: broadcast cancelled.
  std::optional<std::vector<std::size_t>> claimed(const std::vector<std::size_t>& batch, const redis::Reply& reply);
  /// The next window, claimed in the previous window's record pipeline (one
  /// round trip per window instead of two): keeps what the script claimed.
  /// On an error or a cancelled broadcast the batch goes back to pending,
  /// for the next window's own claim to find out.
  void set_preclaimed(const std::vector<std::size_t>& batch, const redis::Reply& reply);
  /// The window claimed ahead, if there is one (taken: the next call has none).
  std::optional<std::vector<std::size_t>> take_preclaimed();

  /// Renders recipient i's message on its current channel and notes what
  /// it costs; "" or why it cannot be sent (then `out` is not to be sent).
  std::string message_for(std::size_t i, const std::string& callback_url, adapters::OutboundMessage& out);
  /// Recipient i was not sent: its broadcast was cancelled or expired
  /// while it waited; record() ends it so.
  void withhold(std::size_t i, broadcast::State why) { withheld_[i] = why; }
  /// Recipient i was not sent: a time rule began while it waited for a
  /// slot or a token; record() puts it back, held until `until`.
  void defer(std::size_t i, SteadyTime until) { deferred_[i] = until; }
  /// When the time rules were asked for the window being sent, and until
  /// when they answer so (time_rules::next_change then; max: no rules).
  std::chrono::system_clock::time_point rules_checked_at() const { return rules_checked_at_; }
  std::chrono::system_clock::time_point rules_checked_until() const { return rules_checked_until_; }
  void set_rules_checked(std::chrono::system_clock::time_point at, std::chrono::system_clock::time_point until) {
    rules_checked_at_ = at;
    rules_checked_until_ = until;
  }
  /// The channel recipient i is on now.
  adapters::Channel channel_of(std::size_t i) const { return broadcast_->channels.at(states_[i].channel); }

  /// Decides each outcome (sent, retry later, next channel, failed,
  /// unconfirmed for a provider that never reports) and builds the one
  /// script call that records them all atomically, if this hold still owns
  /// them (lua/record_window.lua): states, counters, failure reasons,
  /// report-timeout entries, dead tokens and the message ids. Safe to send
  /// again after an error. Retries and fallbacks go back to pending.
  /// `via`: the account each was sent through (its reports come to that name).
  redis::Args record(const std::vector<std::size_t>& batch, const std::vector<adapters::SendResult>& results,
                     const std::vector<const adapters::Adapter*>& via, const BackoffPolicy& backoff, std::mt19937& random,
                     metrics::Registry& metrics, SteadyTime now, std::chrono::system_clock::time_point wall_now);

  /// Ends every recipient still to send (and `batch`) as `to` (cancelled or
  /// expired), with their counters; empties pending.
  redis::Args settle_command(const std::vector<std::size_t>& batch, broadcast::State to);
  /// A graceful stop: the window claimed ahead goes back to `queued` and
  /// the entry is replaced by a fresh one any instance reads at once
  /// (lua/release.lua).
  redis::Args release_command();

  /// Recipient i's field in the broadcast's failures hash, for its channel c.
  std::string failure_field(std::size_t i, std::size_t c) const {
    return broadcast::Keys::failure_field(k_ * broadcast::kRecipientsPerChunk + i, c);
  }

  /// XACK and XDEL the entry, unless one of its holds left a recipient
  /// `sending` (lua/finish_chunk.lua). With recipients still pending (all
  /// waiting for retries), the chunk is set aside in q:retry by its soonest
  /// due time instead of being held while it waits.
  redis::Args finish_command(SteadyTime now, std::chrono::system_clock::time_point wall_now) const;

 private:
  std::uint32_t owner_token() const { return token_; }
  /// An earlier hold of this entry (a takeover's predecessors) used `owner`.
  bool held_earlier(std::uint32_t owner) const;
  void add_recipient_args(redis::Args& args, std::size_t i) const;

  const broadcast::Keys& keys_;
  std::string consumer_, stream_, entry_, priority_, id_;
  std::size_t k_;
  std::uint32_t token_;
  std::string token_bytes_, earlier_tokens_;
  bool lost_ = false;
  std::shared_ptr<const DispatchedBroadcast> broadcast_;
  std::string records_bytes_;                        // the chunk as read; recipients_ point into it
  std::vector<directory::ContactView> recipients_;
  std::vector<broadcast::StateRecord> states_;
  std::vector<pricing::MessageCost> costs_;  // of each recipient's latest rendered message
  std::map<std::size_t, std::string> dead_tokens_;  // recipient -> why its token is dead
  std::vector<std::uint8_t> opted_out_;             // per recipient: bit c, opted out of policy channel c
  std::vector<std::size_t> pending_;
  std::optional<std::vector<std::size_t>> preclaimed_;  // claimed (`sending`), not yet sent
  std::map<std::size_t, SteadyTime> not_before_;  // retries: not sent before (bc:<id>:due:<k> in Redis)
  std::map<std::size_t, SteadyTime> rule_holds_;  // time rules: not sent before (in memory only)
  std::shared_ptr<const void> rules_tag_;
  std::map<std::size_t, broadcast::State> withheld_;
  std::map<std::size_t, SteadyTime> deferred_;  // held by a time rule at the moment of sending
  std::chrono::system_clock::time_point rules_checked_at_{}, rules_checked_until_ = std::chrono::system_clock::time_point::max();
};

}  // namespace orgcast::dispatch
