// The spool without a server: journal framing, CRC, damaged and torn lines, backoff,
// state persistence, and the shipper's bookkeeping against an unreachable server.
#include <gtest/gtest.h>

#include <signal.h>
#include <sys/resource.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "store/rest_api.h"
#include "store/spool_backoff.h"
#include "store/spool_crc32.h"
#include "store/spool_journal.h"
#include "store/spool_shipper.h"
#include "store/spool_state.h"

namespace bpfpads {
namespace {
namespace fs = std::filesystem;

fs::path temp_dir(const char* name) {
  fs::path d = fs::temp_directory_path() / ("bpfpads_spool_" + std::string(name) + "_" + std::to_string(getpid()));
  fs::remove_all(d);
  fs::create_directories(d);
  return d;
}

nlohmann::json rec(uint64_t seq, const char* t = "batch") { return {{"seq", seq}, {"t", t}, {"p", {{"x", seq}}}}; }

TEST(SpoolCrc, KnownValue) { EXPECT_EQ(crc32("123456789"), 0xCBF43926u); }

TEST(SpoolJournal, EncodeDecodeRoundTrip) {
  std::string text;
  for (uint64_t i = 0; i < 5; ++i) text += encode_journal_line(rec(i));
  auto scan = decode_journal(text);
  ASSERT_EQ(scan.records.size(), 5u);
  EXPECT_TRUE(scan.problems.empty());
  EXPECT_EQ(scan.consumed, text.size());
  EXPECT_EQ(scan.records[3]["seq"], 3);
}

TEST(SpoolJournal, DamagedLinesAreSkippedAndTheRestKept) {
  std::string l0 = encode_journal_line(rec(0)), l1 = encode_journal_line(rec(1)), l2 = encode_journal_line(rec(2));
  l1[15] ^= 0x01;  // a flipped bit
  const std::string text = l0 + l1 + "garbage\n" + l2 + l2.substr(0, 10);  // and a torn tail
  auto scan = decode_journal(text);
  ASSERT_EQ(scan.records.size(), 2u);
  EXPECT_EQ(scan.records[1]["seq"], 2);
  ASSERT_EQ(scan.problems.size(), 2u);
  EXPECT_EQ(scan.problems[0].line, 2u);
  EXPECT_EQ(scan.problems[0].what, "CRC mismatch");
  EXPECT_EQ(scan.problems[1].line, 3u);
  EXPECT_EQ(scan.consumed, text.size() - 10);  // the torn tail waits for its newline
  std::string why;
  EXPECT_FALSE(decode_journal_line("", why));
  EXPECT_FALSE(decode_journal_line(encode_journal_line(nlohmann::json{{"no", "seq"}}).substr(0, 20), why));
}

TEST(SpoolJournal, WriterAndIncrementalReader) {
  const fs::path dir = temp_dir("rw");
  auto w = JournalWriter::create(dir / "a.journal");
  ASSERT_TRUE(w) << w.error().describe();
  EXPECT_FALSE(JournalWriter::create(dir / "a.journal"));  // never two writers
  auto r = JournalReader::open(dir / "a.journal");
  ASSERT_TRUE(r);
  ASSERT_TRUE(w->append(encode_journal_line(rec(0))));
  ASSERT_TRUE(w->sync());
  EXPECT_EQ(r->read_new()->records.size(), 1u);
  ASSERT_TRUE(w->append(encode_journal_line(rec(1))));
  ASSERT_TRUE(w->append(encode_journal_line(rec(2))));
  auto scan = r->read_new();
  ASSERT_EQ(scan->records.size(), 2u);
  EXPECT_EQ(scan->records[0]["seq"], 1);
  fs::remove_all(dir);
}

TEST(SpoolJournal, FullDiskLeavesOnlyWholeLines) {
  // RLIMIT_FSIZE makes writes past the limit fail (EFBIG) or come up short, as a full
  // disk does; the journal must keep whole lines only, so later lines stay readable.
  const fs::path dir = temp_dir("full");
  auto w = JournalWriter::create(dir / "a.journal");
  ASSERT_TRUE(w);
  struct sigaction ign{}, old{};
  ign.sa_handler = SIG_IGN;
  sigaction(SIGXFSZ, &ign, &old);
  rlimit saved{};
  getrlimit(RLIMIT_FSIZE, &saved);
  rlimit small = saved;
  small.rlim_cur = 300;
  setrlimit(RLIMIT_FSIZE, &small);
  int ok = 0, failed = 0;
  for (uint64_t i = 0; i < 20; ++i) (w->append(encode_journal_line(rec(i))) ? ok : failed)++;
  setrlimit(RLIMIT_FSIZE, &saved);
  sigaction(SIGXFSZ, &old, nullptr);
  EXPECT_GT(ok, 0);
  EXPECT_GT(failed, 0);
  std::ifstream in(dir / "a.journal");
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  auto scan = decode_journal(text);
  EXPECT_TRUE(scan.problems.empty());
  EXPECT_EQ(scan.consumed, text.size());
  EXPECT_EQ(scan.records.size(), static_cast<size_t>(ok));
  fs::remove_all(dir);
}

TEST(SpoolBackoff, GrowsWithJitterAndCaps) {
  Backoff b(std::chrono::milliseconds(100), std::chrono::milliseconds(1000), 42);
  int64_t prev_hi = 0;
  for (int i = 0; i < 8; ++i) {
    const int64_t d = b.next().count();
    const int64_t hi = std::min<int64_t>(1000, 100LL << i);
    EXPECT_GE(d, hi / 2) << i;
    EXPECT_LE(d, hi) << i;
    EXPECT_GE(hi, prev_hi);
    prev_hi = hi;
  }
  EXPECT_EQ(b.failures(), 8);
  b.reset();
  EXPECT_LE(b.next().count(), 100);
  // Two writers with different seeds do not retry in lockstep.
  Backoff x(std::chrono::milliseconds(1000), std::chrono::seconds(60), 1), y(std::chrono::milliseconds(1000), std::chrono::seconds(60), 2);
  bool differ = false;
  for (int i = 0; i < 5; ++i) differ |= x.next() != y.next();
  EXPECT_TRUE(differ);
}

TEST(SpoolState, SaveLoadAndDamage) {
  const fs::path dir = temp_dir("state");
  SpoolState s;
  s.server_run_id = "abc";
  s.next_seq = 17;
  s.rejected = 2;
  s.note("x");
  ASSERT_TRUE(save_spool_state(dir / "s.state", s));
  auto back = load_spool_state(dir / "s.state");
  ASSERT_TRUE(back);
  EXPECT_EQ(back->server_run_id, "abc");
  EXPECT_EQ(back->next_seq, 17u);
  EXPECT_EQ(back->rejected, 2u);
  EXPECT_EQ(load_spool_state(dir / "missing.state")->next_seq, 0u);
  std::ofstream(dir / "bad.state") << "{not json";
  EXPECT_FALSE(load_spool_state(dir / "bad.state"));
  fs::remove_all(dir);
}

// A corrupted journal and no server: nothing crashes, nothing is acknowledged, and the
// damage is counted once however often the shipper retries.
// Each try fails as transient: nothing listens on port 9.
void ship_to_an_unreachable_server(JournalShipper& shipper, int tries) {
  RestConfig cfg = *rest_config_from("http://127.0.0.1:9", [](const std::string&) { return std::nullopt; });
  cfg.connect_timeout = std::chrono::milliseconds(500);
  RestApi api(cfg);
  for (int i = 0; i < tries; ++i) {
    auto r = shipper.ship_available(api);
    ASSERT_FALSE(r);
    EXPECT_TRUE(r.error().transient());
  }
}

TEST(SpoolShipper, CorruptJournalAgainstAnUnreachableServer) {
  const fs::path dir = temp_dir("ship");
  const SpoolFiles files = spool_files(dir, "r1");
  {
    std::ofstream out(files.journal);
    out << encode_journal_line({{"seq", 0}, {"t", "run"}, {"local_run_id", "r1"}, {"tracking_uri", "http://127.0.0.1:9"},
                                {"experiment_id", "0"}, {"create", nlohmann::json::object()}});
    out << "0000dead {\"seq\":1}\n" << encode_journal_line(rec(2)) << "torn";
  }
  auto shipper = JournalShipper::open(files, true);
  ASSERT_TRUE(shipper) << shipper.error().describe();
  EXPECT_FALSE(JournalShipper::open(files, true));  // locked: "in use"
  ASSERT_TRUE(shipper->read_new());
  EXPECT_EQ(shipper->tracking_uri(), "http://127.0.0.1:9");
  ship_to_an_unreachable_server(*shipper, 2);
  EXPECT_EQ(shipper->state().damaged, 1u);
  EXPECT_EQ(shipper->state().next_seq, 0u);
  EXPECT_FALSE(shipper->caught_up());
  fs::remove_all(dir);
}

TEST(SpoolShipper, AGapIsCountedOnceWhileTheServerIsAway) {
  const fs::path dir = temp_dir("gap");
  const SpoolFiles files = spool_files(dir, "r1");
  SpoolState acked;
  acked.server_run_id = "srv";  // the run exists on the server; record 0 was acknowledged
  acked.next_seq = 1;
  ASSERT_TRUE(save_spool_state(files.state, acked));
  {
    std::ofstream out(files.journal);
    out << encode_journal_line({{"seq", 0}, {"t", "run"}, {"local_run_id", "r1"}, {"tracking_uri", "http://127.0.0.1:9"},
                                {"experiment_id", "0"}, {"create", nlohmann::json::object()}});
    out << encode_journal_line(rec(2)) << encode_journal_line(rec(3));  // seq 1 never written
  }
  auto shipper = JournalShipper::open(files, true);
  ASSERT_TRUE(shipper) << shipper.error().describe();
  ASSERT_TRUE(shipper->read_new());
  ship_to_an_unreachable_server(*shipper, 3);
  EXPECT_EQ(shipper->state().missing, 1u);
  EXPECT_EQ(shipper->state().next_seq, 2u);  // records 2 and 3 (one request) still to send
  EXPECT_FALSE(shipper->caught_up());
  fs::remove_all(dir);
}

}  // namespace
}  // namespace bpfpads
