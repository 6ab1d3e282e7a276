#pragma once
// An RFC 4180 CSV reader over a whole file held in memory: UTF-8 with an
// optional BOM, CRLF or LF line ends, quoted fields with doubled quotes and
// embedded line breaks. Fields are views into the input (or into the row's
// own scratch space when a doubled quote had to be undone), valid until the
// next call to next().
#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace orgcast::csv {

struct Row {
  std::vector<std::string_view> fields;
  std::size_t line = 0;  // 1-based line on which the record starts
  std::string error;     // non-empty: the record is malformed, fields are unusable

  std::string_view field(std::size_t index) const { return index < fields.size() ? fields[index] : std::string_view{}; }
};

class Reader {
 public:
  explicit Reader(std::string_view data);

  /// Reads the next non-blank record; false at the end of input.
  bool next(Row& row);

 private:
  std::string_view data_;
  std::size_t pos_ = 0;
  std::size_t line_ = 1;
  std::string scratch_;
  std::vector<std::pair<std::size_t, std::size_t>> scratch_fields_;  // (offset, length) per field in scratch_
};

}  // namespace orgcast::csv
