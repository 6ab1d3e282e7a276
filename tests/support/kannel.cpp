#include "support/kannel.hpp"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <fstream>
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
  std::vector<std::string> argv{kFakeSmsc, "-H", "127.0.0.1", "-r", std::to_string(fake_port_), "-i", "1", "-m", mo.empty() ? "0" : "1"};
  argv.push_back(mo.empty() ? "1 2 text unused" : mo);
  fakesmsc_ = std::make_unique<Process>(argv, dir_ + "/fakesmsc.out");
  bool connected = eventually([&] { return read_file(dir_ + "/bearerbox.log").find("Fakesmsc client connected") != std::string::npos; },
                              std::chrono::seconds(10));
  if (!connected) ADD_FAILURE() << "fakesmsc did not connect: " << logs();
}

std::vector<std::string> Kannel::received() const {
  std::vector<std::string> out;
  std::istringstream in(read_file(dir_ + "/fakesmsc.out"));
  for (std::string line; std::getline(in, line);) {
    // "... Got message 3: <ORGCST 919829000001 udh %05%00%03... data %09...>"
    const auto at = line.find("Got message ");
    const auto open = line.find(": <", at == std::string::npos ? 0 : at);
    if (at == std::string::npos || open == std::string::npos || line.back() != '>') continue;
    out.push_back(line.substr(open + 3, line.size() - open - 4));
  }
  return out;
}

std::string Kannel::logs() const {
  return "--- bearerbox\n" + read_file(dir_ + "/bearerbox.log") + "--- smsbox\n" + read_file(dir_ + "/smsbox.log") + "--- fakesmsc\n" +
         read_file(dir_ + "/fakesmsc.out");
}

}  // namespace orgcast::testing
