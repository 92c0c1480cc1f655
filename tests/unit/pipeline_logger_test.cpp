// The pipeline logger's call tree: nesting decided on the kernel's nanoseconds, so
// that rounding to microseconds never lifts a callee out of its caller.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "mapping/mapping_parser.h"
#include "pipeline/logger.h"
#include "pipeline/run_sink.h"
#include "recording_store.h"
#include "run/run_recorder.h"

namespace bpfpads {
namespace {

struct Fixture {
  testing::RecordingStore store;
  RunRecorder recorder{store, RunInfo{}};
  RunSink sink{recorder};
  MappingFile file;
  Hook hook;
  std::unique_ptr<Logger> logger;

  Fixture() {
    auto r = parse_mapping_text("metadata: {author: a, version: '1', library: {name: l, version: '*'}}\n"
                                "mappings:\n  :{lib:libx.so}.fib:\n    hooks: pypads_predict\n",
                                "t.yaml");
    for (const auto& d : r.diagnostics) ADD_FAILURE() << d.format();
    file = std::move(*r.file);
    hook.entry = &file.entries.at(0);
    hook.function = "fib";
    for (auto& l : LoggerRegistry::instance().create_all())
      if (l->event_type() == "pipeline") logger = std::move(l);
  }
  // A call on thread 7 of process 7, times in nanoseconds since boot.
  void call(uint64_t entry_ns, uint64_t return_ns) {
    HookCallEvent event{};
    event.tgid = event.tid = 7;
    event.returned = true;
    event.entry_ns = entry_ns;
    event.return_ns = return_ns;
    HookCall c{hook, event, {}};
    c.entry_wall_us = static_cast<int64_t>(entry_ns / 1000);
    c.duration_us = static_cast<int64_t>((return_ns - entry_ns) / 1000);
    logger->on_call(c, sink);
  }
  nlohmann::json thread() {
    logger->finish(sink);
    return nlohmann::json::parse(store.artifacts.at("bpfpads/pipeline.json"))["processes"]["7"]["7"];
  }
};

TEST(PipelineLogger, ShortLastCalleeStaysInsideItsCaller) {
  Fixture f;
  ASSERT_TRUE(f.logger);
  // Caller 1.900-3.100 us shows as start 1, duration 1 (ends at "2"); the callee
  // 3.000-3.050 us shows as start 3: in microseconds it would seem to start after.
  f.call(3000, 3050);  // returns first, so it arrives first
  f.call(1900, 3100);
  auto t = f.thread();
  ASSERT_EQ(t.size(), 1u) << t.dump();
  EXPECT_EQ(t[0]["start_us"], 1);
  EXPECT_EQ(t[0]["duration_us"], 1);
  ASSERT_EQ(t[0]["calls"].size(), 1u);
  EXPECT_EQ(t[0]["calls"][0]["start_us"], 3);
}

TEST(PipelineLogger, SiblingsAndNestingFollowTheTimes) {
  Fixture f;
  ASSERT_TRUE(f.logger);
  f.call(10'000, 20'000);  // a: holds b
  f.call(12'000, 13'000);  // b
  f.call(20'000, 30'000);  // c: starts when a ends, a sibling of a
  f.call(20'000, 25'000);  // d: same entry as c but shorter, inside c
  auto t = f.thread();
  ASSERT_EQ(t.size(), 2u) << t.dump();
  EXPECT_EQ(t[0]["start_us"], 10);
  ASSERT_EQ(t[0]["calls"].size(), 1u);
  EXPECT_EQ(t[0]["calls"][0]["start_us"], 12);
  EXPECT_EQ(t[1]["duration_us"], 10);
  ASSERT_EQ(t[1]["calls"].size(), 1u);
  EXPECT_EQ(t[1]["calls"][0]["duration_us"], 5);
}

}  // namespace
}  // namespace bpfpads
