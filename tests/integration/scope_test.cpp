// Scope in the hierarchy, over HTTP: a caller reaches its units and their
// subtrees and nothing else. The Jaipur district president can neither see,
// target, change nor cancel anything in Jodhpur: a unit named outside the
// scope is 403 with its JSON pointer, a resource outside it is 404 (as if
// there were none), and a selector without units means the caller's scope.
// Numbers are whole only with view_contacts over the person's unit.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <boost/json.hpp>

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

class Scope : public ::testing::Test {
 protected:
  void SetUp() override {
    daemon_ = std::make_unique<DaemonUnderTest>(shared_redis_port(), unique_prefix());
    daemon_->start();
    ASSERT_TRUE(daemon_->wait_ready(10s)) << daemon_->process().log();
    ASSERT_EQ(import_sample_directory(*daemon_), "");
    jaipur_ = mint(R"({"name": "Jaipur president", "profile": "district_president", "scope": ["D-JAI"]})");
    machine_ = mint(R"({"name": "state cron", "profile": "scheduler", "scope": ["RJ"]})");
    jaipur_office_ = mint(R"({"name": "Jaipur office", "profile": "office_staff", "scope": ["D-JAI"]})");
  }
  std::string mint(const std::string& body) {
    auto made = as(daemon_->token(), "POST", "/v1/tokens", body);
    EXPECT_EQ(made.status, 201) << made.body;
    return std::string(object_of(made)["token"].as_string());
  }
  HttpResult as(const std::string& token, const std::string& method, const std::string& path, const std::string& body = "") {
    return http(method, daemon_->url(path), body, "application/json", {{"Authorization", "Bearer " + token}});
  }
  std::unique_ptr<DaemonUnderTest> daemon_;
  std::string jaipur_, machine_, jaipur_office_;
};

