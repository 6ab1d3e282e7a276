// The audit trail's chain: verify_chain finds an entry changed, one removed
// from the middle, entries reordered, and a tail cut off (against the head
// kept beside the chain, and against a head written to the log).
#include "audit/chain.hpp"

#include <gtest/gtest.h>
#include <gmock/gmock.h>

using namespace orgcast::audit;
using ::testing::HasSubstr;

namespace {

const std::string kKey = "a key of at least thirty-two characters";

// Five entries chained as AuditLog appends them; the head in `head`.
std::vector<std::string> chain_of_five(std::string& head) {
  std::vector<std::string> out;
  long long seq = 0;
  std::string prev;
  for (const char* action : {"login", "send", "cancel", "token_create", "logout"}) {
    Entry e;
    e.seq = ++seq;
    e.at = "2026-11-27T10:00:0" + std::to_string(seq) + "Z";
    e.who = "user:meena";
    e.address = "10.0.0.1";
    e.action = action;
    e.target = "b" + std::to_string(seq);
    e.unit = "D-JAI";
    e.outcome = "ok";
    e.prev = prev;
    e.mac = mac_of(kKey, e);
    prev = e.mac;
    out.push_back(to_json(e));
  }
  head = head_of(seq, prev);
  return out;
}

TEST(AuditChain, AWholeChainVerifies) {
  std::string head;
  const auto chain = chain_of_five(head);
  const auto verdict = verify_chain(kKey, chain, head, {head_of(2, from_json(chain[1])->mac)});
  EXPECT_TRUE(verdict.ok) << verdict.problem;
  EXPECT_EQ(verdict.checked, 5);
  EXPECT_TRUE(verify_chain(kKey, {}, "0:").ok) << "an empty trail";
  EXPECT_FALSE(verify_chain("another key of thirty-two characters!", chain, head).ok) << "signed with another key";
}

TEST(AuditChain, AnEntryChangedIsFound) {
  std::string head;
  auto chain = chain_of_five(head);
  auto e = *from_json(chain[2]);
  e.target = "b99";  // the mac kept as it was
  chain[2] = to_json(e);
  const auto verdict = verify_chain(kKey, chain, head);
  EXPECT_FALSE(verdict.ok);
  EXPECT_THAT(verdict.problem, HasSubstr("entry 3 of 5 (seq 3) was changed"));
}

TEST(AuditChain, AMiddleEntryRemovedIsFound) {
  std::string head;
  auto chain = chain_of_five(head);
  chain.erase(chain.begin() + 1);
  const auto verdict = verify_chain(kKey, chain, head);
  EXPECT_FALSE(verdict.ok);
  EXPECT_THAT(verdict.problem, HasSubstr("removed"));
}

TEST(AuditChain, EntriesReorderedAreFound) {
  std::string head;
  auto chain = chain_of_five(head);
  std::swap(chain[1], chain[2]);
  const auto verdict = verify_chain(kKey, chain, head);
  EXPECT_FALSE(verdict.ok);
  EXPECT_THAT(verdict.problem, HasSubstr("entry 2 of 5"));
}

TEST(AuditChain, ATailRemovedIsFoundByTheHeadOrByTheLog) {
  std::string head;
  auto chain = chain_of_five(head);
  chain.pop_back();
  auto verdict = verify_chain(kKey, chain, head);
  EXPECT_FALSE(verdict.ok) << "the head kept beside the chain names the entry removed";
  EXPECT_THAT(verdict.problem, HasSubstr("at the end were removed"));
  // The head moved back too: the head the daemon wrote to its log shows it.
  const auto moved_back = head_of(4, from_json(chain.back())->mac);
  EXPECT_TRUE(verify_chain(kKey, chain, moved_back).ok) << "without the log it cannot be told";
  verdict = verify_chain(kKey, chain, moved_back, {head});
  EXPECT_FALSE(verdict.ok);
  EXPECT_THAT(verdict.problem, HasSubstr("the log names the head 5:"));
}

}  // namespace
