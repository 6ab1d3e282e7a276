// The chunk codec round-trips records byte for byte and refuses corrupt data.
#include "directory/codec.hpp"

#include <gtest/gtest.h>

using namespace orgcast::directory;

namespace {

TEST(Codec, ContactsRoundTrip) {
  ContactRecord a{"C1", "Ramesh Sharma", "रमेश शर्मा", 919829012345, 919829012345, "hi", "M17", "president",
                  {"yuva_morcha", "it_cell"}, std::string(152, 't')};
  ContactRecord b{"C2", "", "गीता", 916000000001, 0, "en", "BT9", "member", {}, ""};
  codec::ChunkWriter writer;
  writer.append(a.view());
  writer.append(b.view());
  auto bytes = writer.take();
  EXPECT_EQ(writer.count(), 0u) << "take() starts a new chunk";
  codec::ChunkReader reader(bytes);
  EXPECT_EQ(reader.count(), 2u);
  ContactView v;
  ASSERT_TRUE(reader.next(v));
  auto got = to_record(v);
  EXPECT_EQ(got.name_hi, a.name_hi);
  EXPECT_EQ(got.tags, a.tags);
  EXPECT_EQ(got.app_token, a.app_token);
  EXPECT_EQ(got.mobile, a.mobile);
  ASSERT_TRUE(reader.next(v));
  EXPECT_EQ(to_record(v).whatsapp, 0u);
  EXPECT_FALSE(reader.next(v));
  EXPECT_TRUE(reader.ok());
}

TEST(Codec, TruncatedOrForeignDataIsRefused) {
  ContactRecord a{"C1", "N", "", 919829012345, 0, "hi", "U", "member", {}, ""};
  auto bytes = codec::encode_contact(a.view());
  for (std::size_t cut = 1; cut < bytes.size(); ++cut) {
    codec::ChunkReader reader(std::string_view(bytes).substr(0, cut));
    ContactView v;
    EXPECT_FALSE(reader.next(v)) << "cut at " << cut;
    EXPECT_FALSE(reader.ok()) << "cut at " << cut;
  }
  codec::ChunkReader foreign("hello");
  EXPECT_FALSE(foreign.ok());
}

}  // namespace
