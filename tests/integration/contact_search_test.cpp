// GET /v1/directory/contacts?q=: a person found by a word of their English
// or Hindi name, or by their number, within the caller's scope and masked
// as one contact is; contacts changed or removed since the import are found
// as they are now; hostile queries are 400 naming the parameter.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "support/daemon_under_test.hpp"
#include "support/generated_directory.hpp"
#include "support/http_client.hpp"
#include "support/json_body.hpp"
#include "support/redis_server.hpp"

using namespace orgcast::testing;
using namespace std::chrono_literals;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
namespace json = boost::json;

namespace {

class ContactSearch : public ::testing::Test {
 protected:
  void SetUp() override {
    daemon_ = std::make_unique<DaemonUnderTest>(shared_redis_port(), prefix_);
    daemon_->start();
    ASSERT_TRUE(daemon_->wait_ready(10s)) << daemon_->process().log();
    ASSERT_EQ(import_sample_directory(*daemon_), "");
  }
  HttpResult search(const std::string& query, const std::string& token = "") {
    std::vector<std::pair<std::string, std::string>> headers;
    if (!token.empty()) headers.emplace_back("Authorization", "Bearer " + token);
    return http("GET", daemon_->url(query.empty() ? "/v1/directory/contacts" : "/v1/directory/contacts?" + query), "", "application/json", headers);
  }
  // The ids found, in order.
  std::vector<std::string> found(const std::string& query, const std::string& token = "") {
    auto r = search(query, token);
    EXPECT_EQ(r.status, 200) << query << ": " << r.body;
    std::vector<std::string> out;
    if (r.status != 200) return out;
    auto body = object_of(r);
    for (const auto& c : body["contacts"].as_array()) out.emplace_back(c.as_object().at("id").as_string());
    return out;
  }
  std::string prefix_ = unique_prefix();
  std::unique_ptr<DaemonUnderTest> daemon_;
};

TEST_F(ContactSearch, ByAWordOfEitherNameOrByNumberWithinTheScope) {
  EXPECT_THAT(found("q=meena"), ElementsAre("C2", "C12")) << "Suresh Meena, Meena Kumari";
  EXPECT_THAT(found("q=MEE"), ElementsAre("C2", "C12")) << "the start of a word, case ignored";
  EXPECT_THAT(found("q=suresh%20meena"), ElementsAre("C2")) << "every word";
  EXPECT_THAT(found("q=%E0%A4%AE%E0%A5%80%E0%A4%A3%E0%A4%BE"), ElementsAre("C2")) << "मीणा, in Hindi";
  EXPECT_THAT(found("q=eena"), IsEmpty()) << "not the middle of a word";
  EXPECT_THAT(found("q=98290%2000004"), ElementsAre("C4", "C7")) << "a number: the person's posts";
  EXPECT_THAT(found("q=%2B919829000004"), ElementsAre("C4", "C7"));
  EXPECT_THAT(found("q=9829000077"), IsEmpty()) << "a number nobody has";
  EXPECT_THAT(found("q=00919829000004"), ElementsAre("C4", "C7")) << "dialled from abroad";
  EXPECT_THAT(found("q=%E0%A5%AF%E0%A5%AE%E0%A5%A8%E0%A5%AF%E0%A5%A6%E0%A5%A6%E0%A5%A6%E0%A5%A6%E0%A5%A6%E0%A5%AA"), ElementsAre("C4", "C7"))
      << "९८२९०००००४, in Devanagari digits";
  EXPECT_THAT(found("q=(982)%209000004%0A"), ElementsAre("C4", "C7")) << "brackets, and a newline pasted with it";

  // Another district's people are not found; numbers masked without view_contacts.
  const auto jodhpur = daemon_->cli_token("jodhpur", "district_president", "D-JOD");
  ASSERT_FALSE(jodhpur.empty());
  EXPECT_THAT(found("q=meena", jodhpur), ElementsAre("C12"));
  EXPECT_THAT(found("q=9829000004", jodhpur), IsEmpty()) << "Mohan Lal is in Jaipur";
  const auto scheduler = daemon_->cli_token("cron", "scheduler", "*");
  EXPECT_EQ(search("q=9829000002", scheduler).status, 403) << "a number found would unmask it by guessing";
  auto as_scheduler = object_of(search("q=meena", scheduler));
  auto masked = as_scheduler["contacts"].as_array()[0].as_object();
  EXPECT_EQ(masked["mobile"].as_string(), "+91982*****02") << json::serialize(masked);
  auto as_admin = object_of(search("q=meena"));
  auto whole = as_admin["contacts"].as_array()[0].as_object();
  EXPECT_EQ(whole["mobile"].as_string(), "+919829000002");
  EXPECT_EQ(whole["name_hi"].as_string(), "सुरेश मीणा");
  // Whole numbers shown are contact reads, and kept in the audit trail.
  EXPECT_THAT(daemon_->get("/v1/audit?action=export_numbers").body, HasSubstr("contact search"));

  // Paged by the `next` link.
  auto page = object_of(search("q=mohan&limit=1"));
  EXPECT_EQ(page["total"].as_int64(), 2);
  ASSERT_TRUE(page["next"].is_string()) << json::serialize(page);
  const std::string next(page["next"].as_string());
  auto second = object_of(http("GET", daemon_->url(next)));
  ASSERT_EQ(second["contacts"].as_array().size(), 1u) << json::serialize(second);
  EXPECT_EQ(second["contacts"].as_array()[0].as_object().at("id").as_string(), "C7");
  EXPECT_TRUE(second["next"].is_null());
}

TEST_F(ContactSearch, ContactsChangedSinceTheImportAreFoundAsTheyAreNow) {
  ASSERT_EQ(http("PUT", daemon_->url("/v1/directory/contacts/C13"), R"({"name": "Meena Rawat", "mobile": "9829000013", "unit_id": "BT-2", "role": "secretary"})").status, 200);
  ASSERT_EQ(http("PUT", daemon_->url("/v1/directory/contacts/C2"), R"({"name": "Suresh Kumar", "mobile": "9829000002", "unit_id": "D-JAI", "role": "president"})").status, 200);
  ASSERT_EQ(http("DELETE", daemon_->url("/v1/directory/contacts/C12")).status, 200);
  ASSERT_TRUE(eventually([&] { return found("q=rawat") == std::vector<std::string>{"C13"}; }, 5s));
  ASSERT_TRUE(eventually([&] { return found("q=meena") == std::vector<std::string>{"C13"}; }, 5s))
      << "C2 is Suresh Kumar now and C12 is gone: " << ::testing::PrintToString(found("q=meena"));
  EXPECT_THAT(found("q=suresh%20kumar"), ElementsAre("C2"));
}

TEST_F(ContactSearch, HostileQueriesAreRefusedNamingTheParameter) {
  struct Row {
    std::string query;
    int status;
    std::string says;
  };
  const std::vector<Row> rows = {
      {"", 400, "give q"},
      {"q=", 400, "q must be 1 to 100 characters"},
      {"q=" + std::string(101, 'a'), 400, "q must be 1 to 100 characters"},
      {"q=meena&limit=0", 400, "limit must be a number from 1 to 100"},
      {"q=meena&limit=abc", 400, "limit must be a number from 1 to 100"},
      {"q=meena&limit=101", 400, "limit must be a number from 1 to 100"},
      {"q=meena&cursor=12", 400, "cursor is not one this search gave"},
      {"q=meena&cursor=o99999999", 400, "cursor is not one this search gave"},
      {"q=meena&sort=name", 400, "sort"},
      {"q=%21%21%21", 400, "no letters or digits"},
      {"q=%2B%2B9829000004", 200, "contacts"},
      {"q=982900000", 400, "not an Indian mobile number"},
      {"q=98", 400, "too short for a mobile number"},
      {"q=98290000040", 400, "not an Indian mobile number"},
      {"q=me%C3%28ena", 400, "not valid UTF-8"},
  };
  for (const auto& row : rows) {
    auto r = search(row.query);
    EXPECT_EQ(r.status, row.status) << row.query << ": " << r.body;
    EXPECT_THAT(r.body, HasSubstr(row.says)) << row.query;
  }
  auto anonymous = http("GET", daemon_->url("/v1/directory/contacts?q=meena"), "", "application/json", {{"Authorization", ""}});
  EXPECT_EQ(anonymous.status, 401);
}

}  // namespace
