// tools/gen-directory: writes a synthetic but realistic directory as
// units.csv and contacts.csv. Deterministic for a given --seed.
//
//   --preset small    1 state, 3 districts, ~90 booths, ~1,200 contacts (tests)
//   --preset state    1 state (Rajasthan's 50 districts), 400 blocks, 2,200 mandals,
//                     52,000 booths, ~645,000 office-bearers
//   --preset country  36 states, ~780 districts, ~7,000 blocks, ~44,000 mandals,
//                     ~1,000,000 booths (levels: country, state, district, ...)
//   --members N       N ordinary members spread over the booths
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <iostream>
#include <string>
#include <vector>

namespace {

struct Rng {  // splitmix64: tiny, fast, and the same on every platform
  std::uint64_t state;
  std::uint64_t next() {
    std::uint64_t z = (state += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
  }
  std::uint64_t below(std::uint64_t n) { return next() % n; }
  bool chance(double p) { return static_cast<double>(next() >> 11) / 9007199254740992.0 < p; }
};

struct Name {
  const char* en;
  const char* hi;
};

const Name kMale[] = {{"Ramesh", "रमेश"},   {"Suresh", "सुरेश"},   {"Mahesh", "महेश"},     {"Rajesh", "राजेश"},
                      {"Mukesh", "मुकेश"},   {"Dinesh", "दिनेश"},   {"Ganesh", "गणेश"},     {"Mohan", "मोहन"},
                      {"Sohan", "सोहन"},     {"Kailash", "कैलाश"},  {"Vikram", "विक्रम"},    {"Ravi", "रवि"},
                      {"Sunil", "सुनील"},     {"Anil", "अनिल"},      {"Manoj", "मनोज"},      {"Vijay", "विजय"},
                      {"Ajay", "अजय"},       {"Sanjay", "संजय"},    {"Rakesh", "राकेश"},    {"Naresh", "नरेश"},
                      {"Bhanwar", "भंवर"},   {"Jagdish", "जगदीश"},  {"Om Prakash", "ओम प्रकाश"}, {"Shyam", "श्याम"},
                      {"Gopal", "गोपाल"},    {"Hari", "हरि"},       {"Laxman", "लक्ष्मण"},   {"Devendra", "देवेंद्र"}};
const Name kFemale[] = {{"Geeta", "गीता"},   {"Sita", "सीता"},     {"Meena", "मीना"},   {"Pooja", "पूजा"},
                        {"Anita", "अनीता"},  {"Sunita", "सुनीता"}, {"Kavita", "कविता"}, {"Savita", "सविता"},
                        {"Rekha", "रेखा"},   {"Suman", "सुमन"},    {"Priya", "प्रिया"},  {"Neha", "नेहा"},
                        {"Kiran", "किरण"},   {"Manju", "मंजू"},    {"Saroj", "सरोज"},   {"Shanti", "शांति"},
                        {"Kamla", "कमला"},   {"Lalita", "ललिता"},  {"Asha", "आशा"},     {"Usha", "उषा"}};
const Name kSurnames[] = {{"Sharma", "शर्मा"},   {"Meena", "मीणा"},      {"Gupta", "गुप्ता"},    {"Jat", "जाट"},
                          {"Singh", "सिंह"},     {"Kumar", "कुमार"},     {"Saini", "सैनी"},     {"Jain", "जैन"},
                          {"Agarwal", "अग्रवाल"}, {"Choudhary", "चौधरी"}, {"Yadav", "यादव"},     {"Gurjar", "गुर्जर"},
                          {"Verma", "वर्मा"},     {"Mali", "माली"},       {"Bishnoi", "बिश्नोई"}, {"Rathore", "राठौड़"},
                          {"Shekhawat", "शेखावत"}, {"Soni", "सोनी"},     {"Kumawat", "कुमावत"}, {"Joshi", "जोशी"},
                          {"Purohit", "पुरोहित"}, {"Bairwa", "बैरवा"},   {"Regar", "रेगर"},     {"Prajapat", "प्रजापत"}};
const Name kDistricts[] = {
    {"Ajmer", "अजमेर"},           {"Alwar", "अलवर"},               {"Banswara", "बांसवाड़ा"},      {"Baran", "बारां"},
    {"Barmer", "बाड़मेर"},          {"Bharatpur", "भरतपुर"},          {"Bhilwara", "भीलवाड़ा"},       {"Bikaner", "बीकानेर"},
    {"Bundi", "बूंदी"},            {"Chittorgarh", "चित्तौड़गढ़"},      {"Churu", "चूरू"},             {"Dausa", "दौसा"},
    {"Dholpur", "धौलपुर"},         {"Dungarpur", "डूंगरपुर"},         {"Hanumangarh", "हनुमानगढ़"},    {"Jaipur", "जयपुर"},
    {"Jaisalmer", "जैसलमेर"},      {"Jalore", "जालोर"},              {"Jhalawar", "झालावाड़"},       {"Jhunjhunu", "झुंझुनू"},
    {"Jodhpur", "जोधपुर"},         {"Karauli", "करौली"},             {"Kota", "कोटा"},              {"Nagaur", "नागौर"},
    {"Pali", "पाली"},              {"Pratapgarh", "प्रतापगढ़"},        {"Rajsamand", "राजसमंद"},       {"Sawai Madhopur", "सवाई माधोपुर"},
    {"Sikar", "सीकर"},             {"Sirohi", "सिरोही"},             {"Sri Ganganagar", "श्री गंगानगर"}, {"Tonk", "टोंक"},
    {"Udaipur", "उदयपुर"},         {"Anupgarh", "अनूपगढ़"},           {"Balotra", "बालोतरा"},         {"Beawar", "ब्यावर"},
    {"Deeg", "डीग"},               {"Didwana-Kuchaman", "डीडवाना-कुचामन"}, {"Dudu", "दूदू"},          {"Gangapur City", "गंगापुर सिटी"},
    {"Jaipur Rural", "जयपुर ग्रामीण"}, {"Jodhpur Rural", "जोधपुर ग्रामीण"}, {"Kekri", "केकड़ी"},       {"Khairthal-Tijara", "खैरथल-तिजारा"},
    {"Kotputli-Behror", "कोटपूतली-बहरोड़"}, {"Neem Ka Thana", "नीम का थाना"}, {"Phalodi", "फलोदी"},   {"Salumbar", "सलूंबर"},
    {"Sanchore", "सांचौर"},        {"Shahpura", "शाहपुरा"}};

// Posts of each committee, by level name.
struct Committee {
  const char* level;
  std::vector<const char*> roles;
};
const std::vector<Committee> kCommittees = {
    {"country", {"president", "vice_president", "vice_president", "general_secretary", "general_secretary", "treasurer", "spokesperson"}},
    {"state", {"president", "vice_president", "vice_president", "vice_president", "vice_president", "general_secretary",
               "general_secretary", "general_secretary", "secretary", "secretary", "secretary", "secretary", "secretary",
               "secretary", "treasurer", "spokesperson", "spokesperson", "it_incharge"}},
    {"district", {"president", "vice_president", "vice_president", "vice_president", "general_secretary", "general_secretary",
                  "secretary", "secretary", "secretary", "secretary", "treasurer", "it_incharge"}},
    {"block", {"president", "vice_president", "vice_president", "general_secretary", "secretary", "secretary", "secretary", "treasurer"}},
    {"mandal", {"president", "vice_president", "vice_president", "general_secretary", "secretary", "secretary", "treasurer", "chief_enroller"}},
    {"booth", {"president", "vice_president", "vice_president", "general_secretary", "secretary", "secretary", "treasurer",
               "booth_level_agent", "enroller", "member", "member", "member"}},
};
const char* kFrontal[] = {"yuva_morcha", "mahila_morcha", "kisan_morcha", "sc_morcha", "st_morcha", "obc_morcha"};
const char* kCells[] = {"it_cell", "legal_cell", "media_cell", "social_media_cell", "minority_cell"};

class Writer {
 public:
  explicit Writer(const std::string& path) : file_(std::fopen(path.c_str(), "wb")) {
    if (!file_) {
      std::perror(path.c_str());
      std::exit(1);
    }
  }
  ~Writer() {
    flush();
    std::fclose(file_);
  }
  std::string& buffer() { return buffer_; }
  void maybe_flush() {
    if (buffer_.size() > (1u << 20)) flush();
  }

