// The directory and audience API of a real orgcastd on a real Redis:
// imports over HTTP and from the CLI, atomic rejection of bad files, previews,
// and single-contact changes reaching every running instance within a second.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <fstream>

#include "support/daemon_under_test.hpp"
#include "support/redis_server.hpp"
#include "support/sample_directory.hpp"

using namespace orgcast::testing;
using namespace std::chrono_literals;
using ::testing::HasSubstr;
namespace json = boost::json;

namespace {

json::object parse(const HttpResult& r) {
  boost::system::error_code ec;
  auto v = json::parse(r.body, ec);
  return ec || !v.is_object() ? json::object{} : v.as_object();
}

std::string write_file(const std::string& dir, const std::string& name, const std::string& content) {
  std::string path = dir + "/" + name;
  std::ofstream(path) << content;
  return path;
}

const std::string kMandalPresidentsOfJaipur =
    R"({"selector": {"units": ["D-JAI"], "levels": ["mandal"], "roles": ["president"]}})";

class DirectoryApiTest : public ::testing::Test {
 protected:
  void SetUp() override {
    daemon_ = std::make_unique<DaemonUnderTest>(shared_redis_port(), prefix_);
    daemon_->start();
    ASSERT_TRUE(daemon_->wait_ready(10s)) << daemon_->process().log();
  }

  HttpResult import(const std::string& units, const std::string& contacts, const std::string& query = "") {
    return http_multipart(daemon_->url("/v1/directory/import" + query), {{"units", units}, {"contacts", contacts}});
  }

  // Waits until the daemon's index has the given version.
  bool index_at(DaemonUnderTest& d, std::int64_t version) {
    return eventually([&] {
      auto status = parse(d.get("/readyz"));
      return status.contains("directory_version") && status["directory_version"].as_int64() == version;
    }, 5s);
  }

  std::int64_t preview_count(DaemonUnderTest& d, const std::string& body) {
    auto r = http("POST", d.url("/v1/audiences/preview"), body);
    auto o = parse(r);
    return o.contains("count") ? o["count"].as_int64() : -1;
  }

