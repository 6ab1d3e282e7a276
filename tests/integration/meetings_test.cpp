// Meetings: a summons to a unit through the pipeline, and the answers that
// come back by WhatsApp (signed webhooks from fake-whatsapp's API) counted
// for the person: with the meeting's code, or to their only open summons;
// the last answer wins; someone not summoned counts for nothing.
#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <map>
#include <set>
#include <sstream>
#include <thread>

#include "adapters/whatsapp_cloud/whatsapp_cloud_adapter.hpp"
#include "support/daemon_under_test.hpp"
#include "support/fake_provider.hpp"
#include "support/generated_directory.hpp"
#include "support/http_client.hpp"
#include "support/json_body.hpp"
#include "support/utc_in.hpp"
#include "support/provider_sim_process.hpp"
#include "support/redis_server.hpp"
#include "support/whatsapp_and_sms.hpp"

using namespace orgcast::testing;
using namespace std::chrono_literals;
namespace json = boost::json;

namespace {

class Meetings : public ::testing::Test {
 protected:
  void SetUp() override {
    rig_.start(prefix_);
    daemon_ = rig_.daemon.get();
  }
  int reply(const std::string& from, const std::string& text) { return rig_.reply(from, text); }
  HttpResult create(const std::string& organiser, const std::string& more = "") {
    return http("POST", daemon_->url("/v1/meetings"),
                R"({"title": "ज़िला बैठक", "venue": "ज़िला कार्यालय", "starts_at": ")" + utc_in(48h) + R"(", "ends_at": ")" + utc_in(50h) +
                    R"(", "organiser": ")" + organiser + "\"" + more + "}");
  }
  json::object tally(const std::string& id) { return object_of(daemon_->get("/v1/meetings/" + id))["tally"].as_object(); }

  std::string prefix_ = unique_prefix();
  WhatsAppAndSms rig_;
  DaemonUnderTest* daemon_ = nullptr;
};