TEST_F(Scope, TheJaipurPresidentNeitherSeesTargetsChangesNorCancelsAnythingInJodhpur) {
  // What the state office made in Jodhpur.
  auto jodhpur_broadcast = as(daemon_->token(), "POST", "/v1/broadcasts", R"({"audience": {"units": ["D-JOD"]}, )" + kAnnouncement + "}");
  ASSERT_EQ(jodhpur_broadcast.status, 202) << jodhpur_broadcast.body;
  const std::string jb(object_of(jodhpur_broadcast)["id"].as_string());
  auto jodhpur_meeting = as(daemon_->token(), "POST", "/v1/meetings",
                            R"({"title": "ज़िला बैठक", "venue": "कार्यालय", "starts_at": ")" + utc_in(48h) + R"(", "ends_at": ")" + utc_in(50h) +
                                R"(", "organiser": "D-JOD"})");
  ASSERT_EQ(jodhpur_meeting.status, 201) << jodhpur_meeting.body;
  const std::string jm(object_of(jodhpur_meeting)["id"].as_string());

  // Targeting Jodhpur: 403 naming the unit and where it was named.
  for (const auto& [path, body, pointer] : std::vector<std::tuple<std::string, std::string, std::string>>{
           {"/v1/broadcasts", R"({"audience": {"units": ["B-JAI-1", "D-JOD"]}, )" + kAnnouncement + "}", "/audience/units/1"},
           {"/v1/broadcasts", R"({"audience": {"units": [{"id": "RJ", "descendants": true}]}, )" + kAnnouncement + "}", "/audience/units/0/id"},
           {"/v1/audiences/preview", R"({"selector": {"units": ["BT-4"]}})", "/selector/units/0"},
           {"/v1/meetings", R"({"title": "t", "venue": "v", "starts_at": ")" + utc_in(48h) + R"(", "ends_at": ")" + utc_in(50h) + R"(", "organiser": "D-JOD"})",
            "/organiser"},
           {"/v1/meetings", R"({"title": "t", "venue": "v", "starts_at": ")" + utc_in(48h) + R"(", "ends_at": ")" + utc_in(50h) +
                                R"(", "organiser": "D-JAI", "audience": {"units": ["M-JOD-1"]}})",
            "/audience/units/0"}}) {
    auto r = as(jaipur_, "POST", path, body);
    EXPECT_EQ(r.status, 403) << path << " " << body << ": " << r.body;
    EXPECT_THAT(r.body, HasSubstr(pointer)) << path;
    EXPECT_THAT(r.body, HasSubstr("outside your scope")) << path;
  }
  // Seeing, cancelling or reminding Jodhpur's: as if there were none.
  for (const auto& [method, path] : std::vector<std::pair<std::string, std::string>>{
           {"GET", "/v1/broadcasts/" + jb},
           {"GET", "/v1/broadcasts/" + jb + "/recipients"},
           {"GET", "/v1/broadcasts/" + jb + "/events"},
           {"POST", "/v1/broadcasts/" + jb + "/cancel"},
           {"PATCH", "/v1/broadcasts/" + jb},
           {"GET", "/v1/meetings/" + jm},
           {"GET", "/v1/meetings/" + jm + "/people"},
           {"GET", "/v1/meetings/" + jm + "/events"},
           {"GET", "/v1/meetings/" + jm + "/attendance"},
           {"POST", "/v1/meetings/" + jm + "/cancel"},
           {"POST", "/v1/meetings/" + jm + "/remind"},
           {"GET", "/v1/directory/contacts/C3"},
           {"GET", "/v1/directory/contacts/C6/consent"},
           {"GET", "/v1/directory/contacts/C6/inbound"},
           {"GET", "/v1/directory/contacts/C11/attendance"},
           {"GET", "/v1/directory/units/D-JOD/attendance"},
           // Paged, they are as unseen
           {"GET", "/v1/directory/contacts/C6/inbound?limit=1"},
           {"GET", "/v1/directory/contacts/C11/attendance?limit=1&cursor=o1"},
           {"GET", "/v1/directory/units/D-JOD/attendance?cursor=o1"}}) {
    auto r = as(jaipur_, method, path);
    EXPECT_EQ(r.status, 404) << method << " " << path << ": " << r.body;
  }
  // Its office changes Jaipur's contacts only.
  EXPECT_EQ(as(jaipur_office_, "DELETE", "/v1/directory/contacts/C12").status, 404);
  auto put_there = as(jaipur_office_, "PUT", "/v1/directory/contacts/C6", R"({"name": "X", "mobile": "9829000006", "unit_id": "D-JAI", "role": "president"})");
  EXPECT_EQ(put_there.status, 404) << put_there.body;
  auto move_out = as(jaipur_office_, "PUT", "/v1/directory/contacts/C2", R"({"name": "Suresh", "mobile": "9829000002", "unit_id": "D-JOD", "role": "president"})");
  EXPECT_EQ(move_out.status, 403) << move_out.body;
  EXPECT_THAT(move_out.body, HasSubstr("/unit_id"));
  auto preview = as(jaipur_, "POST", "/v1/templates/announcement/preview", R"({"contact": "C3"})");
  EXPECT_EQ(preview.status, 400) << "a contact's rendering is a read of the contact: " << preview.body;
  // Another district in a listing's ?unit= is answered as a unit that does not exist, on every listing.
  for (const char* listing : {"/v1/reports?unit=", "/v1/meetings?unit=", "/v1/reports/missing?level=district&role=president&unit=", "/v1/broadcasts?unit=",
                              "/v1/audit?unit=", "/v1/directory/units?parent="}) {
    const auto outside = as(jaipur_, "GET", std::string(listing) + "D-JOD"), unknown = as(jaipur_, "GET", std::string(listing) + "NOPE");
    EXPECT_EQ(outside.status, 404) << listing << ": " << outside.body;
    EXPECT_EQ(unknown.status, 404) << listing << ": " << unknown.body;
    EXPECT_EQ(outside.body.find("D-JOD") != std::string::npos, unknown.body.find("NOPE") != std::string::npos) << "the same words";
  }
  auto import = http("POST", daemon_->url("/v1/directory/import"), "--x--\r\n", "multipart/form-data; boundary=x", {{"Authorization", "Bearer " + jaipur_office_}});
  EXPECT_EQ(import.status, 403) << "a full import replaces every unit: " << import.body;
  EXPECT_THAT(import.body, HasSubstr("whole directory"));
  auto moved_within = as(jaipur_office_, "PUT", "/v1/directory/contacts/C9", R"({"name": "Ravi Kumar", "mobile": "9829000009", "unit_id": "BT-1", "role": "president"})");
  EXPECT_EQ(moved_within.status, 200) << moved_within.body;

  // The listing shows Jaipur's meetings only; the state office sees both.
  auto listed = as(jaipur_, "GET", "/v1/meetings");
  ASSERT_EQ(listed.status, 200) << listed.body;
  EXPECT_EQ(listed.body.find("\"" + jm + "\""), std::string::npos) << listed.body;
  EXPECT_NE(as(daemon_->token(), "GET", "/v1/meetings").body.find("\"" + jm + "\""), std::string::npos);
  EXPECT_EQ(object_of(as(daemon_->token(), "GET", "/v1/broadcasts/" + jb))["state"].as_string() == "cancelled", false) << "not cancelled by Jaipur";

  // Its own part: a selector without units is Jaipur, never the state.
  auto own = as(jaipur_, "POST", "/v1/broadcasts", R"({"audience": {}, )" + kAnnouncement + "}");
  ASSERT_EQ(own.status, 202) << own.body;
  const std::string ob(object_of(own)["id"].as_string());
  EXPECT_EQ(number(object_of(own), "recipients"), 6) << "C2, C4 (with C7), C5, C8, C9, C10: Jaipur's six people";
  auto shown = as(jaipur_, "GET", "/v1/broadcasts/" + ob);
  ASSERT_EQ(shown.status, 200) << shown.body;
  EXPECT_EQ(json::serialize(object_of(shown)["audience"]), R"({"units":["D-JAI"]})") << "kept with the scope written in";
  EXPECT_EQ(as(jaipur_, "GET", "/v1/broadcasts/" + ob + "/recipients").status, 200);
  auto preview_own = object_of(as(jaipur_, "POST", "/v1/audiences/preview", R"({"selector": {"levels": ["booth"]}})"));
  EXPECT_EQ(number(preview_own, "count"), 4) << "Jaipur's booths: C7 (Mohan Lal), C8, C9, C10";
  auto c2 = object_of(as(jaipur_, "GET", "/v1/directory/contacts/C2"));
  EXPECT_EQ(c2["mobile"].as_string(), "+919829000002") << "view_contacts over Jaipur: the number whole";
}

