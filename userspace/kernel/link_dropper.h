// Dropping a uprobe or tracepoint link waits for the kernel's grace periods: 30 to
// 140 ms per link on the VMs measured (docs/parity.md), and the loader watch's uprobe
// on ld.so is taken out of every process on the machine. drop_links_after_exit()
// leaves that wait to a child process that holds the links until bpfpads has exited,
// so that neither the user nor the next command waits for it.
#pragma once

#include <vector>

#include "kernel/bpf_handles.h"

namespace bpfpads {

// Takes the links. Once this returns, perf-event links (classic uprobes, tracepoints)
// no longer fire; uprobe_multi links fire until the child drops them, shortly after
// this process exits. Without a child (fork failed) the links are dropped here.
void drop_links_after_exit(std::vector<BpfLinkPtr> links);

}  // namespace bpfpads
