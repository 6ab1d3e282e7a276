#pragma once
// Validates the two directory CSV files and encodes them into chunks ready
// for Redis. Validation is all-or-nothing: any error rejects the import, and
// every error is reported with its file, line, column and reason (up to a
// listing cap; the rest are counted).
#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "directory/vocabulary.hpp"

namespace orgcast::directory {

struct ImportError {
  std::string file;
  std::size_t line = 0;
  std::string column;  // CSV column name, or "" for a whole-row problem
  std::string message;

  /// "contacts.csv:12: mobile: an Indian mobile number has 10 digits..."
  std::string to_string() const;
};

struct ImportOptions {
  std::string units_file = "units.csv";
  std::string contacts_file = "contacts.csv";
  std::size_t max_errors_listed = 1000;
};

struct ImportedDirectory {
  std::vector<std::string> unit_chunks;
  std::vector<std::string> contact_chunks;
  /// The name index (directory/name_index.hpp): bucket key -> packed entries.
  std::vector<std::pair<std::string, std::string>> name_buckets;
  std::size_t unit_count = 0;
  std::size_t contact_count = 0;
  std::size_t person_count = 0;  // distinct mobiles
  std::vector<ImportError> errors;
  std::size_t error_count = 0;  // may exceed errors.size()

  bool ok() const { return error_count == 0; }
};

ImportedDirectory import_directory(std::string_view units_csv, std::string_view contacts_csv,
                                   const Vocabulary& vocabulary, const ImportOptions& options = {});

}  // namespace orgcast::directory
