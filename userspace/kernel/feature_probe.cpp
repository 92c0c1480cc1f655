#include "kernel/feature_probe.h"

#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>
#include <linux/hw_breakpoint.h>
#include <linux/perf_event.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstdarg>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <memory>
#include <sstream>
#include <string_view>

#include "common/error.h"
#include "feature_probes.skel.h"
#include "kernel/bpf_handles.h"
#include "kernel/privileges.h"
#include "kernel/tracefs.h"

// The uprobe.multi probe attaches to this function of the probing binary itself and
// calls it once: proof that the link works, not just that the attach returned a fd.
extern "C" __attribute__((noinline, used)) int bpfpads_feature_probe_target(int x) {
  asm volatile("" ::: "memory");  // keeps the body and every call
  return x + 1;
}

namespace bpfpads {
namespace {

constexpr int kEnotsupp = 524;  // kernel-internal ENOTSUPP, leaks out of bpf(2)

// ---- libbpf's messages during a probe: kept for the detail, not printed ----------

// libbpf prints through one global callback; probing is single-threaded, so a
// static sink that a scope installs and removes is enough.
std::vector<std::string>* g_libbpf_sink = nullptr;

int collect_libbpf(enum libbpf_print_level level, const char* fmt, va_list args) {
  if (!g_libbpf_sink || level == LIBBPF_DEBUG) return 0;
  char buf[512];
  int n = vsnprintf(buf, sizeof(buf), fmt, args);
  std::string line(buf, n < 0 ? 0 : std::min<size_t>(static_cast<size_t>(n), sizeof(buf) - 1));
  while (!line.empty() && (line.back() == '\n' || line.back() == ' ')) line.pop_back();
  if (line.rfind("libbpf: ", 0) == 0) line.erase(0, 8);
  if (!line.empty()) g_libbpf_sink->push_back(std::move(line));
  return 0;
}

class LibbpfCapture {
 public:
  LibbpfCapture() : previous_(libbpf_set_print(collect_libbpf)) { g_libbpf_sink = &lines_; }
  ~LibbpfCapture() {
    g_libbpf_sink = nullptr;
    libbpf_set_print(previous_);
  }
  LibbpfCapture(const LibbpfCapture&) = delete;
  LibbpfCapture& operator=(const LibbpfCapture&) = delete;

  // The verifier's last word if it left a log, else libbpf's first complaint.
  std::string summary() const {
    std::string last_log_line;
    bool in_log = false;
    for (const auto& l : lines_) {
      if (l.find("-- BEGIN PROG LOAD LOG --") != std::string::npos) { in_log = true; continue; }
      if (l.find("-- END PROG LOAD LOG --") != std::string::npos) { in_log = false; continue; }
      if (in_log) last_log_line = l;
    }
    if (!last_log_line.empty()) return "verifier: " + last_log_line;
    for (const auto& l : lines_)
      if (l.find("failed") != std::string::npos || l.find("error") != std::string::npos) return l;
    return lines_.empty() ? std::string{} : lines_.front();
  }
  void clear() { lines_.clear(); }

