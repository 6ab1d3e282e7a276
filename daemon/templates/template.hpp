#pragma once
// A message template, as one file under templates/ describes it (format in
// templates/README.md): its variables and, per channel and language, the
// content. Texts are split at their {{variable}} references once, at load,
// so that rendering is plain substitution: a variable's value is copied,
// never read as template text, and cannot change the template's structure.
#include <cstddef>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "sms/dlt_match.hpp"

namespace orgcast::templates {

enum class Kind { announcement, summons, reminder, reply };
enum class DltCategory { transactional, service, promotional };
const char* name(Kind kind);
const char* name(DltCategory category);

enum class VariableType { text, time };
/// How a reference writes a time: all of it, only the date, only the clock
/// ({{meeting.time}}, {{meeting.time|date}}, {{meeting.time|clock}}).
enum class TimePart { full, date, clock };

/// The variables every contact brings; all others come
/// from the broadcast.
inline constexpr std::string_view kContactVariables[] = {"name", "role", "unit", "unit_path"};
bool is_contact_variable(std::string_view name);

struct Variable {
  std::string name;
  VariableType type = VariableType::text;
  bool required = false;
  std::optional<std::string> default_value;
  std::string example;                          // an example value...
  std::map<std::string, std::string> examples;  // ...or one per language
  std::size_t max_length = 30;  // characters; a contact's longer value is shortened to it
  int line = 0;
  bool from_contact() const { return is_contact_variable(name); }
  const std::string& example_for(const std::string& language) const {
    auto it = examples.find(language);
    return it != examples.end() ? it->second : examples.empty() ? example : examples.begin()->second;
  }
};

/// A literal run of text, or a reference to variables[variable].
struct Piece {
  std::string literal;
  int variable = -1;
  TimePart part = TimePart::full;
  bool is_variable() const { return variable >= 0; }
};
using Text = std::vector<Piece>;

struct SmsVariant {
  Text text;
  std::string dlt_template_id;  // as registered on the DLT platform
  std::string sender;           // the DLT sender header, e.g. ORGCST
  std::string registered;       // the text as registered, with {#var#} placeholders
  sms::DltTemplate dlt;         // registered, split
  int line = 0;
};

struct WhatsAppVariant {
  std::string name;      // the approved template's name at Meta
  std::string language;  // its language code, e.g. hi or en_US
  std::string body;      // the approved body, {{1}}..{{n}}: for previews and the parameter count
  Text parameters;       // one variable reference per body parameter, in order
  /// The payloads of the approved template's quick-reply buttons, in order
  /// ("YES {{meeting.code}}"): a tap comes back as a reply with that text.
  std::vector<Text> buttons;
  /// Or free text (no approved template): a reply inside the 24 hours
  /// after the person wrote (kind: reply only).
  Text session_text;
  bool is_session_text() const { return name.empty(); }
  int line = 0;
};

struct PushVariant {
  Text title, body;
  int line = 0;
};

struct Template {
  std::string id, file;
  Kind kind = Kind::announcement;
  DltCategory category = DltCategory::transactional;
  std::vector<Variable> variables;
  // By language; transparent, so a recipient's language (a view into its
  // record) is looked up without a copy.
  std::map<std::string, SmsVariant, std::less<>> sms;
  std::map<std::string, WhatsAppVariant, std::less<>> whatsapp;
  std::map<std::string, PushVariant, std::less<>> push;

  /// -1 when there is no such variable.
  int variable_index(std::string_view name) const;
  /// Which contact variables any content uses (so rendering computes only those).
  bool uses(std::string_view variable) const;
};

}  // namespace orgcast::templates
