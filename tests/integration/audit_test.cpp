// The audit trail over HTTP and the CLI: what people and tokens do is kept,
// chained, readable within the caller's scope, and `orgcast audit verify`
// finds an entry changed, a middle one removed, entries reordered and a
// tail cut off in Redis itself. No secret passed through a failing path
// (a wrong password, a forged token, a forged callback) reaches the log or
// the trail.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <hiredis/hiredis.h>

#include <boost/json.hpp>
#include <functional>

#include "support/announcement.hpp"
#include "support/daemon_under_test.hpp"
#include "support/generated_directory.hpp"
#include "support/http_client.hpp"
#include "support/json_body.hpp"
#include "support/redis_server.hpp"
#include "support/utc_in.hpp"

using namespace orgcast::testing;
using namespace std::chrono_literals;
using ::testing::HasSubstr;
namespace json = boost::json;

namespace {

class Audit : public ::testing::Test {
 protected:
  void SetUp() override {
    // A simulator account whose provider is not there: its callbacks carry a secret.
    const int port = free_port();
    daemon_ = std::make_unique<DaemonUnderTest>(shared_redis_port(), prefix_,
                                                "dispatch:\n  provider_url: http://127.0.0.1:9\n  callback_base_url: http://127.0.0.1:" +
                                                    std::to_string(port) + "\nauth:\n  totp_required: []\n",
                                                port);
    daemon_->start();
    ASSERT_TRUE(daemon_->wait_ready(10s)) << daemon_->process().log();
    ASSERT_EQ(import_sample_directory(*daemon_), "");
    redis_.reset(redisConnect("127.0.0.1", shared_redis_port()));
    ASSERT_TRUE(redis_ && !redis_->err);
  }
  HttpResult as(const std::string& token, const std::string& method, const std::string& path, const std::string& body = "") {
    return http(method, daemon_->url(path), body, "application/json", {{"Authorization", "Bearer " + token}});
  }
  json::array entries(const std::string& token, const std::string& query = "") {
    auto r = as(token, "GET", "/v1/audit" + query);
    EXPECT_EQ(r.status, 200) << r.body << daemon_->process().log().substr(0, 20000);
    return object_of(r)["entries"].as_array();
  }
  RunResult verify(const std::string& log_heads = "") {
    std::vector<std::string> argv{build_dir() + "/orgcast", "audit", "verify", "--config", daemon_->config_path()};
    if (!log_heads.empty()) argv.insert(argv.end(), {"--log-heads", log_heads});
    return run_command(argv);
  }
  std::vector<std::string> stored() {
    std::vector<std::string> out;
    auto* reply = static_cast<redisReply*>(redisCommand(redis_.get(), "XRANGE %sau:audit - +", prefix_.c_str()));
    for (std::size_t i = 0; reply && i < reply->elements; ++i) out.emplace_back(reply->element[i]->element[1]->element[1]->str);
    freeReplyObject(reply);
    return out;
  }
  std::string head() {
    auto* reply = static_cast<redisReply*>(redisCommand(redis_.get(), "GET %sau:audit:head", prefix_.c_str()));
    std::string out = reply && reply->str ? reply->str : "";
    freeReplyObject(reply);
    return out;
  }
  // Writes the stream anew with `entries` (what someone with Redis could do), and the head.
  void rewrite(const std::vector<std::string>& entries, const std::string& new_head) {
    freeReplyObject(redisCommand(redis_.get(), "DEL %sau:audit", prefix_.c_str()));
    for (const auto& e : entries) freeReplyObject(redisCommand(redis_.get(), "XADD %sau:audit * e %b", prefix_.c_str(), e.data(), e.size()));
    freeReplyObject(redisCommand(redis_.get(), "SET %sau:audit:head %s", prefix_.c_str(), new_head.c_str()));
  }

