#pragma once
// The form replies are matched in (pure logic, ICU): NFKC with case
// folding (so "YES", "Yes" and full-width "ＹＥＳ" are one word, and
// invisible joiners and variation selectors go), the Devanagari nukta
// dropped (ज़ matches ज: people type either), every decimal digit as ASCII
// (४७ is 47), punctuation, symbols and emoji turned into spaces, and runs
// of spaces collapsed. Chandrabindu and anusvara stay apart (no normal form
// joins हाँ and हां): the vocabulary lists both spellings.
#include <string>
#include <string_view>

namespace orgcast::keywords {

/// `text` (UTF-8) in matching form; invalid UTF-8 sequences become spaces.
std::string normalise(std::string_view text);

}  // namespace orgcast::keywords
