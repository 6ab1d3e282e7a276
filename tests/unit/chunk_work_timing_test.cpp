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
  void SetUp() override { read_chunk(); }
  void read_chunk() {
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
    std::vector<redis::Reply> replies(4);
    replies[1].type = replies[2].type = redis::Reply::Type::string;
    replies[1].str = writer.take();
    replies[2].str = states;
    replies[3].type = redis::Reply::Type::array;  // bc:<id>:due:<k>: recipient -> retry due (ms)
    for (auto [i, due] : due_) {
      redis::Reply field, value;
      field.type = value.type = redis::Reply::Type::string;
      field.str = std::to_string(i);
      value.str = std::to_string(std::chrono::duration_cast<std::chrono::milliseconds>((clock_.system_now() + due).time_since_epoch()).count());
      replies[3].elements.push_back(field);
      replies[3].elements.push_back(value);
    }
    auto b = std::make_shared<dispatch::DispatchedBroadcast>();
    b->id = "b1";
    b->channels = {adapters::Channel::sms};
    b->units = {"RJ"};
    b->report_timeout = 600s;
    work_ = std::make_unique<dispatch::ChunkWork>(keys_, "me", keys_.stream("normal", "b1"), "1-0", 0, 0xA1A1A1A1u);
    work_->set_broadcast(b);
    ASSERT_TRUE(work_->load(replies, clock_.steady_now(), clock_.system_now()));
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

  std::vector<std::pair<int, std::chrono::milliseconds>> due_;  // retry due times the chunk is read with
  broadcast::Keys keys_{"t:"};
  ManualClock clock_{std::chrono::system_clock::time_point(std::chrono::milliseconds(1'800'000'000'000))};  // whole ms, as Redis keeps times
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

// The chunk read anew (another instance, after a crash or a set-aside):
// the due times written by whoever sent last still hold.
TEST_F(ChunkWorkTiming, DueTimesReadFromRedisAreHonoured) {
  due_ = {{0, 5000ms}, {2, -1000ms}};
  read_chunk();
  auto first = work_->take_due(clock_.steady_now(), 10);
  EXPECT_EQ(first, (std::vector<std::size_t>{1, 2})) << "no due time, or one passed: sent now";
  EXPECT_EQ(work_->next_retry() - clock_.steady_now(), 5000ms);
  clock_.advance(4999ms);
  EXPECT_TRUE(work_->take_due(clock_.steady_now(), 10).empty());
  clock_.advance(1ms);
  EXPECT_EQ(work_->take_due(clock_.steady_now(), 10), (std::vector<std::size_t>{0}));
}

// A chunk set aside goes to q:retry by its soonest due time, as wall time.
TEST_F(ChunkWorkTiming, ASetAsideChunkIsDueAtItsSoonestRetry) {
  fail_due(adapters::SendFailure::throttled, 7000ms);
  const auto finish = work_->finish_command(clock_.steady_now(), clock_.system_now());
  const auto expected =
      std::chrono::duration_cast<std::chrono::milliseconds>((clock_.system_now() + (work_->next_retry() - clock_.steady_now())).time_since_epoch());
  EXPECT_EQ(finish[finish.size() - 3], std::to_string(expected.count())) << "the due time, before the consumer and the chunk";
  EXPECT_GE(work_->next_retry() - clock_.steady_now(), 7000ms);
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
