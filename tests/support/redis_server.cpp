#include "support/redis_server.hpp"

#include <gtest/gtest.h>
#include <hiredis/hiredis.h>

#include <atomic>
#include <cstdlib>

namespace orgcast::testing {

int shared_redis_port() {
  const char* port = std::getenv("ORGCAST_TEST_REDIS_PORT");
  if (!port) {
    ADD_FAILURE() << "ORGCAST_TEST_REDIS_PORT is not set: run the tests through tools/test, which starts Redis";
    return 6379;
  }
  return std::atoi(port);
}

std::string unique_prefix() {
  static std::atomic<int> counter{0};
  const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
  std::string name = info ? std::string(info->test_suite_name()) + "." + info->name() : "test";
  return "t:" + name + ":" + std::to_string(getpid()) + ":" + std::to_string(counter++) + ":";
}

PrivateRedis::PrivateRedis(bool aof, std::string appendfsync, std::vector<std::string> environment)
    : port_(free_port()), aof_(aof), appendfsync_(std::move(appendfsync)), environment_(std::move(environment)), dir_(temp_dir("redis")) {
  start();
}

void PrivateRedis::start() {
  std::vector<std::string> argv;
  if (!environment_.empty()) {  // env(1) execs redis-server: the same PID, stopped by it
    argv.push_back("env");
    argv.insert(argv.end(), environment_.begin(), environment_.end());
  }
  const std::vector<std::string> server{"redis-server", "--port", std::to_string(port_), "--bind", "127.0.0.1", "--save", "",
                                        "--appendonly", aof_ ? "yes" : "no", "--appendfsync", appendfsync_, "--dir", dir_};
  argv.insert(argv.end(), server.begin(), server.end());
  process_ = std::make_unique<Process>(argv, dir_ + "/redis.log");
  if (!eventually([&] { return answers(); }, std::chrono::seconds(10)))
    ADD_FAILURE() << "redis-server did not start on port " << port_ << ": " << process_->log();
}

void PrivateRedis::stop() {
  if (!process_) return;
  process_->signal(SIGTERM);
  if (!process_->wait(std::chrono::seconds(10))) process_->kill();
  process_.reset();
}

void PrivateRedis::kill() {
  if (!process_) return;
  process_->kill();
  process_.reset();
}

void PrivateRedis::pause() { process_->signal(SIGSTOP); }
void PrivateRedis::resume() { process_->signal(SIGCONT); }

bool PrivateRedis::answers() const {
  timeval timeout{0, 200'000};
  redisContext* c = redisConnectWithTimeout("127.0.0.1", port_, timeout);
  if (!c || c->err) {
    if (c) redisFree(c);
    return false;
  }
  redisSetTimeout(c, timeout);
  auto* reply = static_cast<redisReply*>(redisCommand(c, "PING"));
  bool ok = reply && reply->type == REDIS_REPLY_STATUS;
  if (reply) freeReplyObject(reply);
  redisFree(c);
  return ok;
}

}  // namespace orgcast::testing
