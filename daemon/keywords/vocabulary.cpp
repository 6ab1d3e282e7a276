#include "keywords/vocabulary.hpp"

#include "keywords/normalise.hpp"

namespace orgcast::keywords {

const char* name(Keyword k) {
  switch (k) {
    case Keyword::yes: return "yes";
    case Keyword::no: return "no";
    case Keyword::stop: return "stop";
    case Keyword::start: return "start";
    case Keyword::help: return "help";
    case Keyword::report: return "report";
  }
  return "?";
}

namespace {
constexpr Keyword kKeywords[] = {Keyword::yes, Keyword::no, Keyword::stop, Keyword::start, Keyword::help, Keyword::report};
}

bool is_word_list(std::string_view list) {
  for (auto k : kKeywords)
    if (list == name(k)) return true;
  return list == "honorifics" || list == "all";
}

Vocabulary Vocabulary::configured(const std::map<std::string, std::map<std::string, std::vector<std::string>>>& lists) {
  auto v = shipped();
  for (const auto& [language, given] : lists) {
    auto& words = v.languages[language];
    for (const auto& [list, values] : given) {
      if (list == "honorifics") words.honorifics = values;
      else if (list == "all") words.all = values;
      else
        for (auto k : kKeywords)
          if (list == name(k)) words.aliases[k] = values;
    }
  }
  return v;
}

Vocabulary Vocabulary::shipped() {
  Vocabulary v;
  auto& en = v.languages["en"];
  en.aliases = {
      {Keyword::yes, {"YES", "Y", "YA", "YEAH", "YEP", "YS"}},
      {Keyword::no, {"NO", "N", "NOPE"}},
      {Keyword::stop, {"STOP", "UNSUBSCRIBE"}},
      {Keyword::start, {"START", "SUBSCRIBE", "UNSTOP"}},
      {Keyword::help, {"HELP", "INFO"}},
      {Keyword::report, {"REPORT", "RPT"}},
  };
  en.all = {"ALL"};
  // Hindi in Devanagari and as it is typed in Latin letters (Hinglish);
  // chandrabindu and anusvara spellings both, since no normal form joins them.
  auto& hi = v.languages["hi"];
  hi.aliases = {
      {Keyword::yes, {"HAAN", "HAN", "HA", "HAA", "HANJI", "HAANJI", "JIHAAN", "HAAJI", "हाँ", "हां", "हा", "हाँजी", "हांजी"}},
      {Keyword::no, {"NAHI", "NAHIN", "NAHEEN", "NHI", "NAI", "NA", "नहीं", "नही", "नहिं", "नहि", "ना"}},
      {Keyword::stop, {"BAND", "बंद", "बन्द", "रोको"}},
      {Keyword::start, {"SHURU", "शुरू", "शुरु", "चालू"}},
      {Keyword::help, {"MADAD", "मदद", "सहायता"}},
      {Keyword::report, {"रिपोर्ट", "रपट"}},
  };
  hi.honorifics = {"JI", "JEE", "जी"};
  hi.all = {"SAB", "सब", "सभी"};
  return v;
}

std::string Vocabulary::check() const {
  std::map<std::string, std::pair<Keyword, std::string>> seen;  // normalised word -> keyword, language
  for (const auto& [language, words] : languages) {
    for (const auto& [keyword, aliases] : words.aliases) {
      for (const auto& alias : aliases) {
        const auto word = normalise(alias);
        if (word.empty() || word.find(' ') != std::string::npos)
          return "keywords." + language + "." + name(keyword) + ": \"" + alias + "\" is not one word";
        auto [it, fresh] = seen.try_emplace(word, keyword, language);
        if (!fresh && it->second.first != keyword)
          return "keywords." + language + "." + name(keyword) + ": \"" + alias + "\" already means " + name(it->second.first) +
                 " (keywords." + it->second.second + ")";
      }
    }
  }
  // Honorifics are skipped before the keyword: one that is also a keyword would hide it.
  for (const auto& [language, words] : languages) {
    for (const auto& [list, values] : {std::pair{"honorifics", &words.honorifics}, std::pair{"all", &words.all}}) {
      for (const auto& value : *values) {
        const auto word = normalise(value);
        if (word.empty() || word.find(' ') != std::string::npos)
          return "keywords." + language + "." + list + ": \"" + value + "\" is not one word";
        if (std::string(list) == "honorifics")
          if (auto it = seen.find(word); it != seen.end())
            return "keywords." + language + ".honorifics: \"" + value + "\" already means " + name(it->second.first) + " (keywords." +
                   it->second.second + ")";
      }
    }
  }
  return "";
}

}  // namespace orgcast::keywords
