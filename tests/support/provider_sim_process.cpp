#include "support/provider_sim_process.hpp"

#include <gtest/gtest.h>

#include <fstream>

namespace orgcast::testing {

ProviderSim::ProviderSim(std::vector<std::string> flags) : dir_(temp_dir("sim")) {
  std::vector<std::string> argv{build_dir() + "/provider-sim", "--port-file", dir_ + "/port"};
  argv.insert(argv.end(), flags.begin(), flags.end());
  process_ = std::make_unique<Process>(argv, dir_ + "/sim.log");
  bool up = eventually([&] { return static_cast<bool>(std::ifstream(dir_ + "/port") >> port_); }, std::chrono::seconds(10));
  if (!up) ADD_FAILURE() << "provider-sim did not start: " << process_->log();
}

std::string dispatch_section(const ProviderSim& sim, int daemon_port, const std::string& more) {
  return "dispatch:\n  provider_url: " + sim.url("") + "\n  callback_base_url: http://127.0.0.1:" + std::to_string(daemon_port) + "\n" +
         more;
}

}  // namespace orgcast::testing
