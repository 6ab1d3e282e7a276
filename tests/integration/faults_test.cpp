// Faults a real deployment meets, without a crash: a provider slower than
// the lease, a graceful stop (every deploy). Each test counts from the
// provider's side: every recipient reached once, none twice, and the
// broadcast's counters equal its recipient list (docs/RELIABILITY.md).
#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <algorithm>
#include <csignal>
#include <ctime>
#include <iostream>
#include <sstream>
#include <thread>

#include "support/daemon_under_test.hpp"
#include "support/generated_directory.hpp"
#include "support/json_body.hpp"
#include "support/provider_sim_process.hpp"
#include "support/redis_server.hpp"

using namespace orgcast::testing;
using namespace std::chrono_literals;
namespace json = boost::json;

namespace {

constexpr const char* kAnnouncement =
    R"({"audience": {}, "template": "announcement", "variables": {"subject": "Hello", "details": "at the office"}, "channels": ["sms"]})";

json::object counts_of(DaemonUnderTest& d, const std::string& id) {
  auto b = object_of(d.get("/v1/broadcasts/" + id));
  return b.contains("counts") && b["counts"].is_object() ? b["counts"].as_object() : json::object{};
}

// The counters agree with the recipient list: none negative, and they sum
// to the total.
void expect_counters_consistent(const json::object& counts, long long total) {
  long long sum = 0;
  for (const auto& [state, value] : counts) {
    EXPECT_GE(value.as_int64(), 0) << "counter " << state << " went negative: " << json::serialize(counts);
    sum += value.as_int64();
  }
  EXPECT_EQ(sum, total) << "counters do not sum to the recipients: " << json::serialize(counts);
}

long long sent_by(DaemonUnderTest& d) {
  auto metrics = d.get("/metrics").body;
  const std::string name = "orgcast_dispatch_outcomes_total{state=\"sent\"} ";
  auto at = metrics.find(name);
  return at == std::string::npos ? 0 : std::stoll(metrics.substr(at + name.size()));
}

std::string post_broadcast(DaemonUnderTest& d, const std::string& body, long long& total) {
  auto r = http("POST", d.url("/v1/broadcasts"), body);
  EXPECT_EQ(r.status, 202) << r.body;
  auto accepted = object_of(r);
  total = number(accepted, "recipients");
  return accepted.contains("id") ? std::string(accepted["id"].as_string()) : "";
}

std::string post_announcement(DaemonUnderTest& d, long long& total) { return post_broadcast(d, kAnnouncement, total); }

// An announcement to one unit's subtree.
std::string post_to(DaemonUnderTest& d, const std::string& unit, long long& total) {
  return post_broadcast(d, R"({"audience": {"units": [")" + unit +
                               R"("]}, "template": "announcement", "variables": {"subject": "Hello", "details": "at the office"}, "channels": ["sms"]})",
                        total);
}

// A daemon sending to `sim` with these dispatch settings, the generated
// small directory imported, ready.
std::unique_ptr<DaemonUnderTest> ready_daemon(int redis_port, const ProviderSim& sim, const std::string& dispatch) {
  const int port = free_port();
  auto d = std::make_unique<DaemonUnderTest>(redis_port, unique_prefix(), dispatch_section(sim, port, dispatch), port);
  EXPECT_EQ(import_small_directory(*d), "");
  d->start();
  EXPECT_TRUE(d->wait_ready(10s)) << d->process().log();
  return d;
}

