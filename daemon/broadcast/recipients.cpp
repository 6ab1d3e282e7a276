#include "broadcast/recipients.hpp"

#include <algorithm>
#include <cstring>

#include "directory/codec.hpp"

namespace orgcast::broadcast {

const char* name(State state) {
  static const char* names[] = {"queued", "sending", "sent", "delivered", "read", "failed", "skipped", "expired", "cancelled", "unconfirmed"};
  static_assert(std::size(names) == kStateCount);
  auto i = static_cast<std::size_t>(state);
  return i < std::size(names) ? names[i] : "unknown";
}

const std::string& state_names() {
  static const std::string all = [] {
    std::string out;
    for (int s = 0; s < kStateCount; ++s) out += (s ? ", " : "") + std::string(name(static_cast<State>(s)));
    return out;
  }();
  return all;
}

bool terminal(State state) {
  return state != State::queued && state != State::sending && state != State::sent;
}

void StateRecord::encode_into(std::string& out) const {
  char bytes[kBytes] = {static_cast<char>(state), static_cast<char>(channel), static_cast<char>(attempts),
                        static_cast<char>(usable)};
  for (int b = 0; b < 4; ++b) bytes[4 + b] = static_cast<char>((breakdown >> (8 * b)) & 0xFF);
  out.append(bytes, 8);
  out += token_bytes(owner);
}

StateRecord StateRecord::decode(std::string_view bytes, std::size_t index) {
  StateRecord r;
  if ((index + 1) * kBytes > bytes.size()) return r;
  const auto* p = reinterpret_cast<const unsigned char*>(bytes.data() + index * kBytes);
  r.state = static_cast<State>(p[0]);
  r.channel = p[1];
  r.attempts = p[2];
  r.usable = p[3];
  r.breakdown = static_cast<std::uint32_t>(p[4]) | static_cast<std::uint32_t>(p[5]) << 8 |
                static_cast<std::uint32_t>(p[6]) << 16 | static_cast<std::uint32_t>(p[7]) << 24;
  r.owner = token_at(bytes, index * kBytes + 8);
  return r;
}

std::string StateRecord::token_bytes(std::uint32_t owner) {
  std::string out(4, '\0');
  for (int b = 0; b < 4; ++b) out[static_cast<std::size_t>(b)] = static_cast<char>((owner >> (8 * b)) & 0xFF);
  return out;
}

std::uint32_t StateRecord::token_at(std::string_view bytes, std::size_t at) {
  std::uint32_t t = 0;
  for (std::size_t b = 0; b < 4 && at + b < bytes.size(); ++b) t |= static_cast<std::uint32_t>(static_cast<unsigned char>(bytes[at + b])) << (8 * b);
  return t;
}

QueuedAudience queue_audience(const directory::OrgIndex& index, const directory::AudienceSummary& summary,
                              const std::vector<std::uint32_t>& posts, const std::vector<directory::ContactView>& records,
                              const std::vector<adapters::Channel>& policy) {
  QueuedAudience out;
  const auto& units = index.units();
  // Per-unit counts are kept for the children of the audience's root (the
  // root itself is entry 0).
  std::vector<std::uint32_t> children;
  if (summary.root != directory::kNoUnit) {
    out.breakdown_units.emplace_back(units.id(summary.root));
    children = units.children(summary.root);
    for (auto c : children) out.breakdown_units.emplace_back(units.id(c));
  } else {
    out.breakdown_units.emplace_back("");
  }
  // Counted by index, named once at the end (not a string per recipient).
  std::vector<long long> queued_by_unit(out.breakdown_units.size()), skipped_by_unit(out.breakdown_units.size());
  std::vector<long long> queued_by_channel(policy.size());
  directory::codec::ChunkWriter writer;
  std::string states;
  for (std::size_t i = 0; i < posts.size(); ++i) {
    const auto& record = records[i];
    if (record.id.empty()) continue;  // vanished from Redis meanwhile: not queued, not counted
    StateRecord state;
    auto unit = index.posts()[posts[i]].unit;
    auto it = std::upper_bound(children.begin(), children.end(), unit);
    if (!children.empty() && it != children.begin() && unit >= *(it - 1) && unit < units.subtree_end(*(it - 1)))
      state.breakdown = static_cast<std::uint32_t>(it - children.begin());
    int channel = first_usable_channel(policy, record, 0);
    if (channel < 0) {
      state.state = State::skipped;
      ++out.skipped;
      ++skipped_by_unit[state.breakdown];
    } else {
      state.channel = static_cast<std::uint8_t>(channel);
      state.usable = usable_channels(policy, record);
      ++queued_by_channel[static_cast<std::size_t>(channel)];
      ++queued_by_unit[state.breakdown];
    }
    writer.append(record);
    state.encode_into(states);
    ++out.total;
    if (writer.count() == kRecipientsPerChunk) {
      out.record_chunks.push_back(writer.take());
      out.state_chunks.push_back(std::move(states));
      states.clear();
    }
  }
  if (writer.count() > 0) {
    out.record_chunks.push_back(writer.take());
    out.state_chunks.push_back(std::move(states));
  }
  for (std::size_t c = 0; c < policy.size(); ++c)
    if (queued_by_channel[c]) out.counters[std::string("ch:") + adapters::name(policy[c]) + ":queued"] += queued_by_channel[c];
  for (std::size_t u = 0; u < out.breakdown_units.size(); ++u) {
    if (queued_by_unit[u]) out.counters["u:" + out.breakdown_units[u] + ":queued"] = queued_by_unit[u];
    if (skipped_by_unit[u]) out.counters["u:" + out.breakdown_units[u] + ":skipped"] = skipped_by_unit[u];
  }
  return out;
}

void add_slice(QueuedAudience& totals, const QueuedAudience& slice) {
  totals.total += slice.total;
  totals.skipped += slice.skipped;
  for (const auto& [field, value] : slice.counters) totals.counters[field] += value;
  if (totals.breakdown_units.empty()) totals.breakdown_units = slice.breakdown_units;
}

}  // namespace orgcast::broadcast
