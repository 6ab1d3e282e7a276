#include "directory/resolver.hpp"

#include <algorithm>

namespace orgcast::directory {
namespace {

using Range = std::pair<std::uint32_t, std::uint32_t>;  // units [first, end)

std::vector<Range> merged_ranges(const UnitTable& units, const std::vector<UnitChoice>& choices) {
  std::vector<Range> ranges;
  for (const auto& c : choices) ranges.push_back({c.unit, c.descendants ? units.subtree_end(c.unit) : c.unit + 1});
  std::sort(ranges.begin(), ranges.end());
  std::vector<Range> merged;
  for (const auto& r : ranges) {
    if (!merged.empty() && r.first <= merged.back().second) merged.back().second = std::max(merged.back().second, r.second);
    else merged.push_back(r);
  }
  return merged;
}

// The chosen ranges minus the excluded ones.
std::vector<Range> subtract(const std::vector<Range>& chosen, const std::vector<Range>& excluded) {
  std::vector<Range> out;
  for (auto [first, end] : chosen) {
    for (const auto& x : excluded) {
      if (x.second <= first || x.first >= end) continue;
      if (x.first > first) out.push_back({first, x.first});
      first = std::max(first, x.second);
      if (first >= end) break;
    }
    if (first < end) out.push_back({first, end});
  }
  return out;
}

class Scan {
 public:
  Scan(const OrgIndex& index, const Selector& s, Resolution& out)
      : posts_(index.posts()), s_(s), out_(out), seen_((index.person_count() + 63) / 64, 0),
        any_role_(s.roles.none()) {
    if (!s.only_persons.empty()) {
      // Everyone is marked seen but the people asked for.
      std::fill(seen_.begin(), seen_.end(), ~std::uint64_t{0});
      for (auto person : s.only_persons)
        if (person < index.person_count()) seen_[person >> 6] &= ~(std::uint64_t{1} << (person & 63));
    }
    for (auto person : s.exclude_persons) mark(person);
  }

  void posts(std::uint32_t first, std::uint32_t end) {
    for (std::uint32_t i = first; i < end; ++i) {
      const Post& p = posts_[i];
      if (!any_role_ && !s_.roles.test(p.role)) continue;
      if (s_.languages && !(s_.languages >> p.language & 1)) continue;
      if (s_.tags_any && !(p.tags & s_.tags_any)) continue;
      if ((p.tags & s_.tags_all) != s_.tags_all) continue;
      if (p.tags & s_.exclude_tags) continue;
      if (s_.channels && !(p.channels & s_.channels)) continue;
      if (marked(p.person)) continue;
      mark(p.person);
      out_.posts.push_back(i);
    }
  }

 private:
  bool marked(std::uint32_t person) const { return seen_[person >> 6] >> (person & 63) & 1; }
  void mark(std::uint32_t person) { seen_[person >> 6] |= std::uint64_t{1} << (person & 63); }

