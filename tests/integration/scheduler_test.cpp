// The durable scheduler against the real test Redis and an injected clock
// (no sleeping for the hours it is about): an item runs once at its time,
// whichever of two instances looks; adding it again adds nothing; a failing
// handler is retried with backoff and then fails for good; a run whose
// instance died is claimed again when its lease runs out.
#include <gtest/gtest.h>

#include "core/clock.hpp"
#include "core/log.hpp"
#include "lua_scripts.hpp"
#include "schedule/scheduler.hpp"
#include "support/io_runner.hpp"
#include "support/process.hpp"
#include "support/redis_server.hpp"

using namespace orgcast;
using namespace orgcast::testing;
using namespace std::chrono_literals;

namespace {

class SchedulerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    redis::Options o;
    o.port = shared_redis_port();
    redis_ = redis::Client::create(io_.executor(), o, log_);
    redis_->start();
    ASSERT_TRUE(eventually([&] { return redis_->connected(); }, 5s));
  }
  void TearDown() override {
    redis_->stop();
    for (int turn = 0; turn < 2; ++turn) io_.run([]() -> boost::asio::awaitable<void> { co_return; }());
  }
  std::shared_ptr<schedule::Scheduler> instance(int max_attempts = 3) {
    schedule::SchedulerOptions options;
    options.key_prefix = prefix_;
    options.clock = clock_;
    options.lease = 60s;
    options.retry_base = 10s;
    options.max_attempts = max_attempts;
    auto s = std::make_shared<schedule::Scheduler>(io_.executor(), redis_, options, log_);
    s->on("remind", [this](const schedule::Item& item) -> boost::asio::awaitable<std::string> {
      ++runs_;
      last_ = item;
      co_return fail_ ? "the provider is down" : "";
    });
    return s;
  }
  std::size_t add(schedule::Scheduler& s, const std::string& id, std::chrono::milliseconds in) {
    return io_.run(s.add(id, "remind", clock_->system_now() + in, R"({"meeting": "m1"})")).value();
  }
  std::string state(schedule::Scheduler& s, const std::string& id) {
    auto st = io_.run(s.state_of(id)).value();
    return st ? st->state : "unknown";
  }

  Log log_{LogLevel::error};
  IoRunner io_;
  std::shared_ptr<redis::Client> redis_;
  std::shared_ptr<ManualClock> clock_ =
      std::make_shared<ManualClock>(std::chrono::system_clock::time_point(std::chrono::milliseconds(1'800'000'000'000)));
  std::string prefix_ = unique_prefix();
  int runs_ = 0;
  bool fail_ = false;
  schedule::Item last_;
};

TEST_F(SchedulerTest, ADueItemRunsOnceAtItsTimeWhicheverInstanceLooks) {
  auto a = instance(), b = instance();
  EXPECT_EQ(add(*a, "m1:remind:24h", 1h), 1u);
  EXPECT_EQ(add(*b, "m1:remind:24h", 2h), 0u) << "the same id again adds nothing";
  EXPECT_EQ(io_.run(a->run_due()), 0u);
  clock_->advance(59min);
  EXPECT_EQ(io_.run(b->run_due()), 0u) << "not yet due";
  clock_->advance(1min);
  EXPECT_EQ(io_.run(b->run_due()) + io_.run(a->run_due()), 1u) << "one of them runs it, once";
  EXPECT_EQ(runs_, 1);
  EXPECT_EQ(last_.payload, R"({"meeting": "m1"})");
  EXPECT_EQ(last_.attempts, 1);
  EXPECT_EQ(state(*a, "m1:remind:24h"), "done");
  clock_->advance(24h);
  EXPECT_EQ(io_.run(a->run_due()) + io_.run(b->run_due()), 0u) << "done is done";
}

TEST_F(SchedulerTest, AFailingRunIsRetriedWithBackoffThenFailsForGood) {
  auto s = instance(3);
  fail_ = true;
  add(*s, "m2:remind:2h", 0ms);
  EXPECT_EQ(io_.run(s->run_due()), 1u);
  EXPECT_EQ(state(*s, "m2:remind:2h"), "scheduled") << "to be retried";
  clock_->advance(9s);
  EXPECT_EQ(io_.run(s->run_due()), 0u) << "the first retry waits the base, 10 s";
  clock_->advance(1s);
  EXPECT_EQ(io_.run(s->run_due()), 1u);
  clock_->advance(19s);
  EXPECT_EQ(io_.run(s->run_due()), 0u) << "the second waits twice as long";
  clock_->advance(1s);
  EXPECT_EQ(io_.run(s->run_due()), 1u);
  EXPECT_EQ(runs_, 3);
  auto st = io_.run(s->state_of("m2:remind:2h")).value();
  ASSERT_TRUE(st);
  EXPECT_EQ(st->state, "failed") << "out of attempts";
  EXPECT_EQ(st->last_error, "the provider is down");
  EXPECT_EQ(st->attempts, 3);
}

TEST_F(SchedulerTest, ARunWhoseInstanceDiedIsClaimedAgainAfterItsLease) {
  auto s = instance();
  add(*s, "m3:remind:24h", 0ms);
  // An instance claims it and dies before finishing.
  const auto now_ms = std::to_string(std::chrono::duration_cast<std::chrono::milliseconds>(clock_->system_now().time_since_epoch()).count());
  auto claimed = io_.run(redis_->command(
      redis::cmd("EVAL", std::string(lua::claim_due), "2", prefix_ + "sch:due", prefix_ + "sch:running", now_ms, "60000", "10")));
  ASSERT_TRUE(claimed && claimed->elements.size() == 1u);
  EXPECT_EQ(state(*s, "m3:remind:24h"), "running");
  clock_->advance(59s);
  EXPECT_EQ(io_.run(s->run_due()), 0u) << "its lease still holds";
  clock_->advance(1s);
  EXPECT_EQ(io_.run(s->run_due()), 1u) << "claimed again once the lease ran out";
  EXPECT_EQ(state(*s, "m3:remind:24h"), "done");
}

}  // namespace
