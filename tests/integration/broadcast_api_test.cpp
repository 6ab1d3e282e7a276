// POST /v1/broadcasts (enqueue side): 202 only once recipients are queued in
// Redis, Idempotency-Key returns the same broadcast, bad input is a pointer
// problem. Dispatch is not built yet (docs/PIPELINE.md).
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <hiredis/hiredis.h>

#include <boost/json.hpp>

#include "support/daemon_under_test.hpp"
#include "support/json_body.hpp"
#include "support/generated_directory.hpp"
#include "support/redis_server.hpp"
#include "support/utc_in.hpp"
#include "support/raw_connection.hpp"
#include "support/sample_directory.hpp"

using namespace orgcast::testing;
using namespace std::chrono_literals;
using ::testing::HasSubstr;
namespace json = boost::json;

namespace {

long long redis_integer(int port, const std::vector<std::string>& args) {
  redisContext* c = redisConnect("127.0.0.1", port);
  std::vector<const char*> argv;
  std::vector<std::size_t> lengths;
  for (const auto& a : args) {
    argv.push_back(a.data());
    lengths.push_back(a.size());
  }
  auto* reply = static_cast<redisReply*>(redisCommandArgv(c, static_cast<int>(argv.size()), argv.data(), lengths.data()));
  long long value = reply && reply->type == REDIS_REPLY_INTEGER ? reply->integer : -1;
  if (reply) freeReplyObject(reply);
  redisFree(c);
  return value;
}

HttpResult post_broadcast(const DaemonUnderTest& d, const std::string& body, const std::string& key = "") {
  std::vector<std::pair<std::string, std::string>> headers;
  if (!key.empty()) headers.emplace_back("Idempotency-Key", key);
  return http("POST", d.url("/v1/broadcasts"), body, "application/json", headers);
}

class BroadcastApiTest : public ::testing::Test {
 protected:
  void SetUp() override {
    daemon_ = std::make_unique<DaemonUnderTest>(shared_redis_port(), prefix_);
    daemon_->start();
    ASSERT_TRUE(daemon_->wait_ready(10s));
    ASSERT_EQ(import_sample_directory(*daemon_), "");
  }
  std::string prefix_ = unique_prefix();
  std::unique_ptr<DaemonUnderTest> daemon_;
};

const std::string kWhatsAppToTheState =
    R"({"audience": {"units": ["RJ"]}, "template": "announcement", "variables": {"subject": "बैठक कल 10 बजे", "details": "ज़िला कार्यालय में"}, "channels": ["whatsapp"], "priority": "urgent"})";

TEST_F(BroadcastApiTest, AcceptedOnceQueuedWithCounts) {
  auto r = post_broadcast(*daemon_, kWhatsAppToTheState);
  ASSERT_EQ(r.status, 202) << r.body;
  auto body = json::parse(r.body).as_object();
  std::string id(body["id"].as_string());
  EXPECT_EQ(body["recipients"].as_int64(), 11);
  EXPECT_EQ(body["skipped"].as_int64(), 3) << "C2, C5 and C9 have no WhatsApp";
  EXPECT_EQ(redis_integer(shared_redis_port(), {"XLEN", prefix_ + "q:urgent:" + id}), 1) << "one chunk queued";
  EXPECT_EQ(redis_integer(shared_redis_port(), {"SISMEMBER", prefix_ + "q:active:urgent", prefix_ + "q:urgent:" + id}), 1);

  auto shown = daemon_->get("/v1/broadcasts/" + id);
  ASSERT_EQ(shown.status, 200) << shown.body;
  auto info = json::parse(shown.body).as_object();
  EXPECT_EQ(info["total"].as_int64(), 11);
  EXPECT_EQ(info["priority"].as_string(), "urgent");
  EXPECT_EQ(info["counts"].as_object()["queued"].as_int64(), 8);
  EXPECT_EQ(info["counts"].as_object()["skipped"].as_int64(), 3);
  EXPECT_EQ(info["message"].as_object()["template"].as_string(), "announcement");
  EXPECT_EQ(info["message"].as_object()["variables"].as_object()["subject"].as_string(), "बैठक कल 10 बजे");
  EXPECT_FALSE(info["message"].as_object().contains("template_source")) << "kept for the dispatcher, not shown";
  for (const auto& [key, price] : info["message"].as_object()["prices"].as_object())
    EXPECT_TRUE(price.is_string()) << key << ": money is a decimal string, as every cost is";
  EXPECT_TRUE(info["cost"].as_object()["total"].is_string());
  EXPECT_EQ(info["by_unit"].as_object()["D-JAI:queued"].as_int64() + info["by_unit"].as_object()["D-JAI:skipped"].as_int64(), 6);
  EXPECT_EQ(daemon_->get("/v1/broadcasts/b999999").status, 404);
  // Skipped recipients are listed with why.
  auto skipped = json::parse(daemon_->get("/v1/broadcasts/" + id + "/recipients?state=skipped").body).as_object();
  ASSERT_EQ(skipped["recipients"].as_array().size(), 3u);
  EXPECT_EQ(skipped["recipients"].as_array()[0].as_object()["reason"].as_string(),
            "no address for any channel of the policy (whatsapp)");
}

TEST_F(BroadcastApiTest, IdempotencyKeyReturnsTheSameBroadcast) {
  auto first = post_broadcast(*daemon_, kWhatsAppToTheState, "summons-2026-11-23");
  auto second = post_broadcast(*daemon_, kWhatsAppToTheState, "summons-2026-11-23");
  ASSERT_EQ(first.status, 202) << first.body;
  ASSERT_EQ(second.status, 202) << second.body;
  auto a = json::parse(first.body).as_object(), b = json::parse(second.body).as_object();
  EXPECT_EQ(a["id"], b["id"]);
  EXPECT_TRUE(b["idempotent_replay"].as_bool());
  EXPECT_EQ(redis_integer(shared_redis_port(), {"XLEN", prefix_ + "q:urgent:" + std::string(a["id"].as_string())}), 1)
      << "queued once";
  auto third = post_broadcast(*daemon_, kWhatsAppToTheState, "another-key");
  EXPECT_NE(json::parse(third.body).as_object()["id"], a["id"]);
}

TEST_F(BroadcastApiTest, BadBroadcastsNameTheField) {
  // A channel the API document does not know is refused by its schema; a
  // role the directory does not know, by the handler that reads it.
  auto r = post_broadcast(*daemon_, R"({"audience": {"roles": ["presidnt"]}, "template": "announcement", "variables": {"subject": "x", "details": "at the office"}, "channels": ["fax"]})");
  EXPECT_EQ(r.status, 400);
  EXPECT_THAT(r.body, HasSubstr(R"("pointer":"/channels/0")"));
  r = post_broadcast(*daemon_, R"({"audience": {"roles": ["presidnt"]}, "template": "announcement", "variables": {"subject": "x", "details": "at the office"}, "channels": ["sms"]})");
  EXPECT_EQ(r.status, 400);
  EXPECT_THAT(r.body, HasSubstr(R"("pointer":"/audience/roles/0")"));
  // A required variable missing: 400 naming it, nothing queued.
  r = post_broadcast(*daemon_, R"({"audience": {}, "template": "meeting_reminder", "channels": ["sms"],
      "variables": {"meeting.title": "बैठक", "meeting.time": "2026-11-25T10:00:00+05:30"}})");
  EXPECT_EQ(r.status, 400);
  EXPECT_THAT(r.body, HasSubstr(R"("pointer":"/variables/meeting.venue")"));
  EXPECT_THAT(r.body, HasSubstr("requires"));
  // Literal text is for the daemon's own replies.
  r = post_broadcast(*daemon_, R"({"audience": {}, "message": {"text": "Hello"}, "channels": ["sms"]})");
  EXPECT_EQ(r.status, 400);
  EXPECT_THAT(r.body, HasSubstr(R"("pointer":"/message")"));
}

