#include "sms/dlt_match.hpp"

#include "core/text.hpp"

namespace orgcast::sms {
namespace {

constexpr std::string_view kPlaceholder = "{#var#}";

// Whether rendered[pos..] matches statics[k..] with variables between them;
// backtracks over where each static part may start, since a variable's text
// may itself contain a static part's text.
bool matches(const DltTemplate& t, std::string_view rendered, std::size_t pos, std::size_t k, std::size_t max_chars) {
  const auto& last = t.statics.back();
  if (k == t.statics.size() - 1) {
    // The final variable, then the final static text.
    if (rendered.size() < pos + last.size() || rendered.substr(rendered.size() - last.size()) != last) return false;
    return characters(rendered.substr(pos, rendered.size() - last.size() - pos)) <= max_chars;
  }
  const auto& next = t.statics[k];
  for (std::size_t at = rendered.find(next, pos); at != std::string_view::npos; at = rendered.find(next, at + 1)) {
    if (characters(rendered.substr(pos, at - pos)) > max_chars) return false;  // later positions are longer still
    if (matches(t, rendered, at + next.size(), k + 1, max_chars)) return true;
  }
  return false;
}

}  // namespace

DltTemplate parse_dlt(std::string_view registered) {
  DltTemplate t;
  std::size_t from = 0;
  for (auto at = registered.find(kPlaceholder); at != std::string_view::npos; at = registered.find(kPlaceholder, from)) {
    t.statics.emplace_back(registered.substr(from, at - from));
    from = at + kPlaceholder.size();
  }
  t.statics.emplace_back(registered.substr(from));
  return t;
}

std::string check_dlt(const DltTemplate& t, std::string_view rendered, std::size_t max_chars) {
  const auto& first = t.statics.front();
  if (rendered.substr(0, first.size()) != first) return "the text does not begin with the registered \"" + first + "\"";
  if (t.variables() == 0)
    return rendered == first ? "" : "the text differs from the registered text, which has no variables";
  if (matches(t, rendered, first.size(), 1, max_chars)) return "";
  // Not a match: find the first static part that cannot be placed, for the message.
  std::size_t pos = first.size();
  for (std::size_t k = 1; k < t.statics.size(); ++k) {
    const auto& part = t.statics[k];
    const auto at = k + 1 == t.statics.size() ? (rendered.size() >= part.size() && rendered.ends_with(part) ? rendered.size() - part.size()
                                                                                                           : std::string_view::npos)
                                              : rendered.find(part, pos);
    if (at == std::string_view::npos || at < pos)
      return "the registered text \"" + part + "\" (after variable " + std::to_string(k) + ") is not in the text";
    if (characters(rendered.substr(pos, at - pos)) > max_chars)
      return "variable " + std::to_string(k) + " is " + std::to_string(characters(rendered.substr(pos, at - pos))) +
             " characters, more than the " + std::to_string(max_chars) + " DLT allows";
    pos = at + part.size();
  }
  return "the text does not match the registered DLT text";
}

}  // namespace orgcast::sms
