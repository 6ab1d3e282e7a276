// The pipeline's Lua scripts (daemon/dispatch/lua/) run against the real
// test Redis, case by case: claims under owner tokens, the record script's
// all-or-nothing ownership check and its idempotence, finishing refused
// while a hold's recipient is sending, report timeouts ending recipients
// unconfirmed and the broadcast done.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <hiredis/hiredis.h>

#include <memory>
#include <string>
#include <vector>

#include "broadcast/keys.hpp"
#include "broadcast/recipients.hpp"
#include "dispatch/scripts.hpp"
#include "support/redis_server.hpp"
#include "tracking/chunk_keys.hpp"

using namespace orgcast;
using namespace orgcast::testing;
using broadcast::State;
using broadcast::StateRecord;

namespace {

struct Value {
  std::string str;
  long long integer = 0;
  bool nil = false, error = false;
  std::vector<Value> elements;
};

Value convert(const redisReply* r) {
  Value v;
  if (!r) return Value{"no reply", 0, false, true, {}};
  switch (r->type) {
    case REDIS_REPLY_NIL: v.nil = true; break;
    case REDIS_REPLY_INTEGER: v.integer = r->integer; break;
    case REDIS_REPLY_ERROR: v.error = true; [[fallthrough]];
    case REDIS_REPLY_STRING:
    case REDIS_REPLY_STATUS: v.str.assign(r->str, r->len); break;
    case REDIS_REPLY_ARRAY:
      for (std::size_t i = 0; i < r->elements; ++i) v.elements.push_back(convert(r->element[i]));
      break;
  }
  return v;
}

class LuaScripts : public ::testing::Test {
 protected:
  void SetUp() override {
    c_.reset(redisConnect("127.0.0.1", shared_redis_port()));
    ASSERT_TRUE(c_ && !c_->err);
    run({"HSET", keys_.broadcast(id_), "state", "queued", "channels", "whatsapp,sms", "priority", "normal", "units", R"(["RJ"])", "chunks",
         "1", "retention_s", "3600"});
    std::string records;
    for (int i = 0; i < kRecipients; ++i) StateRecord{State::queued, 1, 0, 0b11, 0, 0}.encode_into(records);
    run({"SET", keys_.states(id_, 0), records});
    run({"HSET", keys_.counters(id_), "queued", std::to_string(kRecipients), "ch:sms:queued", std::to_string(kRecipients), "u:RJ:queued",
         std::to_string(kRecipients)});
  }
  Value run(const std::vector<std::string>& args) {
    std::vector<const char*> argv;
    std::vector<std::size_t> lengths;
    for (const auto& a : args) argv.push_back(a.data()), lengths.push_back(a.size());
    auto* reply = static_cast<redisReply*>(redisCommandArgv(c_.get(), static_cast<int>(argv.size()), argv.data(), lengths.data()));
    auto v = convert(reply);
    freeReplyObject(reply);
    return v;
  }
  StateRecord record(int i) { return StateRecord::decode(run({"GET", keys_.states(id_, 0)}).str, static_cast<std::size_t>(i)); }
  long long counter(const std::string& field) { return std::atoll(run({"HGET", keys_.counters(id_), field}).str.c_str()); }
  static std::string token(std::uint32_t t) { return StateRecord::token_bytes(t); }
  Value claim(const std::string& tok, const std::string& earlier, std::vector<std::pair<int, State>> who) {
    std::vector<std::string> args{"EVAL", dispatch::kClaimScript, "4", keys_.states(id_, 0), keys_.broadcast(id_), keys_.counters(id_),
                                  keys_.holds(), tok, broadcast::Keys::hold_field("s", "1-0"), earlier};
    for (auto [i, s] : who) args.push_back(std::to_string(i)), args.push_back(std::to_string(static_cast<int>(s)));
    return run(args);
  }
  // Recipient i sent (accepted) by the hold `tok`: its record and the counter move.
  Value record_sent(const std::string& tok, int i, std::uint32_t owner) {
    std::string bytes;
    StateRecord{State::sent, 1, 0, 0b11, 0, owner}.encode_into(bytes);
    return run({"EVAL", dispatch::kRecordWindowScript, "11", keys_.states(id_, 0), keys_.counters(id_), keys_.failures(id_),
                keys_.report_wait(), keys_.dead_push_tokens(), keys_.broadcast(id_), keys_.requeued(id_, 0), "s", keys_.active("normal"),
                keys_.retry_due(id_, 0), keys_.ended(), tok, "0", "60", "1", std::to_string(i), bytes, "2", "sending", "-1", "sent", "1", "0", "0", "0",
                "0", "0"});
  }