// A provider slower than the lease: the instance sending keeps its chunks
// (the lease is refreshed on a timer, not once per window), so nobody
// takes them over and nobody is sent twice.
void slow_provider_run(int instances) {
  ProviderSim sim({"--latency-ms", "1500", "--report-delay-ms", "10"});
  const std::string prefix = unique_prefix();
  std::vector<std::unique_ptr<DaemonUnderTest>> daemons;
  for (int n = 0; n < instances; ++n) {
    const int port = free_port();
    daemons.push_back(std::make_unique<DaemonUnderTest>(
        shared_redis_port(), prefix,
        dispatch_section(sim, port, "  workers: 2\n  concurrency: 256\n  rate_per_second: 5000\n  lease_ms: 1000\n"), port));
  }
  ASSERT_EQ(import_small_directory(*daemons[0]), "");
  for (auto& d : daemons) d->start();
  for (auto& d : daemons) ASSERT_TRUE(d->wait_ready(10s)) << d->process().log();
  long long total = 0;
  const auto id = post_announcement(*daemons[0], total);
  ASSERT_GT(total, 1000);
  ASSERT_TRUE(eventually([&] { return number(counts_of(*daemons[0], id), "delivered") == total; }, 90s))
      << json::serialize(counts_of(*daemons[0], id)) << "\n" << daemons[0]->process().log().substr(0, 3000);
  auto stats = object_of(http("GET", sim.url("/stats")));
  std::cout << "slow provider (1500 ms, lease 1000 ms), " << instances << " instance(s): " << total << " recipients, unique "
            << number(stats, "unique_recipients") << ", duplicates " << number(stats, "duplicates");
  for (auto& d : daemons) std::cout << ", sent by one " << sent_by(*d);
  std::cout << "\n";
  EXPECT_EQ(number(stats, "unique_recipients"), total);
  EXPECT_EQ(number(stats, "duplicates"), 0);
  expect_counters_consistent(counts_of(*daemons[0], id), total);
  auto b = object_of(daemons[0]->get("/v1/broadcasts/" + id));
  EXPECT_EQ(b["state"].as_string(), "done") << json::serialize(b);
  if (instances > 1) {
    for (auto& d : daemons) EXPECT_GT(sent_by(*d), 0) << "each instance sent part of the broadcast";
  }
}

TEST(Faults, ProviderSlowerThanTheLeaseOneInstance) { slow_provider_run(1); }
TEST(Faults, ProviderSlowerThanTheLeaseTwoInstances) { slow_provider_run(2); }

// SIGTERM mid-broadcast (every deploy): the stopping instance records what
// it sent and hands back what it had claimed ahead; the next one sends
// nobody again.
TEST(Faults, GracefulStopSendsNobodyTwice) {
  ProviderSim sim({"--latency-ms", "30", "--report-delay-ms", "10"});
  auto ready = ready_daemon(shared_redis_port(), sim, "  workers: 2\n  concurrency: 32\n  rate_per_second: 5000\n  lease_ms: 1000\n");
  auto& daemon = *ready;
  long long total = 0;
  const auto id = post_announcement(daemon, total);
  ASSERT_GT(total, 1000);
  auto stats = [&] { return object_of(http("GET", sim.url("/stats"))); };
  ASSERT_TRUE(eventually([&] { return number(stats(), "accepted") >= total / 4; }, 30s));
  daemon.process().signal(SIGTERM);
  auto code = daemon.process().wait(10s);
  ASSERT_TRUE(code.has_value()) << "orgcastd did not stop within 10 s of SIGTERM";
  EXPECT_EQ(*code, 0) << daemon.process().log().substr(0, 3000);
  const auto at_stop = number(stats(), "accepted");
  ASSERT_LT(at_stop, total) << "the broadcast finished before the stop; the test proves nothing";

  daemon.start();
  ASSERT_TRUE(eventually([&] { return number(counts_of(daemon, id), "delivered") == total; }, 60s))
      << json::serialize(counts_of(daemon, id)) << "\n" << daemon.process().log().substr(0, 3000);
  auto final_stats = stats();
  std::cout << "graceful stop: " << total << " recipients, stopped after " << at_stop << " accepted; unique "
            << number(final_stats, "unique_recipients") << ", duplicates " << number(final_stats, "duplicates") << "\n";
  EXPECT_EQ(number(final_stats, "unique_recipients"), total);
  EXPECT_EQ(number(final_stats, "duplicates"), 0);
  expect_counters_consistent(counts_of(daemon, id), total);
}

