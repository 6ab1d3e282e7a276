#include "http/standalone.hpp"

#include <boost/asio/signal_set.hpp>
#include <csignal>
#include <cstdio>
#include <fstream>
#include <iostream>

#include "config/config.hpp"
#include "http/server.hpp"
#include "metrics/registry.hpp"

namespace orgcast::http {

bool parse_flags(int argc, char** argv, std::string_view program,
                 const std::function<bool(const std::string& flag, const std::string& value)>& take) {
  for (int i = 1; i < argc; i += 2) {
    const std::string flag = argv[i];
    if (i + 1 >= argc) {
      std::cerr << program << ": " << flag << " needs a value\n";
      return false;
    }
    if (!take(flag, argv[i + 1])) {
      std::cerr << program << ": unknown flag " << flag << "\n";
      return false;
    }
  }
  return true;
}

void add_inspection_routes(Router& router, std::function<Response()> messages, std::function<Response()> stats) {
  router.add("GET", "/messages", [messages = std::move(messages)](Request&) -> boost::asio::awaitable<Response> { co_return messages(); });
  router.add("GET", "/stats", [stats = std::move(stats)](Request&) -> boost::asio::awaitable<Response> { co_return stats(); });
}

void serve_until_signalled(boost::asio::io_context& io, Router& router, const std::string& listen, const std::string& port_file,
                           const Log& log) {
  std::signal(SIGPIPE, SIG_IGN);  // a client that hung up is an error on its connection, not the end of the process
  metrics::Registry metrics;
  ServerConfig config;
  const auto colon = listen.rfind(':');
  config.listen_host = listen.substr(0, colon);
  config.listen_port = static_cast<std::uint16_t>(std::stoi(listen.substr(colon + 1)));
  config.shutdown_grace_ms = 200;
  config.max_connections_per_address = 0;  // a fake provider: the daemons under test are its few, busy clients
  Server server(io.get_executor(), config, router, log, metrics, {io.get_executor()});  // io runs on this thread alone
  const auto port = server.start();
  if (!port_file.empty()) {
    // Written whole, then renamed: a reader never sees half a number.
    std::ofstream(port_file + ".tmp") << port << "\n";
    std::rename((port_file + ".tmp").c_str(), port_file.c_str());
  }
  boost::asio::signal_set signals(io, SIGINT, SIGTERM);
  signals.async_wait([&](boost::system::error_code, int) { server.stop([&] { io.stop(); }); });
  io.run();
}

}  // namespace orgcast::http
