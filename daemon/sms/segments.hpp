#pragma once
// SMS encoding and segmentation (3GPP TS 23.038 / 23.040): GSM-7 when every
// character is in the default alphabet or its extension table (the
// extension characters ^ { } \ [ ~ ] | € and form feed take two septets:
// an escape and the character), UCS-2 otherwise (all Devanagari). One SMS
// holds 160 septets or 70 UTF-16 units; a concatenated one 153 or 67 per
// segment (the rest is the concatenation header). An escape pair or a
// UTF-16 surrogate pair is never split between segments.
//
// Pure logic: templates, previews and cost use it.
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace orgcast::sms {

enum class Encoding { gsm7, ucs2 };
const char* name(Encoding encoding);

struct Segments {
  Encoding encoding = Encoding::gsm7;
  std::size_t units = 0;              // septets (GSM-7) or UTF-16 code units (UCS-2), in all
  std::vector<std::string> parts;     // each segment's text, UTF-8; one (maybe empty) at least
  std::size_t count() const { return parts.size(); }
};

/// Septets a code point takes in GSM-7: 1 (default alphabet), 2 (extension
/// table), 0 (not in GSM-7).
int gsm7_septets(char32_t c);

/// Chooses the encoding and splits the text; nullopt if it is not valid UTF-8.
std::optional<Segments> segment(std::string_view utf8);

struct SegmentCount {
  Encoding encoding = Encoding::gsm7;
  std::size_t units = 0;
  std::size_t count = 1;
};
/// segment()'s encoding and count without building the parts (pricing
/// every message of a broadcast).
std::optional<SegmentCount> count_segments(std::string_view utf8);

}  // namespace orgcast::sms
