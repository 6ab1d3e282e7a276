#include "api/inbound_json.hpp"

#include <charconv>

#include "core/utc_time.hpp"

namespace orgcast::api {

namespace json = boost::json;

namespace {

bool all_digits(std::string_view s) { return !s.empty() && s.find_first_not_of("0123456789") == std::string_view::npos; }

}  // namespace

json::object inbound_message_json(const redis::Reply& entry) {
  json::object m{{"id", entry.elements.at(0).str}};
  const auto& fields = entry.elements.at(1).elements;
  for (std::size_t i = 0; i + 1 < fields.size(); i += 2) m[fields[i].str] = fields[i + 1].str;
  auto text = [&](const char* key) { return m.contains(key) && m[key].is_string() ? std::string(m[key].as_string()) : std::string(); };
  const auto code = text("code");
  long long n = 0;
  if (all_digits(code) && std::from_chars(code.data(), code.data() + code.size(), n).ec == std::errc()) m["code"] = n;
  else m["code"] = nullptr;
  const auto mobile = text("mobile");
  m["mobile"] = all_digits(mobile) ? json::value("+" + mobile) : json::value(nullptr);
  const auto sent = provider_time_as_rfc3339(text("sent_at"));
  m["sent_at"] = sent.empty() ? json::value(nullptr) : json::value(sent);
  return m;
}

}  // namespace orgcast::api
