#pragma once
// Reads a reply (pure logic, no I/O: docs/REPLIES.md): the first word after
// normalisation, past any leading honorific, decides. YES and NO may carry a
// meeting code ("YES 47", "47 yes", "Y47"); REPORT carries its text. STOP
// and START act only as the whole message ("STOP", "STOP ALL"): "STOP
// please" is kept for a person to read, never an opt-out.
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>

#include "keywords/vocabulary.hpp"

namespace orgcast::keywords {

struct Reading {
  enum class Intent { none, yes, no, opt_out, opt_in, help, report };
  Intent intent = Intent::none;
  /// STOP ALL, START ALL: every channel, not only the one it came on.
  bool all_channels = false;
  /// A meeting code given with YES or NO.
  std::optional<unsigned> code;
  /// REPORT: the report as written, after the keyword.
  std::string text;
  /// The language of the word that matched ("" when none did).
  std::string language;
  /// STOP or START with other words: for a person to read, not acted on.
  bool for_a_person = false;
};
const char* name(Reading::Intent intent);

class Engine {
 public:
  explicit Engine(const Vocabulary& vocabulary);
  Reading read(std::string_view message) const;

 private:
  struct Meaning {
    Keyword keyword;
    std::string language;
  };
  const Meaning* meaning_of(std::string_view word) const;

  std::unordered_map<std::string, Meaning> words_;  // normalised alias -> keyword
  std::unordered_set<std::string> honorifics_, all_;
};

}  // namespace orgcast::keywords