  std::string prefix_ = unique_prefix();
  std::unique_ptr<DaemonUnderTest> daemon_;
};

TEST_F(DirectoryApiTest, ImportOverHttpThenPreview) {
  auto r = import(orgcast::fixtures::kSampleUnits, orgcast::fixtures::kSampleContacts);
  ASSERT_EQ(r.status, 200) << r.body;
  auto body = parse(r);
  EXPECT_EQ(body["version"].as_int64(), 1);
  EXPECT_EQ(body["contacts"].as_int64(), 12);
  EXPECT_EQ(body["people"].as_int64(), 11);
  ASSERT_TRUE(index_at(*daemon_, 1));

  auto preview = http("POST", daemon_->url("/v1/audiences/preview"), kMandalPresidentsOfJaipur);
  ASSERT_EQ(preview.status, 200) << preview.body;
  auto p = parse(preview);
  EXPECT_EQ(p["count"].as_int64(), 2);
  EXPECT_EQ(p["by_level"].as_object()["mandal"].as_int64(), 2);
  EXPECT_EQ(p["root"].as_object()["id"].as_string(), "D-JAI");
  EXPECT_EQ(p["by_child"].as_array()[0].as_object()["id"].as_string(), "B-JAI-1");
  EXPECT_EQ(p["by_child"].as_array()[0].as_object()["count"].as_int64(), 2);
  ASSERT_EQ(p["sample"].as_array().size(), 2u);
  auto first = p["sample"].as_array()[0].as_object();
  EXPECT_EQ(first["contact_id"].as_string(), "C4");
  EXPECT_EQ(first["name_hi"].as_string(), "मोहन लाल");
  EXPECT_EQ(first["mobile"].as_string(), "+91982*****04") << "previews show masked numbers only";

  auto state = http("POST", daemon_->url("/v1/audiences/preview"), R"({"selector": {"units": ["RJ"]}, "sample": 0})");
  auto s = parse(state);
  EXPECT_EQ(s["count"].as_int64(), 11);
  EXPECT_EQ(s["by_channel"].as_object()["whatsapp"].as_int64(), 8);
  EXPECT_EQ(s["by_channel"].as_object()["push"].as_int64(), 3);
}

TEST_F(DirectoryApiTest, BadImportIsRejectedWholeAndTheDirectoryInUseIsUntouched) {
  ASSERT_EQ(import(orgcast::fixtures::kSampleUnits, orgcast::fixtures::kSampleContacts).status, 200);
  ASSERT_TRUE(index_at(*daemon_, 1));
  std::string bad = "id,name,mobile,unit_id,role\n"
                    "X1,Good Person,9829011111,RJ,member\n"
                    "X2,Bad Mobile,0141-2223344,RJ,member\n"
                    "X3,Nowhere,9829011113,D-XXX,member\n";
  auto r = import(orgcast::fixtures::kSampleUnits, bad);
  EXPECT_EQ(r.status, 422) << r.body;
  EXPECT_THAT(r.content_type, HasSubstr("application/problem+json"));
  auto problem = parse(r);
  EXPECT_EQ(problem["error_count"].as_int64(), 2);
  auto errors = problem["errors"].as_array();
  EXPECT_EQ(errors[0].as_object()["line"].as_string(), "contacts.csv:3");
  EXPECT_THAT(std::string(errors[0].as_object()["detail"].as_string()), HasSubstr("mobile: an Indian mobile number starts with 6, 7, 8 or 9"));
  EXPECT_EQ(errors[1].as_object()["line"].as_string(), "contacts.csv:4");
  EXPECT_THAT(std::string(errors[1].as_object()["detail"].as_string()), HasSubstr("unit_id: unknown unit \"D-XXX\""));

  auto status = parse(daemon_->get("/v1/directory"));
  EXPECT_EQ(status["version"].as_int64(), 1);
  EXPECT_EQ(status["contacts"].as_int64(), 12);
  EXPECT_EQ(preview_count(*daemon_, kMandalPresidentsOfJaipur), 2);
}

TEST_F(DirectoryApiTest, ReportOnlyValidatesWithoutImporting) {
  auto r = import(orgcast::fixtures::kSampleUnits, orgcast::fixtures::kSampleContacts, "?report_only=true");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_TRUE(parse(r)["valid"].as_bool());
  EXPECT_EQ(parse(daemon_->get("/v1/directory"))["version"].as_int64(), 0);
}

TEST_F(DirectoryApiTest, BadRequestsSayWhatAndWhere) {
  ASSERT_EQ(import(orgcast::fixtures::kSampleUnits, orgcast::fixtures::kSampleContacts).status, 200);
  ASSERT_TRUE(index_at(*daemon_, 1));
  auto r = http("POST", daemon_->url("/v1/audiences/preview"), R"({"selector": {"units": ["RJ", "NOPE"], "roles": ["presidnet"]}})");
  EXPECT_EQ(r.status, 400);
  EXPECT_THAT(r.content_type, HasSubstr("application/problem+json"));
  EXPECT_THAT(r.body, HasSubstr(R"({"pointer":"/selector/units/1","detail":"unknown unit \"NOPE\""})"));
  EXPECT_THAT(r.body, HasSubstr(R"("pointer":"/selector/roles/0","detail":"unknown role \"presidnet\"; did you mean \"president\"?")"));
  EXPECT_EQ(http("POST", daemon_->url("/v1/audiences/preview"), "{not json").status, 400);
  EXPECT_EQ(http("POST", daemon_->url("/v1/audiences/preview"), std::string(2 << 20, ' ')).status, 413);
  EXPECT_EQ(daemon_->get("/v1/nothing-here").status, 404);
  EXPECT_EQ(http("DELETE", daemon_->url("/v1/audiences/preview")).status, 405);
  // A field the API document does not name is refused before the handler
  // reads the body; what the fields mean is checked once the shape is right.
  auto contact = http("PUT", daemon_->url("/v1/directory/contacts/N1"), R"({"name": "N", "mobile": "12345", "unit_id": "RJ", "role": "member", "extra": 1})");
  EXPECT_EQ(contact.status, 400);
  EXPECT_THAT(contact.body, HasSubstr(R"("pointer":"/extra")"));
  contact = http("PUT", daemon_->url("/v1/directory/contacts/N1"), R"({"name": "N", "mobile": "12345", "unit_id": "RJ", "role": "member"})");
  EXPECT_EQ(contact.status, 400);
  EXPECT_THAT(contact.body, HasSubstr(R"("pointer":"/mobile")"));
  // Two parts of one name: which would be imported is not guessed.
  auto twice = http_multipart(daemon_->url("/v1/directory/import?report_only=true"),
                              {{"units", orgcast::fixtures::kSampleUnits}, {"units", orgcast::fixtures::kSampleUnits}, {"contacts", orgcast::fixtures::kSampleContacts}});
  EXPECT_EQ(twice.status, 400) << twice.body;
  EXPECT_THAT(twice.body, HasSubstr("given twice"));
  // An Idempotency-Key sent empty is a mistake, not no key.
  auto empty_key = http("POST", daemon_->url("/v1/broadcasts"), R"({"audience": {"units": ["RJ"]}, "template": "announcement", "variables": {"subject": "s", "details": "d"}, "channels": ["sms"]})",
                        "application/json", {{"Idempotency-Key", ""}});
  EXPECT_EQ(empty_key.status, 400) << empty_key.body;
  EXPECT_THAT(empty_key.body, HasSubstr("Idempotency-Key"));
}

TEST_F(DirectoryApiTest, CliImportAndAudience) {
  auto dir = temp_dir("cli");
  auto units = write_file(dir, "units.csv", orgcast::fixtures::kSampleUnits);
  auto contacts = write_file(dir, "contacts.csv", orgcast::fixtures::kSampleContacts);
  auto bad = write_file(dir, "bad.csv", "id,name,mobile,unit_id,role\nX1,A,123,RJ,member\n");
  auto cli = build_dir() + "/orgcast";

  auto rejected = run_command({cli, "import", "--config", daemon_->config_path(), "--units", units, "--contacts", bad});
  EXPECT_EQ(rejected.code, 1);
  EXPECT_THAT(rejected.output, HasSubstr("bad.csv:2: mobile: an Indian mobile number has 10 digits after +91, this has 3"));
  EXPECT_THAT(rejected.output, HasSubstr("nothing was imported"));

  auto report = run_command({cli, "import", "--config", daemon_->config_path(), "--units", units, "--contacts", contacts, "--report-only"});
  EXPECT_EQ(report.code, 0) << report.output;
  EXPECT_EQ(parse(daemon_->get("/v1/directory"))["version"].as_int64(), 0);

  auto imported = run_command({cli, "import", "--config", daemon_->config_path(), "--units", units, "--contacts", contacts});
  ASSERT_EQ(imported.code, 0) << imported.output;
  EXPECT_THAT(imported.output, HasSubstr("imported directory version 1"));
  ASSERT_TRUE(index_at(*daemon_, 1)) << "the running daemon picks the CLI's import up";

  auto selector = write_file(dir, "selector.json", R"({"units": ["D-JAI"], "levels": ["mandal"], "roles": ["president"]})");
  auto anonymous = run_command({cli, "audience", "--selector", selector, "--url", daemon_->url("")});
  EXPECT_NE(anonymous.code, 0) << "no token: refused";
  EXPECT_THAT(anonymous.output, HasSubstr("401"));
  auto audience = run_command({cli, "audience", "--selector", selector, "--url", daemon_->url(""), "--token", daemon_->token()});
  ASSERT_EQ(audience.code, 0) << audience.output;
  EXPECT_THAT(audience.output, HasSubstr(R"("count":2)"));
}

TEST_F(DirectoryApiTest, ChangesReachEveryInstanceWithinOneSecond) {
  ASSERT_EQ(import(orgcast::fixtures::kSampleUnits, orgcast::fixtures::kSampleContacts).status, 200);
  DaemonUnderTest other(shared_redis_port(), prefix_);
  other.start();
  ASSERT_TRUE(other.wait_ready(10s));
  ASSERT_TRUE(index_at(*daemon_, 1));
  ASSERT_TRUE(index_at(other, 1));

  // A new mandal president in Jaipur, written through the first instance...
  auto put = http("PUT", daemon_->url("/v1/directory/contacts/C100"),
                  R"({"name": "Naya Adhyaksh", "name_hi": "नया अध्यक्ष", "mobile": "+91 70000 00100", "unit_id": "M-JAI-2", "role": "president"})");
  ASSERT_EQ(put.status, 200) << put.body;
  auto written = std::chrono::steady_clock::now();
  // The writer reads it back at once (its own index holds the change before it answers).
  EXPECT_EQ(http("GET", daemon_->url("/v1/directory/contacts/C100")).status, 200);
  // ...is seen by the second one within a second.
  ASSERT_TRUE(eventually([&] { return preview_count(other, kMandalPresidentsOfJaipur) == 3; }, 1s));
  EXPECT_LT(std::chrono::steady_clock::now() - written, 1s);
  auto fetched = parse(other.get("/v1/directory/contacts/C100"));
  EXPECT_EQ(fetched["mobile"].as_string(), "+917000000100");

  ASSERT_EQ(http("DELETE", other.url("/v1/directory/contacts/C4")).status, 200);
  EXPECT_TRUE(eventually([&] { return preview_count(*daemon_, kMandalPresidentsOfJaipur) == 2; }, 1s));
  // C4's person still holds a booth post (C7): a booth-level selection finds them.
  EXPECT_EQ(preview_count(*daemon_, R"({"selector": {"units": ["BT-1"], "roles": ["president"]}})"), 1);

  // A whole new import replaces the directory on every instance.
  std::string contacts = orgcast::fixtures::kSampleContacts + "C13,Extra,,9829000013,,hi,M-JAI-1,president,,\n";
  std::string units = orgcast::fixtures::kSampleUnits;
  ASSERT_EQ(import(units, contacts).status, 200);
  written = std::chrono::steady_clock::now();
  ASSERT_TRUE(index_at(other, 2));
  EXPECT_LT(std::chrono::steady_clock::now() - written, 1s);
  EXPECT_EQ(preview_count(other, kMandalPresidentsOfJaipur), 3);  // C4 is back, C100 gone, C13 added
}

}  // namespace
