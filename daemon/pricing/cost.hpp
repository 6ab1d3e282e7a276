#pragma once
// What one message costs: a price per message on each
// channel and, for SMS, per segment (config `pricing`). Money is counted in
// millionths of the currency unit, so that sums over millions of messages
// stay exact.
#include <cstdint>
#include <string>
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

/// Micros as a decimal text, at least two decimals, no trailing zeros
/// beyond them: 390000 -> "0.39", 8475000 -> "8.475". Money goes out as
/// text so that no reader rounds it through a binary float.
std::string format_amount(std::int64_t micros);

}  // namespace orgcast::pricing
