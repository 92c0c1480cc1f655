// Bench only (bench/hook_cost.py): puts probes on functions of a binary, runs a
// command, exits with its status. Two modes, both at the offset bpfpads uses
// (past a leading endbr64, from bpfpads' own symbol index):
//
//   hc_probe empty [--ret] BINARY SYMBOL[,SYMBOL...] -- COMMAND [ARGS...]
//       an empty BPF program as uprobe (and, with --ret, uretprobe): what the
//       probe itself costs, the baseline.
//   hc_probe floor BINARY SYMBOL[,SYMBOL...] -- COMMAND [ARGS...]
//       for each of hc_plain, hc_strs and hc_out, the least any tracer has to run
//       to deliver what bpfpads' hook delivers (empty.bpf.c, floor_*), with a
//       reader thread that only counts records.
//   hc_probe hooks BINARY -- COMMAND [ARGS...]
//       bpfpads' real hook programs (BpfPrograms + HookAttacher) on hc_plain,
//       hc_strs and hc_out with the specs bench/hook_cost.py's mapping compiles to,
//       the command tracked, and a reader thread that only counts records: the
//       kernel side of a hook without bpfpads' collector. Prints the record count
//       and how fast the reader drained what was left at exit to stderr.
//       HC_FILL_MB=M: an M MiB ring and no reader while the command runs; all
//       records are drained after it: the reader's rate on a full ring.
//
// With kernel.bpf_stats_enabled=1 both modes print each program's own run time
// per hit (run_time_ns / run_cnt) to stderr: the BPF program without the probe.
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "bpfpads_bpf.skel.h"
#include "bpfpads_hooks_bpf.skel.h"
#include "hook_cost_empty.skel.h"
#include "hooks/hook_attacher.h"
#include "kernel/bpf_handles.h"
#include "kernel/bpf_programs.h"
#include "kernel/hook_programs.h"
#include "kernel/shared_maps.h"
#include "symbols/symbol_index.h"

