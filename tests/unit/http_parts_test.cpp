// Pure HTTP pieces: the router's matching and the multipart parser.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

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
  EXPECT_EQ(request.params["id"], "C%201");
  auto wrong = router.match("DELETE", "/v1/directory/contacts/C1", nullptr);
  EXPECT_EQ(wrong.handler, nullptr);
  EXPECT_EQ(wrong.status, 405);
  EXPECT_EQ(wrong.allow, "GET, PUT");
  EXPECT_EQ(router.match("GET", "/v1/directory/contacts", nullptr).status, 404);
  EXPECT_EQ(router.match("GET", "/v1/directory/contacts/a/b", nullptr).status, 404);
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
