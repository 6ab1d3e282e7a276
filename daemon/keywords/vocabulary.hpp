#pragma once
// The words a reply is read by (pure logic): for each language, the aliases
// of each keyword, in Latin and Devanagari. Every language's words are
// recognised from every sender (a Hindi speaker may write YES); the
// language is what the answer is acknowledged in. The shipped words are
// the vocabulary in force (a `keywords:` config section to replace them is
// not read yet).
#include <map>
#include <string>
#include <vector>

namespace orgcast::keywords {

/// What a keyword asks for.
enum class Keyword { yes, no, stop, start, help, report };
const char* name(Keyword k);

struct LanguageWords {
  std::map<Keyword, std::vector<std::string>> aliases;
  /// Leading words skipped before the keyword: "जी हाँ" is YES.
  std::vector<std::string> honorifics;
  /// After STOP or START: the whole person, every channel ("STOP ALL").
  std::vector<std::string> all;
};

struct Vocabulary {
  std::map<std::string, LanguageWords> languages;  // by language code: "hi", "en"

  /// Hindi and English as shipped.
  static Vocabulary shipped();
  /// "" when usable, else what is wrong: an alias empty after
  /// normalisation, or one word meaning two keywords (YES can never be START).
  std::string check() const;
};

}  // namespace orgcast::keywords
