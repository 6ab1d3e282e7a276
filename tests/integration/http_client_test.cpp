// The curl-multi HTTP client against the provider simulator: many requests
// in flight at once, HTTP errors as responses, transport failures as
// error codes, and deadlines.
#include "http_client/client.hpp"

#include <curl/curl.h>
#include <gtest/gtest.h>

#include <boost/asio/experimental/awaitable_operators.hpp>

#include "support/http_client.hpp"
#include "support/io_runner.hpp"
#include "support/provider_sim_process.hpp"

using namespace orgcast;
using namespace orgcast::testing;
using namespace std::chrono_literals;
namespace asio = boost::asio;

namespace {

http_client::Request send_to(const ProviderSim& sim, const std::string& to) {
  http_client::Request r;
  r.url = sim.url("/send");
  r.headers = {{"Content-Type", "application/json"}};
  r.body = R"({"to": ")" + to + R"(", "channel": "sms", "text": "नमस्ते"})";
  return r;
}

class HttpClientTest : public ::testing::Test {
 protected:
  Log log_{LogLevel::error};
  IoRunner io_;
  std::shared_ptr<http_client::Client> client_ = http_client::Client::create(io_.executor(), {}, log_);
  void TearDown() override { client_->stop(); }
};

TEST_F(HttpClientTest, ManyRequestsInFlightAllComplete) {
  ProviderSim sim({"--latency-ms", "20"});
  constexpr int kRequests = 400;
  auto all = [&]() -> asio::awaitable<int> {
    std::vector<std::future<boost::system::result<http_client::Response>>> futures;
    for (int i = 0; i < kRequests; ++i)
      futures.push_back(asio::co_spawn(io_.executor(), client_->send(send_to(sim, "+9170000" + std::to_string(10000 + i))), asio::use_future));
    int ok = 0;
    for (auto& f : futures) {
      while (f.wait_for(0s) != std::future_status::ready) {
        asio::steady_timer t(co_await asio::this_coro::executor, 5ms);
        co_await t.async_wait(asio::use_awaitable);
      }
      auto r = f.get();
      if (r && r->status == 200 && r->body.find("sim-") != std::string::npos) ++ok;
    }
    co_return ok;
  };
  auto started = std::chrono::steady_clock::now();
  EXPECT_EQ(io_.run(all()), kRequests);
  // 400 requests of 20 ms each, 64 connections: concurrent, so far below 8 s.
  EXPECT_LT(std::chrono::steady_clock::now() - started, 4s);
  EXPECT_EQ(client_->in_flight(), 0u);
}

TEST_F(HttpClientTest, HttpErrorsAreResponsesWithHeaders) {
  ProviderSim sim({"--throttle-rate", "1"});
  auto r = io_.run(client_->send(send_to(sim, "+917000000001")));
  ASSERT_TRUE(r) << r.error().message();
  EXPECT_EQ(r->status, 429);
  EXPECT_EQ(r->header("retry-after"), "1");
  EXPECT_NE(r->body.find("throttled"), std::string::npos);
}

TEST_F(HttpClientTest, RefusedConnectionIsNeverSent) {
  http_client::Request r;
  r.url = "http://127.0.0.1:" + std::to_string(free_port()) + "/send";
  auto result = io_.run(client_->send(r));
  ASSERT_FALSE(result);
  EXPECT_EQ(result.error().value(), CURLE_COULDNT_CONNECT);
  EXPECT_TRUE(http_client::never_sent(result.error()));
}

TEST_F(HttpClientTest, SlowServerTimesOut) {
  ProviderSim sim({"--latency-ms", "1000"});
  auto request = send_to(sim, "+917000000002");
  request.timeout = 150ms;
  auto started = std::chrono::steady_clock::now();
  auto result = io_.run(client_->send(request));
  auto took = std::chrono::steady_clock::now() - started;
  ASSERT_FALSE(result);
  EXPECT_EQ(result.error().value(), CURLE_OPERATION_TIMEDOUT);
  EXPECT_FALSE(http_client::never_sent(result.error())) << "the provider may have acted on it";
  EXPECT_GE(took, 140ms);
  EXPECT_LT(took, 900ms);
}

TEST_F(HttpClientTest, StopFailsWhatIsInFlight) {
  ProviderSim sim({"--latency-ms", "2000"});
  auto pending = asio::co_spawn(io_.executor(), client_->send(send_to(sim, "+917000000003")), asio::use_future);
  ASSERT_TRUE(eventually([&] { return client_->in_flight() == 1; }, 2s));
  client_->stop();
  ASSERT_EQ(pending.wait_for(2s), std::future_status::ready);
  auto r = pending.get();
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error(), asio::error::operation_aborted);
}

}  // namespace

