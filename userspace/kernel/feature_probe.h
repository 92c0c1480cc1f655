// What this kernel supports, found out by trying: each feature is proven by loading
// a tiny program (bpf/feature_probes.bpf.c), attaching it, opening the event or asking
// libbpf's own probes, never inferred from a version number (distributions backport
// BPF features; lockdown and config options remove them).
#pragma once

#include <nlohmann/json.hpp>

#include <span>
#include <string>
#include <vector>

namespace bpfpads {

enum class Support {
  Unknown,  // not probed, or it failed in a way that says nothing about the kernel
  Yes,      // loaded/attached (and fired, where that can be checked)
  No,       // the kernel lacks it (ENOENT, EINVAL, EOPNOTSUPP, ...)
  Blocked,  // the kernel has it but refuses us: missing privileges or lockdown (EPERM/EACCES)
};
const char* support_name(Support s);  // "yes", "no", "blocked", "unknown"

struct FeatureResult {
  Support support = Support::Unknown;
  std::string detail;  // how it was proven, or the failing step with its errno
};

struct KernelFeatures {
  std::string kernel_release;  // uname -r
  std::string lockdown;        // "none", "integrity", "confidentiality"; "" when unreadable
  bool privileged = false;     // CAP_SYS_ADMIN or CAP_BPF+CAP_PERFMON when probed

  FeatureResult btf;            // /sys/kernel/btf/vmlinux parses
  FeatureResult ring_buffer;    // BPF_MAP_TYPE_RINGBUF
  FeatureResult task_storage;   // BPF_MAP_TYPE_TASK_STORAGE (hook call pairing)
  FeatureResult attach_cookie;  // bpf_get_attach_cookie helper
  FeatureResult uprobe_multi;   // uprobe.multi link, attached to this binary and fired
  FeatureResult task_iterator;  // iter/task, attached and read
  FeatureResult tp_btf;         // BTF-typed raw tracepoints (BPF_TRACE_RAW_TP)
  FeatureResult fentry;         // fentry/vfs_read, attached and fired
  FeatureResult tp_sched_process_fork;  // tp_btf, as bpfpads attaches them
  FeatureResult tp_sched_process_exec;
  FeatureResult tp_sched_process_exit;
  FeatureResult tp_sys_enter_write;   // classic tracepoint syscalls/sys_enter_write
  FeatureResult tp_rss_stat;          // classic tracepoint kmem/rss_stat
  FeatureResult tp_block_io_start;    // classic tracepoint block/block_io_start (6.5+)
  FeatureResult hw_breakpoint;        // perf_event_open(PERF_TYPE_BREAKPOINT)
  FeatureResult usdt_semaphores;      // uprobe ref_ctr_offset (USDT semaphores)
};

// One row of the report: a stable key (JSON, docs), a label, what bpfpads does
// without it, and whether bpfpads cannot run at all without it.
struct FeatureField {
  const char* key;
  const char* label;
  FeatureResult KernelFeatures::*member;
  bool required;
  const char* without;  // the documented degradation when missing
};
std::span<const FeatureField> feature_fields();

// Needs root (or CAP_BPF + CAP_PERFMON) for meaningful answers; without them the
// BPF probes come back Blocked. Never fails as a whole: each probe records its error.
KernelFeatures probe_kernel_features();

// The uprobe_multi probe alone (attached to this binary and fired), for code that
// picks its attach mode at load without probing everything else.
FeatureResult probe_uprobe_multi_link();
// Whether the kernel has the uprobe_multi link type, asked without attaching anything
// (as libbpf asks): what a run checks at start. probe_uprobe_multi_link() proves more
// but costs a parse of the kernel's BTF and an RCU grace period (0.1 s on our VMs);
// a binary whose multi attach fails still falls back to classic uprobes.
FeatureResult uprobe_multi_link_type();

// Keys of required features that are not Yes, in report order.
std::vector<std::string> missing_requirements(const KernelFeatures& f);

std::string feature_report_text(const KernelFeatures& f);
nlohmann::json feature_report_json(const KernelFeatures& f);

}  // namespace bpfpads