// A retry's due time lives in Redis: the instance that set it dies, and
// the one that carries on still waits for it (the provider asked for time).
// provider-sim refusing each recipient's first request (503), and a daemon
// that retries after `retry_base_ms` (half of it at the soonest).
struct RefusingFirst {
  RefusingFirst(int workers, int retry_base_ms)
      : sim({"--transient-first", "1", "--report-delay-ms", "10"}),
        daemon(ready_daemon(shared_redis_port(), sim,
                            "  workers: " + std::to_string(workers) + "\n  concurrency: 32\n  rate_per_second: 5000\n  lease_ms: 1000\n"
                            "  retry_base_ms: " + std::to_string(retry_base_ms) + "\n  max_attempts: 3\n")) {}
  json::object stats() { return object_of(http("GET", sim.url("/stats"))); }
  // Every first attempt of the broadcast refused and its retry recorded (queued again).
  bool retries_recorded(const std::string& id, long long total) {
    return eventually([&] { return number(counts_of(*daemon, id), "queued") == total && number(stats(), "requests") >= total; }, 10s);
  }
  ProviderSim sim;
  std::unique_ptr<DaemonUnderTest> daemon;
};

TEST(Faults, RetryDueTimesSurviveTheInstanceThatSetThem) {
  RefusingFirst rig(2, 8000);
  auto& daemon = *rig.daemon;
  auto stats = [&] { return rig.stats(); };
  const auto posted = std::chrono::steady_clock::now();
  long long total = 0;
  const auto id = post_to(daemon, "D1", total);
  ASSERT_GT(total, 100);
  ASSERT_TRUE(rig.retries_recorded(id, total)) << json::serialize(counts_of(daemon, id));  // due 4-8 s after
  daemon.process().signal(SIGKILL);
  ASSERT_TRUE(daemon.process().wait(5s).has_value());
  daemon.start();
  ASSERT_TRUE(daemon.wait_ready(10s)) << daemon.process().log();
  // The first retry comes no sooner than half the base delay (full jitter, floored).
  ASSERT_TRUE(eventually([&] { return number(stats(), "requests") > total; }, 20s));
  const auto retried_after = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - posted);
  ASSERT_TRUE(eventually([&] { return number(counts_of(daemon, id), "delivered") == total; }, 30s))
      << json::serialize(counts_of(daemon, id)) << "\n" << daemon.process().log().substr(0, 3000);
  auto final_stats = stats();
  std::cout << "retries across a crash: " << total << " recipients refused once (retry due 4-8 s later); first retry "
            << retried_after.count() << " ms after the POST; requests " << number(final_stats, "requests") << ", unique "
            << number(final_stats, "unique_recipients") << ", duplicates " << number(final_stats, "duplicates") << "\n";
  EXPECT_GE(retried_after, 4000ms) << "a retry went out before its due time";
  EXPECT_EQ(number(final_stats, "requests"), 2 * total);
  EXPECT_EQ(number(final_stats, "duplicates"), 0);
  expect_counters_consistent(counts_of(daemon, id), total);
}

// A worker whose chunks all wait for retries does not sit on them: it
// lets them go (their due times are in Redis) and takes other work.
TEST(Faults, AWorkerWaitingForRetriesTakesOtherWork) {
  RefusingFirst rig(1, 8000);
  auto& daemon = *rig.daemon;
  auto stats = [&] { return rig.stats(); };
  long long waiting_total = 0, other_total = 0;
  const auto waiting = post_to(daemon, "D1", waiting_total);
  ASSERT_TRUE(rig.retries_recorded(waiting, waiting_total));
  const auto posted = std::chrono::steady_clock::now();
  const auto other = post_to(daemon, "D2", other_total);
  ASSERT_TRUE(eventually([&] { return number(stats(), "requests") > waiting_total; }, 20s));
  const auto other_started_after = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - posted);
  ASSERT_TRUE(eventually([&] {
    return number(counts_of(daemon, waiting), "delivered") == waiting_total && number(counts_of(daemon, other), "delivered") == other_total;
  }, 30s)) << daemon.process().log().substr(0, 3000);
  auto final_stats = stats();
  std::cout << "one worker, " << waiting_total << " recipients waiting 4-8 s for retries: the next broadcast's first request "
            << other_started_after.count() << " ms after its POST; duplicates " << number(final_stats, "duplicates") << "\n";
  EXPECT_LT(other_started_after, 2000ms) << "the worker sat on chunks waiting for their retries";
  EXPECT_EQ(number(final_stats, "unique_recipients"), waiting_total + other_total);
  EXPECT_EQ(number(final_stats, "duplicates"), 0);
}