TEST_F(Meetings, AnswersAreCountedForThePersonTheLastOneWinning) {
  auto made = create("RJ");
  ASSERT_EQ(made.status, 201) << made.body << daemon_->process().log();
  auto m = object_of(made);
  const std::string id(m["id"].as_string());
  const auto code = m["code"].as_int64();
  EXPECT_GE(code, 10);
  EXPECT_LE(code, 999);
  EXPECT_EQ(number(m, "summoned"), 11) << "the sample's 11 people in RJ";
  auto summons = std::string(m["summons"].as_string());
  ASSERT_TRUE(eventually([&] { return number(object_of(daemon_->get("/v1/broadcasts/" + summons))["counts"].as_object(), "queued") <= 0; }, 20s));
  // The summons carries the code: in the SMS text, and in the WhatsApp buttons' payloads.
  const auto with_code = " " + std::to_string(code);
  ASSERT_TRUE(eventually([&] { return json::parse(http("GET", rig_.sms->url("/messages")).body).as_array().size() >= 3; }, 10s));
  const auto sms_sent = json::parse(http("GET", rig_.sms->url("/messages")).body);
  for (const auto& sms : sms_sent.as_array()) {
    const std::string text(sms.as_object().at("text").as_string());
    EXPECT_NE(text.find("YES" + with_code), std::string::npos) << text;
  }
  const auto whatsapp_sent = json::parse(http("GET", rig_.whatsapp->url() + "/messages").body).as_array();
  ASSERT_FALSE(whatsapp_sent.empty());
  const auto& components = whatsapp_sent[0].as_object().at("template").as_object().at("components").as_array();
  ASSERT_EQ(components.size(), 3u) << json::serialize(components);
  for (std::size_t b = 1; b < 3; ++b) {
    const auto& button = components[b].as_object();
    EXPECT_EQ(button.at("sub_type").as_string(), "quick_reply");
    EXPECT_EQ(button.at("parameters").as_array()[0].as_object().at("payload").as_string(), (b == 1 ? "YES" : "NO") + with_code);
  }

  ASSERT_EQ(reply("919829000001", "YES " + std::to_string(code)), 200);  // by its code
  ASSERT_EQ(reply("919829000004", "नहीं, नहीं आ पाऊँगा"), 200);          // no code: their only open summons
  ASSERT_EQ(reply("919829000010", "haan"), 200);
  ASSERT_EQ(reply("919829000010", "NO"), 200);                            // the last answer wins
  ASSERT_EQ(reply("919800000000", "YES"), 200);                           // not summoned: counts for nothing
  auto t = tally(id);
  std::cout << "tally: " << json::serialize(t) << "\n";
  EXPECT_EQ(number(t, "summoned"), 11);
  EXPECT_EQ(number(t, "yes"), 1);
  EXPECT_EQ(number(t, "no"), 2);
  EXPECT_EQ(number(t, "no_answer"), 8);

  // A second meeting for the same people: a reply without a code is no
  // longer theirs to guess, and is not counted; with a code it is.
  auto second = object_of(create("RJ"));
  const std::string id2(second["id"].as_string());
  EXPECT_NE(second["code"].as_int64(), code) << "codes are not shared by open meetings";
  ASSERT_EQ(reply("919829000011", "YES"), 200);
  EXPECT_EQ(number(tally(id), "yes"), 1);
  EXPECT_EQ(number(tally(id2), "yes"), 0);
  ASSERT_EQ(reply("919829000011", std::to_string(second["code"].as_int64()) + " yes"), 200);
  EXPECT_EQ(number(tally(id2), "yes"), 1);

  // Without a code, a WhatsApp reply that names the message it answers
  // (context.id: swiped, or written under it) is for that message's meeting.
  // fake-whatsapp numbers what it accepts wamid.FAKE1, 2... in the order /messages lists it.
  const std::string second_summons(second["summons"].as_string());
  std::string replied_to;
  ASSERT_TRUE(eventually([&] {
    const auto sent = json::parse(http("GET", rig_.whatsapp->url() + "/messages").body).as_array();
    for (std::size_t i = 0; i < sent.size(); ++i) {
      const auto& o = sent[i].as_object();
      if (o.at("to").as_string() == "919829000006" && o.at("biz_opaque_callback_data").as_string().starts_with(second_summons + ":"))
        replied_to = "wamid.FAKE" + std::to_string(i + 1);
    }
    return !replied_to.empty();
  }, 20s));
  ASSERT_TRUE(eventually([&] {  // its id kept (the send recorded), as it is long before a person can answer
    auto counts = object_of(daemon_->get("/v1/broadcasts/" + second_summons))["counts"].as_object();
    return number(counts, "queued") <= 0 && number(counts, "sending") <= 0;
  }, 20s));
  const std::string body = R"({"object":"whatsapp_business_account","entry":[{"changes":[{"value":{"messages":[{"from":"919829000006",)"
                           R"("id":"wamid.INctx","timestamp":"1795400000","type":"text","text":{"body":"nahi"},"context":{"from":"911140000000","id":")" +
                           replied_to + R"("}}]}}]}]})";
  ASSERT_EQ(http("POST", daemon_->url("/v1/webhooks/whatsapp"), body, "application/json",
                 {{"X-Hub-Signature-256", orgcast::adapters::whatsapp_signature("s3cret", body)}}).status, 200);
  EXPECT_EQ(number(tally(id2), "no"), 1) << "attributed by the message it answers";
  EXPECT_EQ(number(tally(id), "no"), 2);
  // Once that meeting is cancelled, a reply under its message goes the usual way: here, the one open summons.
  ASSERT_EQ(http("POST", daemon_->url("/v1/meetings/" + id2 + "/cancel"), "{}").status, 202);
  auto later = body;
  later.replace(later.find("wamid.INctx"), 11, "wamid.INct2");
  later.replace(later.find("\"nahi\""), 6, "\"haan\"");
  ASSERT_EQ(http("POST", daemon_->url("/v1/webhooks/whatsapp"), later, "application/json",
                 {{"X-Hub-Signature-256", orgcast::adapters::whatsapp_signature("s3cret", later)}}).status, 200);
  EXPECT_EQ(number(tally(id2), "no"), 1) << "a cancelled meeting counts no more answers";
  EXPECT_EQ(number(tally(id2), "yes"), 1);
  EXPECT_EQ(number(tally(id), "yes"), 2) << "C6's haan went to the one open summons";

  // Listed by unit and day, with their tallies.
  auto all = object_of(daemon_->get("/v1/meetings?unit=RJ"));
  EXPECT_EQ(number(all, "total"), 2) << json::serialize(all);
  EXPECT_EQ(number(object_of(daemon_->get("/v1/meetings?unit=D-JAI")), "total"), 0) << "organised above D-JAI, not in it";
  EXPECT_EQ(number(object_of(daemon_->get("/v1/meetings?date=2020-01-01")), "total"), 0);
  auto paged = object_of(daemon_->get("/v1/meetings?per_page=1&page=2"));
  ASSERT_EQ(paged["meetings"].as_array().size(), 1u);
  EXPECT_EQ(paged["meetings"].as_array()[0].as_object()["id"].as_string(), id2);
  auto first_page = object_of(daemon_->get("/v1/meetings?per_page=1"));
  ASSERT_TRUE(first_page["next"].is_string()) << json::serialize(first_page);
  auto followed = object_of(daemon_->get(std::string(first_page["next"].as_string())));
  ASSERT_EQ(followed["meetings"].as_array().size(), 1u) << json::serialize(followed);
  EXPECT_EQ(followed["meetings"].as_array()[0].as_object()["id"].as_string(), id2) << "the `next` link is the page after";
  EXPECT_TRUE(followed["next"].is_null());
  EXPECT_EQ(daemon_->get("/v1/meetings?day=today").status, 400);
  EXPECT_EQ(daemon_->get("/v1/meetings?date=1-2-3").status, 400);
}

// The tally per unit one level below the organiser (here RJ's districts,
// and RJ's own people), with who the summons did not reach; and live, as
// server-sent events, until the meeting is cancelled.
std::multiset<std::string> reached(WhatsAppAndSms& rig, const std::string& broadcast);

class MeetingsWithAnUnreachableNumber : public Meetings {
 protected:
  void SetUp() override {
    rig_.start(prefix_, "", {"--undeliverable", "919829000006"});
    daemon_ = rig_.daemon.get();
  }
};

