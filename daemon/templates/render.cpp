#include "templates/render.hpp"

#include <set>

#include "text/ist_time.hpp"

namespace orgcast::templates {
namespace {

// Decodes the code point at s[i] (s is valid UTF-8: values are checked at
// the API) and its length in bytes.
char32_t code_point_at(std::string_view s, std::size_t i, std::size_t& length) {
  const auto b0 = static_cast<unsigned char>(s[i]);
  length = b0 < 0x80 ? 1 : (b0 & 0xE0) == 0xC0 ? 2 : (b0 & 0xF0) == 0xE0 ? 3 : 4;
  if (i + length > s.size()) length = s.size() - i;
  char32_t c = length == 1 ? b0 : length == 2 ? (b0 & 0x1F) : length == 3 ? (b0 & 0x0F) : (b0 & 0x07);
  for (std::size_t k = 1; k < length; ++k) c = (c << 6) | (static_cast<unsigned char>(s[i + k]) & 0x3F);
  return c;
}

// Devanagari signs that belong to the letter before them (matras, nukta,
// virama, anusvara...): a value is never cut just before one.
bool joins_previous(char32_t c) {
  return (c >= 0x0900 && c <= 0x0903) || (c >= 0x093A && c <= 0x094F) || (c >= 0x0951 && c <= 0x0957) ||
         (c >= 0x0962 && c <= 0x0963) || c == 0x200C || c == 0x200D;
}

std::string render_text(const Template& t, const Text& text, std::string_view language, const BoundValues& bound,
                        const ContactValues& contact) {
  std::string out;
  for (const auto& piece : text) {
    if (piece.is_variable()) out += value_of(t, piece, language, bound, contact);
    else out += piece.literal;
  }
  return out;
}

}  // namespace

std::string clean_value(std::string_view value, std::size_t max_chars) {
  std::string out;
  out.reserve(std::min(value.size(), max_chars * 4));
  std::size_t chars = 0;
  bool space = false, cut = false;
  std::size_t last_base_end = 0;  // where the text may be cut: before a letter, not before its marks
  for (std::size_t i = 0; i < value.size();) {
    std::size_t length = 0;
    const char32_t c = code_point_at(value, i, length);
    const bool blank = c < 0x20 || c == 0x7F || c == ' ' || c == 0x00A0;
    if (blank) {
      space = !out.empty();
    } else {
      if (space) {
        if (chars + 1 >= max_chars) {
          cut = true;
          break;
        }
        last_base_end = out.size();
        out += ' ';
        ++chars;
        space = false;
      }
      if (chars == max_chars) {
        if (joins_previous(c)) out.resize(last_base_end);  // the last letter loses its marks: drop it whole
        cut = true;
        break;
      }
      if (!joins_previous(c)) last_base_end = out.size();
      out.append(value.substr(i, length));
      ++chars;
    }
    i += length;
  }
  // A cut after a virama would leave half a conjunct: drop it with its letter.
  auto pop_code_point = [&out] {
    while (!out.empty() && (static_cast<unsigned char>(out.back()) & 0xC0) == 0x80) out.pop_back();
    if (!out.empty()) out.pop_back();
  };
  while (cut && out.size() >= 3 && out.compare(out.size() - 3, 3, "\xE0\xA5\x8D") == 0) {
    pop_code_point();  // the virama
    pop_code_point();  // its consonant
  }
  while (!out.empty() && out.back() == ' ') out.pop_back();
  return out;
}

std::string value_of(const Template& t, const Piece& piece, std::string_view language, const BoundValues& bound,
                     const ContactValues& contact) {
  const auto& variable = t.variables[static_cast<std::size_t>(piece.variable)];
  if (variable.type == VariableType::time) {
    const auto index = static_cast<std::size_t>(piece.variable);
    if (index < bound.written.size())
      if (auto it = bound.written[index].find(language); it != bound.written[index].end())
        return it->second[static_cast<std::size_t>(piece.part)];
    const auto& time = bound.times[index];
    if (!time) return {};
    switch (piece.part) {
      case TimePart::date: return text::format_ist_date(*time, language);
      case TimePart::clock: return text::format_ist_clock(*time, language);
      case TimePart::full: return text::format_ist(*time, language);
    }
  }
  if (variable.from_contact()) {
    for (std::size_t c = 0; c < std::size(kContactVariables); ++c)
      if (kContactVariables[c] == variable.name) {
        auto value = clean_value(contact[c], variable.max_length);
        return value.empty() && variable.default_value ? *variable.default_value : value;
      }
  }
  const auto index = static_cast<std::size_t>(piece.variable);
  if (index < bound.cleaned_by_language.size())
    if (auto it = bound.cleaned_by_language[index].find(language); it != bound.cleaned_by_language[index].end()) return it->second;
  if (index < bound.cleaned.size()) return bound.cleaned[index];
  return clean_value(bound.text[index], variable.max_length);
}

void write_times(const Template& t, BoundValues& bound) {
  std::set<std::string> languages;
  for (const auto& [lang, _] : t.sms) languages.insert(lang);
  for (const auto& [lang, _] : t.whatsapp) languages.insert(lang);
  for (const auto& [lang, _] : t.push) languages.insert(lang);
  bound.cleaned.clear();
  for (std::size_t i = 0; i < t.variables.size() && i < bound.text.size(); ++i)
    bound.cleaned.push_back(clean_value(bound.text[i], t.variables[i].max_length));
  bound.cleaned_by_language.assign(bound.text_by_language.size(), {});
  for (std::size_t i = 0; i < t.variables.size() && i < bound.text_by_language.size(); ++i)
    for (const auto& [lang, value] : bound.text_by_language[i]) bound.cleaned_by_language[i][lang] = clean_value(value, t.variables[i].max_length);
  bound.written.assign(t.variables.size(), {});
  for (std::size_t i = 0; i < t.variables.size() && i < bound.times.size(); ++i) {
    if (!bound.times[i]) continue;
    for (const auto& lang : languages)
      bound.written[i][lang] = {text::format_ist(*bound.times[i], lang), text::format_ist_date(*bound.times[i], lang),
                                text::format_ist_clock(*bound.times[i], lang)};
  }
}

std::optional<std::string> choose_language(const Template& t, adapters::Channel channel, std::string_view wanted,
                                           std::string_view default_language) {
  auto pick = [&](const auto& variants) -> std::optional<std::string> {
    if (variants.empty()) return std::nullopt;
    if (auto it = variants.find(wanted); it != variants.end()) return it->first;
    if (auto it = variants.find(default_language); it != variants.end()) return it->first;
    return variants.begin()->first;
  };
  switch (channel) {
    case adapters::Channel::sms: return pick(t.sms);
    case adapters::Channel::whatsapp: return pick(t.whatsapp);
    case adapters::Channel::push: return pick(t.push);
  }
  return std::nullopt;
}

Rendered render(const Template& t, adapters::Channel channel, const std::string& language, const BoundValues& bound,
                const ContactValues& contact) {
  Rendered out;
  out.language = language;
  switch (channel) {
    case adapters::Channel::sms: {
      const auto& v = t.sms.at(language);
      out.text = render_text(t, v.text, language, bound, contact);
      out.dlt_template_id = v.dlt_template_id;
      out.sender = v.sender;
      break;
    }
    case adapters::Channel::whatsapp: {
      const auto& v = t.whatsapp.at(language);
      if (v.is_session_text()) {
        out.text = render_text(t, v.session_text, language, bound, contact);
        break;
      }
      out.whatsapp_name = v.name;
      out.whatsapp_language = v.language;
      for (const auto& p : v.parameters) out.parameters.push_back(value_of(t, p, language, bound, contact));
      for (const auto& b : v.buttons) out.button_payloads.push_back(render_text(t, b, language, bound, contact));
      // The body as the recipient will read it: {{n}} replaced by parameter n.
      for (std::size_t i = 0; i < v.body.size();) {
        auto open = v.body.find("{{", i);
        auto close = open == std::string::npos ? std::string::npos : v.body.find("}}", open);
        if (close == std::string::npos) {
          out.text.append(v.body, i);
          break;
        }
        out.text.append(v.body, i, open - i);
        std::size_t n = 0;
        for (auto k = open + 2; k < close; ++k) n = n * 10 + static_cast<std::size_t>(v.body[k] - '0');
        if (n >= 1 && n <= out.parameters.size()) out.text += out.parameters[n - 1];
        i = close + 2;
      }
      break;
    }
    case adapters::Channel::push: {
      const auto& v = t.push.at(language);
      out.title = render_text(t, v.title, language, bound, contact);
      out.text = render_text(t, v.body, language, bound, contact);
      break;
    }
  }
  return out;
}

}  // namespace orgcast::templates
