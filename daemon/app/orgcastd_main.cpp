// orgcastd: the orgcast daemon. Usage: orgcastd --config FILE [--port-file FILE] [--check-config]
#include <csignal>
#include <cstring>
#include <iostream>

#include "app/daemon.hpp"
#include "config/loader.hpp"

int main(int argc, char** argv) {
  // A write to a peer that died (Redis killed mid-command, a provider that
  // hung up) must fail with EPIPE, not end the process: hiredis writes with
  // write(2), which raises SIGPIPE.
  std::signal(SIGPIPE, SIG_IGN);
  std::string config_path = "/etc/orgcast/orgcast.yaml";
  orgcast::DaemonOptions options;
  bool check_only = false;
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    auto value = [&]() -> std::string {
      if (i + 1 >= argc) {
        std::cerr << "orgcastd: " << arg << " needs a value\n";
        std::exit(2);
      }
      return argv[++i];
    };
    if (arg == "--config") config_path = value();
    else if (arg == "--port-file") options.port_file = value();
    else if (arg == "--check-config") check_only = true;
    else if (arg == "--help" || arg == "-h") {
      std::cout << "usage: orgcastd --config FILE [--port-file FILE] [--check-config]\n";
      return 0;
    } else {
      std::cerr << "orgcastd: unknown argument " << arg << " (see --help)\n";
      return 2;
    }
  }
  auto loaded = orgcast::load_config_file(config_path);
  if (!loaded.config) {
    for (const auto& e : loaded.errors) std::cerr << e.to_string() << "\n";
    std::cerr << "orgcastd: the configuration has " << loaded.errors.size() << " error(s); not starting\n";
    return 2;
  }
  if (check_only) {
    std::cout << config_path << ": ok\n";
    return 0;
  }
  orgcast::Log log(loaded.config->log_level);
  return orgcast::run_daemon(std::move(*loaded.config), options, log);
}
