// Malformed HTTP is answered, not dropped: a request line or headers too
// long, a body whose length is unclear, a request line that is not HTTP.
// A body has an idle timeout per read (a slow but steady upload completes,
// a stalled one gets 408) and a cap on its whole time.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <chrono>
#include <string>
#include <thread>

#include "support/daemon_under_test.hpp"
#include "support/raw_connection.hpp"
#include "support/redis_server.hpp"

using namespace orgcast::testing;
using namespace std::chrono_literals;
using ::testing::HasSubstr;

namespace {

// What the daemon answers to `text` sent on a fresh connection, until it closes it.
std::string answer_to(const DaemonUnderTest& daemon, const std::string& text) {
  RawConnection c(daemon.port());
  EXPECT_TRUE(c.connected());
  c.send_text(text);
  std::string received;
  EXPECT_TRUE(c.read_until_closed(received)) << "still open after 5 s";
  return received;
}

TEST(MalformedHttp, IsAnsweredWithWhatIsWrong) {
  DaemonUnderTest daemon(shared_redis_port(), unique_prefix());
  daemon.start();
  ASSERT_TRUE(daemon.wait_ready(10s)) << daemon.process().log();
  struct Row {
    std::string request;
    const char* status;
    const char* says;
  };
  const std::string host = "Host: test\r\n";
  const std::vector<Row> rows = {
      {"GET /v1/broadcasts/" + std::string(20000, 'b') + " HTTP/1.1\r\n" + host + "\r\n", "HTTP/1.1 414", "request line"},
      {"GET /healthz HTTP/1.1\r\n" + host + "X-Filler: " + std::string(17000, 'x') + "\r\n\r\n", "HTTP/1.1 431", "headers"},
      {"POST /v1/broadcasts HTTP/1.1\r\n" + host + "Content-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n",
       "HTTP/1.1 400", "Content-Length"},
      {"POST /v1/broadcasts HTTP/1.1\r\n" + host + "Content-Length: 5\r\nContent-Length: 7\r\n\r\nhello", "HTTP/1.1 400", "Content-Length"},
      {std::string("GET /v1/x\0y HTTP/1.1\r\n", 23) + host + "\r\n", "HTTP/1.1 400", "not valid HTTP"},
      {"HELLO\r\n\r\n", "HTTP/1.1 400", "not valid HTTP"},
      {"GET /healthz HTTP/9.9\r\n" + host + "\r\n", "HTTP/1.1 400", "not valid HTTP"},
      {"GET /healthz HTTP/1.1\r\n\r\n", "HTTP/1.1 400", "Host"},
      {"POST /v1/session HTTP/1.1\r\n" + host + "Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\nZZ\r\nhello\r\n0\r\n\r\n",
       "HTTP/1.1 400", "chunked"},
      {"POST /v1/session HTTP/1.1\r\n" + host + "Content-Type: application/json\r\nContent-Encoding: gzip\r\nContent-Length: 5\r\n\r\nhello",
       "HTTP/1.1 415", "Content-Encoding"},
      {"POST /v1/session HTTP/1.1\r\n" + host + "Content-Type: application/json\r\nTransfer-Encoding: gzip, chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n",
       "HTTP/1.1 501", "Transfer-Encoding"},
      // One value, sent twice: which one counts would depend on who reads it.
      {"GET /healthz?verbose=1&verbose=0 HTTP/1.1\r\n" + host + "Connection: close\r\n\r\n", "HTTP/1.1 400", "\\\"verbose\\\" is given twice"},
      {"GET /v1/session HTTP/1.1\r\n" + host + "Authorization: Bearer a\r\nAuthorization: Bearer b\r\nConnection: close\r\n\r\n", "HTTP/1.1 400",
       "Authorization is given more than once"},
      {"GET /v1/session HTTP/1.1\r\n" + host + host + "Connection: close\r\n\r\n", "HTTP/1.1 400", "Host is given more than once"},
  };
  for (const auto& row : rows) {
    const auto got = answer_to(daemon, row.request);
    EXPECT_THAT(got, ::testing::StartsWith(row.status)) << row.request.substr(0, 60) << ": " << got.substr(0, 300) << "\n"
                                                        << (got.empty() ? daemon.process().log() : "");
    EXPECT_THAT(got, HasSubstr(row.says)) << row.request.substr(0, 60);
    EXPECT_LT(got.size(), 2000u) << "the answer does not echo the input";
  }
  EXPECT_EQ(daemon.get("/healthz").status, 200) << "and the daemon still answers";
}

// HEAD is GET without its body: a client keeping the connection reads the
// next answer where it starts (a 405 with a body here once shifted every
// answer after it).
TEST(MalformedHttp, HeadIsAnsweredAsGetWithoutItsBody) {
  DaemonUnderTest daemon(shared_redis_port(), unique_prefix());
  daemon.start();
  ASSERT_TRUE(daemon.wait_ready(10s)) << daemon.process().log();
  RawConnection c(daemon.port());
  ASSERT_TRUE(c.connected());
  c.send_text("HEAD /healthz HTTP/1.1\r\nHost: test\r\n\r\nGET /healthz HTTP/1.1\r\nHost: test\r\n\r\n");
  const auto got = c.read_for(1000);
  ASSERT_THAT(got, ::testing::StartsWith("HTTP/1.1 200")) << got;
  EXPECT_THAT(got, HasSubstr("Content-Length: 15")) << "the GET body's length: " << got;
  const auto second = got.find("\r\n\r\n") + 4;
  EXPECT_EQ(got.substr(second, 12), "HTTP/1.1 200") << "the GET's answer right after the HEAD's head: " << got;
  EXPECT_NE(got.find(R"({"status":"ok"})"), std::string::npos) << got;
  EXPECT_EQ(got.find(R"({"status":"ok"})"), got.rfind(R"({"status":"ok"})")) << "one body, the GET's: " << got;
}

TEST(MalformedHttp, ASlowButSteadyBodyCompletesAndAStalledOneIs408) {
  DaemonUnderTest daemon(shared_redis_port(), unique_prefix());
  daemon.set_server_settings("  idle_timeout_ms: 300\n  body_max_seconds: 3\n");
  daemon.start();
  ASSERT_TRUE(daemon.wait_ready(10s)) << daemon.process().log();
  const std::string body = R"({"selector": {"levels": ["state"]}, "sample": 0})" + std::string(1500, ' ');
  const std::string head = "POST /v1/audiences/preview HTTP/1.1\r\nHost: test\r\nContent-Type: application/json\r\nAuthorization: Bearer " +
                           daemon.token() + "\r\nConnection: close\r\nContent-Length: " + std::to_string(body.size()) + "\r\n\r\n";
  // Ten pieces 150 ms apart: 1.5 s in all, five times the idle timeout, never idle that long.
  {
    RawConnection steady(daemon.port());
    ASSERT_TRUE(steady.connected());
    steady.send_text(head);
    const auto piece = body.size() / 10 + 1;
    for (std::size_t at = 0; at < body.size(); at += piece) {
      std::this_thread::sleep_for(150ms);
      steady.send_text(body.substr(at, piece));
    }
    std::string received;
    ASSERT_TRUE(steady.read_until_closed(received));
    EXPECT_THAT(received, ::testing::AnyOf(::testing::StartsWith("HTTP/1.1 200"), ::testing::StartsWith("HTTP/1.1 503")))
        << "read whole and answered (503: no directory loaded): " << received.substr(0, 300);
  }
  // Half a body, then nothing: 408 after the idle timeout, not a silent close.
  {
    RawConnection stalled(daemon.port());
    ASSERT_TRUE(stalled.connected());
    stalled.send_text(head + body.substr(0, 20));
    std::string received;
    ASSERT_TRUE(stalled.read_until_closed(received));
    EXPECT_THAT(received, ::testing::StartsWith("HTTP/1.1 408")) << received.substr(0, 300);
    EXPECT_THAT(received, HasSubstr("no byte of the body arrived"));
  }
  // Steady but endless: past body_max_seconds, 408.
  {
    RawConnection endless(daemon.port());
    ASSERT_TRUE(endless.connected());
    const std::string big_head = "POST /v1/audiences/preview HTTP/1.1\r\nHost: test\r\nContent-Type: application/json\r\nAuthorization: Bearer " +
                                 daemon.token() + "\r\nContent-Length: 100000\r\n\r\n{";
    endless.send_text(big_head);
    for (int i = 0; i < 20; ++i) {  // 4 s at most
      std::this_thread::sleep_for(200ms);
      if (::send(endless.fd(), " ", 1, MSG_NOSIGNAL) != 1) break;
    }
    std::string received;
    ASSERT_TRUE(endless.read_until_closed(received));
    EXPECT_THAT(received, ::testing::StartsWith("HTTP/1.1 408")) << received.substr(0, 300);
    EXPECT_THAT(received, HasSubstr("longer than 3 s"));
  }
}

}  // namespace