 private:
  void flush() {
    std::fwrite(buffer_.data(), 1, buffer_.size(), file_);
    buffer_.clear();
  }
  std::FILE* file_;
  std::string buffer_;
};

struct Unit {
  std::string id;
  int level;  // index into kCommittees
};

class Generator {
 public:
  Generator(std::uint64_t seed, const std::string& out) : rng_{seed}, units_(out + "/units.csv"), contacts_(out + "/contacts.csv") {
    units_.buffer() = "id,parent_id,level,name,name_hi\n";
    contacts_.buffer() = "id,name,name_hi,mobile,whatsapp,language,unit_id,role,tags,app_token\n";
  }

  void unit(const std::string& id, const std::string& parent, int level, const std::string& name, const std::string& name_hi) {
    auto& b = units_.buffer();
    b += id; b += ','; b += parent; b += ','; b += kCommittees[static_cast<std::size_t>(level)].level; b += ',';
    b += name; b += ','; b += name_hi; b += '\n';
    units_.maybe_flush();
    ++unit_count_;
    if (level == 5) booths_.push_back(id);
  }

  // Office-bearers of one unit. Returns the mobile of its president so a
  // caller can give that person a second post.
  std::uint64_t committee(const std::string& unit_id, int level, std::uint64_t president_mobile = 0,
                          const std::string& president_name = "") {
    std::uint64_t first_mobile = 0;
    for (std::size_t i = 0; i < kCommittees[static_cast<std::size_t>(level)].roles.size(); ++i) {
      const char* role = kCommittees[static_cast<std::size_t>(level)].roles[i];
      if (i == 0 && (president_mobile || !president_name.empty())) {
        first_mobile = post(unit_id, role, president_mobile, president_name);
        continue;
      }
      auto mobile = post(unit_id, role, 0, "");
      if (i == 0) first_mobile = mobile;
    }
    return first_mobile;
  }

