#include "directory/name_index.hpp"

#include <algorithm>

#include "keywords/normalise.hpp"

namespace orgcast::directory {

namespace {

constexpr std::size_t kBucketChars = 3;
constexpr std::size_t kMostWordBytes = 255;  // a word's rest is kept behind one length byte

bool continuation(char c) { return (static_cast<unsigned char>(c) & 0xC0) == 0x80; }

// Bytes of the first `n` code points of `text` (all of it when shorter).
std::size_t prefix_bytes(std::string_view text, std::size_t n) {
  std::size_t i = 0;
  for (std::size_t seen = 0; i < text.size() && seen < n; ++seen) {
    ++i;
    while (i < text.size() && continuation(text[i])) ++i;
  }
  return i;
}

// A search word shorter than a bucket's key matches whole words only (its bucket holds just those).
bool whole_word_only(std::string_view word) {
  return static_cast<std::size_t>(std::count_if(word.begin(), word.end(), [](char c) { return !continuation(c); })) < kBucketChars;
}

std::vector<std::string> words_of_both(std::string_view name, std::string_view name_hi) {
  auto words = name_words(name);
  for (auto& w : name_words(name_hi)) words.push_back(std::move(w));
  std::sort(words.begin(), words.end());
  words.erase(std::unique(words.begin(), words.end()), words.end());
  return words;
}

bool word_matches(std::string_view word, std::string_view search) {
  return whole_word_only(search) ? word == search : word.starts_with(search);
}

}  // namespace

std::vector<std::string> name_words(std::string_view text) {
  const auto normal = keywords::normalise(text);
  std::vector<std::string> out;
  std::size_t at = 0;
  while (at < normal.size()) {
    const auto end = std::min(normal.find(' ', at), normal.size());
    if (end > at) out.emplace_back(normal.substr(at, end - at));
    at = end + 1;
  }
  return out;
}

std::string name_bucket(std::string_view word) { return std::string(word.substr(0, prefix_bytes(word, kBucketChars))); }

void NameIndexBuilder::add(std::uint32_t record, std::string_view name, std::string_view name_hi) {
  for (const auto& word : words_of_both(name, name_hi)) {
    auto key = name_bucket(word);
    const auto rest = std::string_view(word).substr(key.size(), kMostWordBytes);
    auto& bucket = buckets_[std::move(key)];
    for (int shift = 0; shift < 32; shift += 8) bucket.push_back(static_cast<char>((record >> shift) & 0xFF));
    bucket.push_back(static_cast<char>(rest.size()));
    bucket.append(rest);
  }
}

std::vector<std::pair<std::string, std::string>> NameIndexBuilder::take() {
  std::vector<std::pair<std::string, std::string>> out;
  out.reserve(buckets_.size());
  for (auto& [key, entries] : buckets_) out.emplace_back(key, std::move(entries));
  buckets_.clear();
  return out;
}

std::vector<std::uint32_t> records_matching(std::string_view bucket, std::string_view word) {
  const auto rest = word.substr(std::min(word.size(), name_bucket(word).size()));
  std::vector<std::uint32_t> out;
  std::size_t at = 0;
  while (at + 5 <= bucket.size()) {
    std::uint32_t record = 0;
    for (int i = 0; i < 4; ++i) record |= static_cast<std::uint32_t>(static_cast<unsigned char>(bucket[at + static_cast<std::size_t>(i)])) << (8 * i);
    const std::size_t length = static_cast<unsigned char>(bucket[at + 4]);
    if (at + 5 + length > bucket.size()) break;  // cut short: what is whole is read
    if (bucket.substr(at + 5, length).starts_with(rest)) out.push_back(record);
    at += 5 + length;
  }
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

bool name_matches(std::string_view name, std::string_view name_hi, const std::vector<std::string>& search_words) {
  const auto words = words_of_both(name, name_hi);
  return std::all_of(search_words.begin(), search_words.end(), [&](const std::string& search) {
    return std::any_of(words.begin(), words.end(), [&](const std::string& w) { return word_matches(w, search); });
  });
}

}  // namespace orgcast::directory
