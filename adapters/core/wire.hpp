#pragma once
// Small pieces several adapters (and their fakes) need on the wire.
#include <boost/json/fwd.hpp>
#include <map>
#include <set>
#include <string>
#include <string_view>

namespace orgcast::adapters {

/// A query string or a form body as decoded parameters ('+' is a space, as
/// in forms and Kannel's callbacks); a malformed one gives none.
std::map<std::string, std::string> query_params(std::string_view query);

/// An E.164 number without its '+' (what Kannel, WhatsApp and most Indian aggregators take).
std::string without_plus(std::string_view e164);

/// "a, b,c" as a set of trimmed items (the fakes' number and token lists).
std::set<std::string> comma_set(std::string_view text);

/// A provider's JSON field as text: "" when absent or not a string.
std::string text_field(const boost::json::object& o, std::string_view key);

}  // namespace orgcast::adapters
