#pragma once
// Rendering a template for one recipient on one channel: plain
// substitution of the broadcast's values (bound once per broadcast) and the
// contact's (name, role, unit, unit_path), times written in IST in the
// recipient's language. Values are copied as text, with control characters
// turned into spaces (WhatsApp refuses parameters with new lines or tabs),
// and shortened to their variable's maximum length.
#include <array>
#include <chrono>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "adapters/core/adapter.hpp"
#include "templates/template.hpp"

namespace orgcast::templates {

using TimePoint = std::chrono::system_clock::time_point;

/// A broadcast's values, by variable index (contact variables stay empty).
struct BoundValues {
  std::vector<std::string> text;
  std::vector<std::optional<TimePoint>> times;  // time variables
  /// Each time as written, by variable, language and TimePart: formatted
  /// once per broadcast rather than per recipient (write_times).
  std::vector<std::map<std::string, std::array<std::string, 3>, std::less<>>> written;
  /// The text values as rendered (cleaned, shortened): once per broadcast,
  /// not per recipient (write_times).
  std::vector<std::string> cleaned;
  /// A value given one per language ({"hi": "...", "en": "..."}), by
  /// variable and language, as given and as rendered; a recipient in a
  /// language without one gets `text` (the first language's value).
  std::vector<std::map<std::string, std::string, std::less<>>> text_by_language, cleaned_by_language;
};

/// Fills bound.written for every language the template has, and bound.cleaned.
void write_times(const Template& t, BoundValues& bound);

/// One recipient's values of the contact variables, in kContactVariables order.
using ContactValues = std::array<std::string, 4>;

struct Rendered {
  std::string language;  // the variant used
  std::string text;      // SMS text, WhatsApp body (filled in), push body
  std::string title;     // push
  std::string dlt_template_id, sender;      // SMS
  std::string whatsapp_name, whatsapp_language;  // WhatsApp
  std::vector<std::string> parameters;
  std::vector<std::string> button_payloads;  // WhatsApp quick-reply buttons
};

/// The language of the variant a recipient gets: theirs when the template
/// has it on this channel, else the default, else any; nullopt when the
/// template has no content for the channel.
std::optional<std::string> choose_language(const Template& t, adapters::Channel channel, std::string_view wanted,
                                           std::string_view default_language);

/// Renders the variant of `language` (which choose_language gave).
Rendered render(const Template& t, adapters::Channel channel, const std::string& language, const BoundValues& bound,
                const ContactValues& contact);

/// One piece's value as it is written (time formatted, text cleaned and shortened).
std::string value_of(const Template& t, const Piece& piece, std::string_view language, const BoundValues& bound,
                     const ContactValues& contact);

/// A value with control characters as spaces, runs of spaces collapsed and
/// at most `max_chars` characters, never ending inside a Devanagari
/// syllable's marks.
std::string clean_value(std::string_view value, std::size_t max_chars);

}  // namespace orgcast::templates
