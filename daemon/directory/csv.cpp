#include "directory/csv.hpp"

#include "core/text.hpp"

namespace orgcast::csv {

Reader::Reader(std::string_view data) : data_(data) {
  if (data_.substr(0, 3) == "\xEF\xBB\xBF") data_.remove_prefix(3);
}

bool Reader::next(Row& row) {
  row.fields.clear();
  row.error.clear();
  // Skip blank lines between records.
  while (pos_ < data_.size() && (data_[pos_] == '\n' || data_[pos_] == '\r')) {
    if (data_[pos_] == '\n') ++line_;
    ++pos_;
  }
  if (pos_ >= data_.size()) return false;
  row.line = line_;

  // Fields are first collected as (offset, length) into scratch_ only when a
  // quoted field needs unescaping; plain fields point into data_ directly. To
  // keep one representation, every field is recorded as a view, and unescaped
  // ones are patched in after the record is complete (scratch_ may move while
  // it grows).
  scratch_.clear();
  scratch_fields_.clear();
  std::vector<int> scratch_index;  // per field: index into scratch_fields_, or -1

  const std::size_t n = data_.size();
  while (true) {
    std::size_t field_start = pos_;
    if (pos_ < n && data_[pos_] == '"') {
      // Quoted field.
      std::size_t column = row.fields.size() + 1;
      std::size_t open_line = line_;
      ++pos_;
      std::size_t content_start = pos_;
      bool has_escapes = false;
      bool closed = false;
      while (pos_ < n) {
        char c = data_[pos_];
        if (c == '"') {
          if (pos_ + 1 < n && data_[pos_ + 1] == '"') {
            has_escapes = true;
            pos_ += 2;
            continue;
          }
          closed = true;
          break;
        }
        if (c == '\n') ++line_;
        ++pos_;
      }
      if (!closed) {
        row.error = "field " + std::to_string(column) + " opens a quote on line " + std::to_string(open_line) +
                    " that is never closed";
        pos_ = n;
        return true;
      }
      std::string_view content = data_.substr(content_start, pos_ - content_start);
      ++pos_;  // closing quote
      if (has_escapes) {
        std::size_t offset = scratch_.size();
        for (std::size_t i = 0; i < content.size(); ++i) {
          scratch_ += content[i];
          if (content[i] == '"') ++i;  // skip the doubled quote
        }
        scratch_index.push_back(static_cast<int>(scratch_fields_.size()));
        scratch_fields_.emplace_back(offset, scratch_.size() - offset);
        row.fields.emplace_back();
      } else {
        scratch_index.push_back(-1);
        row.fields.push_back(content);
      }
      if (pos_ < n && data_[pos_] != ',' && data_[pos_] != '\n' && data_[pos_] != '\r') {
        row.error = "field " + std::to_string(column) + " has text after its closing quote";
        while (pos_ < n && data_[pos_] != '\n') ++pos_;
        return true;
      }
    } else {
      while (pos_ < n && data_[pos_] != ',' && data_[pos_] != '\n' && data_[pos_] != '\r') {
        if (data_[pos_] == '"') {
          row.error = "field " + std::to_string(row.fields.size() + 1) +
                      " has a quote inside an unquoted value; quote the whole field and double the quote";
          while (pos_ < n && data_[pos_] != '\n') ++pos_;
          return true;
        }
        ++pos_;
      }
      scratch_index.push_back(-1);
      row.fields.push_back(data_.substr(field_start, pos_ - field_start));
    }
    if (pos_ >= n) break;
    char c = data_[pos_];
    if (c == ',') {
      ++pos_;
      continue;
    }
    // End of record: CRLF, LF or a lone CR.
    if (c == '\r') ++pos_;
    if (pos_ < n && data_[pos_] == '\n') {
      ++pos_;
      ++line_;
    }
    break;
  }
  for (std::size_t i = 0; i < scratch_index.size(); ++i) {
    if (scratch_index[i] < 0) continue;
    auto [offset, length] = scratch_fields_[static_cast<std::size_t>(scratch_index[i])];
    row.fields[i] = std::string_view(scratch_).substr(offset, length);
  }
  // A name in another encoding (a spreadsheet saved as Windows-1252 or ISCII) would be stored garbled.
  for (std::size_t i = 0; i < row.fields.size() && row.error.empty(); ++i) {
    if (const auto bad = invalid_utf8_at(row.fields[i]); bad != std::string_view::npos) {
      row.error = "field " + std::to_string(i + 1) + " is not valid UTF-8 (byte " + std::to_string(bad + 1) +
                  " of the field); save the file as UTF-8";
      break;
    }
  }
  return true;
}

}  // namespace orgcast::csv
