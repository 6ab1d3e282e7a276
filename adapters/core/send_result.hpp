#pragma once
// What happened to one send, as every adapter reports it: a closed set of
// failures, each either worth retrying or final, mapped from the provider's
// HTTP status and error codes in the adapter, in one place.
#include <chrono>
#include <optional>
#include <string>

namespace orgcast::adapters {

enum class SendFailure {
  none,               // accepted by the provider
  throttled,          // the provider asked us to slow down (429, rate-limit codes)
  transient,          // the provider failed for now (5xx, temporary codes)
  timeout,            // no answer in time: the provider MAY have accepted it
  unreachable,        // no connection: the provider never saw it
  invalid_recipient,  // this address cannot receive on this channel
  rejected_content,   // the message itself was refused (template, length, DLT scrubbing)
  unauthorized,       // our credentials were refused
  bad_request,        // anything else the provider says is our fault
};

/// Retrying may succeed (the same message, later).
bool retryable(SendFailure failure);
/// The provider may have acted on the request although we saw no success:
/// a retry can duplicate the message (DESIGN.md invariant 2's window).
bool may_have_been_sent(SendFailure failure);
/// A stable lower-case name for logs, metrics and reports.
const char* name(SendFailure failure);

struct SendResult {
  SendFailure failure = SendFailure::none;
  std::string provider_message_id;                       // when accepted
  std::string provider_code;                             // the provider's own error code, kept for reports
  std::string reason;                                    // readable, for the failure report
  std::optional<std::chrono::milliseconds> retry_after;  // the provider's Retry-After, if it gave one

  bool accepted() const { return failure == SendFailure::none; }
};

/// The usual meaning of an HTTP status, for adapters to refine with codes.
SendFailure failure_for_http_status(long status);

/// Parses a Retry-After header given in seconds (HTTP dates are not used by
/// the providers we speak to); nullopt if absent or malformed.
std::optional<std::chrono::milliseconds> parse_retry_after(const std::string& value);

}  // namespace orgcast::adapters
