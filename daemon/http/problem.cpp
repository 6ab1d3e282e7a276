#include "http/problem.hpp"

#include <boost/json.hpp>

namespace orgcast::http {

std::optional<std::string_view> Request::header(std::string_view name) const {
  for (const auto& [key, value] : headers)
    if (key == name) return std::string_view(value);
  return std::nullopt;
}

Response json_response(int status, std::string body) { return Response{status, "application/json", std::move(body), {}}; }

Response text_response(int status, std::string body, std::string content_type) {
  return Response{status, std::move(content_type), std::move(body), {}};
}

Response problem(int status, std::string slug, std::string title, std::string detail,
                 const std::vector<ProblemItem>& items, std::size_t total_items) {
  boost::json::object body;
  body["type"] = "https://orgcast.dev/problems/" + slug;
  body["title"] = title;
  body["status"] = status;
  body["detail"] = detail;
  if (!items.empty()) {
    boost::json::array errors;
    for (const auto& item : items) {
      boost::json::object entry;
      entry[item.where_key] = item.where;
      entry["detail"] = item.detail;
      errors.push_back(std::move(entry));
    }
    body["errors"] = std::move(errors);
    body["error_count"] = std::max(total_items, items.size());
  }
  return Response{status, "application/problem+json", boost::json::serialize(body), {}};
}

Response unavailable(std::string detail, int retry_after_seconds) {
  auto response = problem(503, "unavailable", "Service unavailable", std::move(detail));
  response.headers.emplace_back("Retry-After", std::to_string(retry_after_seconds));
  return response;
}

}  // namespace orgcast::http
