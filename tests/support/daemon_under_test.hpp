#pragma once
// An orgcastd started as a real process with its own config file, against a
// Redis of the test's choosing, on a port chosen by the OS.
#include <memory>
#include <string>

#include "support/http_client.hpp"
#include "support/process.hpp"

namespace orgcast::testing {

class DaemonUnderTest {
 public:
  /// `extra_yaml` is appended to the generated config (e.g. a directory section).
  /// http_port 0: any free port (known after start()).
  DaemonUnderTest(int redis_port, std::string key_prefix, std::string extra_yaml = "", int http_port = 0);
  ~DaemonUnderTest();

  /// Starts orgcastd and waits until it listens (not necessarily ready).
  void start();
  bool wait_ready(std::chrono::milliseconds timeout);
  std::string url(const std::string& path) const { return "http://127.0.0.1:" + std::to_string(port_) + path; }
  Process& process() { return *process_; }
  const std::string& config_path() const { return config_path_; }
  void write_config(const std::string& extra_yaml);
  /// Lines added to the config's `server:` section, e.g. "  idle_timeout_ms: 300\n"; call before start().
  void set_server_settings(std::string lines, const std::string& extra_yaml = "") {
    server_settings_ = std::move(lines);
    write_config(extra_yaml);
  }
  int port() const { return port_; }
  HttpResult get(const std::string& path) const { return http("GET", url(path)); }
  /// The state administrator's token minted for the tests (`orgcast tokens create`); every http() to this daemon carries it.
  const std::string& token() const { return token_; }
  const std::string& key_prefix() const { return prefix_; }
  /// Another token made by the CLI (its own person, not one a token made); "" when it could not be.
  std::string cli_token(const std::string& name, const std::string& profile, const std::string& scope) const;

 private:
  int redis_port_;
  std::string prefix_, dir_, config_path_, server_settings_;
  int port_ = 0;
  int fixed_port_ = 0;
  std::string token_;
  void mint_token();
  std::unique_ptr<Process> process_;
};

}  // namespace orgcast::testing