// A hostile client, row by row: ids that name other Redis keys of a
// broadcast, an oversized key, malformed or invalid bodies under a key.
// Each gets a clear 4xx, and a failed POST never holds its key.
TEST_F(BroadcastApiTest, HostileRequestsGetAClear4xxAndHoldNoKey) {
  auto first = post_broadcast(*daemon_, kWhatsAppToTheState);
  ASSERT_EQ(first.status, 202) << first.body;
  // Ids that are other keys under bc: (the sequence, counters, states,
  // failures, idempotency keys, the cancel list): never read as a broadcast.
  for (const std::string id : {"seq", "b1:c", "b1:s:0", "b1:f", "idem:x", "cancelled", "cancel-seq", "B1", "b01x", "b0"}) {
    for (const std::string suffix : {"", "/recipients", "/events"}) {
      auto r = daemon_->get("/v1/broadcasts/" + id + suffix);
      EXPECT_EQ(r.status, 404) << "GET /v1/broadcasts/" << id << suffix << ": " << r.body;
    }
    auto cancel = http("POST", daemon_->url("/v1/broadcasts/" + id + "/cancel"), "");
    EXPECT_EQ(cancel.status, 404) << "POST /v1/broadcasts/" << id << "/cancel: " << cancel.body;
  }
  // An Idempotency-Key over 200 bytes: 400 naming the header.
  auto long_key = post_broadcast(*daemon_, kWhatsAppToTheState, std::string(201, 'k'));
  EXPECT_EQ(long_key.status, 400) << long_key.body;
  EXPECT_THAT(long_key.body, HasSubstr("Idempotency-Key"));
  // Malformed JSON, then an invalid broadcast, under a key: 400, and the key
  // stays free for the corrected request.
  auto malformed = post_broadcast(*daemon_, R"({"audience": {"units": ["RJ"]}, "template": )", "fix-me");
  EXPECT_EQ(malformed.status, 400) << malformed.body;
  auto invalid = post_broadcast(*daemon_, R"({"audience": {}, "template": "no_such_template", "channels": ["sms"]})", "fix-me");
  EXPECT_EQ(invalid.status, 400) << invalid.body;
  auto corrected = post_broadcast(*daemon_, kWhatsAppToTheState, "fix-me");
  EXPECT_EQ(corrected.status, 202) << corrected.body;
  // A body that is not JSON at all, and one that is JSON but not an object.
  EXPECT_EQ(post_broadcast(*daemon_, "\x01\xff not json", "k2").status, 400);
  // Where a body is wrong is named: the line and column of a syntax error, the byte that is not UTF-8.
  auto syntax = post_broadcast(*daemon_, "{\n  \"audience\": {},\n  \"template\": ,\n}", "k2");
  EXPECT_EQ(syntax.status, 400);
  EXPECT_THAT(syntax.body, HasSubstr("line 3, column 15")) << syntax.body;
  auto latin1 = post_broadcast(*daemon_, "{\"audience\": {}, \"template\": \"caf\xe9\"}", "k2");
  EXPECT_EQ(latin1.status, 400);
  EXPECT_THAT(latin1.body, HasSubstr("not valid UTF-8 at line 1, column 34 (byte 33)")) << latin1.body;
  // A path that is not a broadcast's: an escaped colon, an empty segment, a NUL.
  for (const std::string path : {"/v1/broadcasts/b1%3Ac", "/v1/broadcasts/b1%00", "/v1/broadcasts/b1/"})
    EXPECT_EQ(daemon_->get(path).status, 404) << path;
  EXPECT_EQ(http("POST", daemon_->url("/v1/broadcasts//cancel"), "").status, 404);
  // A query parameter a route does not take is a typo to be told, not a filter silently dropped.
  for (const std::string path : {"/v1/broadcasts/b1/recipients?stat=failed", "/v1/broadcasts/b1?verbose=1", "/v1/directory?x=1"}) {
    auto r = daemon_->get(path);
    EXPECT_EQ(r.status, 400) << path << ": " << r.body;
    EXPECT_THAT(r.body, HasSubstr(path.substr(path.find('?') + 1, path.find('=') - path.find('?') - 1))) << "names the parameter";
  }
  EXPECT_THAT(daemon_->get("/v1/broadcasts/b1/recipients?stat=failed").body, HasSubstr("expected state, page, cursor, per_page, format"));
  // Decimals come out as decimals (a preview's resolve_ms of a few microseconds was 1.2E-2).
  auto preview = http("POST", daemon_->url("/v1/audiences/preview"), R"({"selector": {"units": ["BT-1"]}})");
  ASSERT_EQ(preview.status, 200) << preview.body;
  EXPECT_THAT(preview.body, ::testing::ContainsRegex("\"resolve_ms\":[0-9]+(\\.[0-9]+)?,")) << "a plain decimal, however long it took";
  EXPECT_THAT(preview.body, ::testing::Not(::testing::ContainsRegex("[0-9][eE][-+]?[0-9]"))) << preview.body;
  // Well-formed, but nothing to send: an audience of no one says which filter emptied it; a
  // send_at in 2020 is a mistake, not "now"; a reply template answers someone who wrote.
  auto nobody = post_broadcast(*daemon_, R"({"audience": {"units": ["D-JAI"], "roles": ["booth_level_agent"]}, "template": "announcement", "variables": {"subject": "s", "details": "d"}, "channels": ["sms"]})");
  EXPECT_EQ(nobody.status, 422) << nobody.body;
  EXPECT_THAT(nobody.body, HasSubstr("units 7, roles 0")) << nobody.body;
  EXPECT_THAT(nobody.body, HasSubstr("roles emptied it"));
  auto long_ago = post_broadcast(*daemon_, R"({"audience": {"units": ["BT-1"]}, "template": "announcement", "variables": {"subject": "s", "details": "d"}, "channels": ["sms"], "send_at": "2020-01-01T10:00:00+05:30"})");
  EXPECT_EQ(long_ago.status, 400);
  EXPECT_THAT(long_ago.body, HasSubstr("/send_at"));
  auto reply_only = post_broadcast(*daemon_, R"({"audience": {"units": ["BT-1"]}, "template": "help_reply", "channels": ["sms"]})");
  EXPECT_EQ(reply_only.status, 422);
  EXPECT_THAT(reply_only.body, HasSubstr("is a reply"));
  EXPECT_EQ(post_broadcast(*daemon_, "[1, 2, 3]", "k2").status, 400);
  EXPECT_EQ(post_broadcast(*daemon_, kWhatsAppToTheState, "k2").status, 202) << "the key was not held by the refused requests";
}

