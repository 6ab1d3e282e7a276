#include "keywords/normalise.hpp"

#include <unicode/normalizer2.h>
#include <unicode/uchar.h>
#include <unicode/unistr.h>

namespace orgcast::keywords {

namespace {

constexpr UChar32 kNukta = 0x093C;

// The ICU normaliser is built once and is thread-safe to use.
const icu::Normalizer2& nfkc_casefold() {
  static const icu::Normalizer2* instance = [] {
    UErrorCode status = U_ZERO_ERROR;
    const icu::Normalizer2* n = icu::Normalizer2::getNFKCCasefoldInstance(status);
    return U_SUCCESS(status) ? n : nullptr;
  }();
  return *instance;
}

}  // namespace

std::string normalise(std::string_view text) {
  // fromUTF8 turns invalid sequences into U+FFFD, a symbol: a space below.
  const auto input = icu::UnicodeString::fromUTF8(icu::StringPiece(text.data(), static_cast<std::int32_t>(text.size())));
  UErrorCode status = U_ZERO_ERROR;
  const icu::UnicodeString folded = nfkc_casefold().normalize(input, status);
  if (U_FAILURE(status)) return {};
  icu::UnicodeString kept;
  bool space = true;  // no leading space
  for (std::int32_t i = 0; i < folded.length();) {
    const UChar32 c = folded.char32At(i);
    i += U16_LENGTH(c);
    const auto category = U_GET_GC_MASK(c);
    // Invisible inside a word (joiners, direction marks): dropped, not a space.
    if (c == kNukta || (category & U_GC_CF_MASK) != 0) continue;
    if ((category & (U_GC_P_MASK | U_GC_S_MASK | U_GC_Z_MASK | U_GC_C_MASK)) != 0 || u_isUWhiteSpace(c)) {
      if (!space) kept.append(static_cast<UChar>(' '));
      space = true;
      continue;
    }
    if ((category & U_GC_ND_MASK) != 0) {
      kept.append(static_cast<UChar>('0' + u_charDigitValue(c)));
    } else {
      kept.append(c);
    }
    space = false;
  }
  if (kept.length() > 0 && kept.charAt(kept.length() - 1) == ' ') kept.truncate(kept.length() - 1);
  std::string out;
  kept.toUTF8String(out);
  return out;
}

}  // namespace orgcast::keywords