TEST_F(MeetingsWithAnUnreachableNumber, TheTallyIsShownPerUnitBelowTheOrganiserWithWhoWasNotReached) {
  // WhatsApp only: C6 (Jodhpur) cannot be reached; C2, C5, C9 have no WhatsApp and are not summoned.
  auto made = create("RJ", R"(, "channels": ["whatsapp"])");
  ASSERT_EQ(made.status, 201) << made.body << daemon_->process().log();
  auto m = object_of(made);
  const std::string id(m["id"].as_string());
  EXPECT_EQ(number(m, "summoned"), 8);
  // The live tally, read while answers come in; it ends when the meeting is cancelled.
  HttpResult stream;
  std::thread reader([&] { stream = daemon_->get("/v1/meetings/" + id + "/events"); });
  ASSERT_TRUE(eventually([&] { return number(tally(id), "not_delivered") == 1; }, 20s)) << json::serialize(tally(id));
  ASSERT_EQ(reply("919829000001", "YES"), 200);  // RJ's own
  ASSERT_EQ(reply("919829000010", "YES"), 200);  // Jaipur
  ASSERT_EQ(reply("919829000004", "NO"), 200);   // Jaipur
  ASSERT_EQ(reply("919829000011", "haan"), 200);  // Jodhpur
  ASSERT_EQ(reply("919829000010", "NO"), 200);   // changed: Jaipur's yes becomes a no
  auto t = tally(id);
  std::cout << "tally: " << json::serialize(t) << "\n";
  EXPECT_EQ(number(t, "summoned"), 8);
  EXPECT_EQ(number(t, "yes"), 2);
  EXPECT_EQ(number(t, "no"), 2);
  EXPECT_EQ(number(t, "not_delivered"), 1);
  EXPECT_EQ(number(t, "no_answer"), 4) << "C6, not reached, has not answered either";
  std::map<std::string, json::object> units;
  for (const auto& u : t["by_unit"].as_array()) units[std::string(u.as_object().at("unit_id").as_string())] = u.as_object();
  ASSERT_EQ(units.size(), 3u) << json::serialize(t);
  EXPECT_EQ(t["by_unit"].as_array()[0].as_object().at("unit_id").as_string(), "RJ") << "the organiser's own people first";
  auto expect = [&](const std::string& unit, long long summoned, long long yes, long long no, long long none, long long not_delivered) {
    auto& u = units[unit];
    EXPECT_EQ(number(u, "summoned"), summoned) << unit;
    EXPECT_EQ(number(u, "yes"), yes) << unit;
    EXPECT_EQ(number(u, "no"), no) << unit;
    EXPECT_EQ(number(u, "no_answer"), none) << unit;
    EXPECT_EQ(number(u, "not_delivered"), not_delivered) << unit;
  };
  expect("RJ", 1, 1, 0, 0, 0);
  expect("D-JAI", 3, 0, 2, 1, 0);
  expect("D-JOD", 4, 1, 0, 3, 1);
  EXPECT_EQ(units["D-JOD"]["name_hi"].as_string(), "जोधपुर");
  // Listed, the meetings carry the same tally.
  auto listed = object_of(daemon_->get("/v1/meetings?unit=RJ"))["meetings"].as_array();
  ASSERT_EQ(listed.size(), 1u);
  EXPECT_EQ(json::serialize(listed[0].as_object().at("tally")), json::serialize(t));

  // A reminder goes to the silent the summons reached; the one it did not
  // reach is reminded apart, through the channels the summons did not try.
  auto remind = [&](const std::string& who) { return http("POST", daemon_->url("/v1/meetings/" + id + "/remind"), R"({"who": ")" + who + "\"}"); };
  auto silent = remind("silent");
  ASSERT_EQ(silent.status, 202) << silent.body;
  const std::string reminder(object_of(silent)["reminder"].as_string());
  ASSERT_TRUE(eventually([&] { return reached(rig_, reminder).size() == 3; }, 20s)) << reached(rig_, reminder).size();
  EXPECT_EQ(reached(rig_, reminder).count("+919829000006"), 0u) << "not reached by the summons: not reminded where it failed";
  auto missed = remind("not_delivered");
  ASSERT_EQ(missed.status, 202) << missed.body;
  const std::string second(object_of(missed)["reminder"].as_string());
  ASSERT_TRUE(eventually([&] { return reached(rig_, second).size() == 1; }, 20s)) << reached(rig_, second).size();
  EXPECT_EQ(reached(rig_, second).count("+919829000006"), 1u) << "by SMS, which the WhatsApp-only summons did not try";
  EXPECT_EQ(remind("everyone").status, 400);

  ASSERT_EQ(http("POST", daemon_->url("/v1/meetings/" + id + "/cancel"), "{}").status, 202);
  reader.join();
  ASSERT_EQ(stream.status, 200) << stream.error;
  EXPECT_EQ(stream.content_type, "text/event-stream");
  std::vector<long long> answered;
  std::istringstream lines(stream.body);
  for (std::string line; std::getline(lines, line);)
    if (line.rfind("data: ", 0) == 0) {
      auto event = json::parse(line.substr(6)).as_object();
      answered.push_back(number(event["tally"].as_object(), "yes") + number(event["tally"].as_object(), "no"));
    }
  ASSERT_GE(answered.size(), 2u) << stream.body;
  EXPECT_LT(answered.front(), 4) << "the first event comes at once: " << stream.body;
  EXPECT_EQ(answered.back(), 4);
  EXPECT_NE(stream.body.find("event: done\n"), std::string::npos) << stream.body;
  EXPECT_EQ(daemon_->get("/v1/meetings/m999999/events").status, 404);
}

