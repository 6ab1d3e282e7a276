// The reply link's token (meetings/reply_link): 16 URL-safe characters that
// carry the meeting and the mobile, readable only with the key that signed them.
#include <gtest/gtest.h>

#include "meetings/reply_link.hpp"

using namespace orgcast::meetings;

TEST(ReplyLink, ATokenCarriesItsMeetingAndMobileSignedWithTheKey) {
  const std::string key(64, 'k');
  const auto token = link_token({4711, 919829000001}, key);
  ASSERT_EQ(token.size(), 16u);
  EXPECT_EQ(token.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"), std::string::npos);
  auto read = read_link_token(token, key);
  ASSERT_TRUE(read);
  EXPECT_EQ(read->meeting, 4711u);
  EXPECT_EQ(read->mobile, 919829000001u);
  EXPECT_NE(link_token({4711, 919829000002}, key), token) << "each person's own";
  EXPECT_FALSE(read_link_token(token, std::string(64, 'x'))) << "another key";
  for (std::size_t i = 0; i < token.size(); ++i) {  // any one character changed
    auto forged = token;
    forged[i] = forged[i] == 'A' ? 'B' : 'A';
    EXPECT_FALSE(read_link_token(forged, key)) << i;
  }
  EXPECT_FALSE(read_link_token(token.substr(0, 15), key));
  EXPECT_FALSE(read_link_token("~~~~~~~~~~~~~~~~", key));
  EXPECT_EQ(link_token({1u << 24, 919829000001}, key), "") << "a meeting number over 24 bits does not fit";
  EXPECT_EQ(link_token({1, 919829000001}, ""), "") << "no key, no link";
}