// A cancel ends the recipients of chunks set aside for their retries at
// once, not when their retry would have been due.
TEST(Faults, CancelEndsChunksSetAsideForRetries) {
  RefusingFirst rig(2, 20000);
  auto& daemon = *rig.daemon;
  auto stats = [&] { return rig.stats(); };
  long long total = 0;
  const auto id = post_to(daemon, "D1", total);
  ASSERT_TRUE(rig.retries_recorded(id, total));
  const auto cancel = std::chrono::steady_clock::now();
  ASSERT_EQ(http("POST", daemon.url("/v1/broadcasts/" + id + "/cancel"), "").status, 202);
  const bool ended = eventually([&] { return number(counts_of(daemon, id), "cancelled") == total; }, 5s);
  const auto took = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - cancel);
  std::cout << "cancel of " << total << " recipients waiting 10-20 s for retries: all cancelled after " << took.count()
            << " ms; requests " << number(stats(), "requests") << "\n";
  EXPECT_TRUE(ended) << json::serialize(counts_of(daemon, id));
  EXPECT_EQ(number(stats(), "requests"), total) << "nothing is sent after the cancel";
  expect_counters_consistent(counts_of(daemon, id), total);
}

}  // namespace

namespace {

long long metric_sum(DaemonUnderTest& d, const std::string& name) {
  std::istringstream lines(d.get("/metrics").body);
  long long sum = 0;
  for (std::string line; std::getline(lines, line);)
    if (line.rfind(name, 0) == 0 && (line[name.size()] == '{' || line[name.size()] == ' '))
      sum += std::stoll(line.substr(line.rfind(' ') + 1));
  return sum;
}

void redis_cli(int port, std::vector<std::string> args) {
  std::vector<std::string> argv{"redis-cli", "-p", std::to_string(port)};
  argv.insert(argv.end(), args.begin(), args.end());
  auto r = run_command(argv, 5s);
  ASSERT_EQ(r.code, 0) << r.output;
}

// A dead instance held an urgent chunk and a bulk one, and bulk work is
// still unread: the instance that carries on takes the urgent chunk over
// before it reads or takes over any bulk work. Counted from the provider's
// side: every urgent request comes before the first bulk one.
TEST(Faults, ADeadInstancesUrgentChunksAreTakenOverBeforeBulk) {
  const std::string prefix = unique_prefix();
  // An instance that only queues (no provider) makes the broadcasts.
  DaemonUnderTest queuer(shared_redis_port(), prefix, "", free_port());
  ASSERT_EQ(import_small_directory(queuer), "");
  queuer.start();
  ASSERT_TRUE(queuer.wait_ready(10s)) << queuer.process().log();
  long long urgent_total = 0, bulk_total = 0;
  const auto urgent = post_broadcast(queuer, R"({"audience": {"units": ["D1"]}, "template": "announcement", "variables": {"subject": "Now", "details": "at the office"}, "channels": ["sms"], "priority": "urgent"})",
                                     urgent_total);
  const auto bulk = post_broadcast(queuer, R"({"audience": {"units": ["D2", "D3"]}, "template": "announcement", "variables": {"subject": "Hello", "details": "at the office"}, "channels": ["sms"], "priority": "bulk"})",
                                   bulk_total);
  // The dead instance: it read an entry of each and will never finish them;
  // its lease ran out a second ago.
  for (const auto& stream : {prefix + "q:urgent:" + urgent, prefix + "q:bulk:" + bulk})
    redis_cli(shared_redis_port(), {"XREADGROUP", "GROUP", "dispatch", "dead:1", "COUNT", "1", "STREAMS", stream, ">"});
  const auto now_ms = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch()).count();
  redis_cli(shared_redis_port(), {"ZADD", prefix + "q:leases", std::to_string(now_ms - 1000), "dead:1"});