// The endpoints of meetings, a person's messages and consent, and the
// inbound list, tried as a hostile client would: each answer is a 4xx that
// names what is wrong, quotes at most 200 characters of it, and nothing is
// made. (No credentials are asked for yet: access control is its own work.)
TEST_F(Meetings, HostileRequestsGetAClear4xx) {
  struct Row {
    const char* method;
    std::string path, body, content_type;
    int status;
    std::string names;  // a word the answer must contain
  };
  const std::string huge(2 * 1024 * 1024, 'x'), long_id(10000, 'C');
  const Row rows[] = {
      {"POST", "/v1/meetings", "{", "application/json", 400, "JSON"},
      {"POST", "/v1/meetings", "[1, 2]", "application/json", 400, "object"},
      {"POST", "/v1/meetings", R"({"title": "t"})", "text/plain", 415, "application/json"},
      {"POST", "/v1/meetings", "{\"title\": \"" + huge + "\"}", "application/json", 413, "bytes"},
      {"POST", "/v1/meetings", R"({"title": 5, "venue": ["v"], "starts_at": 1, "ends_at": null, "organiser": {}})", "application/json", 400,
       "/organiser"},
      {"POST", "/v1/meetings", R"({"title": "t", "venue": "v", "starts_at": "tomorrow", "ends_at": "later", "organiser": "RJ"})",
       "application/json", 400, "RFC 3339"},
      {"GET", "/v1/meetings/" + long_id, "", "", 404, "no meeting"},
      {"GET", "/v1/meetings/m1:summoned", "", "", 404, "no meeting"},
      {"GET", "/v1/meetings?page=0", "", "", 400, "page"},
      {"GET", "/v1/meetings?unit=NOWHERE", "", "", 404, "NOWHERE"},
      {"GET", "/v1/directory/contacts/" + long_id + "/inbound", "", "", 404, "no contact"},
      {"GET", "/v1/directory/contacts/NOPE/consent", "", "", 404, "no contact"},
      {"PUT", "/v1/directory/contacts/C1/consent", "{\"consent\": \"out\", \"channel\": \"sms\", \"note\": \"" + huge + "\"}",
       "application/json", 413, "bytes"},
      {"PUT", "/v1/directory/contacts/C1/consent", R"({"consent": "out", "channel": "sms", "by": "me"})", "application/json", 400, "/by"},
      {"PUT", "/v1/directory/contacts/C1/consent", "not json", "application/json", 400, "JSON"},
      {"GET", "/v1/inbound?limit=99999999999999999999", "", "", 400, "limit"},
      {"GET", "/v1/inbound?" + std::string(5000, 'q') + "=1", "", "", 400, "unknown query parameter"},
      {"POST", "/v1/webhooks/whatsapp", R"({"object":"whatsapp_business_account","entry":[]})", "application/json", 401, "Signature"},
      {"POST", "/v1/meetings/m999/remind", "", "application/json", 404, "no meeting"},
      {"POST", "/v1/meetings/m1/remind", R"({"everyone": true})", "application/json", 400, "/everyone"},
      {"POST", "/v1/meetings/m999/cancel", R"({"reason": 5})", "application/json", 400, "/reason"},
      {"POST", "/v1/meetings/m999/cancel", "", "application/json", 404, "no meeting"},
      {"PATCH", "/v1/meetings/m999", R"({"venue": "x"})", "application/json", 404, "no meeting"},
      {"PATCH", "/v1/meetings/m1", "{", "application/json", 400, "JSON"},
      {"POST", "/v1/meetings", R"({"title": "t", "venue": "v", "starts_at": ")" + utc_in(48h) + R"(", "ends_at": ")" + utc_in(49h) + R"(", "organiser": "RJ", "reminders": ["1d", "24h", "72h"]})",
       "application/json", 400, "/reminders/0"},
      {"POST", "/v1/meetings", R"({"title": "t", "venue": "v", "starts_at": ")" + utc_in(48h) + R"(", "ends_at": ")" + utc_in(49h) + R"(", "organiser": "RJ", "reminders": ["24h", "1440m"]})",
       "application/json", 400, "twice"},
      {"GET", "/v1/meetings/m1/people?answer=maybe", "", "", 400, "answer"},
      {"GET", "/v1/meetings/m1/people?per_page=100000", "", "", 400, "per_page"},
      {"POST", "/v1/meetings/m1/attendance", "{\"mobiles\": [\"" + std::string(100, '9') + "\"]}", "application/json", 400, "/mobiles/0"},
      {"POST", "/v1/meetings/m1/attendance", "mobile\n", "application/xml", 415, "text/csv"},
      {"GET", "/v1/directory/contacts/" + long_id + "/attendance", "", "", 404, "no contact"},
      {"GET", "/v1/reports?per_page=0", "", "", 400, "per_page"},
      {"GET", "/v1/reports?unit=NOWHERE", "", "", 404, "NOWHERE"},
      {"GET", "/v1/reports/missing?level=district&role=" + std::string(300, 'r'), "", "", 400, "role"},
      {"POST", "/v1/reports/remind", "[]", "application/json", 400, "object"},
      {"POST", "/v1/reports/remind", R"({"level": 5, "role": "president"})", "application/json", 400, "/level"},
      {"POST", "/v1/reports/remind", R"({"level": "district", "role": "president"})", "text/plain", 415, "application/json"},
      {"PATCH", "/v1/meetings/m1", "{\"venue\": \"" + huge + "\"}", "application/json", 413, "bytes"},
      {"POST", "/v1/reports/remind", "{\"level\": \"" + huge + "\"}", "application/json", 413, "bytes"},
      {"GET", "/v1/directory/units/NOWHERE/attendance", "", "", 404, "no unit"},
      {"GET", "/r/AAAAAAAAAAAAAAAA", "", "", 404, "not valid"},
      {"GET", "/r/" + long_id, "", "", 404, "not valid"},
      {"POST", "/r/AAAAAAAAAAAAAAAA", "answer=" + huge, "application/x-www-form-urlencoded", 413, "bytes"},
      {"POST", "/r/AAAAAAAAAAAAAAAA", "answer=yes", "application/x-www-form-urlencoded", 404, "not valid"},
      // A summons without its meeting: it would carry no code and count nobody's answer.
      {"POST", "/v1/broadcasts", R"({"audience": {}, "template": "meeting_summons", "channels": ["sms"], "variables": {"meeting.title": "t", "meeting.venue": "v", "meeting.time": "2026-12-01T10:00:00+05:30", "meeting.code": "47"}})",
       "application/json", 422, "POST /v1/meetings"},
      {"POST", "/v1/meetings", R"({"title": "t", "venue": "v", "starts_at": ")" + utc_in(48h) + R"(", "ends_at": ")" + utc_in(49h) + R"(", "organiser": "RJ", "summons": "announcement"})",
       "application/json", 422, "/summons"},
  };
  for (const auto& row : rows) {
    auto r = http(row.method, daemon_->url(row.path), row.body, row.content_type.empty() ? "application/json" : row.content_type);
    EXPECT_EQ(r.status, row.status) << row.method << " " << row.path.substr(0, 80) << ": " << r.body.substr(0, 300);
    EXPECT_NE(r.body.find(row.names), std::string::npos) << row.method << " " << row.path.substr(0, 80) << ": " << r.body.substr(0, 300);
    EXPECT_LT(r.body.size(), 2000u) << "the answer quotes at most 200 characters of the input";
  }
  EXPECT_EQ(http("POST", daemon_->url("/v1/broadcasts"),
                 R"({"audience": {"units": ["BT-1"]}, "template": "announcement", "variables": {"subject": "s", "details": "d"}, "channels": ["sms"]})",
                 "application/json", {{"Idempotency-Key", "plan:remind:m1"}})
                .status,
            400)
      << "the scheduler's keys are not a client's";
  EXPECT_EQ(http("POST", daemon_->url("/v1/meetings/m1/remind"), "", "application/json", {{"Idempotency-Key", "k"}}).status, 404) << "no meeting m1";
  EXPECT_EQ(number(object_of(daemon_->get("/v1/meetings")), "total"), 0) << "nothing made";
  EXPECT_TRUE(object_of(daemon_->get("/v1/directory/contacts/C1/consent"))["opted_out"].as_object().empty()) << "nothing changed";
  EXPECT_TRUE(daemon_->process().running());
}

