#pragma once
// The provider simulator (tools/provider_sim) as a process of the test's own.
#include <memory>
#include <string>
#include <vector>

#include "support/process.hpp"

namespace orgcast::testing {

class ProviderSim;

/// The config's dispatch section for a daemon on `daemon_port` sending to
/// `sim`; `more` adds lines ("  workers: 2\n...").
std::string dispatch_section(const ProviderSim& sim, int daemon_port, const std::string& more = "");

class ProviderSim {
 public:
  explicit ProviderSim(std::vector<std::string> flags = {});
  int port() const { return port_; }
  std::string url(const std::string& path) const { return "http://127.0.0.1:" + std::to_string(port_) + path; }

 private:
  std::string dir_;
  int port_ = 0;
  std::unique_ptr<Process> process_;
};

}  // namespace orgcast::testing
