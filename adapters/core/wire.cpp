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

std::set<std::string> comma_set(std::string_view text) {
  std::set<std::string> out;
  // Adapters stay free of the daemon's helpers (core/text), hence by hand.
  while (!text.empty()) {
    const auto comma = text.find(',');
    auto item = text.substr(0, comma);
    while (!item.empty() && item.front() == ' ') item.remove_prefix(1);
    while (!item.empty() && item.back() == ' ') item.remove_suffix(1);
    if (!item.empty()) out.emplace(item);
    if (comma == std::string_view::npos) break;
    text.remove_prefix(comma + 1);
  }
  return out;
}

std::string without_plus(std::string_view e164) { return std::string(e164.substr(e164.starts_with('+') ? 1 : 0)); }

std::string text_field(const boost::json::object& o, std::string_view key) {
  auto* v = o.if_contains(key);
  return v && v->is_string() ? std::string(v->as_string()) : std::string();
}

}  // namespace orgcast::adapters
