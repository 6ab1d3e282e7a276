#pragma once
// A broadcast's recipients, as queued in Redis (docs/PIPELINE.md): chunks of
// up to kRecipientsPerChunk contact snapshots (the directory's record codec,
// so names and addresses are as they were when the broadcast was accepted),
// and beside each chunk one 12-byte state record per recipient, updated in
// place with SETRANGE.
#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "adapters/core/adapter.hpp"
#include "directory/org_index.hpp"
#include "directory/resolver.hpp"

namespace orgcast::broadcast {

inline constexpr std::size_t kRecipientsPerChunk = 500;

/// A recipient's state: the one list (docs/PIPELINE.md, "States") used by
/// the API, the event stream, the recipients list and the Lua scripts
/// (lua/helpers.lua, STATE). `unconfirmed`: the provider accepted the
/// message, but no delivery report came within the report timeout on the
/// last channel of the policy, or the provider never reports (FCM).
enum class State : std::uint8_t { queued = 0, sending, sent, delivered, read, failed, skipped, expired, cancelled, unconfirmed };
inline constexpr int kStateCount = 10;
const char* name(State state);
/// Every state's name, in code order, comma-separated (for error messages).
const std::string& state_names();
/// Ended: nothing more is done for the recipient (delivered may still
/// become read, unconfirmed delivered, when a late report comes).
bool terminal(State state);

struct StateRecord {
  State state = State::queued;
  std::uint8_t channel = 0;    // index into the broadcast's channel policy
  std::uint8_t attempts = 0;   // on the current channel
  std::uint8_t usable = 0;     // bit c: the recipient has an address for policy channel c
  std::uint32_t breakdown = 0; // index of the unit (child of the audience root) for per-unit counts
  /// The hold (an instance's claim of a queue entry) that marked it `sending`
  /// last: outcome writes check it, so two instances never both write one
  /// recipient, and a takeover claims only what dead holds left.
  std::uint32_t owner = 0;

  static constexpr std::size_t kBytes = 12;
  /// An owner token as the records (and the Lua scripts) hold it: 4 bytes, little-endian.
  static std::string token_bytes(std::uint32_t owner);
  static std::uint32_t token_at(std::string_view bytes, std::size_t at);
  void encode_into(std::string& out) const;
  static StateRecord decode(std::string_view bytes, std::size_t index);
};

struct QueuedAudience {
  std::vector<std::string> record_chunks;  // directory codec chunks of ContactViews
  std::vector<std::string> state_chunks;   // StateRecord::kBytes per recipient
  std::vector<std::string> breakdown_units;  // unit ids, indexed by StateRecord::breakdown
  /// Initial per-channel and per-unit counters ("ch:<channel>:queued",
  /// "u:<unit>:queued", "u:<unit>:skipped"); the totals are total - skipped and skipped.
  std::map<std::string, long long> counters;
  std::size_t total = 0, skipped = 0;
};

/// Adds a slice's totals, skipped count and counters to `totals` (its
/// chunks are written and freed separately).
void add_slice(QueuedAudience& totals, const QueuedAudience& slice);

/// Whether the contact (a ContactRecord or a ContactView) has an address for the channel.
template <typename Contact>
bool has_address(adapters::Channel channel, const Contact& c) {
  switch (channel) {
    case adapters::Channel::sms: return c.mobile != 0;
    case adapters::Channel::whatsapp: return c.whatsapp != 0;
    case adapters::Channel::push: return !c.app_token.empty();
  }
  return false;
}

/// Bit c set: the contact has an address for policy channel c.
template <typename Contact>
std::uint8_t usable_channels(const std::vector<adapters::Channel>& policy, const Contact& c) {
  std::uint8_t bits = 0;
  for (std::size_t i = 0; i < policy.size() && i < 8; ++i)
    if (has_address(policy[i], c)) bits = static_cast<std::uint8_t>(bits | (1u << i));
  return bits;
}

/// The first channel of the policy from `from` on the contact has an address for, or -1.
template <typename Contact>
int first_usable_channel(const std::vector<adapters::Channel>& policy, const Contact& c, int from = 0) {
  for (int i = from; i < static_cast<int>(policy.size()); ++i)
    if (has_address(policy[static_cast<std::size_t>(i)], c)) return i;
  return -1;
}

/// Builds the chunks from resolved posts and their fetched records (same
/// order; a record with an empty id vanished and is left out). Recipients
/// with no address on any channel of the policy are `skipped` at once.
QueuedAudience queue_audience(const directory::OrgIndex& index, const directory::AudienceSummary& summary,
                              const std::vector<std::uint32_t>& posts, const std::vector<directory::ContactView>& records,
                              const std::vector<adapters::Channel>& policy);

}  // namespace orgcast::broadcast
