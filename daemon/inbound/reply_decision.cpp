#include "inbound/reply_decision.hpp"

#include <algorithm>

namespace orgcast::inbound {

std::optional<directory::Post> reporting_post(const Sender& sender, const ReportRule& rule) {
  if (!sender.index) return std::nullopt;
  const auto& vocabulary = sender.index->vocabulary();
  const auto& units = sender.index->units();
  auto named = [](const std::vector<std::string>& names, const std::vector<std::string>& allowed, std::size_t i) {
    return i < names.size() && std::find(allowed.begin(), allowed.end(), names[i]) != allowed.end();
  };
  for (const auto& post : sender.posts)
    if (named(vocabulary.levels(), rule.levels, units.level(post.unit)) && named(vocabulary.roles(), rule.roles, post.role)) return post;
  return std::nullopt;
}

std::string unit_chains(const Sender& sender) {
  std::string out;
  if (!sender.index) return out;
  const auto& units = sender.index->units();
  // In the units' order (pre-order), as the resolver picks a person's post.
  std::vector<std::uint32_t> posts_units;
  for (const auto& post : sender.posts) posts_units.push_back(post.unit);
  std::sort(posts_units.begin(), posts_units.end());
  for (const auto unit : posts_units) {
    std::vector<std::string_view> chain;
    for (auto u = unit; u != directory::kNoUnit; u = units.parent(u)) chain.push_back(units.id(u));
    if (!out.empty()) out += '\x1e';
    for (auto it = chain.rbegin(); it != chain.rend(); ++it) {
      if (it != chain.rbegin()) out += '\x1f';
      out += *it;
    }
  }
  return out;
}

Decision decide(const keywords::Engine& engine, const std::optional<Sender>& sender, std::uint64_t from_number, std::string_view text,
                const ReportRule& reports) {
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
    case Intent::no:
      d.outcome = "answer";
      d.unit_chains = unit_chains(*sender);
      break;
    case Intent::report:
      if (auto post = reporting_post(*sender, reports)) {
        d.outcome = "report";
        d.report_unit = std::string(sender->index->units().id(post->unit));
      } else {
        d.outcome = "for_a_person";  // someone whose post files no daily report: a person reads it
      }
      break;
    case Intent::help: d.outcome = "help"; break;
    default: d.outcome = d.reading.for_a_person ? "for_a_person" : "unrecognised"; break;
  }
  return d;
}

}  // namespace orgcast::inbound
