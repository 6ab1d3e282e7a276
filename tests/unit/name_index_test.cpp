// Finding contacts by name: the buckets an import writes and what a search
// word reads from them — the start of any word of the English or Hindi
// name, case and nukta ignored; a short word only whole; several words all.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "directory/name_index.hpp"

using namespace orgcast::directory;
using ::testing::ElementsAre;
using ::testing::IsEmpty;

namespace {

// The records a search of `query` finds in what `builder` built.
std::vector<std::uint32_t> search(const std::vector<std::pair<std::string, std::string>>& buckets, std::string_view query) {
  std::vector<std::uint32_t> out;
  bool first = true;
  for (const auto& word : name_words(query)) {
    std::string bucket;
    for (const auto& [key, entries] : buckets)
      if (key == name_bucket(word)) bucket = entries;
    auto these = records_matching(bucket, word);
    if (first) out = these;
    else {
      std::vector<std::uint32_t> both;
      std::set_intersection(out.begin(), out.end(), these.begin(), these.end(), std::back_inserter(both));
      out = both;
    }
    first = false;
  }
  return out;
}

TEST(NameIndex, AWordsStartInEitherNameFindsTheContact) {
  NameIndexBuilder builder;
  builder.add(0, "Ramesh Sharma", "रमेश शर्मा");
  builder.add(1, "Suresh Meena", "सुरेश मीणा");
  builder.add(7, "Mohan Lal", "मोहन लाल");
  builder.add(70000, "Ram Prasad Meena", "राम प्रसाद मीणा");
  builder.add(9, "Zakir Khan", "ज़ाकिर ख़ान");
  const auto buckets = builder.take();
  EXPECT_THAT(search(buckets, "meena"), ElementsAre(1, 70000)) << "any word, case ignored";
  EXPECT_THAT(search(buckets, "MEE"), ElementsAre(1, 70000)) << "the start of a word";
  EXPECT_THAT(search(buckets, "eena"), IsEmpty()) << "not the middle of one";
  EXPECT_THAT(search(buckets, "ram"), ElementsAre(0, 70000)) << "Ramesh and Ram";
  EXPECT_THAT(search(buckets, "ram meena"), ElementsAre(70000)) << "every word";
  EXPECT_THAT(search(buckets, "मीणा"), ElementsAre(1, 70000)) << "Hindi";
  EXPECT_THAT(search(buckets, "सुरे"), ElementsAre(1));
  EXPECT_THAT(search(buckets, "जाकिर"), ElementsAre(9)) << "nukta or not, as people type";
  EXPECT_THAT(search(buckets, "Lal"), ElementsAre(7));
  EXPECT_THAT(search(buckets, "la"), IsEmpty()) << "a two-letter word only whole";
  EXPECT_THAT(search(buckets, "nobody"), IsEmpty());
}

TEST(NameIndex, NameMatchesAsTheIndexDoes) {
  const std::vector<std::string> ram_meena = name_words("Ram MEENA");
  EXPECT_TRUE(name_matches("Ram Prasad Meena", "", ram_meena));
  EXPECT_FALSE(name_matches("Ramesh Sharma", "", ram_meena));
  EXPECT_TRUE(name_matches("", "राम मीणा", name_words("मीणा")));
  EXPECT_FALSE(name_matches("Lalit", "", name_words("la"))) << "short words whole";
}

TEST(NameIndex, ACutBucketIsReadAsFarAsItIsWhole) {
  NameIndexBuilder builder;
  builder.add(3, "Geeta Devi", "");
  auto buckets = builder.take();
  for (auto& [key, entries] : buckets)
    if (key == "gee") {
      EXPECT_THAT(records_matching(entries.substr(0, entries.size() - 1), "geeta"), IsEmpty());
    }
  EXPECT_THAT(records_matching("", "geeta"), IsEmpty());
}

}  // namespace
