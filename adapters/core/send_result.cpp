#include "adapters/core/send_result.hpp"

#include <charconv>

namespace orgcast::adapters {

bool retryable(SendFailure failure) {
  switch (failure) {
    case SendFailure::throttled:
    case SendFailure::transient:
    case SendFailure::timeout:
    case SendFailure::unreachable: return true;
    default: return false;
  }
}

bool may_have_been_sent(SendFailure failure) { return failure == SendFailure::timeout || failure == SendFailure::transient; }

const char* name(SendFailure failure) {
  switch (failure) {
    case SendFailure::none: return "none";
    case SendFailure::throttled: return "throttled";
    case SendFailure::transient: return "transient";
    case SendFailure::timeout: return "timeout";
    case SendFailure::unreachable: return "unreachable";
    case SendFailure::invalid_recipient: return "invalid_recipient";
    case SendFailure::rejected_content: return "rejected_content";
    case SendFailure::unauthorized: return "unauthorized";
    case SendFailure::bad_request: return "bad_request";
  }
  return "unknown";
}

SendFailure failure_for_http_status(long status) {
  if (status >= 200 && status < 300) return SendFailure::none;
  if (status == 429) return SendFailure::throttled;
  if (status == 408 || status >= 500) return SendFailure::transient;
  if (status == 401 || status == 403) return SendFailure::unauthorized;
  if (status == 404 || status == 410) return SendFailure::invalid_recipient;
  return SendFailure::bad_request;
}

std::optional<std::chrono::milliseconds> parse_retry_after(const std::string& value) {
  long seconds = 0;
  auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), seconds);
  if (value.empty() || ec != std::errc{} || end != value.data() + value.size() || seconds < 0) return std::nullopt;
  return std::chrono::seconds(seconds);
}

}  // namespace orgcast::adapters