TEST_F(Meetings, BadMeetingsAreRefusedSayingWhere) {
  // The shape first (the API document's schema: an unknown field, an
  // empty title), then what the fields mean (the handler).
  auto bad = http("POST", daemon_->url("/v1/meetings"),
                  R"({"title": "", "venue": "x", "starts_at": "2020-01-01T10:00:00Z", "ends_at": "soon", "organiser": "NOWHERE", "agenda": 1})");
  EXPECT_EQ(bad.status, 400);
  for (const char* where : {"/title", "/agenda"}) EXPECT_NE(bad.body.find(where), std::string::npos) << where << " in " << bad.body;
  bad = http("POST", daemon_->url("/v1/meetings"), R"({"title": "t", "venue": "x", "starts_at": "2020-01-01T10:00:00Z", "ends_at": "soon", "organiser": "NOWHERE"})");
  EXPECT_EQ(bad.status, 400);
  for (const char* where : {"/starts_at", "/ends_at", "/organiser"})
    EXPECT_NE(bad.body.find(where), std::string::npos) << where << " in " << bad.body;
  auto channels = create("RJ", R"(, "channels": ["pigeon"])");
  EXPECT_EQ(channels.status, 400);
  EXPECT_NE(channels.body.find("/channels"), std::string::npos) << channels.body;
  auto nobody = create("RJ", R"(, "audience": {"units": ["BT-4"], "tags": ["it_cell"]})");
  EXPECT_EQ(nobody.status, 422) << nobody.body;
  EXPECT_NE(nobody.body.find("/audience"), std::string::npos) << nobody.body;
  auto endless = http("POST", daemon_->url("/v1/meetings"),
                      R"({"title": "t", "venue": "v", "starts_at": ")" + utc_in(1h) + R"(", "ends_at": ")" + utc_in(24 * 30h) + R"(", "organiser": "RJ"})");
  EXPECT_EQ(endless.status, 400);
  EXPECT_NE(endless.body.find("7 days"), std::string::npos) << endless.body;
  EXPECT_EQ(daemon_->get("/v1/meetings/m999999").status, 404);
  // Every code held (990 meetings within 30 days): 409, and nothing made.
  std::vector<std::string> fill{"redis-cli", "-p", std::to_string(shared_redis_port()), "ZADD", prefix_ + "mt:codes"};
  for (int c = 10; c <= 999; ++c) fill.push_back("4102444800000"), fill.push_back(std::to_string(c));  // held until 2100
  ASSERT_EQ(run_command(fill, 5s).code, 0);
  auto full = create("RJ");
  EXPECT_EQ(full.status, 409) << full.body;
  EXPECT_EQ(number(object_of(daemon_->get("/v1/meetings")), "total"), 0);
  EXPECT_EQ(daemon_->get("/v1/meetings/seq").status, 404);
}

// The title (and venue) may be given per language: each summoned person
// reads their language's.
TEST_F(Meetings, TitleAndVenueMayBeGivenPerLanguage) {
  auto meeting = [&](const std::string& title) {
    return http("POST", daemon_->url("/v1/meetings"),
                R"({"title": )" + title + R"(, "venue": "ज़िला कार्यालय", "starts_at": ")" + utc_in(48h) + R"(", "ends_at": ")" + utc_in(50h) +
                    R"(", "organiser": "RJ", "channels": ["sms"]})");
  };
  auto made = meeting(R"({"hi": "ज़िला कार्यसमिति की बैठक", "en": "District executive meeting"})");
  ASSERT_EQ(made.status, 201) << made.body;
  ASSERT_TRUE(eventually([&] { return json::parse(http("GET", rig_.sms->url("/messages")).body).as_array().size() >= 11; }, 20s));
  const auto sent = json::parse(http("GET", rig_.sms->url("/messages")).body);
  int english = 0, hindi = 0;
  for (const auto& m : sent.as_array()) {
    const std::string text(m.as_object().at("text").as_string());
    english += text.find("District executive meeting") != std::string::npos;
    hindi += text.find("ज़िला कार्यसमिति की बैठक") != std::string::npos;
  }
  EXPECT_EQ(english + hindi, 11) << "each in their language";
  EXPECT_GE(english, 1);
  EXPECT_GE(hindi, 1);
  auto bad = meeting(R"({"hi": "", "en": 5})");
  EXPECT_EQ(bad.status, 400);
  EXPECT_NE(bad.body.find("/title/hi"), std::string::npos) << bad.body;
}