  ProviderSim sim({"--report-delay-ms", "10"});
  const int port = free_port();
  DaemonUnderTest carrier(shared_redis_port(), prefix,
                          dispatch_section(sim, port, "  workers: 1\n  concurrency: 8\n  rate_per_second: 1000\n  lease_ms: 1000\n"), port);
  carrier.start();
  ASSERT_TRUE(carrier.wait_ready(10s)) << carrier.process().log();
  ASSERT_TRUE(eventually([&] { return number(object_of(http("GET", sim.url("/stats"))), "accepted") >= urgent_total + 100; }, 30s));
  const auto sent = json::parse(http("GET", sim.url("/messages")).body);
  std::vector<std::string> order;  // broadcast of each request, in the order the provider took them
  for (const auto& body : sent.as_array()) {
    const std::string reference(body.as_object().at("reference").as_string());
    order.push_back(reference.substr(0, reference.find(':')));
  }
  ASSERT_LT(order.size(), 1000u) << "the provider's list of requests overflowed";
  const auto first_bulk = std::find(order.begin(), order.end(), bulk) - order.begin();
  const auto urgent_sent = std::count(order.begin(), order.end(), urgent);
  std::cout << "dead instance's chunks: " << urgent_total << " urgent, " << bulk_total << " bulk; the first bulk request was number "
            << first_bulk + 1 << " of " << order.size() << ", after " << urgent_sent << " urgent ones\n";
  EXPECT_EQ(urgent_sent, urgent_total);
  EXPECT_EQ(first_bulk, urgent_total) << "bulk work was read before the dead instance's urgent chunk was taken over";
  ASSERT_TRUE(eventually([&] { return number(counts_of(carrier, bulk), "delivered") == bulk_total; }, 30s));
  EXPECT_EQ(number(object_of(http("GET", sim.url("/stats"))), "duplicates"), 0);
}

// Redis error replies mid-broadcast: the script cache flushed again and
// again (NOSCRIPT), then Redis over its memory limit for a while (OOM).
// Each failed step is retried or taken over, never read as data, and no
// chunk is finished with recipients still queued or sending.
TEST(Faults, RedisErrorRepliesMidBroadcastLoseNothing) {
  PrivateRedis redis;
  ProviderSim sim({"--latency-ms", "20", "--report-delay-ms", "10"});
  auto ready = ready_daemon(redis.port(), sim, "  workers: 2\n  concurrency: 16\n  rate_per_second: 300\n  lease_ms: 1000\n  report_timeout_s: 2\n");
  auto& daemon = *ready;
  long long total = 0;
  const auto id = post_announcement(daemon, total);
  ASSERT_GT(total, 1000);
  auto stats = [&] { return object_of(http("GET", sim.url("/stats"))); };
  ASSERT_TRUE(eventually([&] { return number(stats(), "accepted") >= 100; }, 30s));
  const auto queued_at_fault = number(counts_of(daemon, id), "queued");
  for (int n = 0; n < 5; ++n) {
    redis_cli(redis.port(), {"SCRIPT", "FLUSH"});
    std::this_thread::sleep_for(100ms);
  }
  redis_cli(redis.port(), {"CONFIG", "SET", "maxmemory", "1"});
  std::this_thread::sleep_for(1500ms);
  redis_cli(redis.port(), {"CONFIG", "SET", "maxmemory", "0"});
  const auto errors_in_fault = metric_sum(daemon, "orgcast_dispatch_redis_errors_total");
  const auto accepted_after_fault = number(stats(), "accepted");

  ASSERT_TRUE(eventually([&] { return object_of(daemon.get("/v1/broadcasts/" + id))["state"] == json::value("done"); }, 60s))
      << json::serialize(counts_of(daemon, id)) << "\n" << daemon.process().log().substr(0, 4000);
  auto final_stats = stats();
  auto counts = counts_of(daemon, id);
  std::cout << "redis errors: " << total << " recipients, " << queued_at_fault << " queued when the faults began, "
            << errors_in_fault << " failed steps during them (" << accepted_after_fault << " accepted by their end); unique "
            << number(final_stats, "unique_recipients") << ", duplicates " << number(final_stats, "duplicates") << "; "
            << json::serialize(counts) << "\n";
  EXPECT_GE(queued_at_fault, total / 2) << "the faults came too late to prove anything";
  EXPECT_GT(errors_in_fault, 0) << "the faults were not hit";
  EXPECT_EQ(number(final_stats, "unique_recipients"), total);
  EXPECT_EQ(number(final_stats, "duplicates"), 0);
  EXPECT_EQ(number(counts, "queued"), 0);
  EXPECT_LE(number(counts, "sending"), 0) << "absent or 0";
  EXPECT_LE(number(counts, "sent"), 0) << "absent or 0";
  expect_counters_consistent(counts, total);
}

}  // namespace

