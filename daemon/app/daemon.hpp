#pragma once
// orgcastd's wiring: every component is built here with its dependencies,
// started in order and stopped in reverse. No globals.
#include <string>

#include "config/config.hpp"
#include "core/log.hpp"

namespace orgcast {

struct DaemonOptions {
  std::string port_file;  // when set, the bound HTTP port is written there once listening
};

/// Runs until SIGTERM/SIGINT; returns the process exit code.
int run_daemon(Config config, DaemonOptions options, Log& log);

}  // namespace orgcast
