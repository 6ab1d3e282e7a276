#pragma once
// Small string helpers shared by the config loader, the CSV importer and the
// API: nothing here allocates more than its result.
#include <string>
#include <string_view>
#include <vector>

namespace orgcast {

std::string_view trim(std::string_view s);

/// Splits on `sep`, trimming each piece and dropping empty pieces.
std::vector<std::string_view> split_trimmed(std::string_view s, char sep);

/// Levenshtein distance, for "did you mean" suggestions.
std::size_t edit_distance(std::string_view a, std::string_view b);

/// The closest candidate within a small distance, or "" when none is close.
std::string closest_match(std::string_view word, const std::vector<std::string>& candidates);

/// True when `s` is a lower-case identifier: [a-z0-9_]+ starting with a letter.
bool is_identifier(std::string_view s);

/// Quotes a string for JSON-ish human messages: "abc".
std::string quoted(std::string_view s);

/// Input quoted back in an error: at most `most` characters (then "…"),
/// bytes that are not well-formed UTF-8 shown as U+FFFD, so the error is
/// valid JSON text whatever was sent.
std::string quoted_input(std::string_view s, std::size_t most = 200);

/// A key as one token of a JSON pointer (RFC 6901): ~ as ~0, / as ~1.
std::string json_pointer_token(std::string_view key);

/// What is wrong with a name given through the API (a token's, a user's, a
/// blackout's, a contact's), or "": 1 to `most` characters, not blank, one
/// line with no control characters (C0, DEL, C1: an escape code would
/// rewrite an operator's terminal) and no text-direction overrides (U+202A
/// to U+202E, U+2066 to U+2069: they make a name read as another).
std::string name_problem(std::string_view text, std::size_t most);

/// Characters (code points) of UTF-8 text: continuation bytes are not counted.
std::size_t characters(std::string_view utf8);

/// Whether the bytes are well-formed UTF-8 (RFC 3629: no overlong forms, surrogates or code points past U+10FFFF).
bool valid_utf8(std::string_view s);
/// The offset of the first byte that is not well-formed UTF-8; npos when all are.
std::size_t invalid_utf8_at(std::string_view s);

}  // namespace orgcast
