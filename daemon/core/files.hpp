#pragma once
// Whole-file reads, for configs, secrets and CSV imports.
#include <optional>
#include <string>

namespace orgcast {

/// The file's bytes, or nullopt when it cannot be read.
std::optional<std::string> read_whole_file(const std::string& path);

}  // namespace orgcast
