#pragma once
// Errors as application/problem+json (RFC 9457). Every 4xx and 5xx the API
// sends is built here, so they all look alike: type, title, status, detail,
// and for bad input an "errors" list of {pointer|line, detail}.
#include <string>
#include <vector>

#include "http/message.hpp"

namespace orgcast::http {

struct ProblemItem {
  std::string where_key;  // "pointer", "line", "field"...
  std::string where;      // JSON pointer, or "contacts.csv:12"...
  std::string detail;
};

/// type is a short slug; it becomes "https://orgcast.dev/problems/<slug>".
Response problem(int status, std::string slug, std::string title, std::string detail,
                 const std::vector<ProblemItem>& items = {}, std::size_t total_items = 0);

/// 503 with Retry-After, for back-pressure and outages.
Response unavailable(std::string detail, int retry_after_seconds);

}  // namespace orgcast::http