  // finish_chunk.lua on the entry "1-0" of stream "s", as `consumer`.
  Value finish_as(const std::string& consumer) {
    return run({"EVAL", dispatch::kFinishChunkScript, "7", "s", keys_.active("normal"), keys_.states(id_, 0), keys_.holds(), keys_.retries(),
                keys_.broadcast(id_), keys_.requeued(id_, 0), "dispatch", "1-0", broadcast::Keys::hold_field("s", "1-0"), "s|0", "", consumer,
                "0"});
  }

  static constexpr int kRecipients = 4;
  std::unique_ptr<redisContext, decltype(&redisFree)> c_{nullptr, &redisFree};
  broadcast::Keys keys_{unique_prefix()};
  std::string id_ = "b1";
};

TEST_F(LuaScripts, ClaimMarksSendingUnderItsTokenOnceAndIsIdempotent) {
  auto a = token(0xA1A1A1A1);
  auto claimed = claim(a, "", {{0, State::queued}, {1, State::queued}});
  ASSERT_EQ(claimed.elements.size(), 2u) << claimed.str;
  EXPECT_EQ(record(0).state, State::sending);
  EXPECT_EQ(record(0).owner, 0xA1A1A1A1u);
  EXPECT_EQ(counter("queued"), kRecipients - 2);
  EXPECT_EQ(counter("sending"), 2);
  EXPECT_EQ(run({"HGET", keys_.broadcast(id_), "state"}).str, "sending");
  // The same claim again (its answer was lost): the same recipients, no counter moves.
  EXPECT_EQ(claim(a, "", {{0, State::queued}, {1, State::queued}}).elements.size(), 2u);
  EXPECT_EQ(counter("sending"), 2);
}

TEST_F(LuaScripts, ASendingRecipientIsClaimedOnlyFromAnEarlierHoldOfTheEntry) {
  auto a = token(0xA1A1A1A1), b = token(0xB2B2B2B2);
  claim(a, "", {{0, State::queued}});
  EXPECT_TRUE(claim(b, "", {{0, State::sending}}).elements.empty()) << "a live hold's recipient is not taken";
  EXPECT_EQ(claim(b, a, {{0, State::sending}}).elements.size(), 1u) << "a dead hold's recipient is";
  EXPECT_EQ(record(0).owner, 0xB2B2B2B2u);
  EXPECT_EQ(counter("sending"), 1) << "a takeover moves no counter";
}

// A takeover of a cancelled broadcast ends what the dead hold left sending
// (without it the entry could never be finished and was taken over again and again).
TEST_F(LuaScripts, SettleEndsWhatADeadEarlierHoldLeftSending) {
  auto a = token(0xA1A1A1A1), b = token(0xB2B2B2B2);
  claim(a, "", {{0, State::queued}});
  auto settle = [&](const std::string& earlier) {
    return run({"EVAL", dispatch::kSettleScript, "4", keys_.states(id_, 0), keys_.counters(id_), keys_.broadcast(id_), keys_.ended(),
                std::to_string(static_cast<int>(State::cancelled)), b, earlier, "0", "sms", "RJ"})
        .integer;
  };
  EXPECT_EQ(settle(""), 0) << "another live hold's recipient is not touched";
  EXPECT_EQ(record(0).state, State::sending);
  EXPECT_EQ(settle(a), 1) << "a dead earlier hold's is";
  EXPECT_EQ(record(0).state, State::cancelled);
  EXPECT_EQ(counter("sending"), 0);
  EXPECT_EQ(counter("cancelled"), 1);
}

TEST_F(LuaScripts, ACancelledBroadcastIsNotClaimed) {
  run({"HSET", keys_.broadcast(id_), "state", "cancelled"});
  EXPECT_EQ(claim(token(1), "", {{0, State::queued}}).integer, -1);
  EXPECT_EQ(record(0).state, State::queued);
}

TEST_F(LuaScripts, RecordWritesOnceAndRefusesAWindowTakenOver) {
  auto a = token(0xA1A1A1A1), b = token(0xB2B2B2B2);
  claim(a, "", {{0, State::queued}, {1, State::queued}});
  auto written = record_sent(a, 0, 0xA1A1A1A1);
  ASSERT_EQ(written.elements.size(), 2u) << written.str;
  EXPECT_EQ(written.elements[0].str, "written");
  EXPECT_EQ(record_sent(a, 0, 0xA1A1A1A1).elements[0].str, "already") << "sent again after a lost answer: nothing twice";
  EXPECT_EQ(counter("sent"), 1);
  EXPECT_EQ(counter("sending"), 1);
  // Recipient 1 was taken over by another hold: the first hold writes nothing.
  claim(b, a, {{1, State::sending}});
  EXPECT_EQ(record_sent(a, 1, 0xA1A1A1A1).elements[0].str, "lost");
  EXPECT_EQ(record(1).state, State::sending);
  EXPECT_EQ(record(1).owner, 0xB2B2B2B2u);
  EXPECT_EQ(counter("sent"), 1);
}

TEST_F(LuaScripts, FinishIsRefusedWhileAHoldOfTheEntryLeftSomeoneSending) {
  auto a = token(0xA1A1A1A1);
  run({"XGROUP", "CREATE", "s", "dispatch", "0", "MKSTREAM"});
  run({"XADD", "s", "1-0", "k", "0"});
  run({"XREADGROUP", "GROUP", "dispatch", "me", "COUNT", "1", "STREAMS", "s", ">"});
  std::vector<std::pair<int, State>> all;
  for (int i = 0; i < kRecipients; ++i) all.emplace_back(i, State::queued);
  claim(a, "", all);
  EXPECT_EQ(finish_as("me").integer, -1);
  for (int i = 0; i < kRecipients; ++i) record_sent(a, i, 0xA1A1A1A1);
  EXPECT_EQ(finish_as("someone else").integer, -2) << "only the consumer holding the entry finishes it";
  EXPECT_EQ(finish_as("me").integer, 1);
  run({"DEL", "s"});
}

// A recipient written back to `queued` by a stalled hold after this one read
// the chunk: finishing the entry leaves it a fresh entry, never stranded.
TEST_F(LuaScripts, FinishingLeavesAQueuedRecipientAnEntry) {
  auto a = token(0xA1A1A1A1);
  run({"XGROUP", "CREATE", "s", "dispatch", "0", "MKSTREAM"});
  run({"XADD", "s", "1-0", "k", "0"});
  run({"XREADGROUP", "GROUP", "dispatch", "me", "COUNT", "1", "STREAMS", "s", ">"});
  claim(a, "", {{0, State::queued}, {1, State::queued}, {2, State::queued}});
  for (int i = 0; i < 3; ++i) record_sent(a, i, 0xA1A1A1A1);
  EXPECT_EQ(finish_as("me").integer, 0) << "recipient 3 is still queued: the queue is not empty";
  EXPECT_EQ(run({"XLEN", "s"}).integer, 1);
  EXPECT_EQ(run({"EXISTS", keys_.requeued(id_, 0)}).integer, 1);
  run({"DEL", "s", keys_.requeued(id_, 0)});
}

// A chunk whose recipients all wait for retries is set aside by its soonest
// due time, and queued again (once, by whichever instance looks first)
// only when that time has come.
TEST_F(LuaScripts, AChunkSetAsideIsQueuedAgainOnlyWhenItsRetryIsDue) {
  const auto stream = keys_.stream("normal", id_), member = broadcast::Keys::retry_member(stream, 0);
  run({"XGROUP", "CREATE", stream, "dispatch", "0", "MKSTREAM"});
  // Each time a new entry of the chunk, read by "me" and set aside.
  auto set_aside = [&](const std::string& due) {
    auto entry = run({"XADD", stream, "*", "k", "0"}).str;
    run({"XREADGROUP", "GROUP", "dispatch", "me", "COUNT", "1", "STREAMS", stream, ">"});
    return run({"EVAL", dispatch::kFinishChunkScript, "7", stream, keys_.active("normal"), keys_.states(id_, 0), keys_.holds(),
                keys_.retries(), keys_.broadcast(id_), keys_.requeued(id_, 0), "dispatch", entry, broadcast::Keys::hold_field(stream, entry),
                member, due, "me", "0"});
  };
  EXPECT_EQ(set_aside("5000").integer, 1) << "the queue is empty now";
  EXPECT_EQ(run({"ZSCORE", keys_.retries(), member}).str, "5000");
  EXPECT_EQ(set_aside("7000").integer, 1);
  EXPECT_EQ(run({"ZSCORE", keys_.retries(), member}).str, "5000") << "the soonest due time stays";
  auto requeue = [&](const std::string& now) {
    return run({"EVAL", dispatch::kRequeueRetriesScript, "4", keys_.retries(), stream, keys_.active("normal"), keys_.requeued(id_, 0), now,
                member, "0"})
        .integer;
  };
  EXPECT_EQ(requeue("4999"), 0) << "not due yet";
  EXPECT_EQ(run({"XLEN", stream}).integer, 0);
  EXPECT_EQ(requeue("5000"), 1);
  EXPECT_EQ(run({"XLEN", stream}).integer, 1);
  EXPECT_EQ(run({"SISMEMBER", keys_.active("normal"), stream}).integer, 1);
  EXPECT_TRUE(run({"ZSCORE", keys_.retries(), member}).nil);
  EXPECT_EQ(requeue("6000"), 0) << "a second instance looking finds nothing to do";
  EXPECT_EQ(run({"XLEN", stream}).integer, 1);
  run({"DEL", stream, keys_.active("normal"), keys_.requeued(id_, 0), keys_.retries()});
}

TEST_F(LuaScripts, NoReportInTimeOnTheLastChannelEndsUnconfirmedAndTheBroadcastDone) {
  auto a = token(0xA1A1A1A1);
  std::vector<std::pair<int, State>> all;
  for (int i = 0; i < kRecipients; ++i) all.emplace_back(i, State::queued);
  claim(a, "", all);
  for (int i = 0; i < kRecipients; ++i) record_sent(a, i, 0xA1A1A1A1);
  run({"ZADD", keys_.report_wait(), "1000", id_ + ":0:1:0,1,2,3"});
  auto timeout = [&](const std::string& now) {
    redis::Args args{"EVAL", dispatch::kReportTimeoutScript, "9", keys_.report_wait(), keys_.ended()};
    tracking::append_chunk_keys(args, keys_, id_, 0, "normal");
    args.push_back(now);
    args.push_back(id_ + ":0:1:0,1,2,3");
    return run(args);
  };
  EXPECT_EQ(timeout("999").elements.at(0).integer, 0) << "not due yet";
  auto moved = timeout("2000");
  ASSERT_EQ(moved.elements.size(), 3u) << moved.str;
  EXPECT_EQ(moved.elements[0].integer, 1);
  EXPECT_EQ(moved.elements[2].integer, kRecipients);
  EXPECT_EQ(record(3).state, State::unconfirmed);
  EXPECT_EQ(counter("unconfirmed"), kRecipients);
  EXPECT_EQ(counter("sent"), 0);
  EXPECT_EQ(run({"HGET", keys_.broadcast(id_), "state"}).str, "done");
  EXPECT_EQ(timeout("3000").elements.at(0).integer, 0) << "an entry is taken once";
  // Done: the broadcast waits in bc:ended for the sweep that gives its
  // per-recipient records `retention_s` more; the summary stays.
  EXPECT_EQ(run({"SISMEMBER", keys_.ended(), id_}).integer, 1);
  EXPECT_EQ(run({"EVAL", dispatch::kExpireEndedScript, "4", keys_.ended(), keys_.broadcast(id_), keys_.states(id_, 0), keys_.failures(id_), id_})
                .integer,
            1) << "the states (the failures hash does not exist)";
  EXPECT_EQ(run({"SISMEMBER", keys_.ended(), id_}).integer, 0);
  const auto ttl = run({"TTL", keys_.states(id_, 0)}).integer;
  EXPECT_GT(ttl, 3500);
  EXPECT_LE(ttl, 3600);
  EXPECT_EQ(run({"TTL", keys_.broadcast(id_)}).integer, -1);
}

TEST_F(LuaScripts, ReportsApplyForwardOnlyAndParkThoseThatCameEarly) {
  auto a = token(0xA1A1A1A1);
  claim(a, "", {{0, State::queued}});
  record_sent(a, 0, 0xA1A1A1A1);
  run({"SET", keys_.provider_message("sim", "m0"), id_ + ":0:0:1:sms:RJ"});
  const std::string ref = id_ + ":0:0:1:sms:RJ";
  // Each report's mapping as the caller read it: m1's was written since (read as none).
  run({"SET", keys_.provider_message("sim", "m1"), ref});
  redis::Args args{"EVAL", dispatch::kApplyReportsScript, "13", keys_.early_reports("sim"), keys_.ended(),
                   keys_.provider_message("sim", "m0"), keys_.provider_message("sim", "m0"), keys_.provider_message("sim", "unknown"),
                   keys_.provider_message("sim", "m1")};
  tracking::append_chunk_keys(args, keys_, id_, 0, "normal");
  for (auto group : {std::vector<std::string>{"m0", "3", "", ref, "7"}, {"m0", "3", "", ref, "7"}, {"unknown", "3", "", "", "0"},
                     {"m1", "3", "", "", "0"}})
    args.insert(args.end(), group.begin(), group.end());
  auto applied = run(args);
  ASSERT_EQ(applied.elements.size(), 4u) << applied.str;
  EXPECT_EQ(applied.elements[0].str, "applied");
  EXPECT_EQ(applied.elements[1].str, "stale") << "the same report twice changes nothing twice";
  EXPECT_EQ(applied.elements[2].str, "early");
  EXPECT_EQ(applied.elements[3].str, "again") << "a mapping that changed since it was read is read again";
  run({"DEL", keys_.provider_message("sim", "m1")});
  EXPECT_EQ(record(0).state, State::delivered);
  EXPECT_EQ(counter("delivered"), 1);
  EXPECT_EQ(counter("sent"), 0);
  // Parked with its time, for ten minutes at most.
  const auto parked = run({"HGET", keys_.early_reports("sim"), "unknown"}).str;
  EXPECT_THAT(parked, ::testing::MatchesRegex("3\\|[0-9]+\\|")) << parked;
  EXPECT_LE(run({"TTL", keys_.early_reports("sim")}).integer, 600);
  run({"DEL", keys_.early_reports("sim")});
}

// A report parked for a message id before anyone sent it is applied when
// the id is recorded within ten minutes; one parked longer ago (a forged
// report for a future id, or a stray) is dropped, never applied.
TEST_F(LuaScripts, AnEarlyReportOlderThanTenMinutesIsNotApplied) {
  const std::string ref = id_ + ":0:0:1:sms:RJ";
  for (const auto& [parked, expected] : std::vector<std::pair<std::string, State>>{{"3|1|", State::sent}, {"", State::delivered}}) {
    SCOPED_TRACE(parked.empty() ? "parked now" : "parked in 1970");
    run({"DEL", keys_.states(id_, 0), keys_.counters(id_), keys_.early_reports("sim")});
    SetUp();
    auto a = token(0xB2B2B2B2);
    claim(a, "", {{0, State::queued}});
    const std::string now = run({"TIME"}).elements.at(0).str;
    run({"HSET", keys_.early_reports("sim"), "m9", parked.empty() ? "3|" + now + "|" : parked});
    std::string bytes;
    StateRecord{State::sent, 1, 0, 0b11, 0, 0xB2B2B2B2}.encode_into(bytes);
    auto written = run({"EVAL", dispatch::kRecordWindowScript, "13", keys_.states(id_, 0), keys_.counters(id_), keys_.failures(id_),
                        keys_.report_wait(), keys_.dead_push_tokens(), keys_.broadcast(id_), keys_.requeued(id_, 0), "s", keys_.active("normal"),
                        keys_.retry_due(id_, 0), keys_.ended(), keys_.early_reports("sim"), keys_.provider_message("sim", "m9"), a, "0", "60", "1",
                        "0", bytes, "2", "sending", "-1", "sent", "1", "0", "0", "0", "0", "1", "12", "1", "13", "m9", ref});
    ASSERT_EQ(written.elements.size(), 2u) << written.str;
    EXPECT_EQ(record(0).state, expected);
    EXPECT_EQ(run({"HEXISTS", keys_.early_reports("sim"), "m9"}).integer, 0) << "taken either way";
  }
}

// Leases are the instances': a takeover claims only from a holder whose
// lease ran out by the caller's clock or who never had one, never from a
// live one however long ago it read; a heartbeat tells a holder which of
// its entries it lost.
TEST_F(LuaScripts, TakeOverClaimsOnlyWhatHoldersWithoutALiveLeaseHeld) {
  const std::string leases = keys_.leases();
  const std::string s = keys_.prefix + "takeover-stream";  // its own stream: the other tests' "s" runs beside it
  run({"XGROUP", "CREATE", s, "dispatch", "0", "MKSTREAM"});
  for (const char* holder : {"live", "dead", "never"}) {
    run({"XADD", s, "*", "k", "0"});
    run({"XREADGROUP", "GROUP", "dispatch", holder, "COUNT", "1", "STREAMS", s, ">"});
  }
  run({"ZADD", leases, "5000", "live", "1000", "dead"});
  std::vector<std::string> taken;  // what "me" took: its workers hold them
  auto take = [&](const std::string& now) {
    std::vector<std::string> args{"EVAL", dispatch::kTakeOverScript, "3", s, keys_.holds(), leases, "dispatch", "me", now, token(0xC3C3C3C3), "0"};
    args.insert(args.end(), taken.begin(), taken.end());
    auto r = run(args);
    if (!r.elements.empty()) taken.push_back(r.elements[0].str);
    return r.elements.empty() ? std::string() : r.elements[0].str;
  };
  auto holder_of = [&](const std::string& entry) { return run({"XPENDING", s, "dispatch", entry, entry, "1"}).elements.at(0).elements.at(1).str; };
  auto dead_entry = take("2000"), never_entry = take("2000");
  EXPECT_FALSE(dead_entry.empty());
  EXPECT_FALSE(never_entry.empty());
  EXPECT_EQ(take("2000"), "") << "the live holder's entry is not taken";
  EXPECT_EQ(holder_of(dead_entry), "me");
  EXPECT_EQ(holder_of(never_entry), "me");
  // The dead holder's heartbeat comes back late: it learns it lost its entry.
  auto lost = run({"EVAL", dispatch::kBeatScript, "2", leases, s, "dispatch", "dead", "9000", "8000", dead_entry});
  ASSERT_EQ(lost.elements.size(), 1u);
  EXPECT_EQ(lost.elements[0].integer, 0);
  EXPECT_EQ(run({"ZSCORE", leases, "dead"}).str, "9000");
  EXPECT_NE(take("6000"), "") << "once its lease ran out, its entry is taken";
  // Our own entries: the ones a worker of ours holds stay; one given up (not listed) is taken again.
  run({"XADD", s, "*", "k", "0"});
  run({"XADD", s, "*", "k", "0"});
  auto mine = run({"XREADGROUP", "GROUP", "dispatch", "me", "COUNT", "2", "STREAMS", s, ">"}).elements.at(0).elements.at(1).elements;
  ASSERT_EQ(mine.size(), 2u);
  const auto kept = mine[0].elements.at(0).str, given_up = mine[1].elements.at(0).str;
  auto take_holding = [&](std::vector<std::string> held) {
    std::vector<std::string> args{"EVAL", dispatch::kTakeOverScript, "3", s, keys_.holds(), leases, "dispatch", "me", "6000", token(0xD4D4D4D4), "0"};
    args.insert(args.end(), held.begin(), held.end());
    auto r = run(args);
    return r.elements.empty() ? std::string() : r.elements[0].str;
  };
  // Every entry of ours but the one given up is held (those taken above, and `kept`).
  std::vector<std::string> held = taken;
  held.push_back(kept);
  {
    std::vector<std::string> args{"EVAL", dispatch::kTakeOverScript, "3", s, keys_.holds(), leases, "dispatch", "me", "6000", token(0xD4D4D4D4), "60000"};
    args.insert(args.end(), held.begin(), held.end());
    EXPECT_TRUE(run(args).elements.empty()) << "not while it may be one just read, its reply on the way (idle under a minute)";
  }
  EXPECT_EQ(take_holding(held), given_up) << "an entry our worker gave up is taken again";
  held.push_back(given_up);
  EXPECT_EQ(take_holding(held), "") << "entries our workers hold are not";
  run({"DEL", s, leases, keys_.holds()});
}

}  // namespace
