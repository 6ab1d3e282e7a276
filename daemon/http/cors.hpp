#pragma once
// Cross-origin requests (CORS): a request that a web page of another
// origin makes is refused (403) unless server.allowed_origins names that
// origin; then it is answered with the headers that let the page read the
// answer, and its preflight (OPTIONS) is answered. A request without an
// Origin (a scheduler, curl, a provider) or from the daemon's own origin
// (the console) is not a cross-origin one.
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace orgcast::http {

enum class Origin { none, same, allowed, refused };

/// `allowed`: origins as "https://console.example.org" ("*": any).
Origin judge_origin(std::optional<std::string_view> origin, std::string_view host, const std::vector<std::string>& allowed);

/// The request headers a page may send (the preflight's Access-Control-Allow-Headers).
inline constexpr std::string_view kCorsRequestHeaders = "authorization, content-type, idempotency-key, if-match, last-event-id, x-csrf-token";
/// The answer's headers a page may read besides the simple ones.
inline constexpr std::string_view kCorsExposedHeaders = "Location, Retry-After, ETag, Content-Disposition";

}  // namespace orgcast::http