  std::string prefix_ = unique_prefix();
  std::unique_ptr<DaemonUnderTest> daemon_;
  std::unique_ptr<redisContext, decltype(&redisFree)> redis_{nullptr, &redisFree};
};

TEST_F(Audit, WhatIsDoneIsKeptAndReadWithinTheCallersScope) {
  const std::string jaipur(
      object_of(as(daemon_->token(), "POST", "/v1/tokens", R"({"name": "Jaipur", "profile": "district_president", "scope": ["D-JAI"]})"))["token"].as_string());
  auto sent = as(jaipur, "POST", "/v1/broadcasts", R"({"audience": {"units": ["B-JAI-1"]}, )" + kAnnouncement + "}");
  ASSERT_EQ(sent.status, 202) << sent.body;
  const std::string jaipur_broadcast(object_of(sent)["id"].as_string());
  auto state_sent = as(daemon_->token(), "POST", "/v1/broadcasts", R"({"audience": {"units": ["D-JOD"]}, )" + kAnnouncement + "}");
  ASSERT_EQ(state_sent.status, 202);
  ASSERT_EQ(as(jaipur, "POST", "/v1/broadcasts/" + jaipur_broadcast + "/cancel").status, 202);
  ASSERT_EQ(as(daemon_->token(), "PUT", "/v1/directory/contacts/C9/consent", R"({"consent": "out", "channel": "sms", "note": "asked by phone"})").status, 200);

  // The state office sees all of it, newest first, with who, from where, what and how many.
  auto all = entries(daemon_->token());
  std::vector<std::string> actions;
  for (const auto& e : all) actions.emplace_back(e.as_object().at("action").as_string());
  EXPECT_THAT(actions, ::testing::ElementsAre("consent_change", "cancel", "send", "send", "token_create", "directory_import", "token_create"));
  EXPECT_THAT(std::string(all.back().as_object().at("who").as_string()), ::testing::StartsWith("cli:"))
      << "the first token, made by the CLI, is kept too, with the operator's login";
  const auto& jaipur_send = all[3].as_object();
  EXPECT_THAT(std::string(jaipur_send.at("who").as_string()), ::testing::StartsWith("token:tk"));
  EXPECT_EQ(jaipur_send.at("address").as_string(), "127.0.0.1");
  EXPECT_EQ(jaipur_send.at("target").as_string(), jaipur_broadcast);
  EXPECT_EQ(jaipur_send.at("unit").as_string(), "B-JAI-1");
  EXPECT_EQ(jaipur_send.at("count").as_int64(), 5) << "B-JAI-1's five people";
  EXPECT_EQ(jaipur_send.at("summary").as_string(), "template announcement by sms");
  // Filters, and the scope: Jaipur sees its send, cancel, the consent of one of its people and the
  // token made for it; not Jodhpur's send nor the directory import.
  EXPECT_EQ(entries(daemon_->token(), "?action=send").size(), 2u);
  EXPECT_EQ(entries(daemon_->token(), "?action=send&unit=D-JOD").size(), 1u);
  auto own = entries(jaipur);
  ASSERT_EQ(own.size(), 4u) << json::serialize(own);
  for (const auto& e : own) EXPECT_THAT(std::string(e.as_object().at("unit").as_string()), ::testing::AnyOf("B-JAI-1", "BT-2", "D-JAI"));
  EXPECT_EQ(as(jaipur, "GET", "/v1/audit?unit=D-JOD").status, 404);
  EXPECT_EQ(as(daemon_->token(), "GET", "/v1/audit?limit=0").status, 400);
  EXPECT_EQ(as(daemon_->token(), "GET", "/v1/audit?color=red").status, 400);
  // Paged by the `next` link: 2, 2, 2, 1 and null after the last.
  std::vector<std::size_t> sizes;
  std::string link = "/v1/audit?limit=2";
  for (int pages = 0; pages < 10 && !link.empty(); ++pages) {
    auto page = object_of(as(daemon_->token(), "GET", link));
    sizes.push_back(page["entries"].as_array().size());
    link = page["next"].is_string() ? std::string(page["next"].as_string()) : "";
  }
  EXPECT_THAT(sizes, ::testing::ElementsAre(2u, 2u, 2u, 1u));
  EXPECT_TRUE(object_of(as(daemon_->token(), "GET", "/v1/audit?limit=7"))["next"].is_null()) << "a full last page has no page after";

  auto whole = verify();
  EXPECT_EQ(whole.code, 0) << whole.output;
  EXPECT_THAT(whole.output, HasSubstr("7 entries"));
}

TEST_F(Audit, VerifyFindsAnEntryChangedRemovedReorderedOrATailCutOff) {
  for (int n = 0; n < 4; ++n) ASSERT_EQ(as(daemon_->token(), "POST", "/v1/broadcasts", R"({"audience": {"units": ["BT-1"]}, )" + kAnnouncement + "}").status, 202);
  const auto original = stored();
  const auto original_head = head();
  ASSERT_EQ(original.size(), 6u) << "the first token (made by the CLI), the sample directory's import, then four sends";
  ASSERT_EQ(verify().code, 0);
  struct Tamper {
    const char* what;
    std::function<void(std::vector<std::string>&, std::string&)> change;
    const char* found;
    std::string log_heads;
  };
  const std::vector<Tamper> tampers = {
      {"an entry changed", [](auto& e, auto&) { e[2].replace(e[2].find("\"count\":2"), 9, "\"count\":9"); }, "was changed", ""},
      {"a middle entry removed", [](auto& e, auto&) { e.erase(e.begin() + 2); }, "removed", ""},
      {"entries reordered", [](auto& e, auto&) { std::swap(e[2], e[3]); }, "entry 3 of 6", ""},
      {"the tail removed", [](auto& e, auto&) { e.pop_back(); }, "at the end were removed", ""},
      {"the tail removed and the head moved back",
       [](auto& e, auto& h) {
         e.pop_back();
         auto last = json::parse(e.back()).as_object();
         h = std::to_string(last.at("seq").as_int64()) + ":" + std::string(last.at("mac").as_string());
       },
       "the log names the head", original_head},
  };
  for (const auto& t : tampers) {
    SCOPED_TRACE(t.what);
    auto changed = original;
    auto changed_head = original_head;
    t.change(changed, changed_head);
    rewrite(changed, changed_head);
    auto r = verify(t.log_heads);
    EXPECT_EQ(r.code, 1) << r.output;
    EXPECT_THAT(r.output, HasSubstr(t.found));
    rewrite(original, original_head);
  }
  EXPECT_EQ(verify(original_head).code, 0) << "restored";
  // The daemon appends after the head it finds: the restored chain goes on.
  ASSERT_EQ(as(daemon_->token(), "POST", "/v1/broadcasts/nosuch/cancel").status, 404);
  ASSERT_EQ(as(daemon_->token(), "POST", "/v1/tokens", R"({"name": "x", "profile": "scheduler", "scope": ["RJ"]})").status, 201);
  EXPECT_EQ(verify(original_head).code, 0);
  EXPECT_EQ(stored().size(), 7u);
}

TEST_F(Audit, NoSecretFromAFailingPathReachesTheLogOrTheTrail) {
  const std::string password = "CANARY-password-5f1e2d", token = "oc_CANARYtoken00000000000000000000_ZZZZZZ", secret = "CANARYsecret0123456789abcdef0000";
  // A user to fail as, and one login that works (its password is as secret).
  const std::string good = "CANARY-good-password-77";
  auto made = as(daemon_->token(), "POST", "/v1/users",
                 R"({"username": "meena", "name": "Meena", "password": ")" + good + R"(", "profile": "state_admin", "scope": ["*"]})");
  ASSERT_EQ(made.status, 201) << made.body;
  for (int n = 0; n < 3; ++n)
    EXPECT_EQ(http("POST", daemon_->url("/v1/session"), R"({"username": "meena", "password": ")" + password + "\"}", "application/json",
                   {{"Authorization", ""}}).status,
              401);
  EXPECT_EQ(http("POST", daemon_->url("/v1/session"), R"({"username": "meena", "password": ")" + good + "\"}", "application/json",
                 {{"Authorization", ""}}).status,
            201);
  EXPECT_EQ(as(token, "GET", "/v1/directory").status, 401);
  EXPECT_EQ(http("POST", daemon_->url("/v1/webhooks/sim/" + secret), R"({"message_id": "sim-1", "status": "delivered"})", "application/json",
                 {{"Authorization", ""}}).status,
            403);
  // A whole mobile number is not written either: a consent recorded and a contact changed.
  ASSERT_EQ(as(daemon_->token(), "PUT", "/v1/directory/contacts/C9/consent", R"({"consent": "out", "channel": "sms"})").status, 200);
  ASSERT_EQ(as(daemon_->token(), "PUT", "/v1/directory/contacts/C9", R"({"name": "Ravi", "mobile": "9829000009", "unit_id": "BT-2", "role": "president"})").status, 200);
  // A number typed into a reason is masked; a Hindi reason is cut between characters (the entry stays valid JSON).
  auto meeting = object_of(as(daemon_->token(), "POST", "/v1/meetings",
                              R"({"title": "t", "venue": "v", "starts_at": ")" + utc_in(48h) + R"(", "ends_at": ")" + utc_in(50h) + R"(", "organiser": "BT-2"})"));
  const std::string hindi(170, 'x');
  ASSERT_EQ(as(daemon_->token(), "POST", "/v1/meetings/" + std::string(meeting["id"].as_string()) + "/cancel",
               R"({"reason": ")" + hindi + R"( बैठक रद्द call 9829000009"})").status,
            202);

  std::string trail;
  for (const auto& e : stored()) trail += e + "\n";
  EXPECT_THAT(trail, HasSubstr("\"action\":\"login\"")) << "the logins are kept";
  EXPECT_THAT(trail, HasSubstr("wrong password"));
  EXPECT_THAT(trail, HasSubstr("meeting_cancel"));
  EXPECT_EQ(verify().code, 0) << "every entry still reads as JSON";
  const auto log = daemon_->process().log();
  for (const auto& canary : {password, good, token, secret, std::string("9829000009"), daemon_->token()}) {
    EXPECT_EQ(trail.find(canary), std::string::npos) << canary << " is in the trail";
    EXPECT_EQ(log.find(canary), std::string::npos) << canary << " is in the log";
  }
  EXPECT_EQ(trail.find("CANARY"), std::string::npos);
  EXPECT_EQ(log.find("CANARY"), std::string::npos);
}

}  // namespace
