#pragma once
// A provider fake built under adapters/<provider>/fake/ (fake-whatsapp,
// fake-fcm) as a process of the test's own, on a port it picks.
#include <gtest/gtest.h>

#include <fstream>
#include <memory>
#include <string>
#include <vector>

#include "support/process.hpp"

namespace orgcast::testing {

/// Writes `value` to dir/name (a provider account's secret file); its path.
inline std::string secret_file(const std::string& dir, const std::string& name, const std::string& value) {
  std::ofstream(dir + "/" + name) << value << "\n";
  return dir + "/" + name;
}

class FakeProvider {
 public:
  FakeProvider(const std::string& program, std::vector<std::string> flags) : dir_(temp_dir(program)) {
    std::vector<std::string> argv{build_dir() + "/" + program, "--port-file", dir_ + "/port"};
    argv.insert(argv.end(), flags.begin(), flags.end());
    process_ = std::make_unique<Process>(argv, dir_ + "/log");
    if (!eventually([&] { return static_cast<bool>(std::ifstream(dir_ + "/port") >> port_); }, std::chrono::seconds(10)))
      ADD_FAILURE() << program << " did not start: " << process_->log();
  }
  std::string url(const std::string& path = "") const { return "http://127.0.0.1:" + std::to_string(port_) + path; }

 private:
  std::string dir_;
  int port_ = 0;
  std::unique_ptr<Process> process_;
};

/// A Google service account key for a fake project, with a fresh RSA key;
/// `public_key_pem` is for fake-fcm's --public-key.
struct ServiceAccount {
  std::string json;
  std::string public_key_pem;
};
ServiceAccount make_service_account(const std::string& token_uri);

}  // namespace orgcast::testing
