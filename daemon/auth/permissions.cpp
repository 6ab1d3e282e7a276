#include "auth/permissions.hpp"

namespace orgcast::auth {

namespace {
constexpr const char* kNames[kPermissionCount] = {"view",    "view_contacts",    "send_announcement", "send_summons", "manage_meetings",
                                                  "approve", "manage_directory", "manage_users",      "manage_tokens"};
}

const char* name(Permission p) { return kNames[static_cast<int>(p)]; }

std::optional<Permission> parse_permission(std::string_view text) {
  for (int p = 0; p < kPermissionCount; ++p)
    if (text == kNames[p]) return static_cast<Permission>(p);
  return std::nullopt;
}

Permissions Permissions::all() {
  Permissions out;
  for (int p = 0; p < kPermissionCount; ++p) out.add(static_cast<Permission>(p));
  return out;
}

std::vector<std::string> Permissions::names() const {
  std::vector<std::string> out;
  for (int p = 0; p < kPermissionCount; ++p)
    if (has(static_cast<Permission>(p))) out.emplace_back(kNames[p]);
  return out;
}

std::map<std::string, Profile> shipped_profiles() {
  using P = Permission;
  auto profile = [](std::string name, std::initializer_list<Permission> ps) {
    Profile out{std::move(name), {}};
    for (auto p : ps) out.permissions.add(p);
    return out;
  };
  std::map<std::string, Profile> out;
  out["state_admin"] = {"state_admin", Permissions::all()};
  out["district_president"] = profile("district_president", {P::view, P::view_contacts, P::send_announcement, P::send_summons,
                                                             P::manage_meetings, P::approve});
  out["office_staff"] = profile("office_staff", {P::view, P::view_contacts, P::manage_meetings, P::manage_directory});
  // A machine (a cron job, the party's other systems): sends and reads counts, no numbers.
  out["scheduler"] = profile("scheduler", {P::view, P::send_announcement, P::send_summons});
  return out;
}

std::map<std::string, Profile> profiles_with(const std::map<std::string, std::vector<std::string>>& configured) {
  auto out = shipped_profiles();
  for (const auto& [name, permissions] : configured) {
    Profile p{name, {}};
    for (const auto& text : permissions)
      if (auto permission = parse_permission(text)) p.permissions.add(*permission);
    out[name] = p;
  }
  return out;
}

}  // namespace orgcast::auth
