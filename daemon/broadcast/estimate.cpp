#include "broadcast/estimate.hpp"

#include "broadcast/recipients.hpp"
#include "pricing/cost.hpp"

namespace orgcast::broadcast {

Estimate estimate(const Content& content, const std::vector<adapters::Channel>& policy,
                  std::span<const directory::ContactView> contacts, const directory::UnitTable* units) {
  Estimate out;
  adapters::OutboundMessage m;
  for (const auto& contact : contacts) {
    const int first = first_usable_channel(policy, contact);
    if (first < 0) {
      ++out.unreachable;
      continue;
    }
    m.channel = policy[static_cast<std::size_t>(first)];
    content.fill(m, contact, units);
    const auto cost = pricing::cost_of(m.channel, m.text, content.prices);
    auto& e = out.by_channel[static_cast<std::size_t>(m.channel)];
    ++e.messages;
    e.sms_segments += cost.sms_segments;
    e.micros += cost.micros;
    out.micros += cost.micros;
  }
  return out;
}

}  // namespace orgcast::broadcast
