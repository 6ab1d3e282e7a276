#pragma once
// India's rule for promotional SMS (TRAI's TCCCPR): only from 10:00 to
// 21:00 IST. Used where a broadcast is accepted (it is scheduled for the
// window) and by adapters that must not send outside it.
#include <chrono>
#include <optional>

namespace orgcast::adapters {

/// nullopt when `t` is inside 10:00-21:00 IST; otherwise when the window next opens (10:00 IST).
std::optional<std::chrono::system_clock::time_point> promotional_window_opens(std::chrono::system_clock::time_point t);

}  // namespace orgcast::adapters
