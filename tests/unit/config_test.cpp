#include "config/loader.hpp"
#include "keywords/engine.hpp"
#include "keywords/vocabulary.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

using namespace orgcast;
using ::testing::HasSubstr;

namespace {

std::vector<std::string> errors_of(const std::string& yaml) {
  auto result = load_config_text(yaml, "test.yaml");
  std::vector<std::string> out;
  for (const auto& e : result.errors) out.push_back(e.to_string());
  return out;
}

TEST(Config, EmptyFileTakesDefaults) {
  auto result = load_config_text("", "empty.yaml");
  ASSERT_TRUE(result.config) << result.errors.size();
  EXPECT_EQ(result.config->server.listen_port, 8080);
  EXPECT_EQ(result.config->directory.levels.size(), 5u);
}

TEST(Config, ReadsValues) {
  auto result = load_config_text(
      "server:\n  listen: 0.0.0.0:9090\n  threads: 4\nredis:\n  port: 6390\n"
      "directory:\n  levels: [country, state, district]\n  tags:\n    cells: [it_cell, legal_cell]\n    frontal: [yuva_morcha]\n",
      "t.yaml");
  ASSERT_TRUE(result.config);
  EXPECT_EQ(result.config->server.listen_host, "0.0.0.0");
  EXPECT_EQ(result.config->server.listen_port, 9090);
  EXPECT_EQ(result.config->server.threads, 4);
  EXPECT_EQ(result.config->redis.port, 6390);
  EXPECT_EQ(result.config->directory.levels[0], "country");
  EXPECT_EQ(result.config->directory.all_tags(), (std::vector<std::string>{"it_cell", "legal_cell", "yuva_morcha"}));
}

TEST(Config, UnknownKeyNamesLineColumnAndSuggestion) {
  EXPECT_THAT(errors_of("server:\n  thraeds: 4\n"),
              ::testing::ElementsAre("test.yaml:2:3: server.thraeds: unknown key; did you mean \"threads\"?"));
}

TEST(Config, UnknownSectionListsTheAllowedOnes) {
  auto errors = errors_of("servre:\n  threads: 4\n");
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_THAT(errors[0], HasSubstr("test.yaml:1:1: servre: unknown key; did you mean \"server\"?"));
}

TEST(Config, WrongTypeSaysWhatWasExpected) {
  EXPECT_THAT(errors_of("server:\n  threads: many\n"),
              ::testing::ElementsAre("test.yaml:2:12: server.threads: expected an integer, got \"many\""));
  EXPECT_THAT(errors_of("redis:\n  port: 70000\n"),
              ::testing::ElementsAre("test.yaml:2:9: redis.port: expected an integer from 1 to 65535, got 70000"));
  EXPECT_THAT(errors_of("directory:\n  allow_level_skips: maybe\n"),
              ::testing::ElementsAre("test.yaml:2:22: directory.allow_level_skips: expected true or false, got \"maybe\""));
}

TEST(Config, BadValuesAreAllReported) {
  auto errors = errors_of("server:\n  listen: nowhere\n  threads: 0\nlog:\n  level: loud\n");
  ASSERT_EQ(errors.size(), 3u);
  EXPECT_THAT(errors[0], HasSubstr("test.yaml:2:11: server.listen: expected host:port"));
  EXPECT_THAT(errors[1], HasSubstr("test.yaml:3:12: server.threads: expected an integer from 1 to 64, got 0"));
  EXPECT_THAT(errors[2], HasSubstr("test.yaml:5:10: log.level: expected one of debug, info, warn, error"));
}

TEST(Config, DuplicateRolesAndTagsAreRejected) {
  EXPECT_THAT(errors_of("directory:\n  roles: [president, president]\n")[0],
              HasSubstr("directory.roles: the name \"president\" is listed twice"));
  EXPECT_THAT(errors_of("directory:\n  tags:\n    a: [x]\n    b: [x]\n")[0], HasSubstr("the tag \"x\" is in two groups"));
}

TEST(Config, CrossChecks) {
  EXPECT_THAT(errors_of("directory:\n  languages: [en]\n  default_language: hi\n")[0],
              HasSubstr("test.yaml:3:21: directory.default_language: \"hi\" is not one of directory.languages"));
}

TEST(Config, SyntaxErrorHasPosition) {
  auto errors = errors_of("server:\n  listen: [a\n");
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_THAT(errors[0], HasSubstr("test.yaml:3:1: not valid YAML"));
}

TEST(Config, DuplicateKey) {
  EXPECT_THAT(errors_of("server:\n  threads: 2\n  threads: 3\n")[0], HasSubstr("test.yaml:3:3: server.threads: this key is given twice"));
}

TEST(Config, ExampleFileLoadsAndDocumentsEveryKey) {
  std::string path = std::string(ORGCAST_SOURCE_DIR) + "/config/orgcast.example.yaml";
  auto result = load_config_file(path);
  for (const auto& e : result.errors) ADD_FAILURE() << e.to_string();
  ASSERT_TRUE(result.config);
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  for (const auto& key : config_key_paths()) {
    auto leaf = key.substr(key.rfind('.') + 1);
    EXPECT_THAT(text.str(), HasSubstr(leaf + ":")) << "the example does not document " << key;
  }
}

}  // namespace