  std::uint64_t post(const std::string& unit_id, const char* role, std::uint64_t mobile, const std::string& fixed_name) {
    if (!mobile) mobile = mobile_of(person_++);
    bool female = rng_.chance(0.3);
    const Name& first = female ? kFemale[rng_.below(std::size(kFemale))] : kMale[rng_.below(std::size(kMale))];
    const Name& last = kSurnames[rng_.below(std::size(kSurnames))];
    auto& b = contacts_.buffer();
    b += 'C'; b += std::to_string(++contact_count_); b += ',';
    if (!fixed_name.empty()) {
      b += fixed_name;
    } else {
      b += first.en; b += ' '; b += last.en; b += ','; b += first.hi; b += ' '; b += last.hi;
    }
    b += ',';
    write_mobile(b, mobile);
    b += ',';
    auto w = rng_.below(100);
    if (w < 60) b += "yes";
    else if (w < 70) b += std::to_string(mobile_of(2'000'000'000ull + person_));  // another number
    else b += "no";
    b += ',';
    b += rng_.chance(0.8) ? "hi" : "en";
    b += ','; b += unit_id; b += ','; b += role; b += ',';
    auto t = rng_.below(100);
    if (t < 10) b += kFrontal[rng_.below(std::size(kFrontal))];
    else if (t < 15) b += kCells[rng_.below(std::size(kCells))];
    else if (t < 17) { b += kFrontal[rng_.below(std::size(kFrontal))]; b += ';'; b += kCells[rng_.below(std::size(kCells))]; }
    b += ',';
    if (rng_.chance(0.2)) token(b);
    b += '\n';
    contacts_.maybe_flush();
    return mobile;
  }

  void members(std::uint64_t n) {
    for (std::uint64_t i = 0; i < n; ++i) post(booths_[rng_.below(booths_.size())], "member", 0, "");
  }

  std::uint64_t contacts() const { return contact_count_; }
  std::uint64_t units() const { return unit_count_; }
  Rng& rng() { return rng_; }
  std::pair<std::string, std::string> person_name() {
    const Name& first = kMale[rng_.below(std::size(kMale))];
    const Name& last = kSurnames[rng_.below(std::size(kSurnames))];
    return {std::string(first.en) + " " + last.en, std::string(first.hi) + " " + last.hi};
  }

 private:
  // A bijection from person number to a valid, unique Indian mobile.
  static std::uint64_t mobile_of(std::uint64_t person) {
    return 6'000'000'000ull + (person * 2'654'435'761ull) % 4'000'000'000ull;
  }

  // The forms people really type, so the importer's normalisation is exercised.
  void write_mobile(std::string& b, std::uint64_t mobile) {
    auto digits = std::to_string(mobile);
    switch (rng_.below(5)) {
      case 0: b += digits; break;
      case 1: b += digits.substr(0, 5) + " " + digits.substr(5); break;
      case 2: b += "+91 " + digits.substr(0, 5) + " " + digits.substr(5); break;
      case 3: b += "0" + digits.substr(0, 5) + "-" + digits.substr(5); break;
      default: b += "91" + digits; break;
    }
  }

  void token(std::string& b) {
    static const char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    for (int i = 0; i < 22; ++i) b += alphabet[rng_.below(64)];
    b += ":APA91b";
    for (int i = 0; i < 134; ++i) b += alphabet[rng_.below(64)];
  }

  Rng rng_;
  Writer units_, contacts_;
  std::uint64_t person_ = 0, contact_count_ = 0, unit_count_ = 0;
  std::vector<std::string> booths_;
};

struct Shape {
  int states;                // 0: the root is a single state
  int districts_per_state;
  int blocks;                // per state
  int mandals;               // per state
  int booths;                // per state
};

// Spreads `total` children over `parents` as evenly as possible.
int share(int total, int parents, int index) {
  return static_cast<int>(static_cast<long long>(total) * (index + 1) / parents - static_cast<long long>(total) * index / parents);
}

void generate_state(Generator& g, const std::string& state_id, const std::string& parent, const std::string& name,
                    const std::string& name_hi, const Shape& shape, int& block_no, int& mandal_no, int& booth_no,
                    int& district_no, bool real_names) {
  g.unit(state_id, parent, 1, name, name_hi);
  g.committee(state_id, 1);
  for (int d = 0; d < shape.districts_per_state; ++d) {
    std::string did = "D" + std::to_string(++district_no);
    std::string dname = real_names ? kDistricts[d % std::size(kDistricts)].en : "District " + std::to_string(district_no);
    std::string dname_hi = real_names ? kDistricts[d % std::size(kDistricts)].hi : "ज़िला " + std::to_string(district_no);
    g.unit(did, state_id, 2, dname, dname_hi);
    g.committee(did, 2);
    int blocks = share(shape.blocks, shape.districts_per_state, d);
    int mandals_here = share(shape.mandals, shape.districts_per_state, d);
    int booths_here = share(shape.booths, shape.districts_per_state, d);
    for (int b = 0; b < blocks; ++b) {
      std::string bid = "B" + std::to_string(++block_no);
      g.unit(bid, did, 3, dname + " Block " + std::to_string(b + 1), dname_hi + " ब्लॉक " + std::to_string(b + 1));
      g.committee(bid, 3);
      int mandals = share(mandals_here, blocks, b);
      int booths_block = share(booths_here, blocks, b);
      for (int m = 0; m < mandals; ++m) {
        std::string mid = "M" + std::to_string(++mandal_no);
        g.unit(mid, bid, 4, dname + " Mandal " + std::to_string(mandal_no), dname_hi + " मंडल " + std::to_string(mandal_no));
        // Some mandal presidents also lead a booth committee: one person, two posts.
        auto [pname, pname_hi] = g.person_name();
        bool doubles = g.rng().chance(0.3);
        std::string fixed = doubles ? pname + "," + pname_hi : "";
        std::uint64_t president = g.committee(mid, 4, 0, fixed);
        int booths = share(booths_block, mandals, m);
        for (int t = 0; t < booths; ++t) {
          std::string tid = "BT" + std::to_string(++booth_no);
          g.unit(tid, mid, 5, "Booth " + std::to_string(booth_no), "बूथ " + std::to_string(booth_no));
          if (t == 0 && doubles) g.committee(tid, 5, president, fixed);
          else g.committee(tid, 5);
        }
      }
    }
  }
}

}  // namespace

int main(int argc, char** argv) {
  std::string preset = "state", out;
  std::uint64_t seed = 1, members = 0;
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    auto value = [&] {
      if (i + 1 >= argc) {
        std::cerr << "gen-directory: " << arg << " needs a value\n";
        std::exit(2);
      }
      return std::string(argv[++i]);
    };
    if (arg == "--preset") preset = value();
    else if (arg == "--out") out = value();
    else if (arg == "--seed") seed = std::stoull(value());
    else if (arg == "--members") members = std::stoull(value());
    else {
      std::cerr << "usage: gen-directory --preset small|state|country --out DIR [--seed N] [--members N]\n";
      return 2;
    }
  }
  if (out.empty() || (preset != "small" && preset != "state" && preset != "country")) {
    std::cerr << "usage: gen-directory --preset small|state|country --out DIR [--seed N] [--members N]\n";
    return 2;
  }
  std::filesystem::create_directories(out);
  Generator g(seed, out);
  int block_no = 0, mandal_no = 0, booth_no = 0, district_no = 0;
  if (preset == "country") {
    g.unit("IN", "", 0, "India", "भारत");
    g.committee("IN", 0);
    for (int s = 0; s < 36; ++s) {
      Shape shape{36, share(780, 36, s), share(7000, 36, s), share(44000, 36, s), share(1000000, 36, s)};
      generate_state(g, "S" + std::to_string(s + 1), "IN", "State " + std::to_string(s + 1), "राज्य " + std::to_string(s + 1),
                     shape, block_no, mandal_no, booth_no, district_no, false);
    }
  } else if (preset == "state") {
    generate_state(g, "RJ", "", "Rajasthan", "राजस्थान", Shape{0, 50, 400, 2200, 52000}, block_no, mandal_no, booth_no,
                   district_no, true);
  } else {
    generate_state(g, "RJ", "", "Rajasthan", "राजस्थान", Shape{0, 3, 6, 18, 90}, block_no, mandal_no, booth_no, district_no, true);
  }
  g.members(members);
  std::cout << "wrote " << g.units() << " units and " << g.contacts() << " contacts to " << out
            << (preset == "country" ? " (levels: country, state, district, block, mandal, booth)" : "") << "\n";
  return 0;
}
