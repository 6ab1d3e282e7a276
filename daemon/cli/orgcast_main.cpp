// orgcast: the command-line client.
//   orgcast import   --config FILE --units units.csv --contacts contacts.csv [--report-only]
//   orgcast audience --selector FILE [--url http://127.0.0.1:8080] [--sample N] [--config FILE]
//   orgcast templates check [--config FILE] [--dir DIR]
// `import` writes to Redis directly (no daemon needed); `audience` asks a
// running orgcastd; `templates check` validates the templates offline, as
// the daemon does at start and reload.
#include <curl/curl.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>
#include <boost/json.hpp>
#include <chrono>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <map>
#include <sstream>

#include "cli/access_commands.hpp"
#include "cli/audit_commands.hpp"
#include "cli/redis_options.hpp"
#include "config/loader.hpp"
#include "core/files.hpp"
#include "directory/importer.hpp"
#include "directory_store/store.hpp"
#include "redis/client.hpp"
#include "templates/link_check.hpp"
#include "templates/loader.hpp"

namespace asio = boost::asio;
using namespace orgcast;

namespace {

int usage() {
  std::cerr << "usage:\n"
               "  orgcast import   --config FILE --units units.csv --contacts contacts.csv [--report-only]\n"
               "  orgcast audience --selector FILE [--url URL] [--sample N] [--config FILE] [--token T]   (or ORGCAST_TOKEN)\n"
               "  orgcast templates check [--config FILE] [--dir DIR]\n"
               "  orgcast users add --config FILE --username U --profile P --scope UNIT[,UNIT]|'*' [--name N] [--language hi|en]\n"
               "                    [--password-file F]   (else the password is read from standard input)\n"
               "  orgcast users passwd|disable|enable|totp --config FILE --username U\n"
               "  orgcast users list --config FILE\n"
               "  orgcast tokens create --config FILE --name N --profile P --scope UNIT[,UNIT]|'*' [--expires-days 90]\n"
               "  orgcast tokens revoke --config FILE --id tk<N>\n"
               "  orgcast tokens list --config FILE\n"
               "  orgcast audit verify --config FILE [--log-heads SEQ:MAC[,SEQ:MAC...]]\n";
  return 2;
}

std::string base_name(const std::string& path) { return path.substr(path.rfind('/') + 1); }

std::optional<Config> load_config(const std::string& path) {
  auto loaded = load_config_file(path);
  if (!loaded.config) {
    for (const auto& e : loaded.errors) std::cerr << e.to_string() << "\n";
    return std::nullopt;
  }
  return loaded.config;
}

int run_import(std::map<std::string, std::string>& args) {
  if (!args.contains("units") || !args.contains("contacts") || !args.contains("config")) return usage();
  auto config = load_config(args["config"]);
  if (!config) return 2;
  auto units = read_whole_file(args["units"]);
  auto contacts = read_whole_file(args["contacts"]);
  if (!units || !contacts) {
    std::cerr << "orgcast: cannot read " << (!units ? args["units"] : args["contacts"]) << "\n";
    return 1;
  }
  auto started = std::chrono::steady_clock::now();
  directory::ImportOptions options;
  options.units_file = base_name(args["units"]);
  options.contacts_file = base_name(args["contacts"]);
  options.max_errors_listed = static_cast<std::size_t>(config->directory.max_errors_listed);
  auto result = directory::import_directory(*units, *contacts, directory::Vocabulary(config->directory), options);
  units.reset();
  contacts.reset();
  if (!result.ok()) {
    for (const auto& e : result.errors) std::cerr << e.to_string() << "\n";
    if (result.error_count > result.errors.size())
      std::cerr << "... and " << result.error_count - result.errors.size() << " more\n";
    std::cerr << "orgcast: " << result.error_count << " error(s); nothing was imported\n";
    return 1;
  }
  std::cout << "valid: " << result.unit_count << " units, " << result.contact_count << " contacts, "
            << result.person_count << " people\n";
  if (args.contains("report-only")) return 0;

  auto redis_at = cli::redis_options(*config);
  if (!redis_at) return 1;
  asio::io_context io;
  Log log(LogLevel::warn);
  redis::Options ro = *redis_at;
  ro.command_timeout = std::chrono::milliseconds(std::max(config->redis.command_timeout_ms, 30000));
  auto client = redis::Client::create(io.get_executor(), ro, log);
  client->start();
  directory_store::Store store(client, config->redis.key_prefix);
  auto task = [&]() -> asio::awaitable<redis::Result<directory_store::VersionMeta>> {
    // Give the client a bounded time to connect.
    for (int i = 0; i < 100 && !client->connected(); ++i) {
      asio::steady_timer t(io, std::chrono::milliseconds(50));
      co_await t.async_wait(asio::use_awaitable);
    }
    auto meta = co_await store.publish(std::move(result), "orgcast import " + options.units_file + " " + options.contacts_file);
    client->stop();
    co_return meta;
  };
  auto future = asio::co_spawn(io, task(), asio::use_future);
  io.run();
  auto meta = future.get();
  if (!meta) {
    std::cerr << "orgcast: writing to Redis at " << ro.host << ":" << ro.port << " failed: " << meta.error().message()
              << "; " << client->status() << "\n";
    return 1;
  }
  double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  std::cout << "imported directory version " << meta->version << " in " << seconds << " s ("
            << static_cast<long>(static_cast<double>(meta->contacts + meta->units) / seconds) << " rows/s)\n";
  return 0;
}

std::size_t collect(char* data, std::size_t size, std::size_t count, void* out) {
  static_cast<std::string*>(out)->append(data, size * count);
  return size * count;
}

int run_audience(std::map<std::string, std::string>& args) {
  if (!args.contains("selector")) return usage();
  auto selector_text = read_whole_file(args["selector"]);
  if (!selector_text) {
    std::cerr << "orgcast: cannot read " << args["selector"] << "\n";
    return 1;
  }
  std::string url = args.contains("url") ? args["url"] : "";
  if (url.empty() && args.contains("config")) {
    auto config = load_config(args["config"]);
    if (!config) return 2;
    url = "http://" + config->server.listen_host + ":" + std::to_string(config->server.listen_port);
  }
  if (url.empty()) url = "http://127.0.0.1:8080";
  boost::system::error_code ec;
  auto selector = boost::json::parse(*selector_text, ec);
  if (ec) {
    std::cerr << args["selector"] << ": not valid JSON: " << ec.message() << "\n";
    return 1;
  }
  boost::json::object request{{"selector", selector}};
  if (args.contains("sample")) request["sample"] = std::stoi(args["sample"]);
  std::string body = boost::json::serialize(request), response;
  CURL* curl = curl_easy_init();
  curl_slist* headers = curl_slist_append(nullptr, "Content-Type: application/json");
  // The caller's API token: --token, else ORGCAST_TOKEN (the environment keeps it out of `ps`).
  const char* from_environment = std::getenv("ORGCAST_TOKEN");
  const std::string token = args.contains("token") ? args["token"] : from_environment ? from_environment : "";
  if (!token.empty()) headers = curl_slist_append(headers, ("Authorization: Bearer " + token).c_str());
  std::string endpoint = url + "/v1/audiences/preview";
  curl_easy_setopt(curl, CURLOPT_URL, endpoint.c_str());
  curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers);
  curl_easy_setopt(curl, CURLOPT_POSTFIELDS, body.c_str());
  curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, collect);
  curl_easy_setopt(curl, CURLOPT_WRITEDATA, &response);
  curl_easy_setopt(curl, CURLOPT_TIMEOUT, 60L);
  auto rc = curl_easy_perform(curl);
  long status = 0;
  curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &status);
  curl_slist_free_all(headers);
  curl_easy_cleanup(curl);
  if (rc != CURLE_OK) {
    std::cerr << "orgcast: " << endpoint << ": " << curl_easy_strerror(rc) << "\n";
    return 1;
  }
  (status == 200 ? std::cout : std::cerr) << response << "\n";
  return status == 200 ? 0 : 1;
}

