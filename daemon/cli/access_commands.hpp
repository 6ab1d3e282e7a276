#pragma once
// `orgcast users ...` and `orgcast tokens ...` (docs/ACCESS.md): written
// straight to Redis by whoever runs the daemon, which is how the first
// administrator and the first tokens are made (there is no default password).
#include <map>
#include <string>

#include "config/config.hpp"

namespace orgcast::cli {

/// `what`: add, passwd, disable, list. Exit code.
int run_users(const std::string& what, const Config& config, std::map<std::string, std::string>& args);
/// `what`: create, revoke, list. Exit code.
int run_tokens(const std::string& what, const Config& config, std::map<std::string, std::string>& args);

}  // namespace orgcast::cli
