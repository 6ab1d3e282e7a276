#include "directory/org_index.hpp"

#include <algorithm>
#include <functional>
#include <unordered_set>
#include <utility>

namespace orgcast::directory {
namespace {

std::uint64_t hash_id(std::string_view id) { return std::hash<std::string_view>{}(id); }

template <typename T>
std::size_t capacity_bytes(const std::vector<T>& v) {
  return v.capacity() * sizeof(T);
}

// Stable counting sort of posts by unit; fills first_post (units + 1 entries).
void order_posts_by_unit(std::vector<Post>& posts, std::uint32_t unit_count, std::vector<std::uint32_t>& first_post) {
  first_post.assign(unit_count + 1, 0);
  for (const auto& p : posts) ++first_post[p.unit + 1];
  for (std::uint32_t u = 0; u < unit_count; ++u) first_post[u + 1] += first_post[u];
  std::vector<Post> sorted(posts.size());
  std::vector<std::uint32_t> cursor(first_post.begin(), first_post.end() - 1);
  for (const auto& p : posts) sorted[cursor[p.unit]++] = p;
  posts = std::move(sorted);
}

}  // namespace

void StringPool::add(std::string_view s) {
  data_.append(s);
  offsets_.push_back(static_cast<std::uint32_t>(data_.size()));
}

std::uint32_t UnitTable::find(std::string_view id) const {
  auto it = by_id_.find(id);
  return it == by_id_.end() ? kNoUnit : it->second;
}

std::vector<std::uint32_t> UnitTable::children(std::uint32_t u) const {
  std::vector<std::uint32_t> out;
  for (std::uint32_t c = u + 1; c < subtree_end_[u]; c = subtree_end_[c]) out.push_back(c);
  return out;
}

std::vector<std::uint32_t> UnitTable::roots() const {
  std::vector<std::uint32_t> out;
  for (std::uint32_t u = 0; u < size(); u = subtree_end_[u]) out.push_back(u);
  return out;
}

std::uint32_t UnitTable::common_ancestor(std::uint32_t a, std::uint32_t b) const {
  for (std::uint32_t x = a; x != kNoUnit; x = parent_[x])
    if (x <= b && b < subtree_end_[x]) return x;
  return kNoUnit;
}

std::size_t UnitTable::memory_bytes() const {
  std::size_t bytes = ids_.bytes() + names_.bytes() + names_hi_.bytes() + capacity_bytes(level_) +
                      capacity_bytes(parent_) + capacity_bytes(subtree_end_);
  for (const auto& level : at_level_) bytes += capacity_bytes(level);
  // An unordered_map node holds the pair and a next pointer; buckets are one pointer each.
  bytes += by_id_.size() * (sizeof(std::pair<std::string_view, std::uint32_t>) + 2 * sizeof(void*)) +
           by_id_.bucket_count() * sizeof(void*);
  return bytes;
}

std::optional<ContactRef> OrgIndex::find_contact(std::string_view id) const {
  auto h = hash_id(id);
  auto it = std::lower_bound(ids_.begin(), ids_.end(), h, [](const IdEntry& e, std::uint64_t v) { return e.hash < v; });
  if (it == ids_.end() || it->hash != h) return std::nullopt;
  return ContactRef{it->record, it->person};
}

std::optional<std::uint32_t> OrgIndex::find_person(std::uint64_t mobile) const {
  auto sorted_end = person_mobile_.begin() + sorted_persons_;
  auto it = std::lower_bound(person_mobile_.begin(), sorted_end, mobile);
  if (it != sorted_end && *it == mobile) return static_cast<std::uint32_t>(it - person_mobile_.begin());
  for (std::size_t i = sorted_persons_; i < person_mobile_.size(); ++i)
    if (person_mobile_[i] == mobile) return static_cast<std::uint32_t>(i);
  return std::nullopt;
}

std::uint32_t OrgIndex::person_for(std::uint64_t mobile) {
  if (auto known = std::as_const(*this).find_person(mobile)) return *known;
  // person_mobile_ is sorted by mobile from the build; people added later by
  // single-contact changes are appended, and searched linearly (few).
  person_mobile_.push_back(mobile);
  return static_cast<std::uint32_t>(person_mobile_.size() - 1);
}

void OrgIndex::index_ids() {
  std::sort(ids_.begin(), ids_.end(), [](const IdEntry& a, const IdEntry& b) { return a.hash < b.hash; });
}

std::size_t OrgIndex::memory_bytes() const {
  std::size_t bytes = capacity_bytes(posts_) + capacity_bytes(first_post_) + capacity_bytes(person_mobile_) +
                      capacity_bytes(ids_);
  for (const auto& id : overlay_ids_) bytes += sizeof(id) + id.capacity();
  return bytes + units_->memory_bytes();
}

// ---------------------------------------------------------------- builder

OrgIndexBuilder::OrgIndexBuilder(Vocabulary vocabulary, std::uint64_t version)
    : units_(std::make_shared<UnitTable>()), index_(std::make_shared<OrgIndex>()) {
  index_->vocabulary_ = std::move(vocabulary);
  index_->version_ = version;
}

void OrgIndexBuilder::add_unit(const UnitView& unit) {
  pending_units_.push_back({std::string(unit.id), std::string(unit.parent_id), std::string(unit.name),
                            std::string(unit.name_hi), index_->vocabulary_.level_of(unit.level)});
}

void OrgIndexBuilder::finish_units() {
  const auto n = static_cast<std::uint32_t>(pending_units_.size());
  std::unordered_map<std::string_view, std::uint32_t> temp_by_id;
  temp_by_id.reserve(n);
  for (std::uint32_t i = 0; i < n; ++i) temp_by_id.emplace(pending_units_[i].id, i);

  // Children in compressed rows, in input order.
  std::vector<std::uint32_t> parent(n, kNoUnit), child_start(n + 1, 0);
  for (std::uint32_t i = 0; i < n; ++i) {
    const auto& p = pending_units_[i].parent_id;
    if (p.empty()) continue;
    auto it = temp_by_id.find(p);
    if (it == temp_by_id.end() || it->second == i) continue;  // validated at import; treated as a root
    parent[i] = it->second;
    ++child_start[it->second + 1];
  }
  for (std::uint32_t i = 0; i < n; ++i) child_start[i + 1] += child_start[i];
  std::vector<std::uint32_t> children(child_start[n]);
  {
    std::vector<std::uint32_t> cursor(child_start.begin(), child_start.end() - 1);
    for (std::uint32_t i = 0; i < n; ++i)
      if (parent[i] != kNoUnit) children[cursor[parent[i]]++] = i;
  }

  // Iterative pre-order walk from each root. Units on a cycle are never
  // reached (the importer rejects cycles; this only guards corrupt data).
  std::vector<std::uint32_t> order;
  order.reserve(n);
  std::vector<std::uint32_t> pre(n, kNoUnit), end(n, 0);
  std::vector<std::pair<std::uint32_t, std::uint32_t>> stack;  // (unit, next child slot)
  for (std::uint32_t root = 0; root < n; ++root) {
    if (parent[root] != kNoUnit) continue;
    stack.push_back({root, child_start[root]});
    pre[root] = static_cast<std::uint32_t>(order.size());
    order.push_back(root);
    while (!stack.empty()) {
      auto& [unit, slot] = stack.back();
      if (slot < child_start[unit + 1]) {
        auto child = children[slot++];
        pre[child] = static_cast<std::uint32_t>(order.size());
        order.push_back(child);
        stack.push_back({child, child_start[child]});
      } else {
        end[unit] = static_cast<std::uint32_t>(order.size());
        stack.pop_back();
      }
    }
  }

  auto& t = *units_;
  const auto m = static_cast<std::uint32_t>(order.size());
  t.level_.resize(m);
  t.parent_.resize(m);
  t.subtree_end_.resize(m);
  t.at_level_.assign(index_->vocabulary_.levels().size(), {});
  for (std::uint32_t u = 0; u < m; ++u) {
    auto i = order[u];
    const auto& unit = pending_units_[i];
    auto level = static_cast<std::uint8_t>(std::max(0, unit.level));
    t.level_[u] = level;
    t.parent_[u] = parent[i] == kNoUnit ? kNoUnit : pre[parent[i]];
    t.subtree_end_[u] = end[i];
    t.ids_.add(unit.id);
    t.names_.add(unit.name);
    t.names_hi_.add(unit.name_hi);
    t.at_level_[level].push_back(u);
  }
  t.ids_.shrink();
  t.names_.shrink();
  t.names_hi_.shrink();
  t.by_id_.reserve(m);
  for (std::uint32_t u = 0; u < m; ++u) t.by_id_.emplace(t.ids_.at(u), u);
  pending_units_.clear();
  pending_units_.shrink_to_fit();
  index_->units_ = units_;
}

bool OrgIndexBuilder::make_post(std::uint32_t record, const ContactView& c, Post& post) {
  const auto& vocab = index_->vocabulary_;
  post.unit = units_->find(c.unit_id);
  int role = vocab.role_of(c.role);
  if (post.unit == kNoUnit || role < 0 || c.mobile == 0) {
    ++index_->skipped_;
    return false;
  }
  post.role = static_cast<std::uint8_t>(role);
  int language = vocab.language_of(c.language);
  post.language = static_cast<std::uint8_t>(language < 0 ? vocab.default_language() : language);
  post.tags = 0;
  for (auto tag : c.tags)
    if (int bit = vocab.tag_of(tag); bit >= 0) post.tags |= std::uint64_t{1} << bit;
  post.channels = channel_sms | (c.whatsapp ? channel_whatsapp : 0) | (c.app_token.empty() ? 0 : channel_push);
  post.record = record;
  return true;
}

void OrgIndexBuilder::add_contact(std::uint32_t record, const ContactView& contact) {
  Post post;
  if (!make_post(record, contact, post)) return;
  // Person ids are assigned in finish(), in mobile order; until then the
  // field holds the post's position so finish() can find the mobile.
  post.person = static_cast<std::uint32_t>(index_->posts_.size());
  index_->posts_.push_back(post);
  index_->person_mobile_.push_back(contact.mobile);  // per post until finish()
  ids_.push_back({hash_id(contact.id), record, post.person});
}

void OrgIndexBuilder::begin_overlay(std::uint32_t snapshot_records) { index_->snapshot_records_ = snapshot_records; }

void OrgIndexBuilder::add_overlay_contact(const ContactView& contact) {
  auto record = index_->snapshot_records_ + static_cast<std::uint32_t>(index_->overlay_ids_.size());
  index_->overlay_ids_.emplace_back(contact.id);
  add_contact(record, contact);
}

std::shared_ptr<const OrgIndex> OrgIndexBuilder::finish() {
  auto& idx = *index_;
  if (!idx.units_) finish_units();
  if (idx.snapshot_records_ == 0 && idx.overlay_ids_.empty()) {
    std::uint32_t max_record = 0;
    for (const auto& p : idx.posts_) max_record = std::max(max_record, p.record + 1);
    idx.snapshot_records_ = max_record;
  }
  // Dense person ids in mobile order: same mobile, same person.
  const auto post_count = static_cast<std::uint32_t>(idx.posts_.size());
  std::vector<std::uint32_t> by_mobile(post_count);
  for (std::uint32_t i = 0; i < post_count; ++i) by_mobile[i] = i;
  std::sort(by_mobile.begin(), by_mobile.end(),
            [&](std::uint32_t a, std::uint32_t b) { return idx.person_mobile_[a] < idx.person_mobile_[b]; });
  std::vector<std::uint64_t> person_mobile;
  std::vector<std::uint32_t> person_of_post(post_count);
  for (auto i : by_mobile) {
    auto mobile = idx.person_mobile_[i];
    if (person_mobile.empty() || person_mobile.back() != mobile) person_mobile.push_back(mobile);
    person_of_post[i] = static_cast<std::uint32_t>(person_mobile.size() - 1);
  }
  for (std::uint32_t i = 0; i < post_count; ++i) idx.posts_[i].person = person_of_post[i];
  for (auto& entry : ids_) entry.person = person_of_post[entry.person];
  person_mobile.shrink_to_fit();
  idx.person_mobile_ = std::move(person_mobile);
  idx.sorted_persons_ = static_cast<std::uint32_t>(idx.person_mobile_.size());

  order_posts_by_unit(idx.posts_, units_->size(), idx.first_post_);
  idx.posts_.shrink_to_fit();
  idx.ids_ = std::move(ids_);
  idx.ids_.shrink_to_fit();
  idx.index_ids();
  return std::move(index_);
}

// ---------------------------------------------------------------- changes

std::shared_ptr<const OrgIndex> apply_changes(const OrgIndex& base, std::span<const ContactChange> changes,
                                              std::size_t* rejected) {
  auto next = std::make_shared<OrgIndex>();
  next->version_ = base.version_;
  next->vocabulary_ = base.vocabulary_;
  next->units_ = base.units_;
  next->person_mobile_ = base.person_mobile_;
  next->sorted_persons_ = base.sorted_persons_;
  next->snapshot_records_ = base.snapshot_records_;
  next->overlay_ids_ = base.overlay_ids_;
  next->skipped_ = base.skipped_;

  // The last change of each id wins.
  std::unordered_map<std::string_view, const ContactChange*> latest;
  for (const auto& change : changes) latest[change.id] = &change;

  std::unordered_set<std::uint32_t> removed;
  std::vector<Post> added;
  std::vector<OrgIndex::IdEntry> added_ids;
  OrgIndexBuilder helper(base.vocabulary_, base.version_);
  helper.units_ = std::const_pointer_cast<UnitTable>(base.units_);
  std::size_t refused = 0;
  for (const auto& [id, change] : latest) {
    if (auto ref = base.find_contact(id)) removed.insert(ref->record);
    if (!change->record) continue;
    auto view = change->record->view();
    auto record = next->snapshot_records_ + static_cast<std::uint32_t>(next->overlay_ids_.size());
    Post post;
    if (!helper.make_post(record, view, post)) {
      ++refused;
      continue;
    }
    post.person = next->person_for(view.mobile);
    next->overlay_ids_.emplace_back(id);
    added.push_back(post);
    added_ids.push_back({hash_id(id), record, post.person});
  }
  if (rejected) *rejected = refused;

  next->posts_.reserve(base.posts_.size() + added.size());
  for (const auto& p : base.posts_)
    if (!removed.contains(p.record)) next->posts_.push_back(p);
  next->posts_.insert(next->posts_.end(), added.begin(), added.end());
  order_posts_by_unit(next->posts_, base.units_->size(), next->first_post_);

  next->ids_.reserve(base.ids_.size() + added_ids.size());
  for (const auto& e : base.ids_)
    if (!removed.contains(e.record)) next->ids_.push_back(e);
  next->ids_.insert(next->ids_.end(), added_ids.begin(), added_ids.end());
  next->index_ids();
  return next;
}

}  // namespace orgcast::directory
