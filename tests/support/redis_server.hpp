#pragma once
// Redis servers for tests. shared_redis_port() is the one tools/test started
// for the whole run (tests use their own key prefix). PrivateRedis is a
// server of the test's own, for tests that stop, stall or restart Redis.
#include <memory>
#include <string>
#include <vector>

#include "support/process.hpp"

namespace orgcast::testing {

/// ORGCAST_TEST_REDIS_PORT, set by tools/test; the test fails without it.
int shared_redis_port();

/// A key prefix unique to this test and process.
std::string unique_prefix();

class PrivateRedis {
 public:
  /// Starts on a free port with no persistence (or AOF when asked, fsynced
  /// as `appendfsync` says: everysec or always).
  /// `environment`: NAME=value pairs redis-server runs with (LD_PRELOAD...).
  explicit PrivateRedis(bool aof = false, std::string appendfsync = "everysec", std::vector<std::string> environment = {});
  /// Its data folder (the AOF is under appendonlydir/).
  const std::string& dir() const { return dir_; }
  int port() const { return port_; }
  void start();
  void stop();             // SIGTERM and wait
  void kill();             // SIGKILL: a crash; start() again reads what the AOF kept
  void pause();            // SIGSTOP: it stops answering
  void resume();           // SIGCONT
  bool answers() const;    // PING works

 private:
  int port_;
  bool aof_;
  std::string appendfsync_;
  std::vector<std::string> environment_;
  std::string dir_;
  std::unique_ptr<Process> process_;
};

}  // namespace orgcast::testing
