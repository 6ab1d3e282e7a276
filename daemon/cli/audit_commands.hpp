#pragma once
// `orgcast audit verify --config FILE [--log-heads SEQ:MAC[,SEQ:MAC]]`:
// checks the audit trail's chain in the config's Redis with the key from
// audit.key_file (audit/chain.hpp): an entry changed, removed, reordered,
// or a tail cut off. 0 when whole, 1 when not (and what is wrong), 2 usage.
#include <map>
#include <string>

#include "config/config.hpp"

namespace orgcast::cli {

int run_audit(const std::string& what, const Config& config, std::map<std::string, std::string>& args);

}  // namespace orgcast::cli
