#include "pricing/cost.hpp"

#include <cmath>

namespace orgcast::pricing {
namespace {

std::int64_t micros_of(double price) { return std::llround(price * 1e6); }

}  // namespace

MessageCost cost_of(adapters::Channel channel, std::string_view text, const PricingConfig& prices) {
  MessageCost cost;
  switch (channel) {
    case adapters::Channel::sms: {
      const auto segments = sms::count_segments(text);
      cost.sms_segments = segments ? segments->count : 1;
      cost.encoding = segments ? segments->encoding : sms::Encoding::ucs2;
      cost.micros = micros_of(prices.sms_per_message) + static_cast<std::int64_t>(cost.sms_segments) * micros_of(prices.sms_per_segment);
      break;
    }
    case adapters::Channel::whatsapp: cost.micros = micros_of(prices.whatsapp_per_message); break;
    case adapters::Channel::push: cost.micros = micros_of(prices.push_per_message); break;
  }
  return cost;
}

std::string format_amount(std::int64_t micros) {
  const bool negative = micros < 0;
  const auto magnitude = static_cast<std::uint64_t>(negative ? -micros : micros);
  std::string fraction = std::to_string(magnitude % 1000000);
  fraction.insert(0, 6 - fraction.size(), '0');
  while (fraction.size() > 2 && fraction.back() == '0') fraction.pop_back();
  return (negative ? "-" : "") + std::to_string(magnitude / 1000000) + "." + fraction;
}

}  // namespace orgcast::pricing
