#include "core/text.hpp"

#include <algorithm>

namespace orgcast {

std::string_view trim(std::string_view s) {
  auto is_space = [](char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; };
  while (!s.empty() && is_space(s.front())) s.remove_prefix(1);
  while (!s.empty() && is_space(s.back())) s.remove_suffix(1);
  return s;
}

std::vector<std::string_view> split_trimmed(std::string_view s, char sep) {
  std::vector<std::string_view> out;
  while (true) {
    auto pos = s.find(sep);
    auto piece = trim(s.substr(0, pos));
    if (!piece.empty()) out.push_back(piece);
    if (pos == std::string_view::npos) break;
    s.remove_prefix(pos + 1);
  }
  return out;
}

std::size_t edit_distance(std::string_view a, std::string_view b) {
  std::vector<std::size_t> row(b.size() + 1);
  for (std::size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    std::size_t diagonal = row[0];
    row[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j) {
      std::size_t above = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] == b[j - 1] ? 0 : 1)});
      diagonal = above;
    }
  }
  return row[b.size()];
}

std::string closest_match(std::string_view word, const std::vector<std::string>& candidates) {
  std::string best;
  std::size_t best_distance = std::max<std::size_t>(2, word.size() / 3) + 1;
  for (const auto& candidate : candidates) {
    auto d = edit_distance(word, candidate);
    if (d < best_distance) {
      best_distance = d;
      best = candidate;
    }
  }
  return best;
}

bool is_identifier(std::string_view s) {
  if (s.empty() || !(s[0] >= 'a' && s[0] <= 'z')) return false;
  return std::all_of(s.begin(), s.end(), [](char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_'; });
}

std::string quoted(std::string_view s) {
  std::string out = "\"";
  out += s;
  out += '"';
  return out;
}

std::string quoted_input(std::string_view s, std::size_t most) {
  std::string out = "\"";
  std::size_t shown = 0, at = 0;
  while (at < s.size()) {
    if (shown == most) {
      out += "\u2026";
      break;
    }
    const auto lead = static_cast<unsigned char>(s[at]);
    const std::size_t length = lead < 0x80 ? 1 : (lead >> 5) == 0x6 ? 2 : (lead >> 4) == 0xE ? 3 : (lead >> 3) == 0x1E ? 4 : 0;
    if (length == 0 || at + length > s.size() || !valid_utf8(s.substr(at, length))) {
      out += "\xEF\xBF\xBD";  // U+FFFD
      ++at;
    } else {
      out.append(s.substr(at, length));
      at += length;
    }
    ++shown;
  }
  out += '"';
  return out;
}

std::string json_pointer_token(std::string_view key) {
  std::string out;
  for (char c : key) {
    if (c == '~') out += "~0";
    else if (c == '/') out += "~1";
    else out += c;
  }
  return out;
}

std::string name_problem(std::string_view text, std::size_t most) {
  const auto expected = "expected a text of 1 to " + std::to_string(most) + " characters";
  if (characters(text) > most) return expected;
  bool blank = true;  // nothing but spaces: ASCII, no-break (U+00A0), zero-width (U+200B), ideographic (U+3000)
  for (std::size_t i = 0; i < text.size(); ++i) {
    const auto c = static_cast<unsigned char>(text[i]);
    const auto next = i + 1 < text.size() ? static_cast<unsigned char>(text[i + 1]) : 0;
    const auto third = i + 2 < text.size() ? static_cast<unsigned char>(text[i + 2]) : 0;
    // C0, DEL, C1 (C2 80 to C2 9F) and the line and paragraph separators U+2028, U+2029.
    if (c < 0x20 || c == 0x7F || (c == 0xC2 && next >= 0x80 && next <= 0x9F) || (c == 0xE2 && next == 0x80 && (third == 0xA8 || third == 0xA9)))
      return "holds a control character (a newline, tab, NUL or escape): a name is one line of text";
    // U+202A to U+202E, U+2066 to U+2069, the marks U+200E, U+200F and U+061C.
    if ((c == 0xE2 && next == 0x80 && ((third >= 0xAA && third <= 0xAE) || third == 0x8E || third == 0x8F)) ||
        (c == 0xE2 && next == 0x81 && third >= 0xA6 && third <= 0xA9) || (c == 0xD8 && next == 0x9C))
      return "holds a text-direction control (U+202A to U+202E, U+2066 to U+2069, U+200E, U+200F, U+061C), which makes a name read as another";
    if (c == ' ') continue;
    if (c == 0xC2 && next == 0xA0) ++i;
    else if ((c == 0xE2 && next == 0x80 && third == 0x8B) || (c == 0xE3 && next == 0x80 && third == 0x80)) i += 2;
    else blank = false;
  }
  return blank ? expected + ", not blank" : "";
}

std::size_t characters(std::string_view utf8) {
  std::size_t n = 0;
  for (unsigned char c : utf8) n += (c & 0xC0) != 0x80;
  return n;
}

std::size_t invalid_utf8_at(std::string_view s) {
  for (std::size_t i = 0; i < s.size();) {
    const auto b = static_cast<unsigned char>(s[i]);
    const std::size_t n = b < 0x80 ? 1 : (b >= 0xC2 && b <= 0xDF) ? 2 : (b & 0xF0) == 0xE0 ? 3 : (b >= 0xF0 && b <= 0xF4) ? 4 : 0;
    if (n == 0 || i + n > s.size()) return i;
    for (std::size_t k = 1; k < n; ++k)
      if ((static_cast<unsigned char>(s[i + k]) & 0xC0) != 0x80) return i;
    // The second byte's range (RFC 3629): no overlong forms, no surrogates, nothing past U+10FFFF.
    const auto second = n > 1 ? static_cast<unsigned char>(s[i + 1]) : 0x80;
    if ((b == 0xE0 && second < 0xA0) || (b == 0xED && second > 0x9F) || (b == 0xF0 && second < 0x90) || (b == 0xF4 && second > 0x8F)) return i;
    i += n;
  }
  return std::string_view::npos;
}

bool valid_utf8(std::string_view s) { return invalid_utf8_at(s) == std::string_view::npos; }

}  // namespace orgcast