namespace {

long long now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch()).count();
}

// Cancel is final on every instance at once: posted to one instance,
// cancelled through the other, no request reaches the provider more than
// 50 ms after the cancel's 202 (windows claimed ahead included); a second
// cancel, or one of a finished broadcast, changes nothing.
TEST(Faults, CancelStopsEveryInstanceWithinFiftyMilliseconds) {
  ProviderSim sim({"--latency-ms", "5", "--report-delay-ms", "10"});
  const std::string prefix = unique_prefix();
  std::vector<std::unique_ptr<DaemonUnderTest>> daemons;
  for (int n = 0; n < 2; ++n) {
    const int port = free_port();
    daemons.push_back(std::make_unique<DaemonUnderTest>(
        shared_redis_port(), prefix, dispatch_section(sim, port, "  workers: 2\n  concurrency: 32\n  rate_per_second: 60\n"), port));
  }
  ASSERT_EQ(import_small_directory(*daemons[0]), "");
  for (auto& d : daemons) d->start();
  for (auto& d : daemons) ASSERT_TRUE(d->wait_ready(10s));
  long long total = 0;
  const auto id = post_announcement(*daemons[0], total);
  auto stats = [&] { return object_of(http("GET", sim.url("/stats"))); };
  // Sends wait for the rate's tokens (60/s), windows of 16 are claimed ahead:
  // a cancel checked only at the claim would let them out for ~0.3 s more.
  ASSERT_TRUE(eventually([&] { return number(stats(), "accepted") >= 60; }, 30s));
  auto cancelled = http("POST", daemons[1]->url("/v1/broadcasts/" + id + "/cancel"), "");
  const auto answered_at = now_ms();
  ASSERT_EQ(cancelled.status, 202) << cancelled.body;
  ASSERT_TRUE(eventually([&] { return number(counts_of(*daemons[0], id), "queued") == 0 && number(counts_of(*daemons[0], id), "sending") <= 0; }, 20s))
      << json::serialize(counts_of(*daemons[0], id));
  std::this_thread::sleep_for(500ms);
  auto after = stats();
  const auto last = number(after, "last_request_ms");
  std::cout << "cancel: " << total << " recipients, " << number(after, "accepted") << " sent; the last request came "
            << last - answered_at << " ms after the cancel's 202\n";
  EXPECT_LE(last - answered_at, 50);
  EXPECT_LT(number(after, "accepted"), total);
  EXPECT_EQ(number(after, "duplicates"), 0);
  auto counts = counts_of(*daemons[0], id);
  EXPECT_EQ(number(counts, "cancelled") + number(counts, "delivered"), total) << json::serialize(counts);
  auto again = http("POST", daemons[0]->url("/v1/broadcasts/" + id + "/cancel"), "");
  EXPECT_EQ(again.status, 202) << again.body;
  EXPECT_EQ(json::serialize(counts_of(*daemons[0], id)), json::serialize(counts)) << "a second cancel changes nothing";
}

