#include "templates/loader.hpp"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <filesystem>
#include <set>

#include "core/files.hpp"
#include "core/text.hpp"
#include "core/utc_time.hpp"
#include "sms/segments.hpp"
#include "templates/render.hpp"
#include "text/ist_time.hpp"

namespace orgcast::templates {
namespace {

int line_of(const YAML::Node& node) { return node.Mark().line >= 0 ? node.Mark().line + 1 : 0; }

bool is_variable_name(std::string_view name) {
  // Identifiers joined by dots: meeting.venue
  for (const auto part : split_trimmed(name, '.'))
    if (!is_identifier(part)) return false;
  return !name.empty() && name.front() != '.' && name.back() != '.' && name.find("..") == std::string_view::npos &&
         name.find(' ') == std::string_view::npos;
}

bool is_language_code(std::string_view code) {
  // hi, en, en_US, pt_BR (WhatsApp's codes); ISO 639-1/2 for ours.
  auto lower = [](char c) { return c >= 'a' && c <= 'z'; };
  auto upper = [](char c) { return c >= 'A' && c <= 'Z'; };
  if (code.size() != 2 && code.size() != 3 && code.size() != 5) return false;
  if (!lower(code[0]) || !lower(code[1])) return false;
  if (code.size() == 3) return lower(code[2]);
  if (code.size() == 5) return code[2] == '_' && upper(code[3]) && upper(code[4]);
  return true;
}

bool all_digits(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

bool gsm7_only(std::string_view text) {
  auto segments = sms::segment(text);
  return segments && segments->encoding == sms::Encoding::gsm7;
}

// Reads one file, collecting every problem.
class Reader {
 public:
  Reader(const std::string& file, const Rules& rules, bool validate) : file_(file), rules_(rules), validate_(validate) {}

  ParsedTemplate read(std::string_view yaml) {
    YAML::Node root;
    try {
      root = YAML::Load(std::string(yaml));
    } catch (const YAML::Exception& e) {
      error(e.mark.line >= 0 ? e.mark.line + 1 : 0, "not valid YAML: " + e.msg);
      return finish();
    }
    if (!root.IsMap()) {
      error(0, "a template file is a YAML map (id, kind, dlt_category, variables, sms, whatsapp, push)");
      return finish();
    }
    keys(root, {"id", "kind", "dlt_category", "description", "variables", "sms", "whatsapp", "push"}, "");
    t_.file = file_;
    t_.id = scalar(root, "id", true);
    if (!t_.id.empty() && !is_identifier(t_.id)) error(line_of(root["id"]), "id: expected a lower-case name ([a-z0-9_]), got " + orgcast::quoted(t_.id));
    read_kind(root);
    if (root["variables"]) read_variables(root["variables"]);
    if (!root["sms"] && !root["whatsapp"] && !root["push"]) error(0, "no content: give at least one of sms, whatsapp, push");
    each_language(root, "sms", [&](const std::string& lang, const YAML::Node& n) { read_sms(lang, n); });
    each_language(root, "whatsapp", [&](const std::string& lang, const YAML::Node& n) { read_whatsapp(lang, n); });
    each_language(root, "push", [&](const std::string& lang, const YAML::Node& n) { read_push(lang, n); });
    return finish();
  }

 private:
  void error(int line, std::string message) { errors_.push_back({file_, line, std::move(message)}); }

  ParsedTemplate finish() {
    ParsedTemplate out;
    out.errors = std::move(errors_);
    if (out.errors.empty()) out.value = std::move(t_);
    return out;
  }

  void keys(const YAML::Node& map, const std::vector<std::string>& allowed, const std::string& where) {
    for (const auto& kv : map) {
      const auto key = kv.first.as<std::string>("");
      if (std::find(allowed.begin(), allowed.end(), key) != allowed.end()) continue;
      std::string message = where + "unknown key " + orgcast::quoted(key);
      if (auto close = closest_match(key, allowed); !close.empty()) message += "; did you mean " + orgcast::quoted(close) + "?";
      else {
        message += "; expected one of";
        for (const auto& a : allowed) message += " " + a;
      }
      error(line_of(kv.first), message);
    }
  }

  std::string scalar(const YAML::Node& map, const char* key, bool required, const std::string& where = "") {
    const auto node = map[key];
    if (!node) {
      if (required) error(line_of(map), where + key + ": missing");
      return {};
    }
    if (!node.IsScalar() || node.Scalar().empty()) {
      error(line_of(node), where + key + ": expected a non-empty text");
      return {};
    }
    return node.Scalar();
  }

  void read_kind(const YAML::Node& root) {
    const auto kind = scalar(root, "kind", true);
    if (kind == "announcement") t_.kind = Kind::announcement;
    else if (kind == "summons") t_.kind = Kind::summons;
    else if (kind == "reminder") t_.kind = Kind::reminder;
    else if (kind == "reply") t_.kind = Kind::reply;
    else if (!kind.empty()) error(line_of(root["kind"]), "kind: expected announcement, summons, reminder or reply, got " + orgcast::quoted(kind));
    const auto category = scalar(root, "dlt_category", true);
    if (category == "transactional") t_.category = DltCategory::transactional;
    else if (category == "service") t_.category = DltCategory::service;
    else if (category == "promotional") t_.category = DltCategory::promotional;
    else if (!category.empty())
      error(line_of(root["dlt_category"]), "dlt_category: expected transactional, service or promotional, got " + orgcast::quoted(category));
  }

  void read_variables(const YAML::Node& list) {
    if (!list.IsSequence()) {
      error(line_of(list), "variables: expected a list of {name, required or default, example, max_length}");
      return;
    }
    for (const auto& node : list) {
      const int line = line_of(node);
      if (!node.IsMap()) {
        error(line, "variables: each one is a map with name, example and max_length");
        continue;
      }
      keys(node, {"name", "type", "required", "default", "example", "max_length", "description"}, "variable: ");
      Variable v;
      v.line = line;
      v.name = scalar(node, "name", true, "variable: ");
      const std::string where = "variable " + v.name + ": ";
      if (!v.name.empty() && !is_variable_name(v.name))
        error(line, where + "a name is lower-case words joined by dots, e.g. meeting.venue");
      if (t_.variable_index(v.name) >= 0) error(line, where + "declared twice");
      const auto type = node["type"] ? node["type"].as<std::string>("") : "text";
      if (type == "time") v.type = VariableType::time;
      else if (type != "text") error(line_of(node["type"]), where + "type: expected text or time");
      if (node["required"]) {
        const auto r = node["required"].as<std::string>("");
        if (r != "true" && r != "false") error(line_of(node["required"]), where + "required: expected true or false");
        v.required = r == "true";
      }
      if (node["default"]) v.default_value = node["default"].as<std::string>("");
      if (v.required && v.default_value) error(line, where + "a required variable has no default (the broadcast must give it)");
      if (v.from_contact() && (v.required || v.type == VariableType::time))
        error(line, where + "comes from each contact: it cannot be required or a time");
      if (const auto example = node["example"]; example && example.IsMap()) {
        for (const auto& kv : example) v.examples[kv.first.as<std::string>("")] = kv.second.as<std::string>("");
      } else if (example && example.IsScalar()) {
        v.example = example.Scalar();
      }
      if (v.example.empty() && v.examples.empty()) error(line, where + "example: missing (previews and checks use it)");
      if (node["max_length"]) {
        const auto text = node["max_length"].as<std::string>("");
        long long n = all_digits(text) && text.size() < 6 ? std::stoll(text) : 0;
        if (n < 1 || n > 1000) error(line_of(node["max_length"]), where + "max_length: expected characters from 1 to 1000");
        else v.max_length = static_cast<std::size_t>(n);
      }
      if (v.type == VariableType::time) {
        for (const auto* value : {&v.example, v.default_value ? &*v.default_value : nullptr})
          if (value && !value->empty() && !parse_rfc3339(*value))
            error(line, where + "a time is written RFC 3339, e.g. 2026-11-25T10:00:00+05:30, got " + orgcast::quoted(*value));
      } else {
        auto check_length = [&](const std::string& value, const char* what) {
          if (characters(value) > v.max_length)
            error(line, where + what + " is " + std::to_string(characters(value)) + " characters, more than max_length " +
                            std::to_string(v.max_length));
        };
        check_length(v.example, "the example");
        for (const auto& [_, e] : v.examples) check_length(e, "an example");
        if (v.default_value) check_length(*v.default_value, "the default");
      }
      t_.variables.push_back(std::move(v));
    }
  }

  template <typename ReadVariant>
  void each_language(const YAML::Node& root, const char* channel, ReadVariant read_variant) {
    const auto section = root[channel];
    if (!section) return;
    if (!section.IsMap()) {
      error(line_of(section), std::string(channel) + ": expected a map of language code to content");
      return;
    }
    int section_line = line_of(section);
    for (const auto& kv : root)
      if (kv.first.as<std::string>("") == channel) section_line = line_of(kv.first);
    std::set<std::string> languages;
    for (const auto& kv : section) {
      const auto lang = kv.first.as<std::string>("");
      if (!is_language_code(lang)) {
        error(line_of(kv.first), std::string(channel) + ": " + orgcast::quoted(lang) + " is not a language code (e.g. hi, en)");
        continue;
      }
      if (!kv.second.IsMap()) {
        error(line_of(kv.second), std::string(channel) + "." + lang + ": expected a map");
        continue;
      }
      languages.insert(lang);
      read_variant(lang, kv.second);
    }
    if (!validate_) return;
    auto required = rules_.languages;
    required.push_back(rules_.default_language);
    for (const auto& lang : required)
      if (!languages.contains(lang)) error(section_line, std::string(channel) + ": no content in " + orgcast::quoted(lang) + " (every channel has " + join(required) + ")");
  }

  static std::string join(const std::vector<std::string>& list) {
    std::set<std::string> unique(list.begin(), list.end());
    std::string out;
    for (const auto& s : unique) out += (out.empty() ? "" : ", ") + s;
    return out;
  }

  // Splits `source` at its {{variable}} references.
  Text parse_text(const std::string& source, int line, const std::string& where) {
    Text text;
    for (std::size_t i = 0; i < source.size();) {
      const auto open = source.find("{{", i);
      if (open == std::string::npos) {
        text.push_back({source.substr(i)});
        break;
      }
      if (open > i) text.push_back({source.substr(i, open - i)});
      const auto close = source.find("}}", open + 2);
      if (close == std::string::npos) {
        error(line, where + "a {{ is not closed by }}");
        break;
      }
      text.push_back(reference(std::string(trim(std::string_view(source).substr(open + 2, close - open - 2))), line, where));
      i = close + 2;
    }
    return text;
  }

  // One reference: name or name|date or name|clock.
  Piece reference(const std::string& ref, int line, const std::string& where) {
    Piece piece;
    const auto bar = ref.find('|');
    const std::string name(trim(std::string_view(ref).substr(0, bar)));
    const std::string part = bar == std::string::npos ? "" : std::string(trim(std::string_view(ref).substr(bar + 1)));
    piece.variable = t_.variable_index(name);
    if (piece.variable < 0) {
      std::vector<std::string> known;
      for (const auto& v : t_.variables) known.push_back(v.name);
      std::string message = where + "unknown variable " + orgcast::quoted(name);
      if (auto close = closest_match(name, known); !close.empty()) message += "; did you mean " + orgcast::quoted(close) + "?";
      else message += is_contact_variable(name) ? " (a contact variable: declare it under variables)" : " (declare it under variables)";
      error(line, message);
      piece.variable = 0;  // keeps the text's shape for the remaining checks
      return piece;
    }
    const bool time = t_.variables[static_cast<std::size_t>(piece.variable)].type == VariableType::time;
    if (part == "date" && time) piece.part = TimePart::date;
    else if (part == "clock" && time) piece.part = TimePart::clock;
    else if (!part.empty()) error(line, where + orgcast::quoted(ref) + ": only a time variable takes |date or |clock");
    return piece;
  }

  void read_sms(const std::string& lang, const YAML::Node& n) {
    const std::string where = "sms." + lang + ": ";
    keys(n, {"text", "dlt_template_id", "sender", "registered"}, where);
    SmsVariant v;
    v.line = line_of(n);
    const auto source = scalar(n, "text", true, where);
    v.dlt_template_id = scalar(n, "dlt_template_id", true, where);
    v.sender = scalar(n, "sender", true, where);
    v.registered = scalar(n, "registered", true, where);
    if (!v.dlt_template_id.empty() && (!all_digits(v.dlt_template_id) || v.dlt_template_id.size() > 30))
      error(line_of(n["dlt_template_id"]), where + "dlt_template_id: expected the DLT platform's numeric id, e.g. 1107161234567890123");
    if (!v.sender.empty()) {
      const bool numeric = all_digits(v.sender);
      const bool letters = std::all_of(v.sender.begin(), v.sender.end(), [](char c) { return c >= 'A' && c <= 'Z'; });
      if (v.sender.size() != 6 || (t_.category == DltCategory::promotional ? !numeric : !letters))
        error(line_of(n["sender"]), where + "sender: a DLT header is 6 " +
                                        (t_.category == DltCategory::promotional ? "digits for promotional messages" : "capital letters") +
                                        ", got " + orgcast::quoted(v.sender));
    }
    v.text = parse_text(source, line_of(n["text"]), where + "text: ");
    v.dlt = sms::parse_dlt(v.registered);
    if (!errors_.empty() || source.empty() || v.registered.empty()) {
      t_.sms[lang] = std::move(v);
      return;
    }
    // The static parts must be the registered ones exactly, one variable per {#var#}.
    std::string shape;
    for (const auto& p : v.text) shape += p.is_variable() ? "{#var#}" : p.literal;
    if (shape != v.registered) {
      std::size_t at = 0;
      while (at < shape.size() && at < v.registered.size() && shape[at] == v.registered[at]) ++at;
      while (at > 0 && (static_cast<unsigned char>(shape[at]) & 0xC0) == 0x80) --at;
      error(line_of(n["text"]), where + "text differs from the registered DLT text at character " +
                                    std::to_string(characters(shape.substr(0, at)) + 1) + ": the text has " +
                                    orgcast::quoted(shape.substr(at, 24)) + ", the registered text " + orgcast::quoted(v.registered.substr(at, 24)));
    }
    const auto& stored = t_.sms[lang] = std::move(v);
    if (validate_) check_sms_limits(lang, stored, line_of(n["text"]), where);
  }

  // Each variable within DLT's limit, and the text within the segments
  // allowed with every variable at its longest.
  void check_sms_limits(const std::string& lang, const SmsVariant& v, int line, const std::string& where) {
    BoundValues bound;
    ContactValues contact;
    bound.text.resize(t_.variables.size());
    bound.times.resize(t_.variables.size());
    bool gsm = gsm7_only(v.registered);
    for (std::size_t i = 0; i < t_.variables.size(); ++i) {
      const auto& var = t_.variables[i];
      if (var.type == VariableType::time) continue;
      // The longest value: max_length characters of the example's alphabet.
      const bool var_gsm = gsm && gsm7_only(var.example_for(lang));
      std::string longest;
      for (std::size_t k = 0; k < var.max_length; ++k) longest += var_gsm ? "x" : "क";
      bound.text[i] = longest;
      for (std::size_t c = 0; c < std::size(kContactVariables); ++c)
        if (kContactVariables[c] == var.name) contact[c] = longest;
    }
    for (const auto& p : v.text) {
      if (!p.is_variable()) continue;
      const auto& var = t_.variables[static_cast<std::size_t>(p.variable)];
      const auto longest = var.type == VariableType::time ? longest_time(p.part, lang) : var.max_length;
      if (longest > rules_.dlt_variable_max)
        error(line, where + "{{" + var.name + (p.part == TimePart::date ? "|date" : p.part == TimePart::clock ? "|clock" : "") +
                        "}} can be " + std::to_string(longest) + " characters; DLT allows " + std::to_string(rules_.dlt_variable_max) +
                        " per variable" +
                        (var.type == VariableType::time ? " (use {{" + var.name + "|date}} and {{" + var.name + "|clock}})"
                                                        : " (lower its max_length)"));
      if (var.type == VariableType::time) bound.times[static_cast<std::size_t>(p.variable)] = longest_time_at(p.part, lang);
    }
    auto rendered = render(t_, adapters::Channel::sms, lang, bound, contact);
    auto segments = sms::segment(rendered.text);
    if (segments && segments->count() > rules_.max_sms_segments)
      error(line, where + "with every variable at its maximum length the text is " + std::to_string(segments->count()) + " " +
                      sms::name(segments->encoding) + " segments; at most " + std::to_string(rules_.max_sms_segments) +
                      " are allowed (templates.max_sms_segments)");
  }

  void read_whatsapp(const std::string& lang, const YAML::Node& n) {
    const std::string where = "whatsapp." + lang + ": ";
    if (n.IsMap() && n["text"]) return read_whatsapp_session_text(lang, n, where);
    keys(n, {"template", "language", "body", "parameters", "buttons"}, where);
    WhatsAppVariant v;
    v.line = line_of(n);
    v.name = scalar(n, "template", true, where);
    v.language = scalar(n, "language", true, where);
    v.body = scalar(n, "body", true, where);
    if (!v.name.empty() && !is_identifier(v.name))
      error(line_of(n["template"]), where + "template: an approved template's name is lower-case letters, digits and _");
    if (!v.language.empty() && !is_language_code(v.language))
      error(line_of(n["language"]), where + "language: expected a WhatsApp language code, e.g. hi or en_US");
    // The approved body's parameters are {{1}}..{{n}}, each at least once.
    std::set<std::size_t> numbers;
    for (auto open = v.body.find("{{"); open != std::string::npos; open = v.body.find("{{", open + 2)) {
      const auto close = v.body.find("}}", open);
      const auto inside = close == std::string::npos ? std::string() : v.body.substr(open + 2, close - open - 2);
      if (!all_digits(inside) || inside.size() > 3 || std::stoul(inside) == 0) {
        error(line_of(n["body"]), where + "body: parameters are written {{1}}, {{2}}...; found " + orgcast::quoted(v.body.substr(open, 12)));
        break;
      }
      numbers.insert(std::stoul(inside));
    }
    if (!numbers.empty() && *numbers.rbegin() != numbers.size())
      error(line_of(n["body"]), where + "body: parameters must be numbered 1 to " + std::to_string(numbers.size()) + " without gaps");
    const auto parameters = n["parameters"];
    if (parameters && !parameters.IsSequence()) {
      error(line_of(parameters), where + "parameters: expected a list of variables, one per {{n}} of the body, in order");
    } else if (parameters) {
      for (const auto& p : parameters) v.parameters.push_back(reference(p.as<std::string>(""), line_of(p), where + "parameters: "));
    }
    if (v.parameters.size() != numbers.size())
      error(line_of(parameters ? parameters : n), where + "the approved body has " + std::to_string(numbers.size()) +
                                                  " parameter(s) but " + std::to_string(v.parameters.size()) + " are given");
    if (const auto buttons = n["buttons"]; buttons && !buttons.IsSequence()) {
      error(line_of(buttons), where + "buttons: expected a list of quick-reply payloads, one per button of the approved template");
    } else if (buttons) {
      for (const auto& b : buttons) {
        const auto payload = b.as<std::string>("");
        if (payload.empty() || payload.size() > 128) error(line_of(b), where + "buttons: a payload is 1 to 128 characters");
        v.buttons.push_back(parse_text(payload, line_of(b), where + "buttons: "));
      }
    }
    t_.whatsapp[lang] = std::move(v);
  }

  // Free text, allowed by WhatsApp only within 24 hours of the person's
  // own message: so only for the daemon's replies to one.
  void read_whatsapp_session_text(const std::string& lang, const YAML::Node& n, const std::string& where) {
    keys(n, {"text"}, where);
    if (t_.kind != Kind::reply)
      error(line_of(n["text"]), where + "text: free WhatsApp text is only for replies (kind: reply); others name an approved template");
    WhatsAppVariant v;
    v.line = line_of(n);
    v.session_text = parse_text(scalar(n, "text", true, where), line_of(n["text"]), where + "text: ");
    t_.whatsapp[lang] = std::move(v);
  }

  void read_push(const std::string& lang, const YAML::Node& n) {
    const std::string where = "push." + lang + ": ";
    keys(n, {"title", "body"}, where);
    PushVariant v;
    v.line = line_of(n);
    v.title = parse_text(scalar(n, "title", true, where), line_of(n["title"]), where + "title: ");
    v.body = parse_text(scalar(n, "body", true, where), line_of(n["body"]), where + "body: ");
    t_.push[lang] = std::move(v);
  }

  static TimePoint longest_time_at(TimePart part, std::string_view lang) {
    TimePoint best{};
    std::size_t longest = 0;
    for (auto t : sample_times()) {
      const auto n = characters(part == TimePart::date    ? text::format_ist_date(t, lang)
                                : part == TimePart::clock ? text::format_ist_clock(t, lang)
                                                          : text::format_ist(t, lang));
      if (n > longest) longest = n, best = t;
    }
    return best;
  }

 public:
  // A year of days at four hours (each part of the day, two-digit hours):
  // every weekday, month and clock form.
  static const std::vector<TimePoint>& sample_times() {
    static const std::vector<TimePoint> times = [] {
      std::vector<TimePoint> out;
      const auto start = std::chrono::sys_days(std::chrono::year(2026) / 1 / 1);
      for (int d = 0; d < 366; ++d)
        for (int hour_utc : {4, 6, 11, 15})  // IST 9:30, 11:30, 16:30, 20:30
          out.push_back(start + std::chrono::days(d) + std::chrono::hours(hour_utc));
      return out;
    }();
    return times;
  }

 private:
  const std::string& file_;
  const Rules& rules_;
  bool validate_;
  Template t_;
  std::vector<TemplateError> errors_;
};

}  // namespace

Rules rules_for(const Config& config) {
  Rules rules;
  rules.default_language = config.directory.default_language;
  rules.max_sms_segments = static_cast<std::size_t>(config.templates.max_sms_segments);
  return rules;
}

std::string TemplateError::to_string() const {
  return file + (line > 0 ? ":" + std::to_string(line) : "") + ": " + message;
}

std::size_t longest_time(TimePart part, std::string_view language) {
  std::size_t longest = 0;
  for (auto t : Reader::sample_times())
    longest = std::max(longest, characters(part == TimePart::date    ? text::format_ist_date(t, language)
                                           : part == TimePart::clock ? text::format_ist_clock(t, language)
                                                                     : text::format_ist(t, language)));
  return longest;
}

ParsedTemplate parse_template(std::string_view yaml, const std::string& file, const Rules& rules, bool validate) {
  return Reader(file, rules, validate).read(yaml);
}

const Catalog::Entry* Catalog::find(std::string_view id) const {
  auto it = by_id.find(std::string(id));
  return it == by_id.end() ? nullptr : &it->second;
}

LoadedCatalog load_templates(const std::string& dir, const Rules& rules) {
  LoadedCatalog out;
  std::error_code ec;
  std::vector<std::filesystem::path> files;
  for (const auto& entry : std::filesystem::directory_iterator(dir, ec))
    if (entry.is_regular_file() && entry.path().extension() == ".yaml") files.push_back(entry.path());
  if (ec) {
    out.errors.push_back({dir, 0, "cannot read the templates folder: " + ec.message()});
    return out;
  }
  std::sort(files.begin(), files.end());
  std::map<std::string, std::string> file_of;  // id -> file, for duplicates
  for (const auto& path : files) {
    ++out.files;
    const auto name = path.filename().string();
    auto text = read_whole_file(path.string());
    if (!text) {
      out.errors.push_back({name, 0, "cannot read the file"});
      continue;
    }
    auto parsed = parse_template(*text, name, rules);
    if (!parsed.value) {
      out.errors.insert(out.errors.end(), parsed.errors.begin(), parsed.errors.end());
      continue;
    }
    const auto id = parsed.value->id;
    if (auto [it, fresh] = file_of.emplace(id, name); !fresh) {
      out.errors.push_back({name, 0, "the id " + orgcast::quoted(id) + " is already used by " + it->second});
      continue;
    }
    out.catalog.by_id[id] = {std::make_shared<const Template>(std::move(*parsed.value)), std::move(*text)};
  }
  return out;
}

}  // namespace orgcast::templates
