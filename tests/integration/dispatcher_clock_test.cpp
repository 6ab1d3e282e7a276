// The dispatcher's time-based decisions against an injected clock, with no
// sleeping for the durations they are about: a broadcast is held back from
// the moment the clock passes its expires_at (an hour ahead), and a sent
// recipient with no report ends `unconfirmed` once the clock passes its
// report timeout (ten minutes); a dead instance's chunk is taken over once
// the clock passes its lease, a live one's never. The dispatcher runs in this process with a
// ManualClock that a ticker moves with real time (rate limits still
// refill) until the test jumps it forward. A daemon without a provider
// makes the broadcasts; provider-sim takes the requests.
#include <gtest/gtest.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/json.hpp>
#include <fstream>
#include <sstream>

#include "app/providers.hpp"
#include "core/clock.hpp"
#include "core/utc_time.hpp"
#include "directory/importer.hpp"
#include "directory/index_from_chunks.hpp"
#include "core/log.hpp"
#include "dispatch/dispatcher.hpp"
#include "dispatch/http_transport.hpp"
#include "metrics/registry.hpp"
#include "support/daemon_under_test.hpp"
#include "support/generated_directory.hpp"
#include "support/io_runner.hpp"
#include "support/json_body.hpp"
#include "support/utc_in.hpp"
#include "support/provider_sim_process.hpp"
#include "support/redis_server.hpp"
#include "time_rules/time_rules.hpp"

using namespace orgcast;
using namespace orgcast::testing;
using namespace std::chrono_literals;
namespace json = boost::json;

