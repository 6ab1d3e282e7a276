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
  std::string headers;  // the response's header lines, as sent
  std::string error;
};

HttpResult http(const std::string& method, const std::string& url, const std::string& body = "",
                const std::string& content_type = "application/json",
                const std::vector<std::pair<std::string, std::string>>& headers = {});

/// Requests to `base_url` (http://127.0.0.1:PORT) carry this Bearer token
/// unless they give an Authorization header themselves (an empty one: none
/// at all, to try a route without credentials). DaemonUnderTest registers
/// the token it mints for its daemon.
void use_token_for(const std::string& base_url, const std::string& token);

/// POST multipart/form-data with file parts (name, filename, content).
HttpResult http_multipart(const std::string& url, const std::vector<std::pair<std::string, std::string>>& parts);

}  // namespace orgcast::testing
