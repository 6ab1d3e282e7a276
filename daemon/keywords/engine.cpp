#include "keywords/engine.hpp"

#include <cctype>
#include <charconv>
#include <cstring>
#include <vector>

#include "keywords/normalise.hpp"

namespace orgcast::keywords {

namespace {

std::vector<std::string_view> words_of(std::string_view normalised) {
  std::vector<std::string_view> words;
  for (std::size_t at = 0; at < normalised.size();) {
    const auto space = normalised.find(' ', at);
    const auto end = space == std::string_view::npos ? normalised.size() : space;
    words.push_back(normalised.substr(at, end - at));
    at = end + 1;
  }
  return words;
}

std::optional<unsigned> number_of(std::string_view word) {
  unsigned n = 0;
  if (word.empty() || word.size() > 6) return std::nullopt;
  auto [end, ec] = std::from_chars(word.data(), word.data() + word.size(), n);
  if (ec != std::errc() || end != word.data() + word.size()) return std::nullopt;
  return n;
}

// "y47" -> ("y", 47): a word ending in ASCII digits after something else.
std::pair<std::string_view, std::optional<unsigned>> split_code(std::string_view word) {
  auto digits = word.size();
  while (digits > 0 && word[digits - 1] >= '0' && word[digits - 1] <= '9') --digits;
  if (digits == 0 || digits == word.size()) return {word, std::nullopt};
  return {word.substr(0, digits), number_of(word.substr(digits))};
}

// The message as written after its first `skip` words (REPORT's text):
// raw words split at spaces and ASCII punctuation, counting only those
// that are words in the normal form too (an emoji before the keyword is none).
std::string after_words(std::string_view message, std::size_t skip) {
  auto separator = [](char c) { return std::isspace(static_cast<unsigned char>(c)) || std::strchr(",:;.!?-()\"'", c) != nullptr; };
  std::size_t at = 0;
  for (std::size_t counted = 0; counted < skip && at < message.size();) {
    while (at < message.size() && separator(message[at])) ++at;
    const auto start = at;
    while (at < message.size() && !separator(message[at])) ++at;
    if (at > start && !normalise(message.substr(start, at - start)).empty()) ++counted;
  }
  while (at < message.size() && separator(message[at])) ++at;
  auto end = message.size();
  while (end > at && std::isspace(static_cast<unsigned char>(message[end - 1]))) --end;
  return std::string(message.substr(at, end - at));
}

}  // namespace

const char* name(Reading::Intent intent) {
  switch (intent) {
    case Reading::Intent::none: return "none";
    case Reading::Intent::yes: return "yes";
    case Reading::Intent::no: return "no";
    case Reading::Intent::opt_out: return "opt_out";
    case Reading::Intent::opt_in: return "opt_in";
    case Reading::Intent::help: return "help";
    case Reading::Intent::report: return "report";
  }
  return "?";
}

Engine::Engine(const Vocabulary& vocabulary) {
  for (const auto& [language, words] : vocabulary.languages) {
    for (const auto& [keyword, aliases] : words.aliases)
      for (const auto& alias : aliases) words_.try_emplace(normalise(alias), Meaning{keyword, language});
    for (const auto& h : words.honorifics) honorifics_.insert(normalise(h));
    for (const auto& a : words.all) all_.insert(normalise(a));
  }
}

const Engine::Meaning* Engine::meaning_of(std::string_view word) const {
  auto it = words_.find(std::string(word));
  return it == words_.end() ? nullptr : &it->second;
}

Reading Engine::read(std::string_view message) const {
  Reading r;
  const auto normalised = normalise(message);
  const auto words = words_of(normalised);
  std::size_t first = 0;
  while (first < words.size() && honorifics_.contains(std::string(words[first]))) ++first;
  if (first == words.size()) return r;

  // A code may come first ("47 yes"), after the keyword ("yes 47") or joined to it ("y47").
  std::optional<unsigned> code;
  std::size_t at = first;
  if (auto n = number_of(words[at]); n && at + 1 < words.size()) {
    code = n;
    ++at;
  }
  auto [word, joined] = split_code(words[at]);
  const Meaning* meaning = meaning_of(words[at]);
  if (!meaning && joined) {
    meaning = meaning_of(word);
    if (meaning) code = joined;
  }
  // "STOPALL" as one word: the keyword and an all-channels word joined.
  bool joined_all = false;
  for (const auto& a : all_) {
    if (meaning || word.size() <= a.size() || !word.ends_with(a)) continue;
    const Meaning* m = meaning_of(word.substr(0, word.size() - a.size()));
    if (m && (m->keyword == Keyword::stop || m->keyword == Keyword::start)) meaning = m, joined_all = true;
  }
  if (!meaning) return r;
  const std::size_t rest = at + 1;  // the first word after the keyword
  r.language = meaning->language;

  switch (meaning->keyword) {
    case Keyword::yes:
    case Keyword::no:
      r.intent = meaning->keyword == Keyword::yes ? Reading::Intent::yes : Reading::Intent::no;
      if (!code && rest < words.size()) code = number_of(words[rest]);
      r.code = code;
      return r;
    case Keyword::stop:
    case Keyword::start: {
      // Only the whole message acts: anything else is for a person to read.
      const bool all = joined_all ? rest == words.size() : rest + 1 == words.size() && all_.contains(std::string(words[rest]));
      if (code || first != 0 || (rest < words.size() && !all)) {
        r.for_a_person = true;
        r.language.clear();
        return r;
      }
      r.intent = meaning->keyword == Keyword::stop ? Reading::Intent::opt_out : Reading::Intent::opt_in;
      r.all_channels = all;
      return r;
    }
    case Keyword::help:
      r.intent = Reading::Intent::help;
      return r;
    case Keyword::report:
      r.intent = Reading::Intent::report;
      r.text = after_words(message, rest);
      return r;
  }
  return r;
}

}  // namespace orgcast::keywords