namespace {

class DispatcherClock : public ::testing::Test {
 protected:
  /// Starts the provider, the queuing daemon and (unless `dispatching` is
  /// false: start_dispatcher() later) the dispatcher under test.
  void start(const std::vector<std::string>& sim_flags, bool dispatching = true) {
    sim_ = std::make_unique<ProviderSim>(sim_flags);
    queuer_ = std::make_unique<DaemonUnderTest>(shared_redis_port(), prefix_, "", free_port());
    ASSERT_EQ(import_small_directory(*queuer_), "");
    queuer_->start();
    ASSERT_TRUE(queuer_->wait_ready(10s)) << queuer_->process().log();

    redis::Options ro;
    ro.port = shared_redis_port();
    redis_ = redis::Client::create(io_.executor(), ro, log_);
    redis_->start();
    http_client::Options ho;
    http_out_ = http_client::Client::create(io_.executor(), ho, log_);
    http_pool_ = http_client::KeepAlivePool::create(io_.executor(), ho, log_);
    // The clock follows real time in 5 ms steps, on the dispatcher's thread.
    boost::asio::co_spawn(io_.executor(), [this]() -> boost::asio::awaitable<void> {
      boost::asio::steady_timer timer(co_await boost::asio::this_coro::executor);
      while (!stopping_) {
        timer.expires_after(5ms);
        co_await timer.async_wait(boost::asio::use_awaitable);
        clock_->advance(5ms);
      }
    }, boost::asio::detached);
    if (dispatching) start_dispatcher();
  }
  void start_dispatcher() { dispatcher_ = make_dispatcher("clock-test", metrics_); }
  /// A dispatcher on the injected clock, sending to provider-sim, started.
  std::shared_ptr<dispatch::Dispatcher> make_dispatcher(const std::string& consumer, metrics::Registry& metrics) {
    Config config;
    config.dispatch.provider_url = sim_->url("");
    config.dispatch.callback_base_url = queuer_->url("");
    std::string error;
    auto providers = app::build_providers(config, dispatch::make_transport(http_out_, http_pool_), error);
    EXPECT_TRUE(providers) << error;
    if (!providers) return nullptr;
    for (auto& route : providers->routes) route.rate_per_second = rate_;  // 200: ~2 s for a district
    dispatch::DispatcherOptions d;
    d.key_prefix = prefix_;
    d.consumer = consumer;
    d.workers = 2;
    d.window = window_;
    d.lease = lease_;
    d.report_timeout = 600s;
    d.clock = clock_;
    if (rules_) d.time_rules = [rules = rules_] { return rules; };
    if (index_) d.index = [index = index_] { return index; };
    auto dispatcher = std::make_shared<dispatch::Dispatcher>(io_.executor(), redis_, std::move(providers->routes), d, log_, metrics);
    dispatcher->start();
    return dispatcher;
  }
  void TearDown() override {
    if (!redis_) return;
    for (auto& d : {dispatcher_, second_})
      if (d) d->stop(0ms);
    for (auto& d : {dispatcher_, second_})
      if (d) eventually([&] { return d->finished(); }, 5s);
    stopping_ = true;
    http_out_->stop();
    http_pool_->stop();
    redis_->stop();
    for (int turn = 0; turn < 3; ++turn) io_.run([]() -> boost::asio::awaitable<void> { co_return; }());
    std::this_thread::sleep_for(50ms);  // the ticker's last step
  }
  /// Moves the injected clock forward at once (on the dispatcher's thread).
  void jump(std::chrono::milliseconds by) {
    io_.run([](std::shared_ptr<ManualClock> c, std::chrono::milliseconds by) -> boost::asio::awaitable<void> {
      c->advance(by);
      co_return;
    }(clock_, by));
  }
  std::string post(const std::string& body, long long& total) {
    auto r = http("POST", queuer_->url("/v1/broadcasts"), body);
    EXPECT_EQ(r.status, 202) << r.body;
    auto accepted = object_of(r);
    total = number(accepted, "recipients");
    return accepted.contains("id") ? std::string(accepted["id"].as_string()) : "";
  }
  /// Quiet hours 21:00-08:00 IST for announcements, the clock at `clock`,
  /// everything started, and an announcement to `unit` posted: its id.
  std::string announce_before_quiet_hours(const char* clock, const char* unit, long long& total) {
    auto rules = std::make_shared<time_rules::Rules>();
    rules->quiet_hours.push_back({"announcement", *time_rules::parse_daily_window("21:00-08:00")});
    rules_ = rules;
    clock_ = std::make_shared<ManualClock>(*parse_rfc3339(clock));
    start({"--report-delay-ms", "10"});
    return post(R"({"audience": {"units": [")" + std::string(unit) +
                    R"("]}, "template": "announcement", "variables": {"subject": "Hello", "details": "at the office"}, "channels": ["sms"]})",
                total);
  }
  json::object broadcast(const std::string& id) { return object_of(queuer_->get("/v1/broadcasts/" + id)); }
  long long count(const std::string& id, const char* state) {  // 0 when absent
    auto b = broadcast(id);
    return b.contains("counts") ? std::max(0LL, number(b["counts"].as_object(), state)) : 0;
  }
  long long accepted() { return number(object_of(http("GET", sim_->url("/stats"))), "accepted"); }
  long long duplicates() { return number(object_of(http("GET", sim_->url("/stats"))), "duplicates"); }
  redis::Reply command(redis::Args args) {
    auto reply = io_.run(redis_->command(std::move(args)));
    EXPECT_TRUE(reply);
    return reply ? *reply : redis::Reply{};
  }
  /// The consumer holding the first pending entry of `stream`, "" if none.
  std::string holder(const std::string& stream) {
    auto r = command(redis::cmd("XPENDING", stream, "dispatch", "-", "+", "1"));
    return r.elements.empty() ? "" : r.elements[0].elements.at(1).str;
  }
  long long clock_ms() {
    return io_.run([](std::shared_ptr<ManualClock> c) -> boost::asio::awaitable<long long> {
      co_return std::chrono::duration_cast<std::chrono::milliseconds>(c->system_now().time_since_epoch()).count();
    }(clock_));
  }
  static std::uint64_t takeovers(metrics::Registry& m) {
    return m.counter("orgcast_dispatch_chunks_reclaimed_total", "queue chunks taken over from a stopped instance").value();
  }

  std::string prefix_ = unique_prefix();
  std::shared_ptr<ManualClock> clock_ = std::make_shared<ManualClock>();
  Log log_{LogLevel::error};
  metrics::Registry metrics_, second_metrics_;
  IoRunner io_;
  std::unique_ptr<ProviderSim> sim_;
  std::unique_ptr<DaemonUnderTest> queuer_;
  std::shared_ptr<redis::Client> redis_;
  std::shared_ptr<http_client::Client> http_out_;
  std::shared_ptr<http_client::KeepAlivePool> http_pool_;
  std::shared_ptr<dispatch::Dispatcher> dispatcher_, second_;
  std::shared_ptr<const time_rules::Rules> rules_;  // none unless a test sets them
  std::shared_ptr<const directory::OrgIndex> index_;  // the directory as the daemon's watcher has it; none unless set
  int window_ = 4;
  int rate_ = 200;  // each provider account's requests a second
  std::chrono::milliseconds lease_ = 1000ms;
  std::atomic<bool> stopping_{false};
};

