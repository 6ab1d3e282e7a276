#include "sms/segments.hpp"

#include <algorithm>
#include <array>
#include <cstdint>

namespace orgcast::sms {
namespace {

// The GSM 03.38 default alphabet, by septet value (0x1B is the escape to
// the extension table, so it maps to no character).
constexpr std::array<char32_t, 128> kDefault = {
    U'@', U'£', U'$', U'¥', U'è', U'é', U'ù', U'ì', U'ò', U'Ç', U'\n', U'Ø', U'ø', U'\r', U'Å', U'å',
    U'Δ', U'_', U'Φ', U'Γ', U'Λ', U'Ω', U'Π', U'Ψ', U'Σ', U'Θ', U'Ξ', 0,     U'Æ', U'æ', U'ß', U'É',
    U' ', U'!', U'"', U'#', U'¤', U'%', U'&', U'\'', U'(', U')', U'*', U'+', U',', U'-', U'.', U'/',
    U'0', U'1', U'2', U'3', U'4', U'5', U'6', U'7', U'8', U'9', U':', U';', U'<', U'=', U'>', U'?',
    U'¡', U'A', U'B', U'C', U'D', U'E', U'F', U'G', U'H', U'I', U'J', U'K', U'L', U'M', U'N', U'O',
    U'P', U'Q', U'R', U'S', U'T', U'U', U'V', U'W', U'X', U'Y', U'Z', U'Ä', U'Ö', U'Ñ', U'Ü', U'§',
    U'¿', U'a', U'b', U'c', U'd', U'e', U'f', U'g', U'h', U'i', U'j', U'k', U'l', U'm', U'n', U'o',
    U'p', U'q', U'r', U's', U't', U'u', U'v', U'w', U'x', U'y', U'z', U'ä', U'ö', U'ñ', U'ü', U'à',
};
// The extension table: escape + one septet each.
constexpr std::array<char32_t, 10> kExtension = {U'\f', U'^', U'{', U'}', U'\\', U'[', U'~', U']', U'|', U'€'};

// Decodes one code point; false on malformed UTF-8 (overlong, surrogates,
// beyond U+10FFFF, truncated).
bool next_code_point(std::string_view s, std::size_t& i, char32_t& out) {
  const auto byte = [&](std::size_t k) { return static_cast<unsigned char>(s[k]); };
  const unsigned char b0 = byte(i);
  std::size_t length = b0 < 0x80 ? 1 : (b0 & 0xE0) == 0xC0 ? 2 : (b0 & 0xF0) == 0xE0 ? 3 : (b0 & 0xF8) == 0xF0 ? 4 : 0;
  if (length == 0 || i + length > s.size()) return false;
  char32_t c = length == 1 ? b0 : length == 2 ? (b0 & 0x1F) : length == 3 ? (b0 & 0x0F) : (b0 & 0x07);
  for (std::size_t k = 1; k < length; ++k) {
    if ((byte(i + k) & 0xC0) != 0x80) return false;
    c = (c << 6) | (byte(i + k) & 0x3F);
  }
  static constexpr char32_t kMin[] = {0, 0, 0x80, 0x800, 0x10000};
  if (c < kMin[length] || c > 0x10FFFF || (c >= 0xD800 && c <= 0xDFFF)) return false;
  out = c;
  i += length;
  return true;
}

}  // namespace

const char* name(Encoding encoding) { return encoding == Encoding::gsm7 ? "GSM-7" : "UCS-2"; }

int gsm7_septets(char32_t c) {
  // One table up to Ω (U+03A9), the highest code point of the default
  // alphabet; beyond it only € is in GSM-7 (in the extension table). So
  // Devanagari (U+0900...) is answered with one comparison: a search of the
  // alphabet per character showed in dispatch profiles.
  constexpr char32_t kTableEnd = U'Ω' + 1;
  static const auto table = [] {
    std::array<std::int8_t, kTableEnd> t{};
    for (char32_t a : kDefault)
      if (a != 0 && a < kTableEnd) t[a] = 1;
    for (char32_t a : kExtension)
      if (a < kTableEnd) t[a] = 2;
    return t;
  }();
  if (c < kTableEnd) return c == 0 ? 0 : table[c];
  return c == U'€' ? 2 : 0;
}

std::optional<SegmentCount> count_segments(std::string_view utf8) {
  // Two passes without allocating: the encoding and total, then (for a
  // long text) the same greedy split as segment().
  bool gsm7 = true, wide = false;  // wide: a character of two units (GSM-7 extension or surrogate pair)
  std::size_t septets = 0, utf16 = 0;
  for (std::size_t i = 0; i < utf8.size();) {
    char32_t c = 0;
    if (!next_code_point(utf8, i, c)) return std::nullopt;
    const int s = gsm7_septets(c);
    gsm7 = gsm7 && s > 0;
    wide = wide || s == 2 || c > 0xFFFF;
    septets += static_cast<std::size_t>(s);
    utf16 += c > 0xFFFF ? 2 : 1;
  }
  SegmentCount out{gsm7 ? Encoding::gsm7 : Encoding::ucs2, gsm7 ? septets : utf16, 1};
  const std::size_t single = gsm7 ? 160 : 70, per_part = gsm7 ? 153 : 67;
  if (out.units <= single) return out;
  // Every character one unit: no character can straddle a boundary.
  if (!wide) {
    out.count = (out.units + per_part - 1) / per_part;
    return out;
  }
  std::size_t used = 0;
  for (std::size_t i = 0; i < utf8.size();) {
    char32_t c = 0;
    next_code_point(utf8, i, c);
    const std::size_t units = gsm7 ? static_cast<std::size_t>(gsm7_septets(c)) : (c > 0xFFFF ? 2 : 1);
    if (used + units > per_part) {
      ++out.count;
      used = 0;
    }
    used += units;
  }
  return out;
}

std::optional<Segments> segment(std::string_view utf8) {
  // Each character with its UTF-8 bytes and the units it takes in each encoding.
  struct Char {
    std::size_t begin, end;
    int septets, utf16;
  };
  std::vector<Char> chars;
  bool gsm7 = true;
  for (std::size_t i = 0; i < utf8.size();) {
    const std::size_t begin = i;
    char32_t c = 0;
    if (!next_code_point(utf8, i, c)) return std::nullopt;
    const int septets = gsm7_septets(c);
    gsm7 = gsm7 && septets > 0;
    chars.push_back({begin, i, septets, c > 0xFFFF ? 2 : 1});
  }
  Segments out;
  out.encoding = gsm7 ? Encoding::gsm7 : Encoding::ucs2;
  const auto units_of = [&](const Char& c) { return static_cast<std::size_t>(gsm7 ? c.septets : c.utf16); };
  for (const auto& c : chars) out.units += units_of(c);
  const std::size_t single = gsm7 ? 160 : 70, per_part = gsm7 ? 153 : 67;
  if (out.units <= single) {
    out.parts.emplace_back(utf8);
    return out;
  }
  // A character that does not fit whole in a segment starts the next one.
  std::size_t used = 0, part_begin = 0;
  for (const auto& c : chars) {
    if (used + units_of(c) > per_part) {
      out.parts.emplace_back(utf8.substr(part_begin, c.begin - part_begin));
      part_begin = c.begin;
      used = 0;
    }
    used += units_of(c);
  }
  out.parts.emplace_back(utf8.substr(part_begin));
  return out;
}

}  // namespace orgcast::sms
