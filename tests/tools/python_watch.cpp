// python_watch PID DOTTED_PATH SECONDS: watches one Python function in a running
// interpreter with the watchpoint program, under the trap shield, and prints one line
// per call (thread and the frame's first slots) and per return (the returned value's
// address), then "calls N returns M dropped-traps K". For the integration tests of the
// watchpoint mechanism below the hook engine (test_python_watch.py), and for trying it
// by hand.
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <dirent.h>
#include <signal.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "common/clock.h"
#include "kernel/python_programs.h"
#include "kernel/records.h"
#include "kernel/shared_maps.h"
#include "python/python_process.h"
#include "python/python_resolver.h"
#include "python/python_watch.h"
#include "python/trap_shield.h"

using namespace bpfpads;

namespace {

volatile sig_atomic_t interrupted = 0;

struct Counts {
  uint64_t calls = 0, returns = 0;
};

int on_record(void* ctx, void* data, size_t size) {
  auto ev = decode_record(data, size);
  if (!ev) return 0;
  if (auto* call = std::get_if<PythonCallEvent>(&*ev)) {
    auto* counts = static_cast<Counts*>(ctx);
    if (call->is_return) {
      ++counts->returns;
      if (!std::getenv("PYTHON_WATCH_QUIET"))
        std::printf("return tid=%u frame=0x%llx value=0x%llx\n", call->tid,
                    static_cast<unsigned long long>(call->frame), static_cast<unsigned long long>(call->ret));
      return 0;
    }
    ++counts->calls;
    if (std::getenv("PYTHON_WATCH_QUIET")) return 0;
    std::printf("call tid=%u hook=%u ip=0x%llx frame=0x%llx locals=0x%llx,0x%llx,0x%llx\n", call->tid,
                call->hook_id, static_cast<unsigned long long>(call->ip), static_cast<unsigned long long>(call->frame),
                static_cast<unsigned long long>(call->locals[0]), static_cast<unsigned long long>(call->locals[1]),
                static_cast<unsigned long long>(call->locals[2]));
  }
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 4) {
    std::fprintf(stderr, "usage: %s PID DOTTED_PATH SECONDS\n", argv[0]);
    return 2;
  }
  pid_t pid = std::atoi(argv[1]);
  auto py = find_python(pid);
  if (!py) {
    std::fprintf(stderr, "%s\n", py.error().describe().c_str());
    return 1;
  }
  PythonResolver resolver(*py);
  auto fn = resolver.function(argv[2]);
  if (!fn) {
    std::fprintf(stderr, "%s\n", fn.error().describe().c_str());
    return 1;
  }
  auto maps = SharedMaps::create(1024, 1 << 22);
  if (!maps) {
    std::fprintf(stderr, "%s\n", maps.error().describe().c_str());
    return 1;
  }
  uint32_t tgid = static_cast<uint32_t>(pid);
  bp_tracked t{};
  bpf_map_update_elem(maps->tracked.get(), &tgid, &t, BPF_ANY);
  auto programs = PythonPrograms::load(*maps);
  if (!programs) {
    std::fprintf(stderr, "%s\n", programs.error().describe().c_str());
    return 1;
  }
  auto units = resolver.code_units(fn->code);
  if (!units) {
    std::fprintf(stderr, "%s\n", units.error().describe().c_str());
    return 1;
  }
  // The entry, then as many return units as the debug registers allow.
  std::vector<UnitRequest> requests = {{units->entry, entry_unit(fn->code, 7)}};
  for (const auto& r : units->returns)
    if (requests.size() < kMaxWatchedUnits) requests.push_back({r.address, return_unit(fn->code, 7, *units, r)});
  // Placed and removed inside pauses of the process (python/process_pause.h).
  TrapShield shield;
  PythonWatch watch(**programs, *py, &shield);
  for (const auto& outcome : watch.add(requests))
    if (!outcome.empty()) {
      std::fprintf(stderr, "%s\n", outcome.c_str());
      return 1;
    }
  signal(SIGINT, [](int) { interrupted = 1; });  // before saying so: the caller may stop us at once
  std::printf("watching %s (%s, Python %s) with %zu watchpoints\n", argv[2], fn->qualname.c_str(),
              py->version().c_str(), watch.event_fds().size());
  std::fflush(stdout);
  Counts counts;
  ring_buffer* rb = ring_buffer__new(maps->events.get(), on_record, &counts, nullptr);
  auto until = std::chrono::steady_clock::now() + std::chrono::milliseconds(static_cast<long>(std::atof(argv[3]) * 1000));
  while (!interrupted && std::chrono::steady_clock::now() < until) ring_buffer__poll(rb, 50);
  watch.remove_all();
  ring_buffer__consume(rb);
  ring_buffer__free(rb);
  std::printf("calls %llu returns %llu dropped-traps %llu\n", static_cast<unsigned long long>(counts.calls),
              static_cast<unsigned long long>(counts.returns), static_cast<unsigned long long>(shield.dropped_total()));
  return 0;
}
