#pragma once
// The audit trail's entries and their chain (pure logic, docs/ACCESS.md,
// "Audit trail"). Each entry carries its sequence number and the previous
// entry's MAC, and its own MAC is HMAC-SHA256 over all of that under a key
// read from a file (never from Redis): whoever can write Redis can remove
// or change entries, but not without `verify_chain` seeing it.
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace orgcast::audit {

struct Entry {
  long long seq = 0;     // 1, 2, 3... in the order appended
  std::string at;        // RFC 3339 UTC, milliseconds
  std::string who;       // "user:<name>", "token:<id>", "login:<name tried>", "daemon"
  std::string address;   // the client's address ("" the daemon itself)
  std::string action;    // login, login_failed, logout, send, cancel, meeting_create, ...
  std::string target;    // what it was done to: a broadcast, meeting, contact, user or token id
  std::string unit;      // the unit it concerns (its audience's root), "" none: who may read it
  std::string summary;   // the audience in short, the change, why refused (never a secret or a whole number)
  long long count = 0;   // recipients, contacts, entries...
  std::string outcome;   // ok, refused, failed
  std::string prev;      // the previous entry's mac ("" for the first)
  std::string mac;       // HMAC-SHA256 (hex) of everything above
};

/// The entry's fields but its mac, as one canonical JSON text: what the mac covers.
std::string signed_text(const Entry& entry);
std::string mac_of(std::string_view key, const Entry& entry);
/// The entry as stored (its JSON, mac included), and read back.
std::string to_json(const Entry& entry);
std::optional<Entry> from_json(std::string_view text);

/// The chain's head as kept beside it and written to the log: "<seq>:<mac>" ("0:" empty).
std::string head_of(long long seq, std::string_view mac);

struct Verdict {
  bool ok = true;
  long long checked = 0;
  std::string problem;  // the first thing wrong: which entry and how
};

/// Checks entries in stored order: each mac, each link to the one before,
/// sequence numbers without gap or reversal, that the last is `head` (kept
/// beside the chain), and that each head the daemon wrote to its log is in
/// the chain (a tail removed with the head moved back still shows).
Verdict verify_chain(std::string_view key, const std::vector<std::string>& stored, std::string_view head,
                     const std::vector<std::string>& logged_heads = {});

}  // namespace orgcast::audit
