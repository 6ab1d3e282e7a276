#pragma once
// The Lua scripts of the pipeline (docs/PIPELINE.md), as Redis runs them:
// each file of daemon/dispatch/lua/ (embedded at build time) with the
// shared helpers it uses in front. Each one changes recipients' state
// records and the counters that follow them in one atomic step, so that a
// crash never leaves the two disagreeing. tests/integration/lua_scripts_test.cpp
// runs them against a real Redis.
#include <string>

#include "lua_scripts.hpp"

namespace orgcast::dispatch {

namespace detail {
template <typename... Parts>
std::string joined(Parts... parts) {
  std::string out;
  ((out += parts, out += '\n'), ...);
  return out;
}
}  // namespace detail

inline const std::string kClaimScript = detail::joined(lua::helpers, lua::claim);
inline const std::string kRecordWindowScript = detail::joined(lua::helpers, lua::apply_report, lua::record_window);
inline const std::string kSettleScript = detail::joined(lua::helpers, lua::settle);
inline const std::string kReleaseScript = detail::joined(lua::helpers, lua::release);
inline const std::string kFinishChunkScript = detail::joined(lua::helpers, lua::finish_chunk);
inline const std::string kApplyReportsScript = detail::joined(lua::helpers, lua::apply_report, lua::apply_reports);
inline const std::string kReportTimeoutScript = detail::joined(lua::helpers, lua::apply_report, lua::report_timeout);
inline const std::string kExpireEndedScript = std::string(lua::expire_ended);
inline const std::string kRequeueRetriesScript = std::string(lua::requeue_retries);
inline const std::string kTakeOverScript = std::string(lua::take_over);
inline const std::string kBeatScript = std::string(lua::beat);

}  // namespace orgcast::dispatch
