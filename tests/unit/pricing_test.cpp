// What a message costs, and money as text.
#include "pricing/cost.hpp"

#include <gtest/gtest.h>

using namespace orgcast;
using adapters::Channel;

namespace {

TEST(Pricing, PerMessageAndPerSegment) {
  PricingConfig prices;
  prices.sms_per_message = 0.01;
  prices.sms_per_segment = 0.13;
  prices.whatsapp_per_message = 0.115;
  auto one = pricing::cost_of(Channel::sms, "Meeting tomorrow at 10", prices);
  EXPECT_EQ(one.sms_segments, 1u);
  EXPECT_EQ(one.encoding, sms::Encoding::gsm7);
  EXPECT_EQ(one.micros, 140000);
  std::string hindi;
  for (int i = 0; i < 71; ++i) hindi += "क";  // 71 UCS-2 units: two segments
  auto two = pricing::cost_of(Channel::sms, hindi, prices);
  EXPECT_EQ(two.sms_segments, 2u);
  EXPECT_EQ(two.encoding, sms::Encoding::ucs2);
  EXPECT_EQ(two.micros, 270000);
  EXPECT_EQ(pricing::cost_of(Channel::whatsapp, hindi, prices).micros, 115000);
  EXPECT_EQ(pricing::cost_of(Channel::whatsapp, hindi, prices).sms_segments, 0u);
  EXPECT_EQ(pricing::cost_of(Channel::push, "x", prices).micros, 0);
}

TEST(Pricing, AmountsAsText) {
  EXPECT_EQ(pricing::format_amount(390000), "0.39");
  EXPECT_EQ(pricing::format_amount(8475000), "8.475");
  EXPECT_EQ(pricing::format_amount(0), "0.00");
  EXPECT_EQ(pricing::format_amount(105280890000), "105280.89");
  EXPECT_EQ(pricing::format_amount(1), "0.000001");
  EXPECT_EQ(pricing::format_amount(-1500000), "-1.50");
}

}  // namespace
