// The API document's parts: YAML read as JSON by the core schema, and the
// schema checker that holds request bodies to the document.
#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "openapi/document.hpp"
#include "openapi/json_schema.hpp"
#include "openapi/yaml_json.hpp"

namespace {

namespace json = boost::json;
using orgcast::openapi::json_of_yaml;
using orgcast::openapi::SchemaChecker;

TEST(YamlJson, PlainScalarsAreTypedAndQuotedOnesStayText) {
  auto v = json_of_yaml("a: 5\nb: \"5\"\nc: 0.13\nd: true\ne: ~\nf: yes\ng: '200'\nh: |\n  12\ni: [1, x]\n", "t.yaml");
  EXPECT_EQ(json::serialize(v), R"({"a":5,"b":"5","c":1.3E-1,"d":true,"e":null,"f":"yes","g":"200","h":"12\n","i":[1,"x"]})");
}

TEST(YamlJson, AKeyWrittenTwiceOrBrokenYamlIsNamedByLine) {
  try {
    json_of_yaml("a: 1\nb: 2\na: 3\n", "t.yaml");
    FAIL();
  } catch (const std::invalid_argument& e) {
    EXPECT_STREQ(e.what(), "t.yaml:3: the key a is written twice");
  }
  EXPECT_THROW(json_of_yaml("a: [1,\n", "t.yaml"), std::invalid_argument);
}

TEST(OpenApiFragments, AreMergedAndAPathsMethodWrittenTwiceIsRefused) {
  auto doc = orgcast::openapi::merge_fragments({{"root", "openapi: 3.1.0\npaths:\n  /a:\n    get: {summary: a}\n"},
                                                 {"more", "paths:\n  /a:\n    post: {summary: b}\ncomponents:\n  schemas:\n    X: {type: string}\n"}});
  EXPECT_EQ(json::serialize(doc.at("paths")), R"({"/a":{"get":{"summary":"a"},"post":{"summary":"b"}}})");
  EXPECT_TRUE(doc.at("components").at("schemas").as_object().contains("X"));
  EXPECT_THROW(orgcast::openapi::merge_fragments({{"root", "paths:\n  /a:\n    get: {}\n"}, {"more", "paths:\n  /a:\n    get: {}\n"}}),
               std::invalid_argument);
  EXPECT_THROW(orgcast::openapi::merge_fragments({{"root", "paths: {}\n"}, {"more", "info: {}\n"}}), std::invalid_argument);
}

struct Checked {
  json::object doc;
  SchemaChecker checker{doc};
  explicit Checked(const char* yaml) : doc(json_of_yaml(yaml, "t.yaml").as_object()) { checker.prepare(doc.at("components").at("schemas").at("Body"), "Body"); }
  std::string errors(const char* body) {
    std::string out;
    for (const auto& e : checker.check(doc.at("components").at("schemas").at("Body"), json::parse(body))) out += e.pointer + " " + e.message + "\n";
    return out;
  }
};

const char* kDoc = R"y(
components:
  schemas:
    Body:
      type: object
      additionalProperties: false
      required: [name]
      properties:
        name: {type: string, minLength: 1, maxLength: 5}
        count: {type: integer, minimum: 1, maximum: 10}
        kind: {type: string, enum: [a, b]}
        id: {type: string, pattern: "^b[0-9]+$"}
        tags: {type: array, maxItems: 2, items: {type: string}}
        note: {type: [string, "null"]}
        vars: {type: object, additionalProperties: {type: string}}
        unit: {$ref: "#/components/schemas/Unit"}
        either: {oneOf: [{type: string}, {type: object, required: [any], additionalProperties: false, properties: {any: {type: string}}}]}
    Unit:
      type: object
      additionalProperties: false
      properties:
        id: {type: string}
)y";

TEST(JsonSchema, AFittingBodyHasNoErrors) {
  Checked c(kDoc);
  EXPECT_EQ(c.errors(R"({"name":"ab","count":3,"kind":"a","id":"b12","tags":["x"],"note":null,"vars":{"k":"v"},"unit":{"id":"D1"},"either":{"any":"x"}})"), "");
}

TEST(JsonSchema, EachWrongFieldIsNamedByItsPointer) {
  Checked c(kDoc);
  EXPECT_EQ(c.errors(R"({"count":"3"})"), "/name is required\n/count must be an integer\n");
  EXPECT_EQ(c.errors(R"({"name":"","count":11,"kind":"c"})"), "/name must not be empty\n/count must be at most 10\n/kind must be one of: \"a\", \"b\"\n");
  EXPECT_EQ(c.errors(R"({"name":"abcdef","id":"b4:c","tags":["x",1,"z"]})"),
            "/name must be at most 5 characters\n/id must match ^b[0-9]+$, not \"b4:c\"\n/tags must hold at most 2 items\n/tags/1 must be a string\n");
  EXPECT_EQ(c.errors(R"({"name":"a","nmae":"b","vars":{"k":1},"unit":{"id":2,"x":1}})"),
            "/nmae is not a field here; expected name, count, kind, id, tags, note, vars, unit, either\n/vars/k must be a string\n/unit/id must be a string\n/unit/x is not a field here; expected id\n");
  EXPECT_EQ(c.errors(R"({"name":"a","note":5,"either":{"any":1}})"), "/note must be a string or null\n/either/any must be a string\n");
  EXPECT_EQ(c.errors(R"([])"), " must be an object\n");
  EXPECT_EQ(c.errors(R"({"name":"a","count":2.5})"), "/count must be an integer\n");
}

TEST(JsonSchema, AKeywordTheCheckerDoesNotKnowOrARefToNothingIsRefusedWhenPrepared) {
  auto doc = json_of_yaml("components:\n  schemas:\n    A: {type: object, patternProperties: {}}\n    B: {$ref: '#/components/schemas/Nope'}\n", "t.yaml").as_object();
  SchemaChecker checker(doc);
  EXPECT_THROW(checker.prepare(doc.at("components").at("schemas").at("A"), "A"), std::invalid_argument);
  EXPECT_THROW(checker.prepare(doc.at("components").at("schemas").at("B"), "B"), std::invalid_argument);
}

TEST(OpenApiDocument, LoadsAndEveryRequestSchemaIsOneTheDaemonChecks) {
  const auto& doc = orgcast::openapi::document();
  EXPECT_EQ(doc.at("openapi"), "3.1.0");
  EXPECT_NO_THROW(orgcast::openapi::body_rules());
  EXPECT_FALSE(orgcast::openapi::operations().empty());
}

}  // namespace