// Who a broadcast reached, from the providers' side: the numbers its
// requests went to (SMS through provider-sim, WhatsApp through fake-whatsapp).
std::multiset<std::string> reached(WhatsAppAndSms& rig, const std::string& broadcast) {
  std::multiset<std::string> out;
  const auto sms = json::parse(http("GET", rig.sms->url("/messages")).body);
  for (const auto& m : sms.as_array())
    if (m.as_object().at("reference").as_string().starts_with(broadcast + ":")) out.insert(std::string(m.as_object().at("to").as_string()));
  const auto whatsapp = json::parse(http("GET", rig.whatsapp->url() + "/messages").body);
  for (const auto& m : whatsapp.as_array())
    if (m.as_object().at("biz_opaque_callback_data").as_string().starts_with(broadcast + ":"))
      out.insert("+" + std::string(m.as_object().at("to").as_string()));
  return out;
}

TEST_F(Meetings, ARemindReachesOnlyTheSilentAMoveAndACancelReachEveryone) {
  auto made = create("RJ");
  ASSERT_EQ(made.status, 201) << made.body;
  auto m = object_of(made);
  const std::string id(m["id"].as_string()), summons(m["summons"].as_string());
  const auto code = std::to_string(m["code"].as_int64());
  ASSERT_TRUE(eventually([&] { return reached(rig_, summons).size() == 11; }, 20s));
  ASSERT_EQ(reply("919829000001", "YES " + code), 200);
  ASSERT_EQ(reply("919829000004", "NO " + code), 200);

  auto remind = [&](const std::string& key) {
    return http("POST", daemon_->url("/v1/meetings/" + id + "/remind"), "", "application/json", {{"Idempotency-Key", key}});
  };
  // Who answered what, from the office's side: JSON paged, and CSV.
  auto yes = object_of(daemon_->get("/v1/meetings/" + id + "/people?answer=yes"));
  ASSERT_EQ(yes["people"].as_array().size(), 1u) << json::serialize(yes);
  auto ramesh = yes["people"].as_array()[0].as_object();
  EXPECT_EQ(ramesh["mobile"].as_string(), "+919829000001");
  EXPECT_EQ(ramesh["name"].as_string(), "Ramesh Sharma");
  EXPECT_EQ(ramesh["contact_id"].as_string(), "C1");
  EXPECT_EQ(ramesh["channel"].as_string(), "whatsapp");
  EXPECT_EQ(number(object_of(daemon_->get("/v1/meetings/" + id + "/people?answer=none")), "total"), 9);
  auto csv = daemon_->get("/v1/meetings/" + id + "/people?answer=no&format=csv");
  EXPECT_EQ(csv.status, 200);
  EXPECT_NE(csv.body.find("+919829000004,Mohan Lal,मोहन लाल,"), std::string::npos) << csv.body;
  EXPECT_EQ(daemon_->get("/v1/meetings/" + id + "/people?answer=maybe").status, 400);

  auto first = remind("remind-1");
  ASSERT_EQ(first.status, 202) << first.body;
  const std::string reminder(object_of(first)["reminder"].as_string());
  EXPECT_EQ(number(object_of(first), "people"), 9) << "11 summoned, 2 answered";
  ASSERT_TRUE(eventually([&] { return reached(rig_, reminder).size() == 9; }, 20s)) << reached(rig_, reminder).size();
  const auto reminded = reached(rig_, reminder);
  EXPECT_EQ(reminded.count("+919829000001"), 0u) << "answered YES: not reminded";
  EXPECT_EQ(reminded.count("+919829000004"), 0u) << "answered NO: not reminded";
  auto again = remind("remind-1");
  EXPECT_EQ(again.status, 202);
  EXPECT_EQ(object_of(again)["reminder"].as_string(), reminder) << "the same key: the same reminder, not a second";
  std::this_thread::sleep_for(300ms);
  EXPECT_EQ(reached(rig_, reminder).size(), 9u) << "nobody reminded twice";

  // Moved a day later: everyone summoned hears of it; the answers stand.
  auto moved = http("PATCH", daemon_->url("/v1/meetings/" + id), R"({"starts_at": ")" + utc_in(72h) + "\"}");
  ASSERT_EQ(moved.status, 200) << moved.body;
  auto after = object_of(moved);
  EXPECT_EQ(after["starts_at"].as_string(), utc_in(72h));
  EXPECT_EQ(after["ends_at"].as_string(), utc_in(74h)) << "it keeps its length";
  const std::string move_notice(after["notice"].as_string());
  ASSERT_TRUE(eventually([&] { return reached(rig_, move_notice).size() == 11; }, 20s));
  EXPECT_EQ(number(tally(id), "yes"), 1);

  // Cancelled: everyone hears; nothing more may be done with it, and a reply with its code counts for nothing.
  auto cancelled = http("POST", daemon_->url("/v1/meetings/" + id + "/cancel"), R"({"reason": "बारिश"})");
  ASSERT_EQ(cancelled.status, 202) << cancelled.body;
  const std::string cancel_notice(object_of(cancelled)["notice"].as_string());
  ASSERT_TRUE(eventually([&] { return reached(rig_, cancel_notice).size() == 11; }, 20s));
  EXPECT_EQ(object_of(daemon_->get("/v1/meetings/" + id))["state"].as_string(), "cancelled");
  EXPECT_EQ(http("POST", daemon_->url("/v1/meetings/" + id + "/cancel"), "").status, 409);
  EXPECT_EQ(remind("remind-2").status, 409);
  EXPECT_EQ(http("PATCH", daemon_->url("/v1/meetings/" + id), R"({"venue": "x"})").status, 409);
  ASSERT_EQ(reply("919829000010", "YES " + code), 200);
  EXPECT_EQ(number(tally(id), "yes"), 1) << "a cancelled meeting counts no more answers";
}

