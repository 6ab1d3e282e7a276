#pragma once
// A real Kannel (Debian's kannel and kannel-extras) as processes of the
// test's own: bearerbox with a `fake` SMSC, smsbox with a sendsms user and
// an sms-service whose get-url sends inbound messages to an orgcastd, and
// Kannel's `fakesmsc` as the phone network: it prints every message it
// receives and, when asked, sends one inbound message.
#include <memory>
#include <string>
#include <vector>

#include "support/process.hpp"

namespace orgcast::testing {

class Kannel {
 public:
  /// `mo_url`: where smsbox's sms-service sends inbound messages (Kannel's
  /// %-escapes are added). Starts bearerbox and smsbox; fakesmsc is started by connect_phone_network().
  explicit Kannel(const std::string& mo_url);
  ~Kannel();

  /// smsbox's sendsms base URL: http://127.0.0.1:PORT
  std::string sendsms_url() const { return "http://127.0.0.1:" + std::to_string(sendsms_port_); }
  static constexpr const char* kUsername = "orgcast";
  /// The file holding the sendsms password (for the daemon's password_file).
  std::string password_file() const { return dir_ + "/password"; }

  /// Connects fakesmsc; with `mo` (fakesmsc's format: "sender receiver ucs2 %09%39..."
  /// or "sender receiver text YES 47"), it sends that one inbound message
  /// first. Called again, it reconnects (a new fakesmsc) to send another:
  /// what bearerbox had queued meanwhile is delivered after.
  void connect_phone_network(const std::string& mo = "");
  /// What fakesmsc received: its "sender receiver type [udh ...] data" lines.
  std::vector<std::string> received() const;
  /// The messages fakesmsc received, decoded (UCS-2 or GSM text) with their
  /// concatenated parts put together, in the order their first part came.
  struct Sms {
    std::string to, text;
    int parts = 1;
  };
  std::vector<Sms> messages() const;
  std::string logs() const;

 private:
  std::string dir_;
  int admin_port_, smsbox_port_, fake_port_, sendsms_port_;
  std::unique_ptr<Process> bearerbox_, smsbox_, fakesmsc_;
  int phone_runs_ = 0;  // fakesmsc runs so far, each writing fakesmsc-<n>.out
};

/// Kannel's programs are installed (tools/setup installs them).
bool kannel_installed();

}  // namespace orgcast::testing
