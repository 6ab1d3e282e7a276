#pragma once
// Builds an org index from a directory version's encoded chunks, as stored in
// Redis: the snapshot's unit and contact chunks, then the overlay of
// single-contact changes made since (which replace or delete snapshot
// records with the same contact id).
#include <memory>
#include <span>
#include <string>

#include "directory/org_index.hpp"

namespace orgcast::directory {

struct OverlayEntry {
  std::string id;
  std::string encoded;  // a one-record chunk; empty: the contact was deleted
};

/// Record ordinal of the i-th contact of snapshot chunk k.
inline std::uint32_t record_ordinal(std::size_t chunk, std::size_t position);

/// nullptr and *error set when a chunk is corrupt.
std::shared_ptr<const OrgIndex> build_index_from_chunks(const Vocabulary& vocabulary, std::uint64_t version,
                                                        std::span<const std::string> unit_chunks,
                                                        std::span<const std::string> contact_chunks,
                                                        std::span<const OverlayEntry> overlay, std::string* error);

/// Decodes a one-record chunk (an overlay entry, a change) into an owned record.
bool decode_contact(std::string_view encoded, ContactRecord& out);

}  // namespace orgcast::directory

#include "directory/codec.hpp"

inline std::uint32_t orgcast::directory::record_ordinal(std::size_t chunk, std::size_t position) {
  return static_cast<std::uint32_t>(chunk * codec::kContactsPerChunk + position);
}
