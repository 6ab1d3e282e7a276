#pragma once
// The directory's system of record in Redis. An import is written as a new
// version beside the one in use and switched in with one MULTI/EXEC, so a
// failed or interrupted import leaves the directory in use untouched; the
// switch and every single-contact change are announced on a stream that
// every orgcastd follows.
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include <boost/asio/awaitable.hpp>

#include "directory/importer.hpp"
#include "directory/index_from_chunks.hpp"
#include "directory_store/keys.hpp"
#include "redis/client.hpp"

namespace orgcast::directory_store {

enum class StoreErrc { stale_version = 1, missing_data, corrupt };
const boost::system::error_category& store_category();
inline boost::system::error_code make_error_code(StoreErrc e) { return {static_cast<int>(e), store_category()}; }

struct VersionMeta {
  std::uint64_t version = 0;  // 0: no directory imported yet
  std::size_t unit_chunks = 0, contact_chunks = 0;
  std::size_t units = 0, contacts = 0, persons = 0;
  std::string imported_at;  // ISO 8601 UTC
  std::string source;
};

struct Snapshot {
  VersionMeta meta;
  std::vector<std::string> unit_chunks, contact_chunks;
  std::vector<directory::OverlayEntry> overlay;
  std::string stream_position;  // follow changes after this stream id
};

struct Change {
  std::string stream_id;
  std::string kind;  // "import" or "contact"
  std::uint64_t version = 0;
  std::string contact_id;
  std::string record;  // encoded; empty: deleted
};

/// Contact records as fetched from Redis: the directory chunks they live in
/// (each fetched once) and overlay records, not yet decoded.
class FetchedRecords {
 public:
  /// One view per requested record, in request order (empty id: not found).
  /// The views point into this object: keep it alive while using them.
  std::vector<directory::ContactView> views() const;

 private:
  friend class Store;
  std::size_t count_ = 0;
  std::vector<std::uint32_t> records_;  // the requested ordinals
  std::vector<std::pair<std::size_t, std::vector<std::size_t>>> by_chunk_;  // chunk -> positions in records_
  std::vector<std::string> chunks_;     // same order as by_chunk_
  std::vector<std::pair<std::size_t, directory::ContactRecord>> overlay_;  // position, record
};

class Store {
 public:
  Store(std::shared_ptr<redis::Client> redis, std::string key_prefix);

  /// Writes the import as a new version and makes it current.
  boost::asio::awaitable<redis::Result<VersionMeta>> publish(directory::ImportedDirectory imported, std::string source);
  /// The version in use with everything needed to build an index.
  boost::asio::awaitable<redis::Result<Snapshot>> load_current();
  /// Changes after a stream position, oldest first (at most `max`).
  boost::asio::awaitable<redis::Result<std::vector<Change>>> changes_since(std::string position, std::size_t max);
  /// Puts or deletes (record nullopt) one contact in `version`; fails with
  /// stale_version when another version became current meanwhile.
  boost::asio::awaitable<redis::Result<std::string>> change_contact(std::uint64_t version, const std::string& id,
                                                                   const std::optional<directory::ContactRecord>& record);
  /// Full records of the given record ordinals of an index (same order;
  /// a record that cannot be found comes back with an empty id). Decodes on
  /// the caller's thread: for a handful of records.
  boost::asio::awaitable<redis::Result<std::vector<directory::ContactRecord>>> fetch_records(
      const directory::OrgIndex& index, std::span<const std::uint32_t> records);
  /// The same, fetched but not decoded (FetchedRecords::views decodes, on a
  /// compute thread for big audiences).
  boost::asio::awaitable<redis::Result<FetchedRecords>> fetch_raw_records(const directory::OrgIndex& index,
                                                                         std::span<const std::uint32_t> records);
  boost::asio::awaitable<redis::Result<VersionMeta>> current_meta();
  /// The name index's buckets of `version` by key, in order ("" for a key with none); nullopt when the version has no name index.
  boost::asio::awaitable<redis::Result<std::optional<std::vector<std::string>>>> name_buckets(std::uint64_t version, std::vector<std::string> keys);
  /// The contacts changed in `version` since its import.
  boost::asio::awaitable<redis::Result<std::vector<directory::OverlayEntry>>> overlay(std::uint64_t version);

 private:
  boost::asio::awaitable<void> remove_old_versions(std::uint64_t current);
  std::shared_ptr<redis::Client> redis_;
  Keys keys_;
};

}  // namespace orgcast::directory_store

template <>
struct boost::system::is_error_code_enum<orgcast::directory_store::StoreErrc> : std::true_type {};
