#include "support/kannel.hpp"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <fstream>
#include <map>
#include <sstream>

#include "support/http_client.hpp"

namespace orgcast::testing {
namespace {

constexpr const char* kFakeSmsc = "/usr/lib/kannel/test/fakesmsc";

std::string read_file(const std::string& path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

}  // namespace

bool kannel_installed() {
  struct stat st {};
  return stat("/usr/sbin/bearerbox", &st) == 0 && stat("/usr/sbin/smsbox", &st) == 0 && stat(kFakeSmsc, &st) == 0;
}

Kannel::Kannel(const std::string& mo_url)
    : dir_(temp_dir("kannel")), admin_port_(free_port()), smsbox_port_(free_port()), fake_port_(free_port()),
      sendsms_port_(free_port()) {
  std::ofstream(password_file()) << "kannel-test-password";
  std::ofstream conf(dir_ + "/kannel.conf");
  conf << "group = core\n"
       << "admin-port = " << admin_port_ << "\nadmin-password = admin\nadmin-interface = 127.0.0.1\n"
       << "smsbox-port = " << smsbox_port_ << "\nsmsbox-interface = 127.0.0.1\n"
       << "dlr-storage = internal\nlog-level = 1\nlog-file = \"" << dir_ << "/bearerbox.log\"\n\n"
       << "group = smsc\nsmsc = fake\nsmsc-id = fake\nport = " << fake_port_ << "\nconnect-allow-ip = 127.0.0.1\n\n"
       << "group = smsbox\nbearerbox-host = 127.0.0.1\nbearerbox-port = " << smsbox_port_ << "\n"
       << "sendsms-port = " << sendsms_port_ << "\nsendsms-interface = 127.0.0.1\n"
       << "mo-recode = true\nlog-level = 1\nlog-file = \"" << dir_ << "/smsbox.log\"\n\n"
       << "group = sendsms-user\nusername = " << kUsername << "\npassword = kannel-test-password\n"
       << "max-messages = 10\nconcatenation = true\n\n"
       // Inbound messages to orgcastd; max-messages 0: Kannel answers nothing to the sender.
       << "group = sms-service\nkeyword = default\ncatch-all = true\nmax-messages = 0\n"
       << "get-url = \"" << mo_url << "?from=%p&to=%P&text=%a&coding=%c&ts=%t\"\n";
  conf.close();
  bearerbox_ = std::make_unique<Process>(std::vector<std::string>{"/usr/sbin/bearerbox", dir_ + "/kannel.conf"}, dir_ + "/bearerbox.out");
  bool up = eventually([&] { return http("GET", "http://127.0.0.1:" + std::to_string(admin_port_) + "/status").status == 200; },
                       std::chrono::seconds(10));
  if (!up) ADD_FAILURE() << "bearerbox did not start: " << logs();
  smsbox_ = std::make_unique<Process>(std::vector<std::string>{"/usr/sbin/smsbox", dir_ + "/kannel.conf"}, dir_ + "/smsbox.out");
  up = eventually([&] { return http("GET", sendsms_url() + "/cgi-bin/sendsms").status > 0; }, std::chrono::seconds(10));
  if (!up) ADD_FAILURE() << "smsbox did not start: " << logs();
}

Kannel::~Kannel() {
  for (auto* p : {&fakesmsc_, &smsbox_, &bearerbox_})
    if (*p && (*p)->running()) (*p)->kill();
}

void Kannel::connect_phone_network(const std::string& mo) {
  if (fakesmsc_ && fakesmsc_->running()) fakesmsc_->kill();
  const auto connections_before = [&] {
    const auto log = read_file(dir_ + "/bearerbox.log");
    std::size_t n = 0;
    for (auto at = log.find("Fakesmsc client connected"); at != std::string::npos; at = log.find("Fakesmsc client connected", at + 1)) ++n;
    return n;
  };
  const auto before = connections_before();
  std::vector<std::string> argv{kFakeSmsc, "-H", "127.0.0.1", "-r", std::to_string(fake_port_), "-i", "1", "-m", mo.empty() ? "0" : "1"};
  argv.push_back(mo.empty() ? "1 2 text unused" : mo);
  fakesmsc_ = std::make_unique<Process>(argv, dir_ + "/fakesmsc-" + std::to_string(++phone_runs_) + ".out");
  bool connected = eventually([&] { return connections_before() > before; }, std::chrono::seconds(10));
  if (!connected) ADD_FAILURE() << "fakesmsc did not connect: " << logs();
}

std::vector<std::string> Kannel::received() const {
  std::vector<std::string> out;
  for (int run = 1; run <= phone_runs_; ++run) {
    std::istringstream in(read_file(dir_ + "/fakesmsc-" + std::to_string(run) + ".out"));
    for (std::string line; std::getline(in, line);) {
      // "... Got message 3: <ORGCST 919829000001 udh %05%00%03... data %09...>"
      const auto at = line.find("Got message ");
      const auto open = line.find(": <", at == std::string::npos ? 0 : at);
      if (at == std::string::npos || open == std::string::npos || line.back() != '>') continue;
      out.push_back(line.substr(open + 3, line.size() - open - 4));
    }
  }
  return out;
}

namespace {

// fakesmsc's url-encoding ('+' is a space) back to bytes.
std::string url_decoded(std::string_view s) {
  std::string out;
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '+') out += ' ';
    else if (s[i] == '%' && i + 2 < s.size()) {
      out += static_cast<char>(std::stoi(std::string(s.substr(i + 1, 2)), nullptr, 16));
      i += 2;
    } else out += s[i];
  }
  return out;
}

// UCS-2 (what orgcast sends Hindi as) when every pair's high byte is 0 or
// Devanagari's 0x09; else GSM text as Kannel keeps it (ASCII here).
std::string decoded_text(const std::string& bytes) {
  bool ucs2 = bytes.size() % 2 == 0 && !bytes.empty();
  for (std::size_t i = 0; ucs2 && i < bytes.size(); i += 2) ucs2 = bytes[i] == 0 || bytes[i] == 0x09 || bytes[i] == 0x20;
  if (!ucs2) return bytes;
  std::string out;
  for (std::size_t i = 0; i + 1 < bytes.size(); i += 2) {
    const unsigned c = (static_cast<unsigned char>(bytes[i]) << 8) | static_cast<unsigned char>(bytes[i + 1]);
    if (c < 0x80) out += static_cast<char>(c);
    else if (c < 0x800) out += {static_cast<char>(0xC0 | (c >> 6)), static_cast<char>(0x80 | (c & 0x3F))};
    else out += {static_cast<char>(0xE0 | (c >> 12)), static_cast<char>(0x80 | ((c >> 6) & 0x3F)), static_cast<char>(0x80 | (c & 0x3F))};
  }
  return out;
}

}  // namespace

