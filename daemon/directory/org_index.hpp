#pragma once
// The in-memory org index every orgcastd keeps. Units are numbered in
// pre-order, so a unit's subtree is the contiguous range [u, subtree_end(u));
// posts are sorted by unit, so a subtree's posts are contiguous too and
// resolving a million recipients is a range scan plus filters.
//
// The index holds only what resolution needs (about 50 bytes per post); names,
// push tokens and other fields stay in Redis and are fetched by record
// ordinal for the few contacts that need them (previews, dispatch).
//
// Immutable once built: readers share it through shared_ptr, and a change
// produces a new index (apply_changes) that shares the unit table.
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "directory/records.hpp"
#include "directory/vocabulary.hpp"

namespace orgcast::directory {

inline constexpr std::uint32_t kNoUnit = 0xFFFFFFFFu;

enum ChannelBit : std::uint8_t { channel_sms = 1, channel_whatsapp = 2, channel_push = 4 };

/// One post in the index. 24 bytes.
struct Post {
  std::uint64_t tags = 0;      // bit per configured tag
  std::uint32_t unit = 0;      // pre-order number
  std::uint32_t person = 0;    // dense id: same mobile, same person
  std::uint32_t record = 0;    // ordinal of the full record in Redis
  std::uint8_t role = 0;
  std::uint8_t language = 0;
  std::uint8_t channels = 0;   // ChannelBit set
  std::uint8_t reserved = 0;
};

/// Strings stored end to end, addressed by number.
class StringPool {
 public:
  void add(std::string_view s);
  std::string_view at(std::size_t i) const {
    return std::string_view(data_).substr(offsets_[i], offsets_[i + 1] - offsets_[i]);
  }
  std::size_t size() const { return offsets_.size() - 1; }
  std::size_t bytes() const { return data_.capacity() + offsets_.capacity() * sizeof(std::uint32_t); }
  void shrink() {
    data_.shrink_to_fit();
    offsets_.shrink_to_fit();
  }

 private:
  std::string data_;
  std::vector<std::uint32_t> offsets_{0};
};

/// The unit tree in pre-order. Shared, unchanged, by every index built from
/// the same directory version.
class UnitTable {
 public:
  std::uint32_t size() const { return static_cast<std::uint32_t>(level_.size()); }
  std::string_view id(std::uint32_t u) const { return ids_.at(u); }
  std::string_view name(std::uint32_t u) const { return names_.at(u); }
  std::string_view name_hi(std::uint32_t u) const { return names_hi_.at(u); }
  std::uint8_t level(std::uint32_t u) const { return level_[u]; }
  std::uint32_t parent(std::uint32_t u) const { return parent_[u]; }
  std::uint32_t subtree_end(std::uint32_t u) const { return subtree_end_[u]; }
  /// Pre-order number of the unit with this id, or kNoUnit.
  std::uint32_t find(std::string_view id) const;
  /// Units at a level, in pre-order.
  std::span<const std::uint32_t> at_level(std::size_t level) const { return at_level_[level]; }
  std::vector<std::uint32_t> children(std::uint32_t u) const;
  std::vector<std::uint32_t> roots() const;
  /// Nearest common ancestor, or kNoUnit when the units are in different trees.
  std::uint32_t common_ancestor(std::uint32_t a, std::uint32_t b) const;
  std::size_t memory_bytes() const;

