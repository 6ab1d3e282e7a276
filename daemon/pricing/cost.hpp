#pragma once
// What one message costs (issue 4, point 7): a price per message on each
// channel and, for SMS, per segment (config `pricing`). Money is counted in
// millionths of the currency unit, so that sums over millions of messages
// stay exact.
#include <cstdint>
#include <string_view>

#include "adapters/core/adapter.hpp"
#include "config/config.hpp"
#include "sms/segments.hpp"

namespace orgcast::pricing {

struct MessageCost {
  std::int64_t micros = 0;        // millionths of the currency unit
  std::size_t sms_segments = 0;   // SMS only
  sms::Encoding encoding = sms::Encoding::gsm7;
};

/// `text` is the SMS text for SMS (its segments are counted); ignored otherwise.
MessageCost cost_of(adapters::Channel channel, std::string_view text, const PricingConfig& prices);

/// Micros as a decimal amount: 1234567 -> 1.234567.
double amount(std::int64_t micros);

}  // namespace orgcast::pricing
