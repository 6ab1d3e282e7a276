#pragma once
// Finding contacts by name (pure logic): the index an import writes beside
// the directory in Redis, and the matching a search does with it.
//
// Each word of a contact's English and Hindi names, in matching form
// (keywords::normalise: case folded, NFKC, nukta dropped), is kept in the
// bucket of its first three characters as (record ordinal, the rest of the
// word). A search word of three characters or more reads one bucket and
// keeps the records with a word that starts with it; a shorter word must be
// a whole word (words shorter than three characters have a bucket of their
// own). Several search words: the records that have them all. So one
// search reads a bucket per word (one HMGET), never the directory.
//
// Per word: 4 bytes of ordinal, 1 of length and the word past its first
// three characters (for the generated state directory, see docs/PIPELINE.md).
#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

namespace orgcast::directory {

/// A name in matching form, cut into words.
std::vector<std::string> name_words(std::string_view text);

/// The bucket a word is kept in: its first three characters (UTF-8 code points), or all of a shorter word.
std::string name_bucket(std::string_view word);

class NameIndexBuilder {
 public:
  /// The words of `name` and `name_hi` of the contact at `record`.
  void add(std::uint32_t record, std::string_view name, std::string_view name_hi);
  /// Every bucket (key, packed entries), in no order; the builder is left empty.
  std::vector<std::pair<std::string, std::string>> take();

 private:
  std::unordered_map<std::string, std::string> buckets_;
};

/// The records in `bucket` (packed as the builder packs it) with a word that
/// starts with `word` (a whole word when `word` is shorter than three characters); sorted, each once.
std::vector<std::uint32_t> records_matching(std::string_view bucket, std::string_view word);

/// Whether `name` or `name_hi` has, for every search word, a word starting with it (as the index matches).
bool name_matches(std::string_view name, std::string_view name_hi, const std::vector<std::string>& search_words);

}  // namespace orgcast::directory
