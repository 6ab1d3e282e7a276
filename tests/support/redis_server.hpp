#pragma once
// Redis servers for tests. shared_redis_port() is the one tools/test started
// for the whole run (tests use their own key prefix). PrivateRedis is a
// server of the test's own, for tests that stop, stall or restart Redis.
#include <memory>
#include <string>

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
  explicit PrivateRedis(bool aof = false, std::string appendfsync = "everysec");
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
  std::string dir_;
  std::unique_ptr<Process> process_;
};

}  // namespace orgcast::testing