namespace {

TEST(Config, ProviderAccounts) {
  auto result = load_config_text(R"(providers:
  - name: kannel
    type: kannel
    channels: [sms]
    url: http://127.0.0.1:13013
    rate_per_second: 200
    username: orgcast
    password_file: /run/credentials/kannel
  - {name: wa, type: whatsapp_cloud, channels: [whatsapp], url: "https://graph.facebook.com", phone_number_id: "1",
     access_token_file: /t, app_secret_file: /s, verify_token_file: /v}
)", "test.yaml");
  ASSERT_TRUE(result.config) << (result.errors.empty() ? "" : result.errors[0].to_string());
  ASSERT_EQ(result.config->providers.size(), 2u);
  EXPECT_EQ(result.config->providers[0].rate_per_second, 200);
  EXPECT_EQ(result.config->providers[0].concurrency, 16);
  EXPECT_EQ(result.config->providers[0].settings.at("username"), "orgcast");
  EXPECT_EQ(result.config->providers[1].channels, std::vector<std::string>{"whatsapp"});
  struct Row {
    const char* yaml;
    const char* error;
  } rows[] = {
      {"providers:\n  - {name: k, type: kannel, channels: [sms], url: x, username: u}\n", "provider 1 (line 2): password_file: missing"},
      {"providers:\n  - {name: k, type: telegram, channels: [sms], url: x}\n", "type: expected one of fcm, kannel, sim, sms_http, whatsapp_cloud"},
      {"providers:\n  - {name: k, type: sim, channels: [fax], url: x}\n", "channels: unknown channel \"fax\""},
      {"providers:\n  - {name: k, type: sim, channels: [sms], url: x, colour: blue}\n", "unknown key \"colour\" for a sim account"},
      {"providers:\n  - {name: k, type: sim, channels: [sms], url: x}\n  - {name: k, type: sim, channels: [sms], url: y}\n",
       "provider 2 (line 3): the name \"k\" is used twice"},
      {"providers:\n  - {name: k, type: sim, channels: [sms], url: x, rate_per_second: 0}\n", "rate_per_second: expected an integer from 1"},
  };
  for (const auto& row : rows) {
    auto errors = errors_of(row.yaml);
    ASSERT_FALSE(errors.empty()) << row.yaml;
    EXPECT_THAT(errors[0], ::testing::HasSubstr(row.error)) << row.yaml;
  }
}

}  // namespace

namespace {

// The keywords section replaces a language's shipped list where it gives
// one, adds a language, and is refused (naming where) when a word would be
// read two ways or is not one word.
TEST(Config, KeywordsReplaceTheShippedListsTheyName) {
  auto result = load_config_text(
      "keywords:\n  hi:\n    stop: [बंद, रुको, STOPKARO]\n  mr:\n    yes: [HO, होय]\n    no: [NAKO, नको]\n    honorifics: [JI]\n", "t.yaml");
  ASSERT_TRUE(result.config) << (result.errors.empty() ? "" : result.errors[0].to_string());
  const keywords::Engine engine(keywords::Vocabulary::configured(result.config->keywords.languages));
  using Intent = keywords::Reading::Intent;
  EXPECT_EQ(engine.read("रुको").intent, Intent::opt_out);
  EXPECT_EQ(engine.read("stopkaro").intent, Intent::opt_out);
  EXPECT_EQ(engine.read("BAND").intent, Intent::none) << "the configured list replaced the shipped one";
  EXPECT_EQ(engine.read("STOP").intent, Intent::opt_out) << "English keeps its shipped words";
  EXPECT_EQ(engine.read("होय").intent, Intent::yes);
  EXPECT_EQ(engine.read("होय").language, "mr");
  EXPECT_EQ(engine.read("ji nako").intent, Intent::no);
  EXPECT_EQ(engine.read("जी हाँ").intent, Intent::yes) << "Hindi's other lists stay as shipped";

  EXPECT_THAT(errors_of("keywords:\n  en:\n    start: [START, YES]\n"), ::testing::ElementsAre(HasSubstr("\"YES\" already means yes")));
  EXPECT_THAT(errors_of("keywords:\n  hi:\n    honorifics: [HAAN]\n"), ::testing::ElementsAre(HasSubstr("keywords.hi.honorifics: \"HAAN\" already means yes")));
  EXPECT_THAT(errors_of("keywords:\n  hi:\n    yes: [\"haan ji\"]\n"), ::testing::ElementsAre(HasSubstr("is not one word")));
  EXPECT_THAT(errors_of("keywords:\n  hi:\n    maybe: [SHAYAD]\n"), ::testing::ElementsAre(HasSubstr("unknown word list \"maybe\"")));
  EXPECT_THAT(errors_of("keywords:\n  Hindi:\n    yes: [HAAN]\n"), ::testing::ElementsAre(HasSubstr("language codes")));
  EXPECT_THAT(errors_of("keywords:\n  hi: [HAAN]\n"), ::testing::ElementsAre(HasSubstr("hi: expected a map")));
}

}  // namespace

namespace {

TEST(Config, AuthMayBeOffOnlyOnLoopback) {
  EXPECT_THAT(errors_of("server:\n  listen: 0.0.0.0:8080\nauth:\n  required: false\n"),
              ::testing::ElementsAre(HasSubstr("auth.required: may be false only when server.listen is on loopback")));
  EXPECT_THAT(errors_of("auth:\n  required: false\n"), ::testing::IsEmpty());
  EXPECT_THAT(errors_of("auth:\n  profiles:\n    auditor: [view, root]\n"), ::testing::ElementsAre(HasSubstr("unknown permission \"root\"")));
  auto result = load_config_text("auth:\n  profiles:\n    auditor: [view, view_contacts]\n", "t.yaml");
  ASSERT_TRUE(result.config);
  EXPECT_EQ(result.config->auth.profiles.at("auditor").size(), 2u);
  EXPECT_TRUE(result.config->auth.required);
}

}  // namespace
