#include "directory/index_from_chunks.hpp"

#include <unordered_set>

namespace orgcast::directory {

std::shared_ptr<const OrgIndex> build_index_from_chunks(const Vocabulary& vocabulary, std::uint64_t version,
                                                        std::span<const std::string> unit_chunks,
                                                        std::span<const std::string> contact_chunks,
                                                        std::span<const OverlayEntry> overlay, std::string* error) {
  OrgIndexBuilder builder(vocabulary, version);
  for (std::size_t k = 0; k < unit_chunks.size(); ++k) {
    codec::ChunkReader reader(unit_chunks[k]);
    UnitView unit;
    while (reader.next(unit)) builder.add_unit(unit);
    if (!reader.ok()) {
      if (error) *error = "unit chunk " + std::to_string(k) + " is corrupt";
      return nullptr;
    }
  }
  builder.finish_units();

  std::unordered_set<std::string_view> replaced;
  for (const auto& entry : overlay) replaced.insert(entry.id);
  for (std::size_t k = 0; k < contact_chunks.size(); ++k) {
    codec::ChunkReader reader(contact_chunks[k]);
    ContactView contact;
    std::size_t position = 0;
    while (reader.next(contact)) {
      if (replaced.empty() || !replaced.contains(contact.id)) builder.add_contact(record_ordinal(k, position), contact);
      ++position;
    }
    if (!reader.ok()) {
      if (error) *error = "contact chunk " + std::to_string(k) + " is corrupt";
      return nullptr;
    }
  }
  builder.begin_overlay(record_ordinal(contact_chunks.size(), 0));
  for (const auto& entry : overlay) {
    if (entry.encoded.empty()) continue;  // deleted
    codec::ChunkReader reader(entry.encoded);
    ContactView contact;
    if (!reader.next(contact)) {
      if (error) *error = "overlay entry " + entry.id + " is corrupt";
      return nullptr;
    }
    builder.add_overlay_contact(contact);
  }
  return builder.finish();
}

bool decode_contact(std::string_view encoded, ContactRecord& out) {
  codec::ChunkReader reader(encoded);
  ContactView v;
  if (!reader.next(v)) return false;
  out = to_record(v);
  return true;
}

}  // namespace orgcast::directory
