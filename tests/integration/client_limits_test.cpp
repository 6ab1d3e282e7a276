// One client cannot take the daemon from the others: requests per client
// address (the real one, behind a trusted proxy) and per token, and
// connections per address, each answered 429 with Retry-After; and a web
// page of another origin is refused unless server.allowed_origins names it.
#include <gtest/gtest.h>

#include "support/daemon_under_test.hpp"
#include "support/http_client.hpp"
#include "support/raw_connection.hpp"
#include "support/redis_server.hpp"

using namespace orgcast::testing;
using namespace std::chrono_literals;

namespace {

bool has_header(const HttpResult& r, const std::string& line) { return r.headers.find(line) != std::string::npos; }

// Requests come "through" the daemon's trusted proxy (127.0.0.1) for the
// client address given, so each test address has its own bucket.
HttpResult from(const DaemonUnderTest& daemon, const std::string& address, const std::string& token, const std::string& path) {
  return http("GET", daemon.url(path), "", "application/json",
              {{"X-Forwarded-For", address}, {"Authorization", token.empty() ? "" : "Bearer " + token}});
}

TEST(ClientLimits, RequestsPerAddressAndPerTokenAreRefused429WithRetryAfter) {
  DaemonUnderTest daemon(shared_redis_port(), unique_prefix(), "auth:\n  trusted_proxies: 127.0.0.1\n");
  daemon.set_server_settings(
      "  requests_per_second_per_address: 1\n  request_burst_per_address: 5\n"
      "  requests_per_second_per_caller: 1\n  request_burst_per_caller: 3\n",
      "auth:\n  trusted_proxies: 127.0.0.1\n");
  daemon.start();
  ASSERT_TRUE(daemon.wait_ready(10s));
  const auto scheduler = daemon.cli_token("cron", "scheduler", "*");
  ASSERT_FALSE(scheduler.empty());

  // A token's burst, then 429 naming the credentials; its address still has room.
  for (int i = 0; i < 3; ++i) ASSERT_EQ(from(daemon, "10.0.0.1", daemon.token(), "/v1/session").status, 200) << i;
  auto over = from(daemon, "10.0.0.1", daemon.token(), "/v1/session");
  EXPECT_EQ(over.status, 429) << over.body;
  EXPECT_NE(over.body.find("these credentials"), std::string::npos) << over.body;
  EXPECT_TRUE(has_header(over, "Retry-After: 1")) << over.headers;
  // Another token from the same address: the address's fifth request, then its sixth is over.
  EXPECT_EQ(from(daemon, "10.0.0.1", scheduler, "/v1/session").status, 200);
  over = from(daemon, "10.0.0.1", scheduler, "/v1/session");
  EXPECT_EQ(over.status, 429);
  EXPECT_NE(over.body.find("your address"), std::string::npos) << over.body;
  // The same token from another address still has its own burst left.
  EXPECT_EQ(from(daemon, "10.0.0.2", scheduler, "/v1/session").status, 200);
  // An IPv6 client is one client across its /64: five addresses of it share one burst.
  for (int i = 1; i <= 5; ++i) EXPECT_EQ(from(daemon, "2001:db8:7:7::" + std::to_string(i), "", "/v1/broadcasts").status, 401) << i;
  EXPECT_EQ(from(daemon, "2001:db8:7:7::ff", "", "/v1/broadcasts").status, 429) << "the sixth address of the same /64";
  EXPECT_EQ(from(daemon, "2001:db8:7:8::1", "", "/v1/broadcasts").status, 401) << "the next /64 is another client";

  // A stranger is counted before its (missing) credentials are looked at.
  for (int i = 0; i < 5; ++i) EXPECT_EQ(from(daemon, "10.0.0.3", "", "/v1/broadcasts").status, 401) << i;
  EXPECT_EQ(from(daemon, "10.0.0.3", "", "/v1/broadcasts").status, 429);
  // A provider's callbacks are not limited per address (a gateway sends bursts of reports).
  for (int i = 0; i < 10; ++i) EXPECT_NE(from(daemon, "10.0.0.3", "", "/v1/webhooks/sim/wrong-secret").status, 429) << i;
  EXPECT_TRUE(daemon.process().running());
}

// How many of `n` connections opened at once are answered (200) and how many refused (429).
std::pair<int, int> open_connections(int port, int n) {
  std::vector<std::unique_ptr<RawConnection>> connections;
  for (int i = 0; i < n; ++i) connections.push_back(std::make_unique<RawConnection>(port));
  int answered = 0, refused = 0;
  for (auto& c : connections) {
    if (!c->connected()) continue;
    c->send_text("GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
    const auto reply = c->read_for(500);
    answered += reply.starts_with("HTTP/1.1 200");
    refused += reply.starts_with("HTTP/1.1 429");
  }
  return {answered, refused};
}

TEST(ClientLimits, ConnectionsPerAddressAreLimitedButATrustedProxysAreNot) {
  DaemonUnderTest limited(shared_redis_port(), unique_prefix());
  limited.set_server_settings("  max_connections_per_address: 4\n");
  limited.start();
  ASSERT_TRUE(limited.wait_ready(10s));
  auto [answered, refused] = open_connections(limited.port(), 8);
  EXPECT_LE(answered, 4);
  EXPECT_GE(refused, 4) << "the connections past the fourth are answered 429 and closed";

  DaemonUnderTest behind_proxy(shared_redis_port(), unique_prefix(), "auth:\n  trusted_proxies: 127.0.0.1\n");
  behind_proxy.set_server_settings("  max_connections_per_address: 4\n", "auth:\n  trusted_proxies: 127.0.0.1\n");
  behind_proxy.start();
  ASSERT_TRUE(behind_proxy.wait_ready(10s));
  std::tie(answered, refused) = open_connections(behind_proxy.port(), 8);
  EXPECT_EQ(answered, 8) << "a trusted proxy carries many clients on its connections";
  EXPECT_EQ(refused, 0);
}

TEST(Cors, AnotherOriginIsRefusedUnlessAllowedAndItsPreflightIsAnswered) {
  DaemonUnderTest daemon(shared_redis_port(), unique_prefix());
  daemon.set_server_settings("  allowed_origins: https://console.example.org\n");
  daemon.start();
  ASSERT_TRUE(daemon.wait_ready(10s));
  auto with_origin = [&](const std::string& method, const std::string& path, const std::string& origin,
                         std::vector<std::pair<std::string, std::string>> headers = {}) {
    headers.emplace_back("Origin", origin);
    return http(method, daemon.url(path), "", "application/json", headers);
  };
  auto evil = with_origin("GET", "/v1/session", "https://evil.example");
  EXPECT_EQ(evil.status, 403) << evil.body;
  EXPECT_NE(evil.body.find("cross-origin"), std::string::npos) << evil.body;
  EXPECT_NE(evil.body.find("server.allowed_origins"), std::string::npos) << evil.body;
  EXPECT_EQ(with_origin("POST", "/v1/broadcasts", "null").status, 403) << "a sandboxed page or a file";

  auto allowed = with_origin("GET", "/v1/session", "https://console.example.org");
  EXPECT_EQ(allowed.status, 200) << allowed.body;
  EXPECT_TRUE(has_header(allowed, "Access-Control-Allow-Origin: https://console.example.org")) << allowed.headers;
  EXPECT_TRUE(has_header(allowed, "Vary: Origin")) << allowed.headers;

  auto own = with_origin("GET", "/v1/session", "http://127.0.0.1:" + std::to_string(daemon.port()));
  EXPECT_EQ(own.status, 200) << "the daemon's own pages (the console): " << own.body;
  EXPECT_FALSE(has_header(own, "Access-Control-Allow-Origin")) << own.headers;
  EXPECT_EQ(daemon.get("/v1/session").status, 200) << "no Origin: a scheduler, curl";

  auto preflight = with_origin("OPTIONS", "/v1/broadcasts", "https://console.example.org",
                               {{"Access-Control-Request-Method", "POST"}, {"Access-Control-Request-Headers", "authorization, idempotency-key"}});
  EXPECT_EQ(preflight.status, 204) << preflight.body;
  EXPECT_TRUE(has_header(preflight, "Access-Control-Allow-Methods: POST")) << preflight.headers;
  EXPECT_NE(preflight.headers.find("idempotency-key"), std::string::npos) << preflight.headers;
  EXPECT_EQ(with_origin("OPTIONS", "/v1/broadcasts", "https://evil.example", {{"Access-Control-Request-Method", "POST"}}).status, 403);
  EXPECT_EQ(with_origin("OPTIONS", "/v1/nothing", "https://console.example.org", {{"Access-Control-Request-Method", "GET"}}).status, 404);
  EXPECT_EQ(with_origin("POST", "/v1/webhooks/sim/x", "https://evil.example").body.find("cross-origin"), std::string::npos)
      << "providers' callbacks are not pages' requests";
}

}  // namespace
