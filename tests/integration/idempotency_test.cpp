// Idempotency that heals: a POST whose first try failed (Redis stalled
// mid-request, or the instance died holding the key) does not block its
// retries for a day; two identical POSTs at once make one broadcast; the
// same key with another body is refused, naming the key.
#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <future>
#include <sstream>
#include <thread>
#include <iostream>

#include "core/digest.hpp"
#include "support/daemon_under_test.hpp"
#include "support/json_body.hpp"
#include "support/redis_server.hpp"
#include "support/generated_directory.hpp"

using namespace orgcast::testing;
using namespace std::chrono_literals;
namespace json = boost::json;

namespace {

constexpr const char* kBody =
    R"({"audience": {"units": ["RJ"]}, "template": "announcement", "variables": {"subject": "Hello", "details": "at the office"}, "channels": ["sms"]})";

HttpResult post_with_key(const DaemonUnderTest& d, const std::string& body, const std::string& key) {
  return http("POST", d.url("/v1/broadcasts"), body, "application/json", {{"Idempotency-Key", key}});
}

std::string redis_cli(int port, std::vector<std::string> args) {
  std::vector<std::string> argv{"redis-cli", "-p", std::to_string(port)};
  argv.insert(argv.end(), args.begin(), args.end());
  return run_command(argv, 5s).output;
}

// How many broadcasts exist under the prefix (their hashes, bc:b<N>).
int broadcasts_in(int port, const std::string& prefix) {
  auto keys = redis_cli(port, {"--scan", "--pattern", prefix + "bc:b*"});
  int n = 0;
  std::istringstream lines(keys);
  for (std::string line; std::getline(lines, line);)
    if (line.find(':', prefix.size() + 3) == std::string::npos) ++n;
  return n;
}

class IdempotencyTest : public ::testing::Test {
 protected:
  void SetUp() override {
    daemon_ = std::make_unique<DaemonUnderTest>(redis_.port(), prefix_, "broadcasts:\n  idempotency_lease_ms: 1000\n");
    daemon_->start();
    ASSERT_TRUE(daemon_->wait_ready(10s)) << daemon_->process().log();
    ASSERT_EQ(import_sample_directory(*daemon_), "");
  }
  PrivateRedis redis_;
  std::string prefix_ = unique_prefix();
  std::unique_ptr<DaemonUnderTest> daemon_;
};

TEST_F(IdempotencyTest, ARetryAfterAFailedFirstTryCreatesTheBroadcastOnce) {
  // Redis stalls mid-request: the POST answers 503; its key claim reaches
  // Redis when it wakes, so the key is held, but not for long.
  redis_.pause();
  auto first = post_with_key(*daemon_, kBody, "stalled-1");
  redis_.resume();
  EXPECT_EQ(first.status, 503) << first.body;
  HttpResult retry;
  int tries = 0;
  ASSERT_TRUE(eventually([&] {
    ++tries;
    retry = post_with_key(*daemon_, kBody, "stalled-1");
    return retry.status == 202;
  }, 10s)) << retry.status << " " << retry.body;
  auto again = post_with_key(*daemon_, kBody, "stalled-1");
  ASSERT_EQ(again.status, 202) << again.body;
  std::cout << "idempotency: first try " << first.status << ", created on retry " << tries << "; broadcasts "
            << broadcasts_in(redis_.port(), prefix_) << "\n";
  EXPECT_EQ(object_of(again)["id"], object_of(retry)["id"]);
  EXPECT_EQ(object_of(again)["idempotent_replay"], json::value(true));
  EXPECT_EQ(broadcasts_in(redis_.port(), prefix_), 1);
}

TEST_F(IdempotencyTest, AKeyHeldByADeadRequestIsTakenOverAfterItsLease) {
  // What an instance killed between its claim and its write leaves behind.
  const auto hash = orgcast::sha256_hex(json::serialize(json::parse(kBody)));
  const auto now_ms = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch()).count();
  // Keys are each caller's: this one is the harness token's.
  const std::string caller(object_of(daemon_->get("/v1/session"))["id"].as_string());
  redis_cli(redis_.port(), {"SET", prefix_ + "bc:idem:token:" + caller + "/dead-1", "pending|deadbeef|" + hash + "|" + std::to_string(now_ms + 1500),
                            "EX", "86400"});
  auto while_held = post_with_key(*daemon_, kBody, "dead-1");
  EXPECT_EQ(while_held.status, 409) << while_held.body;
  EXPECT_NE(while_held.body.find("dead-1"), std::string::npos) << while_held.body;
  std::this_thread::sleep_for(1600ms);
  auto after = post_with_key(*daemon_, kBody, "dead-1");
  EXPECT_EQ(after.status, 202) << after.body;
  EXPECT_EQ(broadcasts_in(redis_.port(), prefix_), 1);
}

TEST_F(IdempotencyTest, TwoIdenticalPostsAtOnceMakeOneBroadcast) {
  for (int round = 0; round < 5; ++round) {
    const std::string key = "twins-" + std::to_string(round);
    auto a = std::async(std::launch::async, [&] { return post_with_key(*daemon_, kBody, key); });
    auto b = std::async(std::launch::async, [&] { return post_with_key(*daemon_, kBody, key); });
    auto ra = a.get(), rb = b.get();
    EXPECT_TRUE(ra.status == 202 || ra.status == 409) << ra.status << " " << ra.body;
    EXPECT_TRUE(rb.status == 202 || rb.status == 409) << rb.status << " " << rb.body;
    EXPECT_TRUE(ra.status == 202 || rb.status == 202);
    if (ra.status == 202 && rb.status == 202) {
      EXPECT_EQ(object_of(ra)["id"], object_of(rb)["id"]);
    }
  }
  EXPECT_EQ(broadcasts_in(redis_.port(), prefix_), 5);
}

TEST_F(IdempotencyTest, TheSameKeyWithAnotherBodyIsRefusedNamingTheKey) {
  ASSERT_EQ(post_with_key(*daemon_, kBody, "reused-1").status, 202);
  std::string other = kBody;
  other.replace(other.find("Hello"), 5, "Namaste");
  auto r = post_with_key(*daemon_, other, "reused-1");
  EXPECT_EQ(r.status, 422) << r.body;
  EXPECT_NE(r.body.find("reused-1"), std::string::npos) << r.body;
  EXPECT_EQ(broadcasts_in(redis_.port(), prefix_), 1);
}

}  // namespace