// A number or contact outside the scope is answered as one the directory
// lacks: naming them tells the caller nothing.
TEST_F(Scope, PeopleOutsideTheScopeAreAnsweredAsUnknown) {
  auto outside = as(jaipur_, "POST", "/v1/audiences/preview", R"({"selector": {"people": ["+919829000003"]}})");
  auto unknown = as(jaipur_, "POST", "/v1/audiences/preview", R"({"selector": {"people": ["+919829000077"]}})");
  EXPECT_EQ(outside.status, 400) << outside.body;
  std::string same = unknown.body;
  for (auto at = same.find("000077"); at != std::string::npos; at = same.find("000077")) same.replace(at, 6, "000003");
  EXPECT_EQ(outside.body, same) << "Anita in Jodhpur reads as nobody";
  EXPECT_THAT(outside.body, HasSubstr("nobody in your scope"));
  auto excluded = as(jaipur_, "POST", "/v1/audiences/preview", R"({"selector": {"exclude": {"contacts": ["C3"]}}})");
  EXPECT_EQ(excluded.status, 400) << excluded.body;
  EXPECT_THAT(excluded.body, HasSubstr("unknown contact"));
  EXPECT_EQ(as(jaipur_, "POST", "/v1/audiences/preview", R"({"selector": {"people": ["+919829000002"]}})").status, 200) << "Suresh is Jaipur's";

  // Attendance counts only the caller's people: Jodhpur's are unmatched, like strangers.
  auto made = as(jaipur_, "POST", "/v1/meetings",
                 R"({"title": "t", "venue": "v", "starts_at": ")" + utc_in(48h) + R"(", "ends_at": ")" + utc_in(50h) + R"(", "organiser": "D-JAI"})");
  ASSERT_EQ(made.status, 201) << made.body;
  const std::string id(object_of(made)["id"].as_string());
  auto recorded = as(jaipur_office_, "POST", "/v1/meetings/" + id + "/attendance", R"({"contacts": ["C2", "C3"], "mobiles": ["+919829000006"]})");
  ASSERT_EQ(recorded.status, 200) << recorded.body;
  EXPECT_EQ(number(object_of(recorded), "added"), 1) << recorded.body;
  EXPECT_EQ(number(object_of(recorded), "unmatched_count"), 2);
}

