#pragma once
// Audience resolution: a selector applied to an index gives each matching
// person once, with the post that made them match (the first in pre-order,
// i.e. their highest post in the chosen part of the tree). Pure and
// allocation-light: one pass over contiguous post ranges plus a bitmap.
#include <cstdint>
#include <string>
#include <utility>
#include <string_view>
#include <vector>

#include "directory/org_index.hpp"
#include "directory/selector.hpp"

namespace orgcast::directory {

struct Resolution {
  std::vector<std::uint32_t> posts;  // indices into index.posts(), one per person
};

Resolution resolve(const OrgIndex& index, const Selector& selector);

/// Why an audience came out empty: how many posts are left after each
/// filter of the selector in turn (its units, then levels, roles,
/// languages, tags, excluded tags, channels, and the people named or
/// excluded), each filter the selector uses named by its JSON key. The
/// first zero is the filter that emptied it.
std::vector<std::pair<std::string, std::uint64_t>> filter_funnel(const OrgIndex& index, const Selector& selector);

/// Counts of a resolved audience, for previews and reports.
struct AudienceSummary {
  std::uint64_t count = 0;
  std::vector<std::uint64_t> by_level;  // per level
  std::uint32_t root = kNoUnit;         // the unit whose children are broken down
  std::uint64_t at_root = 0;            // people whose post is at the root itself
  std::vector<std::pair<std::uint32_t, std::uint64_t>> by_child;  // (child unit, count), pre-order
  std::uint64_t sms = 0, whatsapp = 0, push = 0;                   // reachable on each channel
  std::vector<std::uint32_t> sample;                               // post indices, evenly spread
};

AudienceSummary summarize(const OrgIndex& index, const Selector& selector, const Resolution& resolution,
                          std::size_t sample_size);

}  // namespace orgcast::directory
