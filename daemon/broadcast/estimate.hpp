#pragma once
// What a broadcast would cost before it is sent: each
// recipient's message rendered on the first channel of the policy they have
// an address for, its SMS segments counted, priced at the configured
// prices. An estimate: fallbacks to a later channel are not foreseen.
#include <array>
#include <cstdint>
#include <span>
#include <vector>

#include "broadcast/content.hpp"

namespace orgcast::broadcast {

struct ChannelEstimate {
  std::size_t messages = 0;
  std::size_t sms_segments = 0;
  std::int64_t micros = 0;
};

struct Estimate {
  std::array<ChannelEstimate, 3> by_channel{};  // by adapters::Channel
  std::size_t unreachable = 0;                  // no address on any channel of the policy
  std::int64_t micros = 0;
};

Estimate estimate(const Content& content, const std::vector<adapters::Channel>& policy,
                  std::span<const directory::ContactView> contacts, const directory::UnitTable* units);

}  // namespace orgcast::broadcast
