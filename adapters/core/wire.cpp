#include "adapters/core/wire.hpp"

#include <boost/json.hpp>
#include <boost/url/parse_query.hpp>

namespace orgcast::adapters {

std::map<std::string, std::string> query_params(std::string_view query) {
  std::map<std::string, std::string> out;
  auto params = boost::urls::parse_query(query);
  if (!params) return out;
  boost::urls::encoding_opts form;
  form.space_as_plus = true;
  for (const auto& p : *params) out[p.key.decode(form)] = p.value.decode(form);
  return out;
}

std::string without_plus(std::string_view e164) { return std::string(e164.substr(e164.starts_with('+') ? 1 : 0)); }

std::string text_field(const boost::json::object& o, std::string_view key) {
  auto* v = o.if_contains(key);
  return v && v->is_string() ? std::string(v->as_string()) : std::string();
}

}  // namespace orgcast::adapters
