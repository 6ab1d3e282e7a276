#include "http/cors.hpp"

#include <algorithm>

namespace orgcast::http {

Origin judge_origin(std::optional<std::string_view> origin, std::string_view host, const std::vector<std::string>& allowed) {
  if (!origin) return Origin::none;
  const std::string http_own = "http://" + std::string(host), https_own = "https://" + std::string(host);
  if (!host.empty() && (*origin == http_own || *origin == https_own)) return Origin::same;
  const bool listed = std::any_of(allowed.begin(), allowed.end(), [&](const std::string& a) { return a == "*" || a == *origin; });
  return listed ? Origin::allowed : Origin::refused;
}

}  // namespace orgcast::http
