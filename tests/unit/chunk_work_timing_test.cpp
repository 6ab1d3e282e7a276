// One chunk's decisions against an injected clock: a retryable failure is
// due again only after its backoff (and a 429's Retry-After), measured on
// the clock the dispatcher is given, with no sleeping.
#include <gtest/gtest.h>

#include "broadcast/keys.hpp"
#include "core/clock.hpp"
#include "directory/codec.hpp"
#include "directory/records.hpp"
#include "dispatch/chunk_work.hpp"
#include "metrics/registry.hpp"

using namespace orgcast;
using namespace std::chrono_literals;

namespace {

class ChunkWorkTiming : public ::testing::Test {
 protected:
  void SetUp() override {
    directory::codec::ChunkWriter writer;
    std::string states;
    for (int i = 0; i < 3; ++i) {
      directory::ContactRecord c;
      c.id = "C" + std::to_string(i);
      c.name = "Contact " + std::to_string(i);
      c.mobile = 919829000000ULL + static_cast<unsigned>(i);
      c.language = "en";
      c.unit_id = "RJ";
      writer.append(c.view());
      broadcast::StateRecord{broadcast::State::queued, 0, 0, 0b1, 0, 0}.encode_into(states);
    }
    std::vector<redis::Reply> replies(3);
    replies[1].type = replies[2].type = redis::Reply::Type::string;
    replies[1].str = writer.take();
    replies[2].str = states;
    auto b = std::make_shared<dispatch::DispatchedBroadcast>();
    b->id = "b1";
    b->channels = {adapters::Channel::sms};
    b->units = {"RJ"};
    b->report_timeout = 600s;
    work_ = std::make_unique<dispatch::ChunkWork>(keys_, "me", keys_.stream("normal", "b1"), "1-0", 0, 0xA1A1A1A1u);
    work_->set_broadcast(b);
    ASSERT_TRUE(work_->load(replies));
  }
  // Claims the due recipients (as the claim script would answer) and fails them all with `failure`.
  void fail_due(adapters::SendFailure failure, std::optional<std::chrono::milliseconds> retry_after = std::nullopt) {
    auto batch = work_->take_due(clock_.steady_now(), 10);
    redis::Reply claimed;
    claimed.type = redis::Reply::Type::array;
    for (auto i : batch) {
      redis::Reply r;
      r.type = redis::Reply::Type::integer;
      r.integer = static_cast<long long>(i);
      claimed.elements.push_back(r);
    }
    auto mine = work_->claimed(batch, claimed);
    ASSERT_TRUE(mine);
    std::vector<adapters::SendResult> results(mine->size());
    for (auto& r : results) r.failure = failure, r.retry_after = retry_after;
    std::vector<const adapters::Adapter*> via(mine->size(), nullptr);
    work_->record(*mine, results, via, backoff_, random_, metrics_, clock_.steady_now(), clock_.system_now());
  }

  broadcast::Keys keys_{"t:"};
  ManualClock clock_;
  dispatch::BackoffPolicy backoff_{1000ms, 60000ms, 5};
  std::mt19937 random_{1};
  metrics::Registry metrics_;
  std::unique_ptr<dispatch::ChunkWork> work_;
};

TEST_F(ChunkWorkTiming, ARetryIsDueOnlyAfterItsBackoff) {
  fail_due(adapters::SendFailure::transient);
  EXPECT_TRUE(work_->has_pending());
  EXPECT_TRUE(work_->take_due(clock_.steady_now(), 10).empty()) << "not due at once";
  // The first retry waits half the base to the base (jitter): at most 1 s.
  EXPECT_LE(work_->next_retry() - clock_.steady_now(), 1000ms);
  EXPECT_GE(work_->next_retry() - clock_.steady_now(), 500ms);
  clock_.advance(1000ms);
  EXPECT_EQ(work_->take_due(clock_.steady_now(), 10).size(), 3u);
}

TEST_F(ChunkWorkTiming, RetryAfterIsAFloor) {
  fail_due(adapters::SendFailure::throttled, 7000ms);
  clock_.advance(6999ms);
  EXPECT_TRUE(work_->take_due(clock_.steady_now(), 10).empty());
  clock_.advance(1ms);
  EXPECT_EQ(work_->take_due(clock_.steady_now(), 10).size(), 3u);
}

TEST_F(ChunkWorkTiming, OutOfAttemptsFailsForGood) {
  for (int attempt = 1; attempt < backoff_.max_attempts; ++attempt) {
    fail_due(adapters::SendFailure::transient);
    clock_.advance(60000ms);
  }
  fail_due(adapters::SendFailure::transient);
  EXPECT_FALSE(work_->has_pending()) << "the last attempt failed: no channel left, failed";
}

}  // namespace