TEST_F(DispatcherClock, ExpiresAtIsReadOnTheInjectedClock) {
  start({"--report-delay-ms", "10"});
  long long total = 0;
  const auto id = post(R"({"audience": {"units": ["D1"]}, "template": "announcement", "variables": {"subject": "Hello", "details": "at the office"}, "channels": ["sms"], "expires_at": ")" +
                           utc_in(3600s) + "\"}",
                       total);
  ASSERT_TRUE(eventually([&] { return accepted() >= 40; }, 10s));
  jump(std::chrono::hours(2));  // an hour past expires_at, by the dispatcher's clock
  const auto at_jump = accepted();
  ASSERT_TRUE(eventually([&] { return count(id, "queued") == 0 && count(id, "sending") == 0; }, 10s)) << json::serialize(broadcast(id));
  const auto expired = count(id, "expired");
  std::cout << "clock moved past expires_at after " << at_jump << " of " << total << " accepted; then " << accepted() - at_jump
            << " more requests; " << expired << " expired\n";
  EXPECT_LE(accepted() - at_jump, 8) << "at most the windows already past their check (2 workers x 4)";
  EXPECT_GT(expired, total / 2);
  // The rest were sent before the jump; with no reports (the queuing daemon
  // has no provider webhook) the jump also passes their report timeout.
  EXPECT_EQ(expired + count(id, "sent") + count(id, "unconfirmed"), total);
}

TEST_F(DispatcherClock, NoReportByTheTimeoutOnTheInjectedClockEndsUnconfirmed) {
  start({"--silent-rate", "1"});  // accepted, never reported on
  long long total = 0;
  const auto id = post(R"({"audience": {"units": ["D1"]}, "template": "announcement", "variables": {"subject": "Hello", "details": "at the office"}, "channels": ["sms"]})",
                       total);
  ASSERT_TRUE(eventually([&] { return count(id, "sent") == total; }, 20s)) << json::serialize(broadcast(id));
  jump(590s);  // the ticker adds the real seconds that pass meanwhile
  std::this_thread::sleep_for(1500ms);  // housekeeping runs (once a second by the clock)
  EXPECT_EQ(count(id, "sent"), total) << "not yet: the report timeout is 600 s";
  jump(15s);
  ASSERT_TRUE(eventually([&] { return count(id, "unconfirmed") == total; }, 5s)) << json::serialize(broadcast(id));
  EXPECT_EQ(broadcast(id)["state"].as_string(), "done");
  std::cout << "report timeout on the injected clock: " << total << " sent, none reported, all unconfirmed after the clock passed 600 s\n";
}

// Leases are the instances' and run on their clocks: a dead instance's
// chunk is taken over once the clock passes the lease it last wrote, not
// before, whatever Redis's idle time says.
TEST_F(DispatcherClock, ADeadInstancesChunkIsTakenOverWhenItsLeaseRunsOutOnTheInjectedClock) {
  lease_ = 30s;  // this instance's own; it looks for dead ones every quarter lease by the clock
  start({}, false);  // (the queuing daemon takes no reports: recipients end `sent`)
  long long total = 0;
  const auto id = post(R"({"audience": {"units": ["D1"]}, "template": "announcement", "variables": {"subject": "Hello", "details": "at the office"}, "channels": ["sms"]})",
                       total);
  const auto stream = prefix_ + "q:normal:" + id;
  // The dead instance read the broadcast's only entry; its last heartbeat gave it 10 s.
  command(redis::cmd("XREADGROUP", "GROUP", "dispatch", "dead:1", "COUNT", "10", "STREAMS", stream, ">"));
  command(redis::cmd("ZADD", prefix_ + "q:leases", std::to_string(clock_ms() + 10000), "dead:1"));
  start_dispatcher();
  jump(9000ms);
  std::this_thread::sleep_for(400ms);  // several looks (every quarter lease by the clock); the ticker adds ~0.4 s
  EXPECT_EQ(holder(stream), "dead:1") << "taken over before its lease ran out";
  EXPECT_EQ(accepted(), 0);
  jump(8000ms);  // past the dead lease, and past the next look
  ASSERT_TRUE(eventually([&] { return count(id, "sent") == total; }, 20s)) << json::serialize(broadcast(id));
  EXPECT_EQ(takeovers(metrics_), 1u);
  EXPECT_EQ(duplicates(), 0);
  std::cout << "lease on the injected clock: not taken over 9.4 s into a 10 s lease; taken over past it, " << total
            << " sent, 0 duplicates\n";
}

