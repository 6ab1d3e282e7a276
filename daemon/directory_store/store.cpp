#include "directory_store/store.hpp"

#include <algorithm>
#include <boost/json.hpp>
#include <chrono>
#include <ctime>
#include <map>

#include "core/utc_time.hpp"
#include "directory/codec.hpp"

namespace asio = boost::asio;
namespace json = boost::json;

namespace orgcast::directory_store {
namespace {

constexpr const char* kStreamMaxLen = "10000";

class StoreCategory final : public boost::system::error_category {
 public:
  const char* name() const noexcept override { return "directory-store"; }
  std::string message(int value) const override {
    switch (static_cast<StoreErrc>(value)) {
      case StoreErrc::stale_version: return "another directory version became current meanwhile";
      case StoreErrc::missing_data: return "a directory chunk is missing from Redis (the version was replaced)";
      case StoreErrc::corrupt: return "directory data in Redis is corrupt";
    }
    return "directory store error";
  }
};

// Put or delete one contact, only if `version` is still current.
constexpr const char* kChangeContactScript = R"(
if redis.call('GET', KEYS[1]) ~= ARGV[1] then
  return redis.error_reply('STALE directory version changed')
end
redis.call('HSET', KEYS[2], ARGV[2], ARGV[3])
return redis.call('XADD', KEYS[3], 'MAXLEN', '~', ARGV[4], '*', 'kind', 'contact', 'v', ARGV[1], 'id', ARGV[2], 'rec', ARGV[3])
)";

std::string meta_json(const VersionMeta& m) {
  json::object o;
  o["version"] = m.version;
  o["unit_chunks"] = m.unit_chunks;
  o["contact_chunks"] = m.contact_chunks;
  o["units"] = m.units;
  o["contacts"] = m.contacts;
  o["persons"] = m.persons;
  o["imported_at"] = m.imported_at;
  o["source"] = m.source;
  return json::serialize(o);
}

std::optional<VersionMeta> parse_meta(const std::string& text) {
  boost::system::error_code ec;
  auto value = json::parse(text, ec);
  if (ec || !value.is_object()) return std::nullopt;
  const auto& o = value.as_object();
  VersionMeta m;
  try {
    m.version = json::value_to<std::uint64_t>(o.at("version"));
    m.unit_chunks = json::value_to<std::size_t>(o.at("unit_chunks"));
    m.contact_chunks = json::value_to<std::size_t>(o.at("contact_chunks"));
    m.units = json::value_to<std::size_t>(o.at("units"));
    m.contacts = json::value_to<std::size_t>(o.at("contacts"));
    m.persons = json::value_to<std::size_t>(o.at("persons"));
    m.imported_at = json::value_to<std::string>(o.at("imported_at"));
    m.source = json::value_to<std::string>(o.at("source"));
  } catch (const std::exception&) {
    return std::nullopt;
  }
  return m;
}

// Makes version v current and announces it, atomically. (Built outside the
// coroutine: GCC 12 miscompiles nested braced lists of literals in coroutines.)
std::vector<redis::Args> switch_commands(const Keys& keys, std::uint64_t v) {
  return {{"MULTI"},
          {"SET", keys.current(), std::to_string(v)},
          {"XADD", keys.changes(), "MAXLEN", "~", kStreamMaxLen, "*", "kind", "import", "v", std::to_string(v)},
          {"EXEC"}};
}

}  // namespace

const boost::system::error_category& store_category() {
  static const StoreCategory instance;
  return instance;
}

Store::Store(std::shared_ptr<redis::Client> redis, std::string key_prefix)
    : redis_(std::move(redis)), keys_{std::move(key_prefix)} {}

