#pragma once
// Who may do what (pure logic, docs/ACCESS.md): the permissions a request
// may need, and access profiles, the named permission sets users and tokens
// are given (`auth.profiles` in config, else the shipped ones). Roles stay
// what they are in the directory (posts); a profile is what a login may do.
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace orgcast::auth {

enum class Permission : std::uint8_t {
  view,               // counts, tallies, reports, templates
  view_contacts,      // unmasked mobile numbers: contacts, recipients, inbound, who answered
  send_announcement,  // broadcasts and report reminders
  send_summons,       // meetings (their summons)
  manage_meetings,    // move, cancel, remind, attendance
  approve,            // the second person of the two-person rule
  manage_directory,   // imports, contact changes, consent recorded by the office
  manage_users,
  manage_tokens,
};
inline constexpr int kPermissionCount = 9;
const char* name(Permission p);
std::optional<Permission> parse_permission(std::string_view text);

/// A set of permissions, one bit each.
class Permissions {
 public:
  Permissions() = default;
  static Permissions all();
  void add(Permission p) { bits_ |= 1u << static_cast<unsigned>(p); }
  bool has(Permission p) const { return (bits_ >> static_cast<unsigned>(p)) & 1u; }
  /// Every permission of `other` is here too.
  bool covers(Permissions other) const { return (other.bits_ & ~bits_) == 0; }
  std::vector<std::string> names() const;
  bool operator==(const Permissions&) const = default;

 private:
  std::uint32_t bits_ = 0;
};

struct Profile {
  std::string name;
  Permissions permissions;
  bool operator==(const Profile&) const = default;
};

/// state_admin (everything), district_president, office_staff, scheduler (a machine).
std::map<std::string, Profile> shipped_profiles();
/// The shipped profiles with the configured ones (auth.profiles: name ->
/// permission names) over them; unknown permission names are skipped (the
/// config check refuses them first).
std::map<std::string, Profile> profiles_with(const std::map<std::string, std::vector<std::string>>& configured);

}  // namespace orgcast::auth