// expires_at is final too: no request after it, and what was left is `expired`.
TEST(Faults, NothingIsSentAfterExpiresAt) {
  ProviderSim sim({"--latency-ms", "5", "--report-delay-ms", "10"});
  auto ready = ready_daemon(shared_redis_port(), sim, "  workers: 2\n  concurrency: 16\n  rate_per_second: 200\n");
  auto& daemon = *ready;
  const auto expires_ms = (now_ms() / 1000 + 3) * 1000;  // whole seconds, 2-3 s from now
  const std::time_t expires_s = expires_ms / 1000;
  char expires[32];
  std::strftime(expires, sizeof expires, "%Y-%m-%dT%H:%M:%SZ", std::gmtime(&expires_s));
  auto r = http("POST", daemon.url("/v1/broadcasts"),
                std::string(R"({"audience": {}, "template": "announcement", "variables": {"subject": "Hello", "details": "at the office"}, "channels": ["sms"], "expires_at": ")") +
                    expires + "\"}");
  ASSERT_EQ(r.status, 202) << r.body;
  const std::string id(object_of(r)["id"].as_string());
  const auto total = number(object_of(r), "recipients");
  ASSERT_TRUE(eventually([&] { return number(counts_of(daemon, id), "expired") > 0 && number(counts_of(daemon, id), "queued") == 0; }, 20s))
      << json::serialize(counts_of(daemon, id));
  std::this_thread::sleep_for(300ms);
  auto after = object_of(http("GET", sim.url("/stats")));
  const auto last = number(after, "last_request_ms");
  auto counts = counts_of(daemon, id);
  std::cout << "expiry: " << total << " recipients, " << number(after, "accepted") << " sent, " << number(counts, "expired")
            << " expired; the last request came " << expires_ms - last << " ms before expires_at\n";
  // The daemon checks its clock right before the request; the request
  // reaches the provider a moment later (same machine, same clock).
  EXPECT_LE(last, expires_ms + 5);
  EXPECT_EQ(number(counts, "expired") + number(counts, "delivered"), total) << json::serialize(counts);
}

}  // namespace

namespace {

// Redis itself crashes (SIGKILL), right after a 202 and again mid-dispatch,
// and restarts from its AOF with `appendfsync always` (docs/RELIABILITY.md):
// the broadcast exists, every recipient ends, duplicates stay within what
// was in flight.
TEST(Faults, RedisKilledTwiceLosesNothingAcknowledged) {
  PrivateRedis redis(true, "always");
  ProviderSim sim({"--latency-ms", "5", "--report-delay-ms", "10"});
  const int concurrency = 16;
  auto ready = ready_daemon(redis.port(), sim, "  workers: 2\n  concurrency: " + std::to_string(concurrency) +
                                                   "\n  rate_per_second: 1000\n  lease_ms: 1000\n");
  auto& daemon = *ready;
  long long total = 0;
  const auto id = post_announcement(daemon, total);
  ASSERT_GT(total, 1000);
  std::this_thread::sleep_for(150ms);
  redis.kill();
  redis.start();
  auto stats = [&] { return object_of(http("GET", sim.url("/stats"))); };
  ASSERT_TRUE(eventually([&] { return number(stats(), "accepted") >= total / 3; }, 60s)) << daemon.process().log().substr(0, 3000);
  const auto at_second_kill = number(stats(), "accepted");
  redis.kill();
  redis.start();
  ASSERT_TRUE(eventually([&] { return object_of(daemon.get("/v1/broadcasts/" + id))["state"] == json::value("done"); }, 90s))
      << json::serialize(object_of(daemon.get("/v1/broadcasts/" + id))) << "\n" << daemon.process().log().substr(0, 4000);
  auto final_stats = stats();
  auto counts = counts_of(daemon, id);
  std::cout << "redis killed twice (appendfsync always): " << total << " recipients, second kill after " << at_second_kill
            << " accepted; unique " << number(final_stats, "unique_recipients") << ", duplicates " << number(final_stats, "duplicates")
            << " (in-flight limit " << concurrency << "); " << json::serialize(counts) << "\n";
  ASSERT_LT(at_second_kill, total) << "the broadcast finished before the second kill; the test proves nothing";
  EXPECT_EQ(number(final_stats, "unique_recipients"), total);
  EXPECT_LE(number(final_stats, "duplicates"), concurrency);
  EXPECT_EQ(number(counts, "delivered"), total);
  expect_counters_consistent(counts, total);
}

}  // namespace
