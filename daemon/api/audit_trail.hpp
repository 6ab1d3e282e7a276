#pragma once
// Writing what a request did to the audit trail (audit/audit_log.hpp): who
// (the request's user or token), from where (its client address), what, to
// what, in which unit, how many, and how it came out. Nothing secret goes
// in: no password, token, TOTP code or whole mobile number.
#include <string>

#include <boost/asio/awaitable.hpp>

#include "api/context.hpp"
#include "audit/chain.hpp"
#include "http/message.hpp"

namespace orgcast::api {

/// An entry for this request: who and from where filled in.
audit::Entry audit_entry(const Context& context, const http::Request& request, std::string action, std::string target = "");

/// Text a person typed (a reason, a name), as an entry may hold it: at most
/// `most` characters (cut between characters, never inside one), and any
/// run of ten or more digits (a mobile number) masked.
std::string audit_text(std::string_view typed, std::size_t most = 200);

/// Appends it; a failure is logged and counted, not answered (what was done is done).
boost::asio::awaitable<void> keep_audit(Context context, audit::Entry entry);

}  // namespace orgcast::api