// A live instance keeps its chunk however far the clock runs while its
// provider is slow: its heartbeat follows the clock. Two instances on one
// clock; the provider answers in 1.5 s (real), while the clock runs ahead
// by six leases.
TEST_F(DispatcherClock, ALiveInstancesChunkIsNeverTakenOverHoweverFarTheClockRuns) {
  window_ = 16;
  start({"--latency-ms", "1500"});
  second_ = make_dispatcher("clock-test-2", second_metrics_);
  long long total = 0;
  const auto id = post(R"({"audience": {"units": ["M1"]}, "template": "announcement", "variables": {"subject": "Hello", "details": "at the office"}, "channels": ["sms"]})",
                       total);
  ASSERT_GE(total, 10);
  const auto stream = prefix_ + "q:normal:" + id;
  ASSERT_TRUE(eventually([&] { return !holder(stream).empty(); }, 5s));
  const auto first_holder = holder(stream);
  for (int step = 0; step < 24; ++step) {  // 250 ms of clock a step, 100 ms real between steps
    jump(250ms);
    std::this_thread::sleep_for(100ms);
  }
  ASSERT_TRUE(eventually([&] { return count(id, "sent") == total; }, 30s)) << json::serialize(broadcast(id));
  EXPECT_EQ(takeovers(metrics_) + takeovers(second_metrics_), 0u) << "a live instance's chunk was taken over";
  EXPECT_EQ(duplicates(), 0);
  std::cout << "live lease on the injected clock: " << first_holder << " kept its chunk through 6 s of clock while its provider took 1.5 s"
            << " a request; " << total << " sent, 0 duplicates\n";
}

// Quiet hours hold a broadcast at the moment of sending: one that is
// sending when they begin (21:00 IST by the injected clock) stops there, is
// set aside, and goes on when they end (08:00), nobody twice.
TEST_F(DispatcherClock, QuietHoursStopABroadcastThatIsSendingWhenTheyBeginUntilTheyEnd) {
  long long total = 0;
  const auto id = announce_before_quiet_hours("2026-11-27T20:59:59+05:30", "D1", total);
  ASSERT_GT(total, 300);
  ASSERT_TRUE(eventually([&] { return clock_ms() >= 1795793400000; }, 5s)) << "21:00 IST by the clock";  // 2026-11-27T15:30:00Z
  std::this_thread::sleep_for(500ms);  // windows in flight at 21:00 finish
  const auto at_nine = accepted();
  std::this_thread::sleep_for(1500ms);
  EXPECT_EQ(accepted(), at_nine) << "nothing sent during the quiet hours";
  EXPECT_LT(at_nine, total) << "the broadcast was still sending at 21:00";
  EXPECT_EQ(count(id, "queued"), total - at_nine) << json::serialize(broadcast(id));
  std::cout << "quiet hours began after " << at_nine << " of " << total << " were sent\n";
  jump(std::chrono::hours(11));  // past 08:00 IST
  ASSERT_TRUE(eventually([&] { return accepted() == total; }, 20s)) << accepted() << " of " << total;
  EXPECT_EQ(duplicates(), 0);
  EXPECT_GT(metrics_.counter("orgcast_dispatch_held_by_time_rules_total", "").value(), 0u);
}

// A window let go just before 21:00 whose messages still wait for the
// account's rate (10 a second, 40 to a window) when the quiet hours begin:
// those not yet asked stop there — the rules are asked again before each
// request once one may have begun — and go at 08:00, nobody twice.
TEST_F(DispatcherClock, QuietHoursStopAWindowStillWaitingForTheRateWhenTheyBegin) {
  window_ = 40;
  rate_ = 10;
  long long total = 0;
  const auto id = announce_before_quiet_hours("2026-11-27T20:59:59.500+05:30", "M1", total);
  ASSERT_GT(total, 40);
  ASSERT_TRUE(eventually([&] { return clock_ms() >= 1795793400200; }, 5s)) << "21:00:00.2 IST by the clock";  // 2026-11-27T15:30:00.2Z
  const auto at_nine = accepted();
  std::this_thread::sleep_for(2s);  // 20 more tokens by the rate
  EXPECT_EQ(accepted(), at_nine) << "nobody asked after 21:00, also of the window let go before it";
  EXPECT_LT(at_nine, 40) << "the first window was still waiting for the rate at 21:00";
  ASSERT_TRUE(eventually([&] { return count(id, "queued") == total - at_nine; }, 5s)) << json::serialize(broadcast(id));
  jump(std::chrono::hours(11));  // past 08:00 IST
  ASSERT_TRUE(eventually([&] { return accepted() == total; }, 20s)) << accepted() << " of " << total;
  EXPECT_EQ(duplicates(), 0);
}