// A reminder plan runs by itself, once, to those who have not answered:
// "reminders": ["2m"] on a meeting starting in a little over two minutes.
TEST_F(Meetings, APlannedReminderRunsByItselfOnceToTheSilent) {
  auto made = http("POST", daemon_->url("/v1/meetings"),
                   R"({"title": "ज़िला बैठक", "venue": "ज़िला कार्यालय", "starts_at": ")" + utc_in(126s) + R"(", "ends_at": ")" + utc_in(3h) +
                       R"(", "organiser": "RJ", "reminders": ["2m"]})");
  ASSERT_EQ(made.status, 201) << made.body;
  auto m = object_of(made);
  const std::string id(m["id"].as_string()), summons(m["summons"].as_string());
  ASSERT_TRUE(eventually([&] { return reached(rig_, summons).size() == 11; }, 5s));
  ASSERT_EQ(reply("919829000001", "YES " + std::to_string(m["code"].as_int64())), 200);
  // Due about 6 s after the POST; the scheduler looks every 250 ms.
  auto reminders = [&] {
    std::multiset<std::string> all;
    const auto sms = json::parse(http("GET", rig_.sms->url("/messages")).body);
    const auto whatsapp = json::parse(http("GET", rig_.whatsapp->url() + "/messages").body);
    std::set<std::string> broadcasts;  // from each request's reference, "<broadcast>:<recipient>:<attempt>"
    auto broadcast_of = [](const json::value& reference) {
      const std::string r(reference.as_string());
      return r.substr(0, r.find(':'));
    };
    for (const auto& x : sms.as_array()) broadcasts.insert(broadcast_of(x.as_object().at("reference")));
    for (const auto& x : whatsapp.as_array()) broadcasts.insert(broadcast_of(x.as_object().at("biz_opaque_callback_data")));
    for (const auto& b : broadcasts) {  // the reminders only (not the summons, not the acknowledgement of the YES)
      auto info = object_of(daemon_->get("/v1/broadcasts/" + b));
      if (!info.contains("message") || info["message"].as_object()["template"] != "meeting_reminder") continue;
      for (const auto& to : reached(rig_, b)) all.insert(to);
    }
    return all;
  };
  ASSERT_TRUE(eventually([&] { return reminders().size() == 10; }, 20s)) << reminders().size();
  std::this_thread::sleep_for(1s);
  const auto got = reminders();
  EXPECT_EQ(got.size(), 10u) << "once: 11 summoned, 1 answered";
  EXPECT_EQ(got.count("+919829000001"), 0u);
  auto listed = object_of(daemon_->get("/v1/meetings/" + id));
  EXPECT_EQ(json::serialize(listed["reminders"]), R"(["2m"])");
}

// Attendance: who came, against who said YES; by mobile, contact id or a
// CSV sign-in sheet; a person's record and a unit's rate.
TEST_F(Meetings, AttendanceShowsWhoSaidYesAndCameAndWhoDidNot) {
  auto made = create("RJ");
  ASSERT_EQ(made.status, 201) << made.body;
  auto m = object_of(made);
  const std::string id(m["id"].as_string());
  const auto code = std::to_string(m["code"].as_int64());
  ASSERT_EQ(reply("919829000001", "YES " + code), 200);  // Ramesh: yes, comes
  ASSERT_EQ(reply("919829000003", "YES " + code), 200);  // Anita: yes, absent
  ASSERT_EQ(reply("919829000004", "NO " + code), 200);   // Mohan: no, absent
  auto recorded = http("POST", daemon_->url("/v1/meetings/" + id + "/attendance"), R"({"mobiles": ["+919829000001"], "contacts": ["C6", "C99"]})");
  ASSERT_EQ(recorded.status, 200) << recorded.body;
  auto a = object_of(recorded);
  EXPECT_EQ(number(a, "came"), 2);
  EXPECT_EQ(number(a, "said_yes_and_came"), 1);
  EXPECT_EQ(number(a, "said_yes_but_absent"), 1);
  EXPECT_EQ(number(a, "came_without_answering"), 1) << "Kailash (C6) came without answering";
  EXPECT_EQ(number(a, "unmatched_count"), 1);
  EXPECT_EQ(a["unmatched"].as_array()[0].as_object()["at"].as_string(), "/contacts/1");
  // A sign-in sheet as CSV: Sunil came too; Ramesh again changes nothing.
  auto sheet = http("POST", daemon_->url("/v1/meetings/" + id + "/attendance"), "name,mobile\nSunil,9829000010\nRamesh,+91 98290 00001\n",
                    "text/csv");
  ASSERT_EQ(sheet.status, 200) << sheet.body;
  EXPECT_EQ(number(object_of(sheet), "came"), 3);
  EXPECT_EQ(number(object_of(sheet), "added"), 1);
  // Ramesh's record, by any of his posts, and the state's rate.
  auto ramesh = object_of(daemon_->get("/v1/directory/contacts/C1/attendance"));
  ASSERT_EQ(ramesh["meetings"].as_array().size(), 1u) << json::serialize(ramesh);
  EXPECT_EQ(ramesh["meetings"].as_array()[0].as_object()["came"], json::value(true));
  EXPECT_EQ(ramesh["meetings"].as_array()[0].as_object()["answer"].as_string(), "yes");
  auto anita = object_of(daemon_->get("/v1/directory/contacts/C3/attendance"));
  EXPECT_EQ(anita["meetings"].as_array()[0].as_object()["came"], json::value(false));
  auto state = object_of(daemon_->get("/v1/directory/units/RJ/attendance"));
  EXPECT_EQ(number(state, "summoned"), 11);
  EXPECT_EQ(number(state, "came"), 3);
  EXPECT_EQ(daemon_->get("/v1/directory/units/NOWHERE/attendance").status, 404);
  EXPECT_EQ(http("POST", daemon_->url("/v1/meetings/" + id + "/attendance"), "mobile\n", "text/plain").status, 415);
  EXPECT_EQ(http("POST", daemon_->url("/v1/meetings/" + id + "/attendance"), "who\nx\n", "text/csv").status, 400);
  EXPECT_EQ(http("POST", daemon_->url("/v1/meetings/" + id + "/attendance"), R"({"mobiles": "all"})").status, 400);
}

