#pragma once
// The compact binary form of units and contacts in Redis. A chunk is one
// Redis string holding up to kContactsPerChunk records: the daemon rebuilds
// its index by fetching a few thousand chunks rather than a million keys (see
// docs/ARCHITECTURE.md, "directory storage"). Layout: a format byte, a varint
// record count, then each record as varint-length-prefixed fields.
#include <cstdint>
#include <string>
#include <string_view>

#include "directory/records.hpp"

namespace orgcast::directory::codec {

inline constexpr std::size_t kContactsPerChunk = 512;
inline constexpr std::size_t kUnitsPerChunk = 4096;

/// Builds one chunk; append() records, then take() the bytes.
class ChunkWriter {
 public:
  ChunkWriter() { reset(); }
  void append(const UnitView& unit);
  void append(const ContactView& contact);
  std::size_t count() const { return count_; }
  /// The finished chunk; the writer starts a new one.
  std::string take();

 private:
  void reset();
  std::string body_;
  std::size_t count_ = 0;
};

/// Reads a chunk; each next() fills a view pointing into the chunk's bytes.
class ChunkReader {
 public:
  explicit ChunkReader(std::string_view bytes);
  bool ok() const { return ok_; }
  std::size_t count() const { return count_; }
  /// False at the end or on corrupt data (then ok() is false).
  bool next(UnitView& unit);
  bool next(ContactView& contact);

 private:
  bool read_string(std::string_view& out);
  bool read_varint(std::uint64_t& out);
  std::string_view data_;
  std::size_t pos_ = 0;
  std::size_t count_ = 0;
  std::size_t read_ = 0;
  bool ok_ = true;
};

/// One contact encoded on its own (a chunk of one), for the overlay of
/// single-contact changes.
std::string encode_contact(const ContactView& contact);

}  // namespace orgcast::directory::codec