asio::awaitable<redis::Result<VersionMeta>> Store::publish(directory::ImportedDirectory imported, std::string source) {
  auto counter = redis::ok_reply(co_await redis_->command(redis::cmd("INCR", keys_.next())));
  if (!counter) co_return counter.error();
  VersionMeta meta;
  meta.version = static_cast<std::uint64_t>(counter->integer);
  meta.unit_chunks = imported.unit_chunks.size();
  meta.contact_chunks = imported.contact_chunks.size();
  meta.units = imported.unit_count;
  meta.contacts = imported.contact_count;
  meta.persons = imported.person_count;
  meta.imported_at = format_utc(std::chrono::system_clock::now());
  meta.source = std::move(source);
  const auto v = meta.version;

  // Registered before any chunk is written, so that clean-up finds the
  // chunks of an import that dies halfway.
  auto registered = redis::ok_reply(co_await redis_->command(redis::cmd(
      "HSET", keys_.versions(), std::to_string(v),
       std::to_string(meta.unit_chunks) + "," + std::to_string(meta.contact_chunks))));
  if (!registered) co_return registered.error();

  std::vector<redis::Args> writes;
  writes.reserve(meta.unit_chunks + meta.contact_chunks + 1);
  for (std::size_t k = 0; k < imported.unit_chunks.size(); ++k)
    writes.push_back(redis::cmd("SET", keys_.unit_chunk(v, k), std::move(imported.unit_chunks[k])));
  for (std::size_t k = 0; k < imported.contact_chunks.size(); ++k)
    writes.push_back(redis::cmd("SET", keys_.contact_chunk(v, k), std::move(imported.contact_chunks[k])));
  // The name index: its buckets, some hundreds to a command.
  for (std::size_t first = 0; first < imported.name_buckets.size(); first += 500) {
    auto bucket_writes = redis::cmd("HSET", keys_.names(v));
    for (std::size_t i = first; i < std::min(imported.name_buckets.size(), first + 500); ++i) {
      bucket_writes.push_back(std::move(imported.name_buckets[i].first));
      bucket_writes.push_back(std::move(imported.name_buckets[i].second));
    }
    writes.push_back(std::move(bucket_writes));
  }
  writes.push_back(redis::cmd("SET", keys_.meta(v), meta_json(meta)));
  auto written = co_await redis::pipeline_in_batches(*redis_, std::move(writes));
  if (!written) co_return written.error();

  auto switched = co_await redis_->pipeline(switch_commands(keys_, v));
  if (!switched) co_return switched.error();
  if (!switched->back().is_array()) co_return make_error_code(redis::Errc::server_error);
  co_await remove_old_versions(v);
  co_return meta;
}

asio::awaitable<void> Store::remove_old_versions(std::uint64_t current) {
  // The previous version is kept: a daemon may still be loading it.
  auto versions = co_await redis_->command(redis::cmd("HGETALL", keys_.versions()));
  if (!versions || !versions->is_array()) co_return;
  std::vector<redis::Args> deletes;
  for (std::size_t i = 0; i + 1 < versions->elements.size(); i += 2) {
    auto v = static_cast<std::uint64_t>(versions->elements[i].as_integer());
    if (v + 1 >= current) continue;
    const auto& counts = versions->elements[i + 1].str;
    auto comma = counts.find(',');
    std::size_t units = std::stoul(counts.substr(0, comma));
    std::size_t contacts = comma == std::string::npos ? 0 : std::stoul(counts.substr(comma + 1));
    auto unlink = redis::cmd("UNLINK", keys_.meta(v), keys_.overlay(v), keys_.names(v));
    for (std::size_t k = 0; k < units; ++k) unlink.push_back(keys_.unit_chunk(v, k));
    for (std::size_t k = 0; k < contacts; ++k) unlink.push_back(keys_.contact_chunk(v, k));
    deletes.push_back(std::move(unlink));
    deletes.push_back(redis::cmd("HDEL", keys_.versions(), std::to_string(v)));
  }
  if (!deletes.empty()) co_await redis::pipeline_in_batches(*redis_, std::move(deletes));
}

asio::awaitable<redis::Result<std::optional<std::vector<std::string>>>> Store::name_buckets(std::uint64_t version, std::vector<std::string> keys) {
  std::vector<redis::Args> reads;
  reads.push_back(redis::cmd("EXISTS", keys_.names(version)));
  auto ask = redis::cmd("HMGET", keys_.names(version));
  for (auto& key : keys) ask.push_back(std::move(key));
  reads.push_back(std::move(ask));
  auto replies = co_await redis_->pipeline(std::move(reads));
  if (!replies) co_return replies.error();
  if ((*replies)[0].is_error() || (*replies)[1].is_error()) co_return make_error_code(redis::Errc::server_error);
  if ((*replies)[0].integer == 0) co_return std::optional<std::vector<std::string>>{};
  std::vector<std::string> out;
  for (auto& e : (*replies)[1].elements) out.push_back(std::move(e.str));  // nil: ""
  co_return std::optional<std::vector<std::string>>(std::move(out));
}

