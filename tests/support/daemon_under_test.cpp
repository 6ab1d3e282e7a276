#include "support/daemon_under_test.hpp"

#include <gtest/gtest.h>

#include <fstream>

namespace orgcast::testing {

DaemonUnderTest::DaemonUnderTest(int redis_port, std::string key_prefix, std::string extra_yaml, int http_port)
    : redis_port_(redis_port), prefix_(std::move(key_prefix)), dir_(temp_dir("daemon")), config_path_(dir_ + "/orgcast.yaml"),
      fixed_port_(http_port) {
  write_config(extra_yaml);
}

DaemonUnderTest::~DaemonUnderTest() {
  if (process_ && process_->running()) {
    process_->signal(SIGTERM);
    if (!process_->wait(std::chrono::seconds(10))) process_->kill();
  }
}

void DaemonUnderTest::write_config(const std::string& extra_yaml) {
  std::ofstream out(config_path_);
  // The tests' own polling (every 20 ms, often two requests) is no abuse:
  // the per-client limits are off unless a test sets them.
  const std::string limits = server_settings_.find("requests_per_second") != std::string::npos
                                 ? ""
                                 : "  requests_per_second_per_address: 0\n  requests_per_second_per_caller: 0\n";
  const std::string connections = server_settings_.find("max_connections_per_address") != std::string::npos ? "" : "  max_connections_per_address: 0\n";
  out << "log:\n  level: debug\n"
      << "server:\n  listen: 127.0.0.1:" << fixed_port_ << "\n  threads: 2\n  shutdown_grace_ms: 2000\n" << limits << connections << server_settings_
      << "redis:\n  port: " << redis_port_ << "\n  key_prefix: \"" << prefix_ << "\"\n"
      << "  reconnect_min_ms: 20\n  reconnect_max_ms: 200\n  connect_timeout_ms: 500\n"
      << extra_yaml;
  // The audit trail's key, in a file of its own (as in production), unless the test brings its own.
  if (extra_yaml.find("audit:") == std::string::npos) {
    std::ofstream(dir_ + "/audit.key") << "test-audit-key-" << prefix_ << "-0123456789abcdef0123456789";
    out << "audit:\n  key_file: " << dir_ << "/audit.key\n";
  }
  // The shipped templates, unless the test brings its own.
  if (extra_yaml.find("templates:") == std::string::npos) out << "templates:\n  dir: " << ORGCAST_SOURCE_DIR << "/templates\n";
}

void DaemonUnderTest::start() {
  std::string port_file = dir_ + "/port";
  std::remove(port_file.c_str());
  process_ = std::make_unique<Process>(
      std::vector<std::string>{build_dir() + "/orgcastd", "--config", config_path_, "--port-file", port_file},
      dir_ + "/orgcastd-" + std::to_string(std::rand()) + ".log");
  bool listening = eventually(
      [&] {
        std::ifstream in(port_file);
        return static_cast<bool>(in >> port_);
      },
      std::chrono::seconds(20));
  ASSERT_TRUE(listening) << "orgcastd did not start: " << process_->log();
  mint_token();
}

// A token as an operator makes one, with the CLI; tried again once the
// daemon is ready when Redis was away at start.
void DaemonUnderTest::mint_token() {
  if (token_.empty()) token_ = cli_token("tests", "state_admin", "*");
  if (!token_.empty()) use_token_for(url(""), token_);
}

std::string DaemonUnderTest::cli_token(const std::string& name, const std::string& profile, const std::string& scope) const {
  auto made = run_command({build_dir() + "/orgcast", "tokens", "create", "--config", config_path_, "--name", name, "--profile", profile, "--scope", scope});
  const auto at = made.output.find("oc_");
  if (made.code != 0 || at == std::string::npos) return "";
  return made.output.substr(at, made.output.find('\n', at) - at);
}

bool DaemonUnderTest::wait_ready(std::chrono::milliseconds timeout) {
  const bool ready = eventually([&] { return get("/readyz").status == 200; }, timeout);
  if (ready && token_.empty()) mint_token();
  return ready;
}

}  // namespace orgcast::testing
