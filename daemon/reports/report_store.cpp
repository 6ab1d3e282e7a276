#include "reports/report_store.hpp"

#include <cstdlib>

namespace orgcast::reports {

ReportStore::ReportStore(std::shared_ptr<redis::Client> redis, std::string key_prefix)
    : redis_(std::move(redis)), prefix_(std::move(key_prefix)) {}

boost::asio::awaitable<redis::Result<std::vector<std::string>>> ReportStore::of_day(std::string day) {
  auto read = redis::cmd("LRANGE", prefix_ + "rp:" + day, "0", "-1");  // at most 100,000 (store_inbound.lua trims)
  auto got = co_await redis_->command(std::move(read));
  if (!got) co_return got.error();
  if (got->is_error()) co_return make_error_code(redis::Errc::server_error);
  std::vector<std::string> out;
  for (auto& e : got->elements) out.push_back(std::move(e.str));
  co_return out;
}

boost::asio::awaitable<redis::Result<std::unordered_set<std::uint64_t>>> ReportStore::who_reported(std::string day) {
  auto read = redis::cmd("SMEMBERS", prefix_ + "rp:" + day + ":who");
  auto got = co_await redis_->command(std::move(read));
  if (!got) co_return got.error();
  if (got->is_error()) co_return make_error_code(redis::Errc::server_error);
  std::unordered_set<std::uint64_t> out;
  for (const auto& m : got->elements) out.insert(std::strtoull(m.str.c_str(), nullptr, 10));
  co_return out;
}

}  // namespace orgcast::reports