 private:
  libbpf_print_fn_t previous_;
  std::vector<std::string> lines_;
};

// ---- results from errno -------------------------------------------------------------

std::string errno_text(int err) {
  if (err < 0) err = -err;
  if (err == kEnotsupp) return "ENOTSUPP (not supported by this kernel)";
  const char* name = strerrorname_np(err);
  return std::string(name ? name : ("errno " + std::to_string(err)).c_str()) + " (" +
         std::strerror(err) + ")";
}

Support classify(int err) {
  switch (err < 0 ? -err : err) {
    case EPERM:
    case EACCES: return Support::Blocked;
    case ENOENT:
    case EINVAL:
    case EOPNOTSUPP:
    case E2BIG:
    case ENODEV:
    case ESRCH:
    case EBADF:  // an unknown link/attach type reaches the kernel as a bad fd
    case kEnotsupp: return Support::No;
    default: return Support::Unknown;
  }
}

FeatureResult yes(std::string detail) { return {Support::Yes, std::move(detail)}; }

FeatureResult failed(std::string_view step, int err, const std::string& log = {}) {
  std::string detail = std::string(step) + ": " + errno_text(err);
  if (!log.empty()) detail += "; " + log;
  return {classify(err), std::move(detail)};
}

// ---- the probe object, one program at a time ------------------------------------------

struct SkelDeleter {
  void operator()(feature_probes* s) const { feature_probes__destroy(s); }
};
using SkelPtr = std::unique_ptr<feature_probes, SkelDeleter>;

// Opens the object with only `program` set to load, and loads it. On failure the
// error's err_no is libbpf's errno and its message the captured log summary.
Result<SkelPtr> load_only(const char* program, LibbpfCapture& capture) {
  capture.clear();
  SkelPtr skel(feature_probes__open());
  if (!skel) return make_errno_error(capture.summary(), errno, "open");
  bpf_program* prog = nullptr;
  bpf_object__for_each_program(prog, skel->obj) {
    bpf_program__set_autoload(prog, std::strcmp(bpf_program__name(prog), program) == 0);
  }
  if (int err = feature_probes__load(skel.get()); err)
    return make_errno_error(capture.summary(), err, "load");
  return skel;
}

FeatureResult load_failure(const Error& e) { return failed(e.context, e.err_no, e.message); }

FeatureResult probe_btf() {
  if (::access("/sys/kernel/btf/vmlinux", R_OK) != 0)
    return failed("/sys/kernel/btf/vmlinux", errno);
  btf* vmlinux = btf__load_vmlinux_btf();
  if (!vmlinux) return failed("parse /sys/kernel/btf/vmlinux", errno);
  unsigned types = btf__type_cnt(vmlinux);
  btf__free(vmlinux);
  return yes("/sys/kernel/btf/vmlinux, " + std::to_string(types) + " types");
}

FeatureResult probe_ring_buffer() {
  int r = libbpf_probe_bpf_map_type(BPF_MAP_TYPE_RINGBUF, nullptr);
  if (r == 1) return yes("map type RINGBUF created");
  if (r == 0) return {Support::No, "map type RINGBUF rejected by the kernel"};
  return failed("libbpf_probe_bpf_map_type(RINGBUF)", r);
}

FeatureResult probe_task_storage() {
  int r = libbpf_probe_bpf_map_type(BPF_MAP_TYPE_TASK_STORAGE, nullptr);
  if (r == 1) return yes("map type TASK_STORAGE created");
  if (r == 0) return {Support::No, "map type TASK_STORAGE rejected by the kernel"};
  return failed("libbpf_probe_bpf_map_type(TASK_STORAGE)", r);
}

FeatureResult probe_attach_cookie() {
  // Cookies matter for uprobes/USDT (kprobe program type); the tracepoint type is
  // the fallback question on kernels built without kprobe program support.
  for (auto [type, name] : {std::pair{BPF_PROG_TYPE_KPROBE, "kprobe"},
                            std::pair{BPF_PROG_TYPE_TRACEPOINT, "tracepoint"}}) {
    int r = libbpf_probe_bpf_helper(type, BPF_FUNC_get_attach_cookie, nullptr);
    if (r == 1) return yes(std::string("helper accepted in ") + name + " programs");
    if (r == 0) return {Support::No, std::string("helper rejected in ") + name + " programs"};
    if (type == BPF_PROG_TYPE_TRACEPOINT) return failed("libbpf_probe_bpf_helper", r);
  }
  return {};
}

// The file offset of `fn` in the file mapped at its address, from /proc/self/maps:
// works on stripped binaries, unlike a symbol lookup.
Result<std::pair<std::string, uint64_t>> file_offset_of(const void* fn) {
  auto addr = reinterpret_cast<uintptr_t>(fn);
  std::ifstream maps("/proc/self/maps");
  std::string line;
  while (std::getline(maps, line)) {
    uintptr_t start = 0, end = 0;
    unsigned long long pgoff = 0;
    char perms[8] = {};
    int path_at = 0;
    if (std::sscanf(line.c_str(), "%lx-%lx %7s %llx %*s %*s %n", &start, &end, perms, &pgoff,
                    &path_at) < 4)
      continue;
    if (addr < start || addr >= end) continue;
    std::string path = path_at > 0 ? line.substr(static_cast<size_t>(path_at)) : "";
    if (path.empty() || path[0] != '/') return make_error("not file-backed", "probe target");
    return std::pair{path, static_cast<uint64_t>(addr - start + pgoff)};
  }
  return make_error("not found in /proc/self/maps", "probe target");
}

FeatureResult probe_uprobe_multi(LibbpfCapture& capture) {
  auto skel = load_only("probe_uprobe_multi", capture);
  if (!skel) return load_failure(skel.error());
  auto target = file_offset_of(reinterpret_cast<const void*>(&bpfpads_feature_probe_target));
  if (!target) return {Support::Unknown, target.error().describe()};
  unsigned long offset = target->second;
  LIBBPF_OPTS(bpf_uprobe_multi_opts, opts, .offsets = &offset, .cnt = 1);
  capture.clear();
  BpfLinkPtr link(bpf_program__attach_uprobe_multi((*skel)->progs.probe_uprobe_multi, getpid(),
                                                   target->first.c_str(), nullptr, &opts));
  if (!link) return failed("attach", errno, capture.summary());
  int (*volatile call)(int) = &bpfpads_feature_probe_target;
  call(1);
  uint64_t hits = (*skel)->bss->uprobe_multi_hits;
  if (hits == 0) return {Support::No, "attached, but the probed call did not fire it"};
  return yes("attached to this binary and fired");
}

FeatureResult probe_task_iterator(LibbpfCapture& capture) {
  auto skel = load_only("probe_task_iter", capture);
  if (!skel) return load_failure(skel.error());
  capture.clear();
  BpfLinkPtr link(bpf_program__attach_iter((*skel)->progs.probe_task_iter, nullptr));
  if (!link) return failed("attach", errno, capture.summary());
  Fd iter(bpf_iter_create(bpf_link__fd(link.get())));
  if (!iter.valid()) return failed("bpf_iter_create", errno);
  char buf[256];
  for (;;) {
    ssize_t n = ::read(iter.get(), buf, sizeof(buf));
    if (n == 0) break;
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return failed("read", errno);
  }
  uint64_t tasks = (*skel)->bss->iter_tasks;
  if (tasks == 0) return {Support::Unknown, "iterator read, but it visited no task"};
  return yes("attached and read, " + std::to_string(tasks) + " tasks visited");
}

FeatureResult probe_tp_btf(const char* program, LibbpfCapture& capture) {
  auto skel = load_only(program, capture);
  if (!skel) return load_failure(skel.error());
  capture.clear();
  bpf_program* prog = bpf_object__find_program_by_name((*skel)->obj, program);
  BpfLinkPtr link(bpf_program__attach(prog));
  if (!link) return failed("attach", errno, capture.summary());
  return yes("tp_btf program loaded and attached");
}

FeatureResult probe_fentry(LibbpfCapture& capture) {
  auto skel = load_only("probe_fentry", capture);
  if (!skel) return load_failure(skel.error());
  capture.clear();
  BpfLinkPtr link(bpf_program__attach((*skel)->progs.probe_fentry));
  if (!link) return failed("attach", errno, capture.summary());
  // Any read(2) goes through vfs_read.
  char c;
  if (std::FILE* f = std::fopen("/proc/self/stat", "r")) {
    (void)!std::fread(&c, 1, 1, f);
    std::fclose(f);
  }
  if ((*skel)->bss->fentry_hits == 0) return {Support::Unknown, "attached, but a read did not fire it"};
  return yes("fentry/vfs_read attached and fired");
}

struct ClassicTracepoints {
  FeatureResult sys_enter_write, rss_stat, block_io_start;
};

ClassicTracepoints probe_classic_tracepoints(LibbpfCapture& capture) {
  ClassicTracepoints out;
  auto skel = load_only("probe_tracepoint", capture);
  if (!skel) {
    out.sys_enter_write = out.rss_stat = out.block_io_start = load_failure(skel.error());
    return out;
  }
  if (auto r = ensure_tracefs(); !r) {
    FeatureResult none{Support::Unknown, r.error().describe()};
    out.sys_enter_write = out.rss_stat = out.block_io_start = none;
    return out;
  }
  auto attach = [&](const char* category, const char* name) -> FeatureResult {
    capture.clear();
    BpfLinkPtr link(bpf_program__attach_tracepoint((*skel)->progs.probe_tracepoint, category, name));
    if (!link) {
      int err = errno;
      if (err == ENOENT) return {Support::No, "no such tracepoint in tracefs (ENOENT)"};
      return failed("attach", err, capture.summary());
    }
    return yes("attached");
  };
  out.sys_enter_write = attach("syscalls", "sys_enter_write");
  out.rss_stat = attach("kmem", "rss_stat");
  out.block_io_start = attach("block", "block_io_start");
  return out;
}

FeatureResult probe_hw_breakpoint() {
  static volatile uint64_t watched = 0;
  perf_event_attr attr{};
  attr.type = PERF_TYPE_BREAKPOINT;
  attr.size = sizeof(attr);
  attr.bp_type = HW_BREAKPOINT_W;
  attr.bp_addr = reinterpret_cast<uintptr_t>(&watched);
  attr.bp_len = HW_BREAKPOINT_LEN_8;
  attr.sample_period = 1;
  attr.exclude_kernel = 1;
  attr.exclude_hv = 1;
  attr.disabled = 1;
  Fd fd(static_cast<int>(syscall(SYS_perf_event_open, &attr, 0 /*self*/, -1, -1, 0)));
  if (!fd.valid()) {
    int err = errno;
    if (err == ENOSPC) return {Support::Unknown, "ENOSPC: every debug register is in use"};
    return failed("perf_event_open(PERF_TYPE_BREAKPOINT)", err);
  }
  return yes("write watchpoint opened on this process");
}

FeatureResult probe_usdt_semaphores() {
  constexpr const char* kPmu = "/sys/bus/event_source/devices/uprobe";
  constexpr const char* kRefCtr = "/sys/bus/event_source/devices/uprobe/format/ref_ctr_offset";
  if (::access(kPmu, F_OK) != 0) return {Support::No, "no uprobe PMU (" + errno_text(errno) + ")"};
  if (::access(kRefCtr, F_OK) != 0)
    return {Support::No, "uprobe PMU has no ref_ctr_offset format (semaphores stay 0)"};
  return yes("uprobe PMU advertises ref_ctr_offset");
}

std::string read_lockdown() {
  std::ifstream f("/sys/kernel/security/lockdown");
  std::string line;
  if (!std::getline(f, line)) return {};
  auto open = line.find('['), close = line.find(']');
  if (open == std::string::npos || close == std::string::npos || close < open) return {};
  return line.substr(open + 1, close - open - 1);
}

constexpr std::array kFields = {
    FeatureField{"btf", "BTF (/sys/kernel/btf/vmlinux)", &KernelFeatures::btf, true,
                 "bpfpads refuses to start (CO-RE needs kernel BTF)"},
    FeatureField{"ring_buffer", "BPF ring buffer", &KernelFeatures::ring_buffer, true,
                 "bpfpads refuses to start (process events)"},
    FeatureField{"task_storage", "BPF task storage", &KernelFeatures::task_storage, false,
                 "mapping hooks are off (their per-thread call stacks live there); the process "
                 "tree and hardware usage are recorded, and the run says so (bpfpads.degraded)"},
    FeatureField{"attach_cookie", "bpf_get_attach_cookie", &KernelFeatures::attach_cookie, false,
                 "uprobe hooks are named by their address in each process (from /proc/PID/maps) "
                 "and a return by the thread's innermost open call; USDT uses libbpf's own "
                 "fallback; the run says so (bpfpads.degraded)"},
    FeatureField{"uprobe_multi", "uprobe_multi link", &KernelFeatures::uprobe_multi, false,
                 "mapping hooks attach one classic uprobe per function (slower attach for large symbol sets)"},
    FeatureField{"task_iterator", "task iterator (iter/task)", &KernelFeatures::task_iterator,
                 true, "bpfpads refuses to start (counter sampling)"},
    FeatureField{"tp_btf", "tp_btf programs", &KernelFeatures::tp_btf, true,
                 "bpfpads refuses to start (process tree)"},
    FeatureField{"fentry", "fentry (fentry/vfs_read)", &KernelFeatures::fentry, false,
                 "not used"},
    FeatureField{"tp_sched_process_fork", "tracepoint sched_process_fork (tp_btf)",
                 &KernelFeatures::tp_sched_process_fork, true,
                 "bpfpads refuses to start (process tree)"},
    FeatureField{"tp_sched_process_exec", "tracepoint sched_process_exec (tp_btf)",
                 &KernelFeatures::tp_sched_process_exec, true,
                 "bpfpads refuses to start (process tree)"},
    FeatureField{"tp_sched_process_exit", "tracepoint sched_process_exit (tp_btf)",
                 &KernelFeatures::tp_sched_process_exit, true,
                 "bpfpads refuses to start (process tree)"},
    FeatureField{"tp_sys_enter_write", "tracepoint syscalls/sys_enter_write",
                 &KernelFeatures::tp_sys_enter_write, false,
                 "a failed run whose output went to a terminal or a pipe has no stdout/stderr "
                 "tail (output into regular files is read back from them); the run says so "
                 "(bpfpads.degraded)"},
    FeatureField{"tp_rss_stat", "tracepoint kmem/rss_stat", &KernelFeatures::tp_rss_stat, false,
                 "not used (RSS is sampled by the task iterator)"},
    FeatureField{"tp_block_io_start", "tracepoint block/block_io_start",
                 &KernelFeatures::tp_block_io_start, false,
                 "not used (I/O bytes come from task counters)"},
    FeatureField{"hw_breakpoint", "hardware breakpoints (perf)", &KernelFeatures::hw_breakpoint,
                 false, "not used yet"},
    FeatureField{"usdt_semaphores", "USDT semaphores (uprobe ref_ctr_offset)",
                 &KernelFeatures::usdt_semaphores, false,
                 "USDT probes guarded by a semaphore cannot be attached (libbpf enables them "
                 "through ref_ctr_offset); probes without one work"},
};

}  // namespace

const char* support_name(Support s) {
  switch (s) {
    case Support::Yes: return "yes";
    case Support::No: return "no";
    case Support::Blocked: return "blocked";
    case Support::Unknown: break;
  }
  return "unknown";
}

std::span<const FeatureField> feature_fields() { return kFields; }

KernelFeatures probe_kernel_features() {
  KernelFeatures f;
  utsname u{};
  if (uname(&u) == 0) f.kernel_release = u.release;
  f.lockdown = read_lockdown();
  f.privileged = static_cast<bool>(check_tracing_privileges());

  LibbpfCapture capture;
  f.btf = probe_btf();
  if (f.privileged) {
    f.ring_buffer = probe_ring_buffer();
    f.task_storage = probe_task_storage();
    f.attach_cookie = probe_attach_cookie();
  } else {
    // libbpf's probes read an EPERM as "no" (maps) or even "yes" (helpers): without
    // privileges their answers say nothing, so none are given.
    FeatureResult blocked{Support::Blocked, "not probed: needs CAP_BPF (or root)"};
    f.ring_buffer = f.task_storage = f.attach_cookie = blocked;
  }
  f.uprobe_multi = probe_uprobe_multi(capture);
  f.task_iterator = probe_task_iterator(capture);
  f.tp_sched_process_fork = probe_tp_btf("probe_tp_btf_fork", capture);
  f.tp_sched_process_exec = probe_tp_btf("probe_tp_btf_exec", capture);
  f.tp_sched_process_exit = probe_tp_btf("probe_tp_btf_exit", capture);
  // The program type itself: any of the three proves it; all failing alike disproves it.
  f.tp_btf = f.tp_sched_process_fork;
  for (auto* r : {&f.tp_sched_process_exec, &f.tp_sched_process_exit})
    if (r->support == Support::Yes) f.tp_btf = *r;
  f.fentry = probe_fentry(capture);
  auto tps = probe_classic_tracepoints(capture);
  f.tp_sys_enter_write = std::move(tps.sys_enter_write);
  f.tp_rss_stat = std::move(tps.rss_stat);
  f.tp_block_io_start = std::move(tps.block_io_start);
  f.hw_breakpoint = probe_hw_breakpoint();
  f.usdt_semaphores = probe_usdt_semaphores();
  return f;
}

FeatureResult probe_uprobe_multi_link() {
  LibbpfCapture capture;
  return probe_uprobe_multi(capture);
}

FeatureResult uprobe_multi_link_type() {
  // r0 = 0; exit: no object, no BTF to parse.
  bpf_insn insns[2] = {};
  insns[0].code = BPF_ALU64 | BPF_MOV | BPF_K;
  insns[0].dst_reg = BPF_REG_0;
  insns[1].code = BPF_JMP | BPF_EXIT;
  LIBBPF_OPTS(bpf_prog_load_opts, load, .expected_attach_type = BPF_TRACE_UPROBE_MULTI);
  Fd prog(bpf_prog_load(BPF_PROG_TYPE_KPROBE, nullptr, "GPL", insns, 2, &load));
  if (!prog.valid()) return failed("load a uprobe.multi program", errno);
  // "/" is no regular file: a kernel with the link type refuses it with EBADF before
  // placing any probe; one without it fails on the attach type.
  unsigned long offset = 0;
  LIBBPF_OPTS(bpf_link_create_opts, link);
  link.uprobe_multi.path = "/";
  link.uprobe_multi.offsets = &offset;
  link.uprobe_multi.cnt = 1;
  Fd created(bpf_link_create(prog.get(), -1, BPF_TRACE_UPROBE_MULTI, &link));
  int err = errno;
  if (created.valid() || err != EBADF) return failed("uprobe_multi link on \"/\"", created.valid() ? EINVAL : err);
  // The first kernels with the link type filtered by thread, not process: an invalid
  // pid is refused with EINVAL only where that was fixed.
  link.uprobe_multi.pid = -1;
  Fd with_pid(bpf_link_create(prog.get(), -1, BPF_TRACE_UPROBE_MULTI, &link));
  err = errno;
  if (with_pid.valid() || err != EINVAL)
    return {Support::No, "uprobe_multi link type without the process-filter fix"};
  return yes("uprobe_multi link type (refused \"/\" with EBADF, pid -1 with EINVAL)");
}

std::vector<std::string> missing_requirements(const KernelFeatures& f) {
  std::vector<std::string> out;
  for (const auto& field : kFields)
    if (field.required && (f.*field.member).support != Support::Yes) out.emplace_back(field.key);
  return out;
}

std::string feature_report_text(const KernelFeatures& f) {
  std::ostringstream out;
  out << "kernel " << (f.kernel_release.empty() ? "?" : f.kernel_release)
      << "  lockdown " << (f.lockdown.empty() ? "unknown" : f.lockdown)
      << "  privileged " << (f.privileged ? "yes" : "no") << "\n";
  char line[512];
  for (const auto& field : kFields) {
    const FeatureResult& r = f.*field.member;
    std::snprintf(line, sizeof(line), "  %-8s %-42s %s", support_name(r.support), field.label,
                  r.detail.c_str());
    out << line << "\n";
  }
  auto missing = missing_requirements(f);
  if (missing.empty()) {
    out << "bpfpads requirements: met\n";
  } else {
    out << "bpfpads requirements: NOT met, missing:";
    for (const auto& m : missing) out << " " << m;
    out << "\n";
    if (!f.privileged) out << "  (not privileged: 'blocked' may only mean 'run as root')\n";
  }
  return out.str();
}

nlohmann::json feature_report_json(const KernelFeatures& f) {
  nlohmann::json features = nlohmann::json::array();
  for (const auto& field : kFields) {
    const FeatureResult& r = f.*field.member;
    features.push_back({{"key", field.key},
                        {"label", field.label},
                        {"support", support_name(r.support)},
                        {"detail", r.detail},
                        {"required", field.required},
                        {"without", field.without}});
  }
  return {{"kernel", f.kernel_release},
          {"lockdown", f.lockdown},
          {"privileged", f.privileged},
          {"requirements_met", missing_requirements(f).empty()},
          {"missing_requirements", missing_requirements(f)},
          {"features", std::move(features)}};
}

}  // namespace bpfpads
