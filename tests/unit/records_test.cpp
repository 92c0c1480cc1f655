#include <gtest/gtest.h>

#include <cstring>
#include <memory>
#include <vector>

#include "kernel/records.h"

namespace bpfpads {
namespace {

template <typename Rec>
Rec make(uint16_t type) {
  Rec r{};
  r.hdr.type = type;
  r.hdr.size = sizeof(Rec);
  r.hdr.tgid = 42;
  r.hdr.tid = 43;
  r.hdr.ts_ns = 1000;
  return r;
}

TEST(RecordDecoding, ForkCarriesParentAndChild) {
  auto rec = make<bp_proc_fork>(BP_REC_PROC_FORK);
  rec.child_tgid = 77;
  auto ev = decode_record(&rec, sizeof(rec));
  ASSERT_TRUE(ev) << ev.error().describe();
  auto* fork = std::get_if<ProcForkEvent>(&*ev);
  ASSERT_NE(fork, nullptr);
  EXPECT_EQ(fork->parent_tgid, 42u);
  EXPECT_EQ(fork->child_tgid, 77u);
  EXPECT_EQ(fork->ts_ns, 1000u);
}

TEST(RecordDecoding, ExecFilenameIsBoundedAndCutIsFlagged) {
  auto rec = make<bp_proc_exec>(BP_REC_PROC_EXEC);
  std::memset(rec.filename, 'a', sizeof(rec.filename));  // no terminating NUL at all
  rec.flags = BP_FLAG_CUT;
  auto ev = decode_record(&rec, sizeof(rec));
  ASSERT_TRUE(ev);
  auto* exec = std::get_if<ProcExecEvent>(&*ev);
  ASSERT_NE(exec, nullptr);
  EXPECT_EQ(exec->filename.size(), sizeof(rec.filename));
  EXPECT_TRUE(exec->cut);
}

TEST(RecordDecoding, ExitCarriesWaitStatusAndPeak) {
  auto rec = make<bp_proc_exit>(BP_REC_PROC_EXIT);
  rec.exit_code = 3 << 8;
  rec.maxrss_pages = 1234;
  auto ev = decode_record(&rec, sizeof(rec));
  ASSERT_TRUE(ev);
  auto* exit = std::get_if<ProcExitEvent>(&*ev);
  ASSERT_NE(exit, nullptr);
  EXPECT_EQ(exit->exit_code, 3u << 8);
  EXPECT_EQ(exit->maxrss_pages, 1234u);
}

TEST(RecordDecoding, OutputLengthBeyondBufferIsRejected) {
  auto rec = make<bp_output_chunk>(BP_REC_OUTPUT);
  rec.fd = 2;
  rec.len = BP_OUTPUT_CHUNK_MAX + 1;
  EXPECT_FALSE(decode_record(&rec, sizeof(rec)));
  rec.len = 5;
  std::memcpy(rec.data, "hello", 5);
  auto ev = decode_record(&rec, sizeof(rec));
  ASSERT_TRUE(ev);
  EXPECT_EQ(std::get<OutputEvent>(*ev).bytes, "hello");
}

TEST(RecordDecoding, HookHitIsACallWithoutCaptures) {
  auto rec = make<bp_hook_hit>(BP_REC_HOOK_HIT);
  rec.hook_id = 7;
  rec.depth = 2;
  auto ev = decode_record(&rec, sizeof(rec));
  ASSERT_TRUE(ev) << ev.error().describe();
  auto* call = std::get_if<HookCallEvent>(&*ev);
  ASSERT_NE(call, nullptr);
  EXPECT_EQ(call->tgid, 42u);
  EXPECT_EQ(call->tid, 43u);
  EXPECT_EQ(call->hook_id, 7u);
  EXPECT_EQ(call->depth, 2u);
  EXPECT_EQ(call->entry_ns, 1000u);
  EXPECT_FALSE(call->returned);
  EXPECT_EQ(call->args[0], 0u);
  EXPECT_TRUE(call->data.empty());

  rec.hdr.size = sizeof(bp_hook_call);  // a full call's size on the small record
  EXPECT_FALSE(decode_record(&rec, sizeof(rec)));
}

TEST(RecordDecoding, CallWithDataKeepsItsCallAndItsDataArea) {
  // make<> would put the 2,280-byte record on the stack twice; one heap copy is enough.
  auto rec = std::make_unique<bp_hook_call_data>();
  rec->call.hdr.type = BP_REC_HOOK_CALL_DATA;
  rec->call.hdr.size = sizeof(bp_hook_call_data);
  rec->call.hdr.tgid = 42;
  rec->call.hook_id = 5;
  rec->call.flags = BP_CALL_RETURNED;
  rec->call.entry_ns = 100;
  rec->call.return_ns = 250;
  rec->call.values[1] = 0xabcd;
  rec->call.slots[1].len = 3;
  std::memcpy(rec->data + 7, "abc", 3);
  auto ev = decode_record(rec.get(), sizeof(*rec));
  ASSERT_TRUE(ev) << ev.error().describe();
  auto* call = std::get_if<HookCallEvent>(&*ev);
  ASSERT_NE(call, nullptr);
  EXPECT_EQ(call->tgid, 42u);
  EXPECT_EQ(call->hook_id, 5u);
  EXPECT_TRUE(call->returned);
  EXPECT_EQ(call->return_ns - call->entry_ns, 150u);
  EXPECT_EQ(call->values[1], 0xabcdu);
  EXPECT_EQ(call->slots[1].len, 3u);
  ASSERT_EQ(call->data.size(), static_cast<size_t>(BP_HOOK_DATA_MAX));
  EXPECT_EQ(call->data.substr(7, 3), "abc");

  EXPECT_FALSE(decode_record(rec.get(), sizeof(*rec) - 1));  // cut short in the data area
}

TEST(RecordDecoding, SizeMismatchAndUnknownTypeAreErrors) {
  auto rec = make<bp_proc_exit>(BP_REC_PROC_EXIT);
  rec.hdr.size = sizeof(rec) + 8;  // a layout the collector does not know
  auto ev = decode_record(&rec, sizeof(rec));
  ASSERT_FALSE(ev);
  EXPECT_NE(ev.error().message.find("disagree"), std::string::npos);

  auto short_rec = make<bp_proc_exit>(BP_REC_PROC_EXIT);
  EXPECT_FALSE(decode_record(&short_rec, sizeof(short_rec) - 1));
  EXPECT_FALSE(decode_record(&short_rec, 3));

  auto unknown = make<bp_proc_fork>(999);
  EXPECT_FALSE(decode_record(&unknown, sizeof(unknown)));
}

}  // namespace
}  // namespace bpfpads
