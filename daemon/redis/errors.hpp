#pragma once
// The client's own failures, as an error_code category. A server error
// reply is not one of these: it arrives as a Reply of type error.
#include <boost/system/error_code.hpp>

namespace orgcast::redis {

enum class Errc {
  not_connected = 1,  // no connection now; the client is reconnecting
  connection_lost,    // the connection dropped with the command in flight
  timeout,            // no reply within redis.command_timeout_ms
  stopped,            // the client is shutting down
  server_error,       // used by helpers that turn an error reply into a failure
  unexpected_reply,   // a reply of the wrong type for the command
};

const boost::system::error_category& category();

inline boost::system::error_code make_error_code(Errc e) { return {static_cast<int>(e), category()}; }

}  // namespace orgcast::redis

template <>
struct boost::system::is_error_code_enum<orgcast::redis::Errc> : std::true_type {};