  std::span<const Post> posts_;
  const Selector& s_;
  Resolution& out_;
  std::vector<std::uint64_t> seen_;
  bool any_role_;
};

}  // namespace

Resolution resolve(const OrgIndex& index, const Selector& selector) {
  Resolution out;
  const auto& units = index.units();
  if (units.size() == 0) return out;
  std::vector<Range> chosen = selector.units.empty() ? std::vector<Range>{{0, units.size()}}
                                                     : merged_ranges(units, selector.units);
  auto ranges = subtract(chosen, merged_ranges(units, selector.exclude_units));
  Scan scan(index, selector, out);
  if (selector.levels == 0) {
    for (auto [first, end] : ranges) {
      auto [p, q] = index.post_range(first, end);
      scan.posts(p, q);
    }
    return out;
  }
  // With a level filter, visit only the units at those levels (top level
  // first, so a person's highest post is the one kept).
  for (std::size_t level = 0; level < index.vocabulary().levels().size() && level < 64; ++level) {
    if (!(selector.levels >> level & 1)) continue;
    auto at_level = units.at_level(level);
    for (auto [first, end] : ranges) {
      auto it = std::lower_bound(at_level.begin(), at_level.end(), first);
      for (; it != at_level.end() && *it < end; ++it) {
        auto [p, q] = index.post_range(*it, *it + 1);
        scan.posts(p, q);
      }
    }
  }
  return out;
}

std::vector<std::pair<std::string, std::uint64_t>> filter_funnel(const OrgIndex& index, const Selector& selector) {
  const auto& units = index.units();
  std::vector<Range> chosen = selector.units.empty() ? std::vector<Range>{{0, units.size()}} : merged_ranges(units, selector.units);
  const auto ranges = subtract(chosen, merged_ranges(units, selector.exclude_units));
  std::vector<std::uint64_t> only(selector.only_persons.begin(), selector.only_persons.end()), excluded(selector.exclude_persons.begin(),
                                                                                                       selector.exclude_persons.end());
  std::sort(only.begin(), only.end());
  std::sort(excluded.begin(), excluded.end());
  // Each filter in the order it is told, and whether the selector uses it.
  using Test = bool (*)(const Selector&, const Post&, const UnitTable&, const std::vector<std::uint64_t>&, const std::vector<std::uint64_t>&);
  struct Filter {
    const char* key;
    bool used;
    Test keeps;
  };
  const Filter filters[] = {
      {"levels", selector.levels != 0, [](const Selector& s, const Post& p, const UnitTable& u, const auto&, const auto&) { return u.level(p.unit) < 64 && (s.levels >> u.level(p.unit) & 1) != 0; }},
      {"roles", selector.roles.any(), [](const Selector& s, const Post& p, const UnitTable&, const auto&, const auto&) { return s.roles.test(p.role); }},
      {"languages", selector.languages != 0, [](const Selector& s, const Post& p, const UnitTable&, const auto&, const auto&) { return (s.languages >> p.language & 1) != 0; }},
      {"tags", selector.tags_any != 0 || selector.tags_all != 0,
       [](const Selector& s, const Post& p, const UnitTable&, const auto&, const auto&) {
         return (!s.tags_any || (p.tags & s.tags_any)) && (p.tags & s.tags_all) == s.tags_all;
       }},
      {"exclude.tags", selector.exclude_tags != 0, [](const Selector& s, const Post& p, const UnitTable&, const auto&, const auto&) { return !(p.tags & s.exclude_tags); }},
      {"channels", selector.channels != 0, [](const Selector& s, const Post& p, const UnitTable&, const auto&, const auto&) { return (p.channels & s.channels) != 0; }},
      {"people", !selector.only_persons.empty() || !selector.exclude_persons.empty(),
       [](const Selector&, const Post& p, const UnitTable&, const std::vector<std::uint64_t>& in, const std::vector<std::uint64_t>& out) {
         return (in.empty() || std::binary_search(in.begin(), in.end(), p.person)) && !std::binary_search(out.begin(), out.end(), p.person);
       }},
  };
  constexpr std::size_t kFilters = std::size(filters);
  std::uint64_t in_units = 0;
  std::uint64_t failed_at[kFilters] = {};
  const auto posts = index.posts();
  for (auto [first, end] : ranges) {
    const auto [p, q] = index.post_range(first, end);
    for (auto i = p; i < q; ++i) {
      ++in_units;
      for (std::size_t f = 0; f < kFilters; ++f)
        if (filters[f].used && !filters[f].keeps(selector, posts[i], units, only, excluded)) {
          ++failed_at[f];
          break;
        }
    }
  }
  std::vector<std::pair<std::string, std::uint64_t>> out{{"units", in_units}};
  std::uint64_t left = in_units;
  for (std::size_t f = 0; f < kFilters; ++f) {
    if (!filters[f].used) continue;
    left -= failed_at[f];
    out.emplace_back(filters[f].key, left);
  }
  return out;
}

AudienceSummary summarize(const OrgIndex& index, const Selector& selector, const Resolution& resolution,
                          std::size_t sample_size) {
  AudienceSummary s;
  const auto& units = index.units();
  auto posts = index.posts();
  s.count = resolution.posts.size();
  s.by_level.assign(index.vocabulary().levels().size(), 0);

  if (!selector.units.empty()) {
    s.root = selector.units.front().unit;
    for (const auto& choice : selector.units) {
      if (s.root == kNoUnit) break;
      s.root = units.common_ancestor(s.root, choice.unit);
    }
  } else if (auto roots = units.roots(); roots.size() == 1) {
    s.root = roots.front();
  }
  std::vector<std::uint32_t> children;
  if (s.root != kNoUnit) children = units.children(s.root);
  std::vector<std::uint64_t> child_counts(children.size(), 0);

  for (auto i : resolution.posts) {
    const Post& p = posts[i];
    ++s.by_level[units.level(p.unit)];
    s.sms += (p.channels & channel_sms) != 0;
    s.whatsapp += (p.channels & channel_whatsapp) != 0;
    s.push += (p.channels & channel_push) != 0;
    if (s.root == kNoUnit) continue;
    if (p.unit == s.root) {
      ++s.at_root;
      continue;
    }
    auto it = std::upper_bound(children.begin(), children.end(), p.unit);
    if (it != children.begin()) ++child_counts[static_cast<std::size_t>(it - children.begin() - 1)];
  }
  for (std::size_t c = 0; c < children.size(); ++c) s.by_child.push_back({children[c], child_counts[c]});

  auto n = resolution.posts.size();
  auto take = std::min(sample_size, n);
  for (std::size_t k = 0; k < take; ++k) s.sample.push_back(resolution.posts[k * n / take]);
  return s;
}

}  // namespace orgcast::directory
