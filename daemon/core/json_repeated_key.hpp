#pragma once
// A JSON object that names a key twice: parsers disagree on which value
// counts (Boost.JSON keeps the last, others the first), so one body could
// mean two things to two readers. Found in the text, before it is read.
#include <cstddef>
#include <string>
#include <string_view>

namespace orgcast {

struct RepeatedKey {
  std::size_t offset = std::string_view::npos;  // where the second one begins; npos: none
  std::string key;                              // as unescaped
};

/// The first key given twice within one object of `json` (which must
/// already be valid JSON); keys compare after unescaping ("a" is "\u0061").
RepeatedKey repeated_key(std::string_view json);

}  // namespace orgcast