// Broadcasts listed newest first, filtered, paged by a cursor, and only
// those the caller sees.
TEST_F(Scope, BroadcastsAreListedNewestFirstWithinTheScope) {
  std::vector<std::string> made;
  for (const char* unit : {"BT-1", "D-JOD", "BT-2", "B-JAI-1"}) {
    auto r = as(daemon_->token(), "POST", "/v1/broadcasts", std::string(R"({"audience": {"units": [")") + unit + R"("]}, )" + kAnnouncement + "}");
    ASSERT_EQ(r.status, 202) << r.body;
    made.emplace_back(object_of(r)["id"].as_string());
  }
  auto ids = [](const boost::json::object& page) {
    std::vector<std::string> out;
    for (const auto& b : page.at("broadcasts").as_array()) out.emplace_back(b.as_object().at("id").as_string());
    return out;
  };
  auto all = object_of(as(daemon_->token(), "GET", "/v1/broadcasts"));
  EXPECT_THAT(ids(all), ::testing::ElementsAre(made[3], made[2], made[1], made[0]));
  EXPECT_EQ(all.at("broadcasts").as_array()[0].as_object().at("kind").as_string(), "announcement");
  EXPECT_THAT(ids(object_of(as(jaipur_, "GET", "/v1/broadcasts"))), ::testing::ElementsAre(made[3], made[2], made[0])) << "not Jodhpur's";
  EXPECT_THAT(ids(object_of(as(daemon_->token(), "GET", "/v1/broadcasts?unit=D-JOD"))), ::testing::ElementsAre(made[1]));
  EXPECT_TRUE(ids(object_of(as(daemon_->token(), "GET", "/v1/broadcasts?kind=summons"))).empty());
  // Two at a time: the next link goes on where the page ended, with the same filters.
  auto first = object_of(as(jaipur_, "GET", "/v1/broadcasts?limit=2"));
  EXPECT_THAT(ids(first), ::testing::ElementsAre(made[3], made[2]));
  ASSERT_TRUE(first.at("next").is_string());
  auto second = object_of(as(jaipur_, "GET", std::string(first.at("next").as_string())));
  EXPECT_THAT(ids(second), ::testing::ElementsAre(made[0]));
  EXPECT_TRUE(second.at("next").is_null());
  EXPECT_EQ(as(jaipur_, "GET", "/v1/broadcasts?limit=0").status, 400);
  EXPECT_EQ(as(jaipur_, "GET", "/v1/broadcasts?cursor=nonsense").status, 400);
  EXPECT_EQ(as(jaipur_, "GET", "/v1/broadcasts?from=yesterday").status, 400);
  EXPECT_EQ(as(jaipur_, "GET", "/v1/broadcasts?kind=spam").status, 400);
  EXPECT_EQ(as(jaipur_, "GET", "/v1/broadcasts?unit=D-JOD").status, 404) << "another district is answered as no unit";
  EXPECT_EQ(as(jaipur_, "GET", "/v1/broadcasts?cursor=12x.b3").status, 400);
}

// A caller who sees few of many broadcasts: its page takes several reads
// of the index, each resuming after the last, none skipped or repeated.
TEST_F(Scope, AListingReadsOnPastBroadcastsItDoesNotSee) {
  auto send = [&](const char* unit) {
    auto r = as(daemon_->token(), "POST", "/v1/broadcasts", std::string(R"({"audience": {"units": [")") + unit + R"("]}, )" + kAnnouncement + "}");
    EXPECT_EQ(r.status, 202) << r.body;
    return std::string(object_of(r)["id"].as_string());
  };
  const auto oldest = send("BT-1");
  for (int i = 0; i < 450; ++i) send("BT-4");  // Jodhpur's: more than two reads of 200
  const auto newest = send("BT-2");
  auto page = object_of(as(jaipur_, "GET", "/v1/broadcasts?limit=1"));
  ASSERT_EQ(page["broadcasts"].as_array().size(), 1u);
  EXPECT_EQ(page["broadcasts"].as_array()[0].as_object().at("id").as_string(), newest);
  ASSERT_TRUE(page["next"].is_string());
  auto rest = object_of(as(jaipur_, "GET", std::string(page["next"].as_string())));
  ASSERT_EQ(rest["broadcasts"].as_array().size(), 1u) << json::serialize(rest);
  EXPECT_EQ(rest["broadcasts"].as_array()[0].as_object().at("id").as_string(), oldest) << "found past 450 it does not see";
  EXPECT_TRUE(rest["next"].is_null());
  EXPECT_EQ(object_of(as(daemon_->token(), "GET", "/v1/broadcasts?limit=200&unit=BT-4"))["broadcasts"].as_array().size(), 200u);
}

// Units by name or below a parent: only those in the caller's scope.
TEST_F(Scope, UnitsAreFoundByNameOrParentWithinTheScope) {
  auto found = object_of(as(jaipur_, "GET", "/v1/directory/units?q=booth"));
  EXPECT_EQ(number(found, "total"), 3) << "Jaipur's three booths, not Jodhpur's";
  auto hindi = object_of(as(jaipur_, "GET", "/v1/directory/units?q=%E0%A4%B8%E0%A4%BE%E0%A4%82%E0%A4%97%E0%A4%BE%E0%A4%A8%E0%A5%87%E0%A4%B0"));  // सांगानेर
  ASSERT_FALSE(hindi["units"].as_array().empty());
  auto first = hindi["units"].as_array()[0].as_object();
  EXPECT_EQ(first["id"].as_string(), "B-JAI-1");
  EXPECT_EQ(first["level"].as_string(), "block");
  EXPECT_EQ(first["parent"].as_string(), "D-JAI");
  EXPECT_EQ(number(first, "children"), 2);
  auto top = object_of(as(jaipur_, "GET", "/v1/directory/units"))["units"].as_array();
  ASSERT_EQ(top.size(), 1u);
  EXPECT_EQ(top[0].as_object().at("id").as_string(), "D-JAI") << "the caller's top unit";
  EXPECT_EQ(object_of(as(jaipur_, "GET", "/v1/directory/units?parent=M-JAI-1"))["units"].as_array().size(), 2u);
  EXPECT_EQ(as(jaipur_, "GET", "/v1/directory/units?parent=D-JOD").status, 404);
  EXPECT_EQ(as(jaipur_, "GET", "/v1/directory/units?q=").status, 400);
  EXPECT_EQ(as(jaipur_, "GET", "/v1/directory/units?parent=").status, 400);
  EXPECT_EQ(as(jaipur_, "GET", "/v1/directory/units?limit=0").status, 400);
  // Paged by the `next` link: Jaipur's three booths two at a time.
  auto two = object_of(as(jaipur_, "GET", "/v1/directory/units?q=booth&limit=2"));
  ASSERT_EQ(two["units"].as_array().size(), 2u);
  ASSERT_TRUE(two["next"].is_string()) << json::serialize(two);
  auto rest = object_of(as(jaipur_, "GET", std::string(two["next"].as_string())));
  ASSERT_EQ(rest["units"].as_array().size(), 1u) << json::serialize(rest);
  EXPECT_EQ(rest["units"].as_array()[0].as_object().at("id").as_string(), "BT-3");
  EXPECT_TRUE(rest["next"].is_null());
  EXPECT_EQ(as(jaipur_, "GET", "/v1/directory/units?cursor=x1").status, 400);
  EXPECT_EQ(number(object_of(as(daemon_->token(), "GET", "/v1/directory/units?parent=RJ")), "total"), 2) << "the state office sees both districts";
}

TEST_F(Scope, NumbersAreMaskedWithoutViewContacts) {
  // The scheduler reads counts and people, never a whole number.
  auto c2 = as(machine_, "GET", "/v1/directory/contacts/C2");
  ASSERT_EQ(c2.status, 200) << c2.body;
  EXPECT_EQ(object_of(c2)["mobile"].as_string(), "+91982*****02");
  EXPECT_EQ(c2.body.find("9829000002"), std::string::npos) << c2.body;
  auto made = as(machine_, "POST", "/v1/broadcasts", R"({"audience": {"units": ["D-JAI"]}, )" + kAnnouncement + "}");
  ASSERT_EQ(made.status, 202) << made.body;
  const std::string id(object_of(made)["id"].as_string());
  for (const std::string format : {"", "?format=csv"}) {
    auto listed = as(machine_, "GET", "/v1/broadcasts/" + id + "/recipients" + format);
    ASSERT_EQ(listed.status, 200) << listed.body;
    EXPECT_THAT(listed.body, HasSubstr("+91982*****02")) << format;
    EXPECT_EQ(listed.body.find("9829000002"), std::string::npos) << format << ": " << listed.body;
    auto whole = as(daemon_->token(), "GET", "/v1/broadcasts/" + id + "/recipients" + format);
    EXPECT_THAT(whole.body, HasSubstr("+919829000002")) << "the state admin has view_contacts everywhere";
  }
  auto inbound = as(machine_, "GET", "/v1/inbound");
  EXPECT_EQ(inbound.status, 200) << inbound.body;
}

// Reading people one by one is rate-limited per caller: a stolen token
// cannot walk the directory number by number.
TEST(ContactReads, AreLimitedPerCaller) {
  DaemonUnderTest daemon(shared_redis_port(), unique_prefix(), "auth:\n  contact_reads_per_minute: 3\n");
  daemon.start();
  ASSERT_TRUE(daemon.wait_ready(10s)) << daemon.process().log();
  ASSERT_EQ(import_sample_directory(daemon), "");
  const auto other = daemon.cli_token("other", "office_staff", "RJ");
  auto read = [&](const std::string& token, const std::string& path) {
    return http("GET", daemon.url(path), "", "application/json", {{"Authorization", "Bearer " + token}});
  };
  for (const char* path : {"/v1/directory/contacts/C1", "/v1/directory/contacts/C2/consent", "/v1/directory/contacts/C3/inbound"})
    EXPECT_EQ(read(daemon.token(), path).status, 200) << path;
  auto refused = read(daemon.token(), "/v1/directory/contacts/C4");
  EXPECT_EQ(refused.status, 429) << refused.body;
  EXPECT_THAT(refused.headers, HasSubstr("Retry-After: "));
  EXPECT_THAT(refused.body, HasSubstr("3 contacts a minute"));
  EXPECT_EQ(read(other, "/v1/directory/contacts/C4").status, 200) << "another caller's reads are its own";
  EXPECT_EQ(read(daemon.token(), "/v1/directory").status, 200) << "counts are not contacts";
}

}  // namespace