// An event's id names the state it carries: a client reconnecting with
// Last-Event-ID is not sent again what it already has.
TEST_F(BroadcastApiTest, AnEventStreamResumesFromLastEventId) {
  const std::string later = R"({"audience": {"units": ["BT-1"]}, "template": "announcement", "variables": {"subject": "s", "details": "d"}, "channels": ["sms"], "send_at": ")" +
                            utc_in(3600s) + R"("})";
  auto made = post_broadcast(*daemon_, later);
  ASSERT_EQ(made.status, 202) << made.body;
  const std::string request = "GET /v1/broadcasts/" + std::string(object_of(made)["id"].as_string()) + "/events HTTP/1.1\r\nHost: test\r\nAuthorization: Bearer " +
                              daemon_->token() + "\r\n";
  RawConnection first(daemon_->port());
  first.send_text(request + "\r\n");
  const auto seen = first.read_for(800);
  const auto at = seen.find("id: ");
  ASSERT_NE(at, std::string::npos) << seen;
  const auto id = seen.substr(at + 4, seen.find('\n', at) - at - 4);
  EXPECT_THAT(seen, HasSubstr("event: progress"));
  RawConnection again(daemon_->port());
  again.send_text(request + "Last-Event-ID: " + id + "\r\n\r\n");
  const auto resumed = again.read_for(1200);
  EXPECT_THAT(resumed, ::testing::StartsWith("HTTP/1.1 200"));
  EXPECT_THAT(resumed, HasSubstr(": resumed"));
  EXPECT_THAT(resumed, ::testing::Not(HasSubstr("event: progress"))) << "nothing changed since the id it gave: " << resumed;
}

