#include "cli/audit_commands.hpp"

#include <iostream>

#include "app/secrets.hpp"
#include "audit/audit_log.hpp"
#include "cli/redis_options.hpp"
#include "core/text.hpp"

namespace orgcast::cli {

namespace asio = boost::asio;

int run_audit(const std::string& what, const Config& config, std::map<std::string, std::string>& args) {
  if (what != "verify") return 2;
  if (config.audit.key_file.empty()) {
    std::cerr << "orgcast: the config names no audit.key_file: there is no audit trail to verify\n";
    return 1;
  }
  std::string error;
  auto key = read_secret(config.audit.key_file, &error);
  if (!key) {
    std::cerr << "orgcast: audit.key_file: " << error << "\n";
    return 1;
  }
  std::vector<std::string> logged;
  if (args.contains("log-heads"))
    for (auto h : split_trimmed(args["log-heads"], ',')) logged.emplace_back(h);
  const std::string trimmed_key(trim(*key));
  return with_redis(config, [&](std::shared_ptr<redis::Client> client) -> asio::awaitable<int> {
    audit::AuditLog trail(client, config.redis.key_prefix, trimmed_key);
    auto head = co_await trail.head();
    if (!head) {
      std::cerr << "orgcast: Redis: " << head.error().message() << "\n";
      co_return 1;
    }
    auto entries = co_await trail.all();
    if (!entries) {
      std::cerr << "orgcast: Redis: " << entries.error().message() << "\n";
      co_return 1;
    }
    // The head was read first: entries a running daemon appended since are
    // beyond it, and not checked this time.
    const auto colon = head->find(':');
    const long long head_seq = colon == std::string::npos ? -1 : std::atoll(head->substr(0, colon).c_str());
    for (std::size_t i = 0; i < entries->size(); ++i)
      if (auto e = audit::from_json((*entries)[i]); e && e->seq == head_seq && e->mac == head->substr(colon + 1)) {
        entries->resize(i + 1);
        break;
      }
    const auto verdict = audit::verify_chain(trimmed_key, *entries, *head, logged);
    if (!verdict.ok) {
      std::cout << "audit trail broken: " << verdict.problem << " (" << verdict.checked << " entries checked before it)\n";
      co_return 1;
    }
    std::cout << "audit trail whole: " << verdict.checked << " entries, head " << *head << "\n";
    co_return 0;
  });
}

}  // namespace orgcast::cli
