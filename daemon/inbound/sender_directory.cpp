#include "inbound/sender_directory.hpp"

#include "directory/phone.hpp"

namespace orgcast::inbound {

std::string Sender::language() const {
  if (posts.empty() || !index) return "";
  const auto& languages = index->vocabulary().languages();
  const auto l = posts.front().language;
  return l < languages.size() ? languages[l] : "";
}

SenderDirectory::SenderDirectory(std::function<std::shared_ptr<const directory::OrgIndex>()> index) : index_(std::move(index)) {}

std::shared_ptr<const SenderDirectory::ByPerson> SenderDirectory::current() const {
  auto index = index_ ? index_() : nullptr;
  if (!index) return nullptr;
  std::lock_guard lock(mutex_);
  if (by_person_ && by_person_->index == index) return by_person_;
  // Counting sort of the posts by person: one pass to count, one to place.
  auto built = std::make_shared<ByPerson>();
  built->index = index;
  const auto posts = index->posts();
  built->first.assign(index->person_count() + 1, 0);
  for (const auto& p : posts) ++built->first[p.person + 1];
  for (std::size_t i = 1; i < built->first.size(); ++i) built->first[i] += built->first[i - 1];
  built->posts.resize(posts.size());
  auto next = built->first;
  for (std::uint32_t n = 0; n < posts.size(); ++n) built->posts[next[posts[n].person]++] = n;
  by_person_ = built;
  return by_person_;
}

std::optional<Sender> SenderDirectory::find(std::string_view from) const {
  const auto mobile = phone::normalise_indian_mobile(from);
  if (!mobile) return std::nullopt;
  auto table = current();
  if (!table) return std::nullopt;
  const auto person = table->index->find_person(*mobile);
  if (!person || *person + 1 >= table->first.size()) return std::nullopt;
  Sender s;
  s.mobile = *mobile;
  s.index = table->index;
  const auto posts = table->index->posts();
  for (auto n = table->first[*person]; n < table->first[*person + 1]; ++n) s.posts.push_back(posts[table->posts[n]]);
  if (s.posts.empty()) return std::nullopt;  // every post of theirs was removed
  return s;
}

}  // namespace orgcast::inbound
