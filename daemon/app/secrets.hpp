#pragma once
// Secrets come from files, never from the config itself: a path, or a bare
// name looked up in systemd's $CREDENTIALS_DIRECTORY (LoadCredential=).
#include <optional>
#include <string>

namespace orgcast {

/// The file's content without a trailing newline; nullopt and *error if unreadable.
std::optional<std::string> read_secret(const std::string& path_or_credential, std::string* error);

}  // namespace orgcast