 private:
  friend class OrgIndexBuilder;
  StringPool ids_, names_, names_hi_;
  std::vector<std::uint8_t> level_;
  std::vector<std::uint32_t> parent_;
  std::vector<std::uint32_t> subtree_end_;
  std::vector<std::vector<std::uint32_t>> at_level_;
  std::unordered_map<std::string_view, std::uint32_t> by_id_;
};

struct ContactRef {
  std::uint32_t record;
  std::uint32_t person;
};

/// A change to one contact: a new record, or deletion (nullopt).
struct ContactChange {
  std::string id;
  std::optional<ContactRecord> record;
};

class OrgIndex {
 public:
  std::uint64_t version() const { return version_; }
  const UnitTable& units() const { return *units_; }
  const Vocabulary& vocabulary() const { return vocabulary_; }
  std::span<const Post> posts() const { return posts_; }
  /// Posts of the units in [first_unit, end_unit).
  std::pair<std::uint32_t, std::uint32_t> post_range(std::uint32_t first_unit, std::uint32_t end_unit) const {
    return {first_post_[first_unit], first_post_[end_unit]};
  }
  std::uint32_t person_count() const { return static_cast<std::uint32_t>(person_mobile_.size()); }
  /// The person with this mobile (digits of the E.164 number), if any.
  std::optional<std::uint32_t> find_person(std::uint64_t mobile) const;
  std::uint64_t person_mobile(std::uint32_t person) const { return person_mobile_.at(person); }
  std::optional<ContactRef> find_contact(std::string_view id) const;
  /// Records below this ordinal are in the snapshot chunks; above, in the overlay.
  std::uint32_t snapshot_records() const { return snapshot_records_; }
  /// The contact id of an overlay record.
  std::string_view overlay_id(std::uint32_t record) const { return overlay_ids_[record - snapshot_records_]; }
  /// Contacts skipped at build because they no longer fit the vocabulary or the units.
  std::size_t skipped() const { return skipped_; }
  std::size_t memory_bytes() const;

 private:
  friend class OrgIndexBuilder;
  friend std::shared_ptr<const OrgIndex> apply_changes(const OrgIndex&, std::span<const ContactChange>, std::size_t*);
  struct IdEntry {
    std::uint64_t hash;
    std::uint32_t record;
    std::uint32_t person;
  };
  std::uint32_t person_for(std::uint64_t mobile);
  void index_ids();

  std::uint64_t version_ = 0;
  Vocabulary vocabulary_{DirectoryConfig{}};
  std::shared_ptr<const UnitTable> units_;
  std::vector<Post> posts_;
  std::vector<std::uint32_t> first_post_;        // per unit, plus one past the end
  std::vector<std::uint64_t> person_mobile_;     // by person id
  std::uint32_t sorted_persons_ = 0;             // person_mobile_[0, this) is sorted by mobile
  std::vector<IdEntry> ids_;                     // sorted by hash
  std::uint32_t snapshot_records_ = 0;
  std::vector<std::string> overlay_ids_;
  std::size_t skipped_ = 0;
};

/// Builds an index from a directory version: units first, then contacts.
class OrgIndexBuilder {
 public:
  OrgIndexBuilder(Vocabulary vocabulary, std::uint64_t version);

  void add_unit(const UnitView& unit);
  /// Orders the units; call once, after the last unit and before any contact.
  void finish_units();
  /// A contact from the snapshot, at its record ordinal.
  void add_contact(std::uint32_t record, const ContactView& contact);
  /// Call after the snapshot's contacts: later records come from the overlay.
  void begin_overlay(std::uint32_t snapshot_records);
  void add_overlay_contact(const ContactView& contact);
  std::shared_ptr<const OrgIndex> finish();

 private:
  friend std::shared_ptr<const OrgIndex> apply_changes(const OrgIndex&, std::span<const ContactChange>, std::size_t*);
  bool make_post(std::uint32_t record, const ContactView& contact, Post& post);
  struct PendingUnit {
    std::string id, parent_id, name, name_hi;
    int level;
  };
  std::vector<PendingUnit> pending_units_;
  std::shared_ptr<UnitTable> units_;
  std::shared_ptr<OrgIndex> index_;
  std::unordered_map<std::uint64_t, std::uint32_t> person_by_mobile_;
  std::vector<OrgIndex::IdEntry> ids_;
};

/// A new index with the changes applied; shares the unit table. Counts
/// changes that could not be applied (unknown unit or role) in *rejected.
std::shared_ptr<const OrgIndex> apply_changes(const OrgIndex& base, std::span<const ContactChange> changes,
                                              std::size_t* rejected = nullptr);

}  // namespace orgcast::directory