// The one-tap link in the summons: each person's own; opening it (as a
// messaging app does to build a preview) records nothing; the page's
// button does, like a YES by SMS.
TEST_F(Meetings, TheReplyLinkRecordsOnlyWhenItsButtonIsPressed) {
  auto made = http("POST", daemon_->url("/v1/meetings"),
                   R"({"title": "ज़िला बैठक", "venue": "ज़िला कार्यालय", "starts_at": ")" + utc_in(48h) + R"(", "ends_at": ")" + utc_in(50h) +
                       R"(", "organiser": "RJ", "channels": ["sms"]})");
  ASSERT_EQ(made.status, 201) << made.body;
  const std::string id(object_of(made)["id"].as_string());
  auto link_to = [&](const std::string& to) -> std::string {
    const auto sent = json::parse(http("GET", rig_.sms->url("/messages")).body);
    for (const auto& m : sent.as_array()) {
      if (m.as_object().at("to").as_string() != to) continue;
      const std::string text(m.as_object().at("text").as_string());
      const auto at = text.find("/r/");
      if (at != std::string::npos) return text.substr(at, 3 + 16);
    }
    return "";
  };
  ASSERT_TRUE(eventually([&] { return !link_to("+919829000001").empty() && !link_to("+919829000003").empty(); }, 10s));
  const auto ramesh = link_to("+919829000001"), anita = link_to("+919829000003");
  EXPECT_NE(ramesh, anita) << "each person's own link";
  EXPECT_EQ(ramesh.size(), 19u) << "a 16-character token";

  for (int n = 0; n < 2; ++n) {
    auto opened = daemon_->get(ramesh);
    ASSERT_EQ(opened.status, 200);
    EXPECT_NE(opened.body.find("ज़िला बैठक"), std::string::npos);
    EXPECT_NE(opened.body.find("<button name=\"answer\" value=\"yes\""), std::string::npos);
    EXPECT_EQ(opened.body.find("<script"), std::string::npos) << "no script needed";
  }
  EXPECT_EQ(number(tally(id), "yes"), 0) << "opening the link records nothing";
  auto pressed = http("POST", daemon_->url(ramesh), "answer=yes", "application/x-www-form-urlencoded");
  ASSERT_EQ(pressed.status, 200) << pressed.body;
  EXPECT_NE(pressed.body.find("दर्ज"), std::string::npos);
  EXPECT_EQ(number(tally(id), "yes"), 1);
  // A changed mind within a minute counts, each press its own answer.
  ASSERT_EQ(http("POST", daemon_->url(ramesh), "answer=no", "application/x-www-form-urlencoded").status, 200);
  EXPECT_EQ(number(tally(id), "no"), 1);
  ASSERT_EQ(http("POST", daemon_->url(ramesh), "answer=yes", "application/x-www-form-urlencoded").status, 200);
  EXPECT_EQ(number(tally(id), "yes"), 1);
  EXPECT_EQ(number(tally(id), "no"), 0);
  auto yes = object_of(daemon_->get("/v1/meetings/" + id + "/people?answer=yes"))["people"].as_array();
  ASSERT_EQ(yes.size(), 1u);
  EXPECT_EQ(yes[0].as_object()["channel"].as_string(), "link");
  EXPECT_NE(daemon_->get(ramesh).body.find("I will come</p>"), std::string::npos) << "the page shows the answer given";

  std::string forged = ramesh;
  forged.back() = forged.back() == 'A' ? 'B' : 'A';
  EXPECT_EQ(daemon_->get(forged).status, 404);
  EXPECT_EQ(http("POST", daemon_->url(forged), "answer=no", "application/x-www-form-urlencoded").status, 404);
  EXPECT_EQ(http("POST", daemon_->url(ramesh), "answer=maybe", "application/x-www-form-urlencoded").status, 400);
  EXPECT_EQ(daemon_->get("/r/short").status, 404);
  EXPECT_EQ(number(tally(id), "yes"), 1);
  EXPECT_EQ(number(tally(id), "no"), 0);
}

// An Idempotency-Key on POST /v1/meetings: a retry gets the meeting the
// first request made, and nobody is summoned twice.
TEST_F(Meetings, ARetriedPostWithItsKeyMakesOneMeeting) {
  const std::string body = R"({"title": "ज़िला बैठक", "venue": "ज़िला कार्यालय", "starts_at": ")" + utc_in(48h) + R"(", "ends_at": ")" + utc_in(50h) +
                           R"(", "organiser": "RJ", "channels": ["sms"]})";
  auto first = http("POST", daemon_->url("/v1/meetings"), body, "application/json", {{"Idempotency-Key", "district-meeting-1"}});
  ASSERT_EQ(first.status, 201) << first.body;
  auto again = http("POST", daemon_->url("/v1/meetings"), body, "application/json", {{"Idempotency-Key", "district-meeting-1"}});
  ASSERT_EQ(again.status, 201) << again.body;
  EXPECT_EQ(object_of(again)["id"], object_of(first)["id"]);
  EXPECT_EQ(object_of(again)["summons"], object_of(first)["summons"]);
  EXPECT_EQ(object_of(again)["idempotent_replay"], json::value(true));
  EXPECT_EQ(number(object_of(daemon_->get("/v1/meetings")), "total"), 1) << "one meeting";
  auto other = http("POST", daemon_->url("/v1/meetings"), body.substr(0, body.size() - 1) + R"(, "priority": "urgent"})", "application/json",
                    {{"Idempotency-Key", "district-meeting-1"}});
  EXPECT_EQ(other.status, 422) << "the same key with another body";
  ASSERT_TRUE(eventually([&] { return reached(rig_, std::string(object_of(first)["summons"].as_string())).size() == 11; }, 10s));
  std::this_thread::sleep_for(300ms);
  EXPECT_EQ(json::parse(http("GET", rig_.sms->url("/messages")).body).as_array().size(), 11u) << "nobody summoned twice";
}

}  // namespace
