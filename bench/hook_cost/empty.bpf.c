// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* Bench only: the baselines of bench/hook_cost.py.
 *
 * empty_*: the cheapest program a uprobe/uretprobe can run.
 * floor_*: the least any tracer has to do to deliver what bpfpads' hook delivers for
 * each function of target.c, one record per call: (a) a timestamped record at entry;
 * (b) the two string pointers kept per thread at entry, both strings read into a
 * record at return; (c) the out-pointer kept at entry, the int behind it and the
 * return value sent at return. No tracked-process check, no hit counts, no capture
 * specs, no call depth: what is left is the clock, the ring and the user-memory reads.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

SEC("uprobe")
int empty_entry(struct pt_regs *ctx) { return 0; }

SEC("uretprobe")
int empty_return(struct pt_regs *ctx) { return 0; }

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 4 * 1024 * 1024);
} floor_ring SEC(".maps");

struct saved_args {
	__u64 arg0;
	__u64 arg1;
};

struct {
	__uint(type, BPF_MAP_TYPE_TASK_STORAGE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, int);
	__type(value, struct saved_args);
} floor_args SEC(".maps");

struct floor_head {
	__u64 ts_ns;
	__u64 pid_tgid;
};

struct floor_strs {
	struct floor_head head;
	char name[256];
	char value[256];
};

struct floor_out {
	struct floor_head head;
	__u64 out;
	__u64 ret;
};

/* As bpfpads' lazy_wakeup_flags() (bpf/maps.bpf.h): the reader is woken when the
 * backlog crosses another MiB, else by its own timer. */
static __always_inline __u64 wake_flags(__u64 size)
{
	__u64 len = (size + 8 + 7) & ~7ULL;
	__u64 avail = bpf_ringbuf_query(&floor_ring, BPF_RB_AVAIL_DATA);

	return avail >= len && (avail >> 20) != ((avail - len) >> 20) ? BPF_RB_FORCE_WAKEUP : BPF_RB_NO_WAKEUP;
}

/* A record of `size` bytes (a constant once inlined), its clock and pid filled in. */
static __always_inline void *start_record(__u64 size)
{
	struct floor_head *h = bpf_ringbuf_reserve(&floor_ring, size, 0);

	if (h) {
		h->ts_ns = bpf_ktime_get_ns();
		h->pid_tgid = bpf_get_current_pid_tgid();
	}
	return h;
}

SEC("uprobe")
int floor_plain_entry(struct pt_regs *ctx)
{
	struct floor_head *r = start_record(sizeof(*r));

	if (r)
		bpf_ringbuf_submit(r, wake_flags(sizeof(*r)));
	return 0;
}

SEC("uprobe")
int floor_save_entry(struct pt_regs *ctx)
{
	struct saved_args *a = bpf_task_storage_get(&floor_args, bpf_get_current_task_btf(), 0,
						    BPF_LOCAL_STORAGE_GET_F_CREATE);

	if (a) {
		a->arg0 = PT_REGS_PARM1(ctx);
		a->arg1 = PT_REGS_PARM2(ctx);
	}
	return 0;
}

static __always_inline struct saved_args *saved_args(void)
{
	return bpf_task_storage_get(&floor_args, bpf_get_current_task_btf(), 0, 0);
}

SEC("uretprobe")
int floor_strs_return(struct pt_regs *ctx)
{
	struct saved_args *a = saved_args();
	struct floor_strs *r = a ? start_record(sizeof(*r)) : NULL;

	if (!r)
		return 0;
	bpf_probe_read_user_str(r->name, sizeof(r->name), (const void *)a->arg0);
	bpf_probe_read_user_str(r->value, sizeof(r->value), (const void *)a->arg1);
	bpf_ringbuf_submit(r, wake_flags(sizeof(*r)));
	return 0;
}

SEC("uretprobe")
int floor_out_return(struct pt_regs *ctx)
{
	struct saved_args *a = saved_args();
	struct floor_out *r = a ? start_record(sizeof(*r)) : NULL;
	int out = 0;

	if (!r)
		return 0;
	bpf_probe_read_user(&out, sizeof(out), (const void *)a->arg1);
	r->out = out;
	r->ret = PT_REGS_RC(ctx);
	bpf_ringbuf_submit(r, wake_flags(sizeof(*r)));
	return 0;
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
