#include "inbound/reply_decision.hpp"

namespace orgcast::inbound {

Decision decide(const keywords::Engine& engine, const std::optional<Sender>& sender, std::uint64_t from_number, std::string_view text) {
  using Intent = keywords::Reading::Intent;
  Decision d;
  d.reading = engine.read(text);
  d.mobile = sender ? sender->mobile : 0;
  d.language = !d.reading.language.empty() ? d.reading.language : sender ? sender->language() : "";
  switch (d.reading.intent) {
    case Intent::opt_out:
    case Intent::opt_in:
      if (from_number == 0) break;  // no number to keep it under: an unknown sender
      // Consent belongs to the number, in the directory or not yet.
      d.mobile = from_number;
      d.outcome = d.reading.intent == Intent::opt_out ? "opted_out" : "opted_in";
      return d;
    default: break;
  }
  if (!sender) {
    d.outcome = "unknown_sender";
    return d;
  }
  switch (d.reading.intent) {
    case Intent::opt_out:
    case Intent::opt_in: d.outcome = "for_a_person"; break;  // a number we cannot act for; a person reads it
    case Intent::yes:
    case Intent::no: d.outcome = "answer"; break;
    case Intent::report: d.outcome = "report"; break;
    case Intent::help: d.outcome = "help"; break;
    default: d.outcome = d.reading.for_a_person ? "for_a_person" : "unrecognised"; break;
  }
  return d;
}

}  // namespace orgcast::inbound
