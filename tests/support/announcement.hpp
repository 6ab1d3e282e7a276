#pragma once
// The rest of a broadcast body after its audience, for tests that send the
// shipped "announcement" template by SMS: R"({"audience": {...}, )" + kAnnouncement + "}".
#include <string>

namespace orgcast::testing {

inline const std::string kAnnouncement = R"("template": "announcement", "variables": {"subject": "बैठक", "details": "कल"}, "channels": ["sms"])";

}  // namespace orgcast::testing
