// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * Tiny programs that userspace loads one at a time to find out what this kernel
 * supports (userspace/kernel/feature_probe.cpp). Each is loaded alone, with every
 * other program's autoload off, so that one unsupported program type cannot hide
 * the others. No maps besides .bss: a ring buffer or task-storage map would make
 * the whole object fail to load on a kernel that lacks it.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

char LICENSE[] SEC("license") = "GPL";

/* Hit counters: a probe that attached and then fired proves more than the attach. */
__u64 uprobe_multi_hits = 0;
__u64 fentry_hits = 0;
__u64 iter_tasks = 0;

SEC("tp_btf/sched_process_fork")
int BPF_PROG(probe_tp_btf_fork)
{
	return 0;
}

SEC("tp_btf/sched_process_exec")
int BPF_PROG(probe_tp_btf_exec)
{
	return 0;
}

SEC("tp_btf/sched_process_exit")
int BPF_PROG(probe_tp_btf_exit)
{
	return 0;
}

/* Classic tracepoint: attached by category/name from userspace, one at a time. */
SEC("tracepoint")
int probe_tracepoint(void *ctx)
{
	return 0;
}

/* Emits nothing: counting the tasks is enough to show the iterator ran. */
SEC("iter/task")
int probe_task_iter(struct bpf_iter__task *ctx)
{
	if (ctx->task)
		__sync_fetch_and_add(&iter_tasks, 1);
	return 0;
}

/* vfs_read exists in every kernel bpfpads targets and is never inlined. */
SEC("fentry/vfs_read")
int BPF_PROG(probe_fentry)
{
	__sync_fetch_and_add(&fentry_hits, 1);
	return 0;
}

SEC("uprobe.multi")
int probe_uprobe_multi(struct pt_regs *ctx)
{
	__sync_fetch_and_add(&uprobe_multi_hits, 1);
	return 0;
}