asio::awaitable<redis::Result<std::vector<directory::OverlayEntry>>> Store::overlay(std::uint64_t version) {
  auto reply = redis::ok_reply(co_await redis_->command(redis::cmd("HGETALL", keys_.overlay(version))));
  if (!reply) co_return reply.error();
  std::vector<directory::OverlayEntry> out;
  for (std::size_t i = 0; i + 1 < reply->elements.size(); i += 2)
    out.push_back({std::move(reply->elements[i].str), std::move(reply->elements[i + 1].str)});
  co_return out;
}

asio::awaitable<redis::Result<VersionMeta>> Store::current_meta() {
  auto current = redis::ok_reply(co_await redis_->command(redis::cmd("GET", keys_.current())));
  if (!current) co_return current.error();
  if (current->is_nil()) co_return VersionMeta{};
  auto v = static_cast<std::uint64_t>(current->as_integer());
  auto meta_text = redis::ok_reply(co_await redis_->command(redis::cmd("GET", keys_.meta(v))));
  if (!meta_text) co_return meta_text.error();
  if (meta_text->is_nil()) co_return make_error_code(StoreErrc::missing_data);
  auto meta = parse_meta(meta_text->str);
  if (!meta) co_return make_error_code(StoreErrc::corrupt);
  co_return *meta;
}

asio::awaitable<redis::Result<Snapshot>> Store::load_current() {
  Snapshot snapshot;
  // The stream position is read first: a change made while the snapshot is
  // read is then seen again, and applying a change twice is harmless.
  auto last = redis::ok_reply(co_await redis_->command(redis::cmd("XREVRANGE", keys_.changes(), "+", "-", "COUNT", "1")));
  if (!last) co_return last.error();
  snapshot.stream_position = last->elements.empty() ? "0-0" : last->elements[0].elements.at(0).str;

  auto meta = co_await current_meta();
  if (!meta) co_return meta.error();
  snapshot.meta = *meta;
  if (meta->version == 0) co_return snapshot;
  const auto v = meta->version;

  std::vector<redis::Args> gets;
  for (std::size_t k = 0; k < meta->unit_chunks; ++k) gets.push_back(redis::cmd("GET", keys_.unit_chunk(v, k)));
  for (std::size_t k = 0; k < meta->contact_chunks; ++k) gets.push_back(redis::cmd("GET", keys_.contact_chunk(v, k)));
  gets.push_back(redis::cmd("HGETALL", keys_.overlay(v)));
  auto replies = co_await redis::pipeline_in_batches(*redis_, std::move(gets));
  if (!replies) co_return replies.error();
  for (std::size_t i = 0; i + 1 < replies->size(); ++i) {
    auto& reply = (*replies)[i];
    if (reply.is_nil()) co_return make_error_code(StoreErrc::missing_data);
    (i < meta->unit_chunks ? snapshot.unit_chunks : snapshot.contact_chunks).push_back(std::move(reply.str));
  }
  auto& overlay = replies->back();
  for (std::size_t i = 0; i + 1 < overlay.elements.size(); i += 2)
    snapshot.overlay.push_back({std::move(overlay.elements[i].str), std::move(overlay.elements[i + 1].str)});
  co_return snapshot;
}

asio::awaitable<redis::Result<std::vector<Change>>> Store::changes_since(std::string position, std::size_t max) {
  auto reply = redis::ok_reply(co_await redis_->command(
      redis::cmd("XREAD", "COUNT", std::to_string(max), "STREAMS", keys_.changes(), std::move(position))));
  if (!reply) co_return reply.error();
  std::vector<Change> changes;
  if (reply->is_nil() || reply->elements.empty()) co_return changes;
  for (auto& entry : reply->elements.at(0).elements.at(1).elements) {
    Change change;
    change.stream_id = entry.elements.at(0).str;
    auto& fields = entry.elements.at(1).elements;
    for (std::size_t i = 0; i + 1 < fields.size(); i += 2) {
      const auto& name = fields[i].str;
      if (name == "kind") change.kind = fields[i + 1].str;
      else if (name == "v") change.version = static_cast<std::uint64_t>(fields[i + 1].as_integer());
      else if (name == "id") change.contact_id = fields[i + 1].str;
      else if (name == "rec") change.record = std::move(fields[i + 1].str);
    }
    changes.push_back(std::move(change));
  }
  co_return changes;
}

