#pragma once
// Who wrote (pure logic over the directory index in memory): an inbound
// message's number to the person and their current posts, with no Redis
// round trip per reply. Answers, consent and reports belong to the person
// (their mobile): contact ids are posts and change with re-imports. The
// posts-by-person table is built once per index version, on first use.
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "directory/org_index.hpp"

namespace orgcast::inbound {

struct Sender {
  std::uint64_t mobile = 0;                    // E.164 digits
  std::vector<directory::Post> posts;          // current posts, in directory order
  std::shared_ptr<const directory::OrgIndex> index;  // the version they were found in
  /// The language of the person's first post ("" if none is configured).
  std::string language() const;
};

class SenderDirectory {
 public:
  explicit SenderDirectory(std::function<std::shared_ptr<const directory::OrgIndex>()> index);
  /// The person writing from `from` (any form of an Indian mobile), if the directory has them. Thread-safe.
  std::optional<Sender> find(std::string_view from) const;

 private:
  struct ByPerson {
    std::shared_ptr<const directory::OrgIndex> index;
    std::vector<std::uint32_t> first;  // per person, then one past the end: into `posts`
    std::vector<std::uint32_t> posts;  // post numbers grouped by person
  };
  std::shared_ptr<const ByPerson> current() const;

  std::function<std::shared_ptr<const directory::OrgIndex>()> index_;
  mutable std::mutex mutex_;  // guards by_person_
  mutable std::shared_ptr<const ByPerson> by_person_;
};

}  // namespace orgcast::inbound
