#include "api/meeting_tally.hpp"

#include <algorithm>
#include <boost/json.hpp>
#include <map>

namespace orgcast::api {

namespace json = boost::json;

namespace {

struct Row {
  long long summoned = 0, yes = 0, no = 0, not_delivered = 0;
  json::object to_json() const {
    // Not delivered is a part of those summoned, told apart: they may have
    // answered since (by the link, or a reminder on another channel).
    return json::object{{"summoned", summoned}, {"yes", yes}, {"no", no}, {"no_answer", std::max(0LL, summoned - yes - no)},
                        {"not_delivered", not_delivered}};
  }
};

// Not reached on any channel of the policy: the summons ended failed or expired.
bool not_delivered(std::string_view state) { return state == "failed" || state == "expired"; }

}  // namespace

json::object meeting_tally(const meetings::Meeting& meeting, const broadcast::BroadcastInfo* summons, const directory::OrgIndex* index) {
  Row overall{meeting.summoned, meeting.yes, meeting.no, 0};
  std::map<std::string, Row> units;
  if (summons) {
    // "failed" overall, "u:<unit>:failed" per unit (the summons is counted per unit below the tally's root).
    for (const auto& [name, value] : summons->counters) {
      if (not_delivered(name)) overall.not_delivered += value;
      if (!name.starts_with("u:")) continue;
      const auto colon = name.rfind(':');
      if (not_delivered(std::string_view(name).substr(colon + 1))) units[name.substr(2, colon - 2)].not_delivered += value;
    }
  }
  for (const auto& [name, value] : meeting.by_unit) {  // "<unit>|summoned", "<unit>|yes", "<unit>|no"
    const auto bar = name.rfind('|');
    auto& row = units[name.substr(0, bar)];
    const auto what = std::string_view(name).substr(bar + 1);
    (what == "summoned" ? row.summoned : what == "yes" ? row.yes : row.no) += value;
  }
  // In the directory's order (the organiser's own people first), units it no longer has last.
  std::vector<std::pair<std::uint32_t, const std::string*>> order;
  for (const auto& [unit, row] : units)
    if (!unit.empty()) order.emplace_back(index ? index->units().find(unit) : directory::kNoUnit, &unit);
  std::stable_sort(order.begin(), order.end());
  json::array by_unit;
  for (const auto& [u, unit] : order) {
    auto row = units[*unit].to_json();
    row["unit_id"] = *unit;
    if (u != directory::kNoUnit) {
      row["name"] = index->units().name(u);
      row["name_hi"] = index->units().name_hi(u);
    }
    by_unit.push_back(std::move(row));
  }
  auto out = overall.to_json();
  out["by_unit"] = std::move(by_unit);
  return out;
}

}  // namespace orgcast::api
