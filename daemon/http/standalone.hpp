#pragma once
// The main loop of a small HTTP program (the provider fakes under
// adapters/<provider>/fake/): serves a router on "host:port" (port 0: any
// free one), writes the port to a file when asked, and returns on SIGINT or
// SIGTERM after the server has stopped.
#include <functional>
#include <string>
#include <string_view>

#include <boost/asio/io_context.hpp>

#include "core/log.hpp"
#include "http/router.hpp"

namespace orgcast::http {

/// Reads "--flag value" pairs, calling take(flag, value) for each. A flag
/// without a value, or one take() does not know (it returns false), is said
/// on stderr as "<program>: ..." and makes this false (exit 2 then).
bool parse_flags(int argc, char** argv, std::string_view program,
                 const std::function<bool(const std::string& flag, const std::string& value)>& take);

/// GET /messages (the latest request bodies accepted) and GET /stats (the
/// counters), which tests and benchmarks read from every simulated provider.
void add_inspection_routes(Router& router, std::function<Response()> messages, std::function<Response()> stats);

void serve_until_signalled(boost::asio::io_context& io, Router& router, const std::string& listen, const std::string& port_file,
                           const Log& log);

}  // namespace orgcast::http