namespace {

const bpfpads::ElfSymbol* find(const bpfpads::SymbolIndex& index, const std::string& name) {
  for (const auto& s : index.symbols())
    if (s.name == name) return &s;
  return nullptr;
}

// The kernel's per-program statistics (only counted while kernel.bpf_stats_enabled=1).
void print_prog_stats(bpf_object* obj) {
  bpf_program* prog;
  bpf_object__for_each_program(prog, obj) {
    bpf_prog_info info{};
    uint32_t len = sizeof(info);
    int fd = bpf_program__fd(prog);
    if (fd < 0 || bpf_prog_get_info_by_fd(fd, &info, &len) != 0 || info.run_cnt == 0) continue;
    std::fprintf(stderr, "hc_probe: %s ran %llu times, %.1f ns per run\n", bpf_program__name(prog),
                 static_cast<unsigned long long>(info.run_cnt),
                 static_cast<double>(info.run_time_ns) / static_cast<double>(info.run_cnt));
  }
}

// Forks the command stopped on a pipe; `ready(pid)` runs before it execs.
template <typename F>
int run_command(char** command, F ready) {
  int gate[2];
  if (pipe(gate) != 0) return 2;
  std::fflush(nullptr);
  pid_t pid = fork();
  if (pid == 0) {
    char c;
    close(gate[1]);
    if (read(gate[0], &c, 1) < 0) _exit(126);
    execvp(command[0], command);
    std::perror(command[0]);
    _exit(127);
  }
  ready(pid);
  close(gate[1]);
  int status = 0;
  waitpid(pid, &status, 0);
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

// The programs one mode puts on a function: entry, and return or null.
using ProgramsFor = std::pair<bpf_program*, bpf_program*> (*)(hook_cost_empty*, bool ret, const std::string& fn);

std::pair<bpf_program*, bpf_program*> empty_programs(hook_cost_empty* skel, bool ret, const std::string&) {
  return {skel->progs.empty_entry, ret ? skel->progs.empty_return : nullptr};
}

std::pair<bpf_program*, bpf_program*> floor_programs(hook_cost_empty* skel, bool, const std::string& fn) {
  if (fn == "hc_strs") return {skel->progs.floor_save_entry, skel->progs.floor_strs_return};
  if (fn == "hc_out") return {skel->progs.floor_save_entry, skel->progs.floor_out_return};
  return {skel->progs.floor_plain_entry, nullptr};
}

// Counts the records of a ring. With `poll`, a thread reads them while the command
// runs, woken like bpfpads' collector (by the programs' lazy wake-ups, else every
// second); without, they wait in the ring for drain().
class CountingReader {
 public:
  CountingReader(int ring_fd, bool poll)
      : rb_(ring_buffer__new(ring_fd, [](void* ctx, void*, size_t) { return ++*static_cast<uint64_t*>(ctx), 0; },
                             &records_, nullptr)) {
    if (rb_ && poll) thread_ = std::thread([this] {
        while (!done_) ring_buffer__poll(rb_.get(), 1000);
      });
  }
  ~CountingReader() { stop(); }
  bool ok() const { return rb_ != nullptr; }
  void stop() {
    done_ = true;
    if (thread_.joinable()) thread_.join();
  }
  // After stop(): reads what is left in one pass; returns how many records and how long.
  std::pair<uint64_t, double> drain() {
    uint64_t before = records_;
    auto t0 = std::chrono::steady_clock::now();
    ring_buffer__consume(rb_.get());
    return {records_ - before, std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count()};
  }
  uint64_t records() const { return records_; }

 private:
  uint64_t records_ = 0;
  bpfpads::RingBufferPtr rb_;
  std::atomic<bool> done_ = false;
  std::thread thread_;
};

int baseline_mode(ProgramsFor programs_for, bool ret, const std::string& binary, const std::string& symbols,
                  char** command) {
  auto index = bpfpads::SymbolIndex::build(binary);
  if (!index) {
    std::fprintf(stderr, "%s\n", index.error().describe().c_str());
    return 2;
  }
  hook_cost_empty* skel = hook_cost_empty__open_and_load();
  if (!skel) {
    std::perror("hook_cost_empty__open_and_load");
    return 2;
  }
  std::vector<bpfpads::BpfLinkPtr> links;
  std::stringstream names(symbols);
  for (std::string name; std::getline(names, name, ',');) {
    const bpfpads::ElfSymbol* sym = find(*index, name);
    if (!sym) {
      std::fprintf(stderr, "%s: no symbol %s\n", binary.c_str(), name.c_str());
      return 2;
    }
    auto [entry, exit] = programs_for(skel, ret, name);
    for (bpf_program* prog : {entry, exit}) {
      if (!prog) continue;
      LIBBPF_OPTS(bpf_uprobe_opts, opts, .retprobe = prog == exit);
      bpfpads::BpfLinkPtr link(
          bpf_program__attach_uprobe_opts(prog, -1, binary.c_str(), sym->probe_offset, &opts));
      if (!link) {
        std::perror(("attach " + name).c_str());
        return 2;
      }
      links.push_back(std::move(link));
    }
    std::fprintf(stderr, "hc_probe: %s on %s+%#lx%s\n", bpf_program__name(entry), name.c_str(),
                 static_cast<unsigned long>(sym->probe_offset - sym->file_offset), exit ? " entry+return" : "");
  }
  int rc;
  {
    CountingReader reader(bpf_map__fd(skel->maps.floor_ring), true);
    if (!reader.ok()) {
      std::perror("ring_buffer__new");
      return 2;
    }
    rc = run_command(command, [](pid_t) {});
  }
  print_prog_stats(skel->obj);
  links.clear();
  hook_cost_empty__destroy(skel);
  return rc;
}

// What bench/hook_cost.py's mapping compiles to (compile_hook_layout).
bp_hook_spec spec_for(const std::string& fn) {
  bp_hook_spec s{};
  if (fn == "hc_strs") {  // args: [name: str, value: str]
    s.flags = BP_HOOK_PAIRED | BP_HOOK_HAS_DATA;
    s.ncaptures = 2;
    s.captures[0] = {BP_CAP_STR, 0, 0, 0, 0, 256};
    s.captures[1] = {BP_CAP_STR, 1, 0, 0, 256, 256};
  } else if (fn == "hc_out") {  // args: [x: i64, out: "out i32"], returns: i64
    s.flags = BP_HOOK_PAIRED;
    s.ncaptures = 3;
    s.captures[0] = {BP_CAP_ARG, 0, 0, 0, 0, 0};
    s.captures[1] = {BP_CAP_OUT_INT, 1, 0, 4, 0, 0};
    s.captures[2] = {BP_CAP_RET, 0, 0, 0, 0, 0};
  }
  return s;
}

int hooks_mode(const std::string& binary, char** command) {
  auto index = bpfpads::SymbolIndex::build(binary);
  if (!index) {
    std::fprintf(stderr, "%s\n", index.error().describe().c_str());
    return 2;
  }
  bpfpads::BpfOptions options;
  const char* fill = std::getenv("HC_FILL_MB");
  if (fill) options.ring_buffer_bytes = static_cast<uint32_t>(std::atoi(fill)) << 20;
  auto maps = bpfpads::SharedMaps::create(options.max_processes, options.ring_buffer_bytes);
  if (!maps) {
    std::fprintf(stderr, "%s\n", maps.error().describe().c_str());
    return 2;
  }
  auto programs = bpfpads::BpfPrograms::open_and_load(options, *maps);
  if (!programs) {
    std::fprintf(stderr, "%s\n", programs.error().describe().c_str());
    return 2;
  }
  auto hook_programs = bpfpads::HookPrograms::load(*maps, {});
  if (!hook_programs) {
    std::fprintf(stderr, "%s\n", hook_programs.error().describe().c_str());
    return 2;
  }
  bpfpads::HookAttacher attacher(**hook_programs);
  uint32_t id = 0;
  for (const char* fn : {"hc_plain", "hc_strs", "hc_out"}) {
    const bpfpads::ElfSymbol* sym = find(*index, fn);
    bp_hook_spec spec = spec_for(fn);
    if (!sym) {
      std::fprintf(stderr, "%s: no symbol %s\n", binary.c_str(), fn);
      return 2;
    }
    auto r = attacher.set_spec(id, spec);
    if (r) r = attacher.attach_uprobe(id, {binary, sym->probe_offset, fn}, (spec.flags & BP_HOOK_PAIRED) != 0);
    if (!r) {
      std::fprintf(stderr, "%s\n", r.error().describe().c_str());
      return 2;
    }
    ++id;
  }
  auto* skel = (*programs)->skel();
  CountingReader reader(bpf_map__fd(skel->maps.events), !fill);
  if (!reader.ok()) {
    std::perror("ring_buffer__new");
    return 2;
  }
  int rc = run_command(command, [&](pid_t pid) {
    uint32_t key = static_cast<uint32_t>(pid);
    bp_tracked value{};
    bpf_map_update_elem(bpf_map__fd(skel->maps.tracked), &key, &value, BPF_ANY);
  });
  reader.stop();
  print_prog_stats((*hook_programs)->skel()->obj);
  auto [left, s] = reader.drain();
  std::fprintf(stderr, "hc_probe: %llu records; %llu left at exit, drained in %.6f s (%.1f M records/s)\n",
               static_cast<unsigned long long>(reader.records()), static_cast<unsigned long long>(left), s,
               s > 0 ? static_cast<double>(left) / s / 1e6 : 0.0);
  return rc;
}

int usage(const char* argv0) {
  std::fprintf(stderr,
               "usage: %s empty [--ret] BINARY SYMBOL[,SYMBOL...] -- COMMAND [ARGS...]\n"
               "       %s floor BINARY SYMBOL[,SYMBOL...] -- COMMAND [ARGS...]\n"
               "       %s hooks BINARY -- COMMAND [ARGS...]\n",
               argv0, argv0, argv0);
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) return usage(argv[0]);
  std::string mode = argv[1];
  int i = 2;
  if (mode == "empty") {
    bool ret = i < argc && std::strcmp(argv[i], "--ret") == 0;
    if (ret) ++i;
    if (argc - i < 4 || std::strcmp(argv[i + 2], "--") != 0) return usage(argv[0]);
    return baseline_mode(empty_programs, ret, argv[i], argv[i + 1], argv + i + 3);
  }
  if (mode == "floor") {
    if (argc - i < 4 || std::strcmp(argv[i + 2], "--") != 0) return usage(argv[0]);
    return baseline_mode(floor_programs, false, argv[i], argv[i + 1], argv + i + 3);
  }
  if (mode == "hooks") {
    if (argc - i < 3 || std::strcmp(argv[i + 1], "--") != 0) return usage(argv[0]);
    return hooks_mode(argv[i], argv + i + 2);
  }
  return usage(argv[0]);
}