// Exit 0 when every template is valid; else every problem, file:line first.
int run_templates_check(std::map<std::string, std::string>& args) {
  Config config;
  if (args.contains("config")) {
    auto loaded = load_config(args["config"]);
    if (!loaded) return 2;
    config = *loaded;
  }
  const auto dir = args.contains("dir") ? args["dir"] : config.templates_dir();
  auto loaded = templates::load_templates(dir, templates::rules_for(config));
  for (const auto& e : loaded.errors) std::cerr << dir << "/" << e.to_string() << "\n";
  if (!loaded.errors.empty()) {
    std::cerr << "orgcast: " << loaded.errors.size() << " problem(s) in " << loaded.files << " template file(s)\n";
    return 1;
  }
  for (const auto& [id, entry] : loaded.catalog.by_id) {
    std::cout << id << " (" << entry.value->file << "): " << templates::name(entry.value->kind);
    for (const char* channel : {"sms", "whatsapp", "push"}) {
      const auto& t = *entry.value;
      const std::size_t n = channel[0] == 's' ? t.sms.size() : channel[0] == 'w' ? t.whatsapp.size() : t.push.size();
      if (n > 0) std::cout << ", " << channel << " in " << n << " language(s)";
    }
    std::cout << "\n";
  }
  std::cout << "valid: " << loaded.catalog.by_id.size() << " template(s)\n";
  // Valid, but DLT or the deployment may still refuse: said, not failed.
  for (const auto& w : templates::link_warnings(loaded.catalog, config.reply_link_base())) std::cerr << "warning: " << dir << "/" << w.to_string() << "\n";
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) return usage();
  std::string command = argv[1];
  int first = 2;
  if (command == "templates") {
    if (argc < 3 || std::string(argv[2]) != "check") return usage();
    command = "templates check";
    first = 3;
  }
  std::string what;  // users and tokens: the action
  if (command == "users" || command == "tokens" || command == "audit") {
    if (argc < 3) return usage();
    what = argv[2];
    first = 3;
  }
  std::map<std::string, std::string> args;
  for (int i = first; i < argc; ++i) {
    std::string arg = argv[i];
    if (arg.rfind("--", 0) != 0) return usage();
    arg = arg.substr(2);
    if (arg == "report-only") args[arg] = "1";
    else if (i + 1 < argc) args[arg] = argv[++i];
    else return usage();
  }
  if (command == "import") return run_import(args);
  if (command == "audience") return run_audience(args);
  if (command == "templates check") return run_templates_check(args);
  if (command == "users" || command == "tokens") {
    if (!args.contains("config")) return usage();
    auto config = load_config(args["config"]);
    if (!config) return 2;
    const int code = command == "users" ? cli::run_users(what, *config, args) : cli::run_tokens(what, *config, args);
    return code == 2 ? usage() : code;
  }
  if (command == "audit") {
    if (!args.contains("config")) return usage();
    auto config = load_config(args["config"]);
    if (!config) return 2;
    const int code = cli::run_audit(what, *config, args);
    return code == 2 ? usage() : code;
  }
  return usage();
}
