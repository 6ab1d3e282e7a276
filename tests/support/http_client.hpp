#pragma once
// A blocking HTTP client for tests (libcurl easy), with a timeout.
#include <string>
#include <utility>
#include <vector>

namespace orgcast::testing {

struct HttpResult {
  long status = 0;  // 0: no answer
  std::string body;
  std::string content_type;
  std::string error;
};

HttpResult http(const std::string& method, const std::string& url, const std::string& body = "",
                const std::string& content_type = "application/json",
                const std::vector<std::pair<std::string, std::string>>& headers = {});

/// POST multipart/form-data with file parts (name, filename, content).
HttpResult http_multipart(const std::string& url, const std::vector<std::pair<std::string, std::string>>& parts);

}  // namespace orgcast::testing