std::vector<Kannel::Sms> Kannel::messages() const {
  std::vector<Sms> out;
  // Concatenated parts by (receiver, reference): their texts by part number.
  std::map<std::pair<std::string, int>, std::pair<std::size_t, std::map<int, std::string>>> open;
  for (const auto& line : received()) {
    std::istringstream in(line);
    std::string sender, receiver, type;
    in >> sender >> receiver >> type;
    std::string rest;
    std::getline(in, rest);
    if (!rest.empty() && rest[0] == ' ') rest.erase(0, 1);
    if (type == "text") {
      out.push_back({receiver, rest, 1});
    } else if (type == "data" || type == "ucs-2") {
      out.push_back({receiver, decoded_text(url_decoded(rest)), 1});
    } else if (type == "udh") {
      // "udh <udh> [data] <bytes>": 05 00 03 <reference> <total> <part>.
      std::istringstream fields(rest);
      std::string udh, data;
      fields >> udh >> data;
      if (data == "data" || data == "text") fields >> data;
      const auto header = url_decoded(udh);
      if (header.size() < 6) continue;
      const int reference = static_cast<unsigned char>(header[3]), total = static_cast<unsigned char>(header[4]),
                part = static_cast<unsigned char>(header[5]);
      auto [it, fresh] = open.try_emplace({receiver, reference});
      if (fresh) {
        it->second.first = out.size();
        out.push_back({receiver, "", total});
      }
      it->second.second[part] = url_decoded(data);
      if (static_cast<int>(it->second.second.size()) == total) {
        std::string bytes;
        for (const auto& [_, piece] : it->second.second) bytes += piece;
        out[it->second.first].text = decoded_text(bytes);
        open.erase(it);
      }
    }
  }
  return out;
}

std::string Kannel::logs() const {
  return "--- bearerbox\n" + read_file(dir_ + "/bearerbox.log") + "--- smsbox\n" + read_file(dir_ + "/smsbox.log") + "--- fakesmsc\n" +
         read_file(dir_ + "/fakesmsc.out");
}

}  // namespace orgcast::testing