asio::awaitable<redis::Result<std::string>> Store::change_contact(std::uint64_t version, const std::string& id,
                                                                 const std::optional<directory::ContactRecord>& record) {
  std::string encoded = record ? directory::codec::encode_contact(record->view()) : std::string();
  auto reply = co_await redis_->command(redis::cmd("EVAL", kChangeContactScript, "3", keys_.current(), keys_.overlay(version),
                                         keys_.changes(), std::to_string(version), id, encoded, kStreamMaxLen));
  if (!reply) co_return reply.error();
  if (reply->is_error()) {
    if (reply->str.rfind("STALE", 0) == 0) co_return make_error_code(StoreErrc::stale_version);
    co_return make_error_code(redis::Errc::server_error);
  }
  co_return reply->str;
}

asio::awaitable<redis::Result<FetchedRecords>> Store::fetch_raw_records(const directory::OrgIndex& index,
                                                                     std::span<const std::uint32_t> records) {
  const auto v = index.version();
  constexpr auto per_chunk = directory::codec::kContactsPerChunk;
  FetchedRecords out;
  out.count_ = records.size();
  out.records_.assign(records.begin(), records.end());
  // Each chunk is fetched once, however many of its records are wanted.
  std::map<std::size_t, std::vector<std::size_t>> wanted_by_chunk;  // chunk -> positions in `records`
  std::vector<std::size_t> overlay_wanted;
  for (std::size_t i = 0; i < records.size(); ++i) {
    if (records[i] < index.snapshot_records()) wanted_by_chunk[records[i] / per_chunk].push_back(i);
    else overlay_wanted.push_back(i);
  }
  std::vector<redis::Args> commands;
  for (const auto& [chunk, positions] : wanted_by_chunk) commands.push_back(redis::cmd("GET", keys_.contact_chunk(v, chunk)));
  if (!overlay_wanted.empty()) {
    auto overlay = redis::cmd("HMGET", keys_.overlay(v));
    for (auto i : overlay_wanted) overlay.emplace_back(index.overlay_id(records[i]));
    commands.push_back(std::move(overlay));
  }
  auto replies = co_await redis::pipeline_in_batches(*redis_, std::move(commands));
  if (!replies) co_return replies.error();
  std::size_t reply = 0;
  for (auto& entry : wanted_by_chunk) {
    out.by_chunk_.emplace_back(entry.first, std::move(entry.second));
    out.chunks_.push_back(std::move((*replies)[reply++].str));
  }
  if (!overlay_wanted.empty()) {
    const auto& values = replies->back().elements;
    for (std::size_t n = 0; n < overlay_wanted.size() && n < values.size(); ++n) {
      directory::ContactRecord record;
      if (!values[n].str.empty() && directory::decode_contact(values[n].str, record))
        out.overlay_.emplace_back(overlay_wanted[n], std::move(record));
    }
  }
  co_return out;
}

std::vector<directory::ContactView> FetchedRecords::views() const {
  constexpr auto per_chunk = directory::codec::kContactsPerChunk;
  std::vector<directory::ContactView> out(count_);  // not found: empty id
  for (std::size_t c = 0; c < by_chunk_.size(); ++c) {
    auto positions = by_chunk_[c].second;
    std::sort(positions.begin(), positions.end(), [&](std::size_t a, std::size_t b) { return records_[a] < records_[b]; });
    directory::codec::ChunkReader reader(chunks_[c]);
    directory::ContactView view;
    std::size_t next = 0;              // position of the record the reader gives next
    std::optional<std::size_t> held;  // position of the record in `view`
    for (auto i : positions) {
      const std::size_t wanted = records_[i] % per_chunk;
      while (held != wanted && next <= wanted && reader.next(view)) held = next++;
      if (held == wanted) out[i] = view;
    }
  }
  for (const auto& [position, record] : overlay_) out[position] = record.view();
  return out;
}

asio::awaitable<redis::Result<std::vector<directory::ContactRecord>>> Store::fetch_records(
    const directory::OrgIndex& index, std::span<const std::uint32_t> records) {
  auto fetched = co_await fetch_raw_records(index, records);
  if (!fetched) co_return fetched.error();
  std::vector<directory::ContactRecord> out;
  for (const auto& view : fetched->views()) out.push_back(directory::to_record(view));
  co_return out;
}

}  // namespace orgcast::directory_store