// Held by quiet hours past its expires_at, the rest of a broadcast ends
// `expired` when it passes (by the clock), never sent the next morning.
TEST_F(DispatcherClock, HeldPastItsExpiresAtTheRestEndsExpired) {
  // Quiet hours beginning at the next whole minute, for three hours, and
  // the clock two seconds before them; expires_at (an hour from now, as
  // the queuing daemon checks it) falls inside them.
  const auto now = std::chrono::system_clock::now();
  const auto quiet_from = std::chrono::ceil<std::chrono::minutes>(now + 1min);
  const int from_minute = static_cast<int>((quiet_from.time_since_epoch() / 1min + 330) % (24 * 60));
  auto rules = std::make_shared<time_rules::Rules>();
  rules->quiet_hours.push_back({"announcement", {from_minute, (from_minute + 180) % (24 * 60)}});
  rules_ = rules;
  clock_ = std::make_shared<ManualClock>(quiet_from - 2s);
  const auto expires = now + 1h;
  start({"--report-delay-ms", "10"});
  long long total = 0;
  const auto id = post(R"({"audience": {"units": ["D1"]}, "template": "announcement", "variables": {"subject": "Hello", "details": "at the office"}, "channels": ["sms"], "expires_at": ")" +
                           orgcast::format_utc(expires) + "\"}",
                       total);
  ASSERT_TRUE(eventually([&] { return clock_ms() >= std::chrono::duration_cast<std::chrono::milliseconds>((quiet_from + 500ms).time_since_epoch()).count(); }, 5s));
  std::this_thread::sleep_for(500ms);  // windows in flight finish
  const auto before = accepted();
  EXPECT_LT(before, total) << "still sending when the quiet hours began";
  jump(std::chrono::duration_cast<std::chrono::milliseconds>(expires - quiet_from) + 60s);  // past expires_at, still quiet
  ASSERT_TRUE(eventually([&] { return count(id, "queued") == 0; }, 10s)) << json::serialize(broadcast(id));
  EXPECT_EQ(count(id, "expired"), total - before) << json::serialize(broadcast(id));
  EXPECT_EQ(accepted(), before) << "nothing sent after the quiet hours began";
}

// A blackout holds only its region: a state-wide broadcast goes to every
// district but the one in its election silence, which gets it once the
// blackout ends; a reply-kind message would not be held at all.
TEST_F(DispatcherClock, ABlackoutHoldsItsRegionOnlyUntilItEnds) {
  auto rules = std::make_shared<time_rules::Rules>();
  const auto now = std::chrono::system_clock::now();
  rules->blackouts.push_back({"bo1", "Phase 1 poll", {"D1"}, now - std::chrono::hours(1), now + std::chrono::hours(47), {}});
  rules_ = rules;
  clock_ = std::make_shared<ManualClock>(now);
  // The small directory's index, as the daemon's watcher gives the dispatcher (which units lie below D1).
  directory::Vocabulary vocabulary{DirectoryConfig{}};
  auto read = [](const std::string& path) { std::ifstream in(path); std::stringstream text; text << in.rdbuf(); return text.str(); };
  auto imported = directory::import_directory(read(small_directory() + "/units.csv"), read(small_directory() + "/contacts.csv"), vocabulary);
  std::string error;
  index_ = directory::build_index_from_chunks(vocabulary, 1, imported.unit_chunks, imported.contact_chunks, {}, &error);
  ASSERT_TRUE(index_) << error;
  start({"--report-delay-ms", "10"});
  long long total = 0;
  const auto id = post(R"({"audience": {"units": ["RJ"]}, "template": "announcement", "variables": {"subject": "Hello", "details": "at the office"}, "channels": ["sms"]})",
                       total);
  // Everyone outside D1 is sent; D1's people wait.
  auto d1_queued = [&] { return number(broadcast(id)["by_unit"].as_object(), "D1:queued"); };
  ASSERT_TRUE(eventually([&] { return count(id, "queued") == d1_queued() && accepted() + count(id, "queued") == total; }, 30s))
      << accepted() << " of " << total << ": " << json::serialize(broadcast(id));
  std::this_thread::sleep_for(500ms);
  const auto held = count(id, "queued");
  EXPECT_EQ(accepted(), total - held) << "nothing more during the blackout";
  EXPECT_GT(held, 0);
  EXPECT_EQ(d1_queued(), held) << "only D1's: " << json::serialize(broadcast(id)["by_unit"]);
  std::cout << "blackout of D1: " << total - held << " of " << total << " sent, " << held << " in D1 held\n";
  jump(std::chrono::hours(48));
  ASSERT_TRUE(eventually([&] { return accepted() == total; }, 20s)) << accepted() << " of " << total;
  EXPECT_EQ(duplicates(), 0);
}

}  // namespace
