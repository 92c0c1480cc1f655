// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* Bench only: the cheapest program a uprobe/uretprobe can run, the baseline of
 * bench/hook_cost.py. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

SEC("uprobe")
int empty_entry(struct pt_regs *ctx) { return 0; }

SEC("uretprobe")
int empty_return(struct pt_regs *ctx) { return 0; }

char LICENSE[] SEC("license") = "Dual BSD/GPL";
