#pragma once
// Blackouts made through the API (/v1/blackouts), kept in Redis: one hash
// of id -> JSON, so every instance reads the same ones (and the
// dispatchers hold what they cover within a second of a change).
#include <memory>
#include <string>
#include <vector>

#include <boost/asio/awaitable.hpp>

#include "redis/client.hpp"
#include "time_rules/time_rules.hpp"

namespace orgcast::time_rules {

/// A blackout as the API shows and stores it, with who made it and when.
struct StoredBlackout {
  Blackout blackout;
  std::string created_by, created_at;
};

std::string to_json(const StoredBlackout& stored);
/// nullopt when the text is not a stored blackout.
std::optional<StoredBlackout> stored_blackout_from_json(std::string_view text);

class BlackoutStore {
 public:
  BlackoutStore(std::shared_ptr<redis::Client> redis, std::string key_prefix);
  /// Stores it under a new id ("bo<N>"), which it returns.
  boost::asio::awaitable<redis::Result<std::string>> add(StoredBlackout stored);
  /// Every stored one, by id order.
  boost::asio::awaitable<redis::Result<std::vector<StoredBlackout>>> all();
  /// false when there was none by that id.
  boost::asio::awaitable<redis::Result<bool>> remove(std::string id);

 private:
  std::shared_ptr<redis::Client> redis_;
  std::string key_, sequence_key_;
};

}  // namespace orgcast::time_rules
