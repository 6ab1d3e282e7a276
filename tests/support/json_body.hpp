#pragma once
// Reading JSON answers in tests that must tolerate a daemon mid-restart.
#include <boost/json.hpp>

#include "support/http_client.hpp"

namespace orgcast::testing {

/// The object in a JSON body, or an empty one (no answer, or not JSON).
inline boost::json::object object_of(const HttpResult& r) {
  boost::system::error_code ec;
  auto v = boost::json::parse(r.body, ec);
  return !ec && v.is_object() ? v.as_object() : boost::json::object{};
}

/// An integer member, or -1 when absent or not a number.
inline long long number(const boost::json::object& o, const char* key) {
  auto* v = o.if_contains(key);
  if (!v) return -1;
  boost::system::error_code ec;
  auto value = v->to_number<long long>(ec);
  return ec ? -1 : value;
}

}  // namespace orgcast::testing
