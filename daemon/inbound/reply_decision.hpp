#pragma once
// What orgcast does with one inbound message (pure logic): from who wrote
// (inbound/sender_directory) and what the keyword engine read. The outcome
// is kept with the message (GET /v1/inbound?outcome=...):
//   opted_out, opted_in   STOP / START as the whole message (also from a
//                         number not in the directory: a STOP is honoured)
//   answer                YES or NO (with a meeting code, if given)
//   report                REPORT and its text
//   help                  HELP
//   for_a_person          STOP or START with other words: a person reads it
//   unrecognised          a person in the directory, no keyword
//   unknown_sender        a number not in the directory, no opt-out: no reply
#include <optional>
#include <string>
#include <string_view>

#include "inbound/sender_directory.hpp"
#include "keywords/engine.hpp"

namespace orgcast::inbound {

struct Decision {
  std::string outcome;
  keywords::Reading reading;
  std::uint64_t mobile = 0;  // the person (or the number, for an opt-out from outside the directory); 0: unknown
  std::string language;      // to answer in: the matched word's, else the person's
};

Decision decide(const keywords::Engine& engine, const std::optional<Sender>& sender, std::uint64_t from_number, std::string_view text);

}  // namespace orgcast::inbound
