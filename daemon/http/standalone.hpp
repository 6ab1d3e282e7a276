#pragma once
// The main loop of a small HTTP program (the provider fakes under
// adapters/<provider>/fake/): serves a router on "host:port" (port 0: any
// free one), writes the port to a file when asked, and returns on SIGINT or
// SIGTERM after the server has stopped.
#include <string>

#include <boost/asio/io_context.hpp>

#include "core/log.hpp"
#include "http/router.hpp"

namespace orgcast::http {

void serve_until_signalled(boost::asio::io_context& io, Router& router, const std::string& listen, const std::string& port_file,
                           const Log& log);

}  // namespace orgcast::http