// The provider-sim adapter over the real client and the real simulator.
#include "adapters/provider_sim/provider_sim_adapter.hpp"
#include "dispatch/http_transport.hpp"

namespace {

TEST_F(HttpClientTest, ProviderSimAdapterEndToEnd) {
  ProviderSim ok_sim;
  adapters::ProviderSimAdapter adapter("sim", ok_sim.url(""), dispatch::make_transport(client_, nullptr));
  auto sent = io_.run(adapter.send({"b1:1:1", adapters::Channel::sms, "+919829012345", "hello", ""}));
  EXPECT_TRUE(sent.accepted()) << sent.reason;
  EXPECT_EQ(sent.provider_message_id.rfind("sim-", 0), 0u);

  ProviderSim refusing({"--permanent-rate", "1"});
  adapters::ProviderSimAdapter refused("sim", refusing.url(""), dispatch::make_transport(client_, nullptr));
  auto failed = io_.run(refused.send({"b1:2:1", adapters::Channel::sms, "+919829012346", "hello", ""}));
  EXPECT_EQ(failed.failure, adapters::SendFailure::invalid_recipient);

  adapters::ProviderSimAdapter nowhere("sim", "http://127.0.0.1:" + std::to_string(free_port()), dispatch::make_transport(client_, nullptr));
  EXPECT_EQ(io_.run(nowhere.send({"b1:3:1", adapters::Channel::sms, "+919829012347", "hello", ""})).failure,
            adapters::SendFailure::unreachable);
}

}  // namespace

// The Beast keep-alive pool the dispatcher uses for plain HTTP.
#include "http_client/keepalive_pool.hpp"

namespace {

// Reads a counter on the I/O thread that writes it.
asio::awaitable<int> read_on_io(std::shared_ptr<int> value) { co_return *value; }

TEST_F(HttpClientTest, KeepAlivePoolSendsManyOverFewConnections) {
  ProviderSim sim;
  http_client::Options options;
  options.max_connections_per_host = 4;
  auto pool = http_client::KeepAlivePool::create(io_.executor(), options, log_);
  adapters::ProviderSimAdapter adapter("sim", sim.url(""), dispatch::make_transport(client_, pool));
  // 200 sends at once over at most 4 connections; the rest wait their turn.
  auto accepted = std::make_shared<int>(0);
  auto remaining = std::make_shared<int>(200);
  std::vector<adapters::OutboundMessage> messages;  // send() holds a reference until it completes
  for (int i = 0; i < 200; ++i)
    messages.push_back({"b1:1:" + std::to_string(i), adapters::Channel::sms, "+9198290" + std::to_string(10000 + i), "hello", ""});
  for (const auto& message : messages)
    asio::co_spawn(io_.executor(), adapter.send(message),
                   [accepted, remaining](std::exception_ptr, adapters::SendResult r) {
                     *accepted += r.accepted() ? 1 : 0;
                     --*remaining;
                   });
  ASSERT_TRUE(eventually([&] { return io_.run(read_on_io(remaining)) == 0; }, 20s));
  EXPECT_EQ(io_.run(read_on_io(accepted)), 200);
  auto stats = orgcast::testing::http("GET", sim.url("/stats")).body;
  EXPECT_NE(stats.find("\"accepted\":200"), std::string::npos) << stats;
  pool->stop();
}

TEST_F(HttpClientTest, KeepAlivePoolTellsNeverSentFromMaybeSent) {
  http_client::Options options;
  auto pool = http_client::KeepAlivePool::create(io_.executor(), options, log_);
  adapters::ProviderSimAdapter nowhere("sim", "http://127.0.0.1:" + std::to_string(free_port()), dispatch::make_transport(client_, pool));
  EXPECT_EQ(io_.run(nowhere.send({"b1:3:1", adapters::Channel::sms, "+919829012347", "hello", ""})).failure,
            adapters::SendFailure::unreachable);
  ProviderSim slow({"--latency-ms", "3000"});
  adapters::ProviderSimAdapter late("sim", slow.url(""), dispatch::make_transport(client_, pool), std::chrono::milliseconds(300));
  const auto start = std::chrono::steady_clock::now();
  auto result = io_.run(late.send({"b1:3:2", adapters::Channel::sms, "+919829012348", "hello", ""}));
  EXPECT_EQ(result.failure, adapters::SendFailure::timeout) << result.reason;
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::milliseconds(1500)) << "the sweep enforces the deadline";
  pool->stop();
}

}  // namespace
