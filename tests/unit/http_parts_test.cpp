// Pure HTTP pieces: the router's matching and the multipart parser.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>
#include <future>

#include "http/cors.hpp"
#include "http/multipart.hpp"
#include "http/router.hpp"

using namespace orgcast::http;

namespace {

boost::asio::awaitable<Response> nothing(Request&) { co_return Response{}; }

TEST(Router, MatchesParametersMethodsAndLimits) {
  Router router;
  router.add("GET", "/v1/directory/contacts/{id}", nothing);
  router.add("PUT", "/v1/directory/contacts/{id}", nothing, 1234);
  Request request;
  auto m = router.match("PUT", "/v1/directory/contacts/C%201", &request);
  ASSERT_NE(m.handler, nullptr);
  EXPECT_EQ(m.body_limit, 1234u);
  EXPECT_EQ(request.params["id"], "C 1") << "each segment percent-decoded";
  auto wrong = router.match("DELETE", "/v1/directory/contacts/C1", nullptr);
  EXPECT_EQ(wrong.handler, nullptr);
  EXPECT_EQ(wrong.status, 405);
  EXPECT_EQ(wrong.allow, "GET, PUT");
  EXPECT_EQ(router.match("GET", "/v1/directory/contacts", nullptr).status, 404);
  EXPECT_EQ(router.match("GET", "/v1/directory/contacts/a/b", nullptr).status, 404);
}

// A path names a resource only when each segment is well-formed: no empty
// segment, no broken escape, no control character, and an id in its shape.
TEST(Router, RefusesEmptySegmentsBrokenEscapesAndIdsOutOfShape) {
  Router router;
  router.add("GET", "/v1/broadcasts/{id}", nothing);
  router.add("POST", "/v1/broadcasts/{id}/cancel", nothing);
  router.add("GET", "/v1/directory/contacts/{id}", nothing);
  router.require("/v1/broadcasts/", "id", [](std::string_view id) { return id == "b4"; }, "broadcast");
  EXPECT_NE(router.match("GET", "/v1/broadcasts/b4", nullptr).handler, nullptr);
  EXPECT_NE(router.match("GET", "/v1/broadcasts/b%34", nullptr).handler, nullptr) << "%34 is 4";
  for (const char* path : {"/v1/broadcasts/b4/", "/v1//broadcasts/b4", "/v1/broadcasts/b4%", "/v1/broadcasts/b4%zz"})
    EXPECT_EQ(router.match("GET", path, nullptr).status, 404) << path;
  // An id out of shape reaches the route (and its access checks), not its handler: 404 naming it.
  auto answer = [&](const char* method, const char* path) {
    Request request;
    auto m = router.match(method, path, &request);
    if (!m.handler) return Response{m.status, {}, "no route"};
    boost::asio::io_context io;
    std::future<Response> answered = boost::asio::co_spawn(io, (*m.handler)(request), boost::asio::use_future);
    io.run();
    return answered.get();
  };
  const std::pair<const char*, const char*> refused[] = {
      {"/v1/broadcasts/x/cancel", R"(no broadcast \"x\")"},  // the shape holds on every route under the prefix
      {"/v1/broadcasts/b4:c/cancel", R"(no broadcast \"b4:c\")"},
      {"/v1/broadcasts/b4%3Ac/cancel", R"(no broadcast \"b4:c\")"},
      {"/v1/directory/contacts/C1%2Fx", R"(no contact \"C1/x\")"},
      {"/v1/directory/contacts/C1%00", "no contact"},
      {"/v1/directory/contacts/%FF", "no contact"},
      {"/v1/directory/contacts/", R"(no contact \"\")"},  // an empty segment names nothing
      {"/v1/broadcasts//cancel", R"(no broadcast \"\")"}};
  for (const auto& [path, says] : refused) {
    const auto r = answer(std::string_view(path).ends_with("cancel") ? "POST" : "GET", path);
    EXPECT_EQ(r.status, 404) << path;
    EXPECT_THAT(r.body, ::testing::HasSubstr(says)) << path;
  }
  Request request;
  ASSERT_NE(router.match("GET", "/v1/directory/contacts/%E0%A4%95", &request).handler, nullptr);
  EXPECT_EQ(request.params["id"], "\xE0\xA4\x95") << "a Hindi id, decoded";
}

TEST(Multipart, BoundaryFromContentType) {
  EXPECT_EQ(multipart_boundary("multipart/form-data; boundary=----abc123"), "----abc123");
  EXPECT_EQ(multipart_boundary("Multipart/Form-Data; charset=utf-8; boundary=\"q r\""), "q r");
  EXPECT_FALSE(multipart_boundary("application/json"));
  EXPECT_FALSE(multipart_boundary("multipart/form-data"));
}

TEST(Multipart, SplitsPartsAndKeepsBytes) {
  std::string body =
      "--XYZ\r\nContent-Disposition: form-data; name=\"units\"; filename=\"u.csv\"\r\nContent-Type: text/csv\r\n\r\n"
      "id,parent_id\r\nRJ,\r\n"
      "\r\n--XYZ\r\nContent-Disposition: form-data; name=\"contacts\"\r\n\r\nनाम\r\n--XYZ--\r\n";
  std::string error;
  auto parts = parse_multipart(body, "XYZ", &error);
  ASSERT_TRUE(parts) << error;
  ASSERT_EQ(parts->size(), 2u);
  EXPECT_EQ((*parts)[0].name, "units");
  EXPECT_EQ((*parts)[0].filename, "u.csv");
  EXPECT_EQ((*parts)[0].body, "id,parent_id\r\nRJ,\r\n");
  EXPECT_EQ((*parts)[1].name, "contacts");
  EXPECT_EQ((*parts)[1].body, "नाम");
}

TEST(Multipart, MalformedBodiesSayWhy) {
  std::string error;
  EXPECT_FALSE(parse_multipart("no boundary here", "XYZ", &error));
  EXPECT_EQ(error, "the body does not contain the multipart boundary");
  EXPECT_FALSE(parse_multipart("--XYZ\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\nnever ends", "XYZ", &error));
  EXPECT_EQ(error, "a multipart part (a) is not terminated by the boundary");
}

}  // namespace

TEST(Cors, AnOriginIsOursListedOrRefused) {
  using orgcast::http::judge_origin;
  using orgcast::http::Origin;
  const std::vector<std::string> allowed{"https://console.example.org"};
  EXPECT_EQ(judge_origin(std::nullopt, "api.example.org", allowed), Origin::none) << "a scheduler or curl sends none";
  EXPECT_EQ(judge_origin("https://api.example.org", "api.example.org", allowed), Origin::same) << "the console served by the daemon";
  EXPECT_EQ(judge_origin("http://127.0.0.1:8080", "127.0.0.1:8080", allowed), Origin::same);
  EXPECT_EQ(judge_origin("https://console.example.org", "api.example.org", allowed), Origin::allowed);
  EXPECT_EQ(judge_origin("https://evil.example", "api.example.org", allowed), Origin::refused);
  EXPECT_EQ(judge_origin("null", "api.example.org", allowed), Origin::refused) << "a sandboxed page or a file";
  EXPECT_EQ(judge_origin("https://console.example.org.evil", "api.example.org", allowed), Origin::refused) << "whole origins, not prefixes";
  EXPECT_EQ(judge_origin("https://evil.example", "api.example.org", {"*"}), Origin::allowed);
}