// A name a spreadsheet would run (OWASP's CSV injection) is exported as
// text, after a byte-order mark so Excel reads the Hindi names as UTF-8.
TEST_F(BroadcastApiTest, ACsvExportNeutralisesFormulasAndStartsWithAByteOrderMark) {
  auto changed = http("PUT", daemon_->url("/v1/directory/contacts/C9"),
                      R"j({"name": "=HYPERLINK(\"http://evil.example\",\"click\")", "name_hi": "+रवि", "mobile": "9829000009", "unit_id": "BT-2", "role": "president"})j",
                      "application/json");
  ASSERT_EQ(changed.status, 200) << changed.body;
  ASSERT_TRUE(eventually([&] { return daemon_->get("/v1/directory/contacts/C9").body.find("HYPERLINK") != std::string::npos; }, 2s))
      << "the index in force has the change";
  auto made = post_broadcast(*daemon_, R"({"audience": {"units": ["BT-2"]}, "template": "announcement", "variables": {"subject": "s", "details": "d"}, "channels": ["sms"]})");
  ASSERT_EQ(made.status, 202) << made.body;
  auto csv = daemon_->get("/v1/broadcasts/" + std::string(object_of(made)["id"].as_string()) + "/recipients?format=csv");
  ASSERT_EQ(csv.status, 200);
  EXPECT_TRUE(csv.body.starts_with("\xEF\xBB\xBF" "contact_id,")) << csv.body;
  EXPECT_THAT(csv.body, HasSubstr(R"j(C9,"'=HYPERLINK(""http://evil.example"",""click"")","'+रवि",)j")) << csv.body;
}

}  // namespace
