// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * The tracked process tree and its resource counters.
 *
 * fork/exec/exit tracepoints keep `tracked` (the set of tgids of the run) so that
 * children are tracked from their first instruction. Nothing runs on the job's hot
 * paths (context switches, page faults): counters that the kernel already keeps per
 * thread are read by a task iterator at each sampling tick, and exactly once more
 * when a thread exits, into the `exited` accumulator.
 */
#include "vmlinux.h"
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

#include "bpfpads_records.h"
#include "core_fixes.bpf.h"
#include "maps.bpf.h"

char LICENSE[] SEC("license") = "GPL";

/* Read by userspace after open, compared with its own BPFPADS_ABI_VERSION. */
const volatile __u32 abi_version = BPFPADS_ABI_VERSION;
/* Follow forks into children (PyPads' track_sub_processes). */
const volatile bool follow_children = true;
/* Copy what tracked processes write to fd 1 and 2 (log_on_failure). */
const volatile bool capture_output = false;

#define PF_EXITING 0x00000004
#define EEXIST 17 /* vmlinux.h has no errno values */

/* Counters of every exited thread of the tracked set, summed. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct bp_task_counters);
} exited SEC(".maps");

static __always_inline void fill_header(struct bp_record_header *h, __u16 type, __u16 size,
					struct task_struct *task)
{
	h->type = type;
	h->size = size;
	h->tgid = BPF_CORE_READ(task, tgid);
	h->tid = BPF_CORE_READ(task, pid);
	h->cpu = bpf_get_smp_processor_id();
	h->ts_ns = bpf_ktime_get_ns();
}

static __always_inline void read_counters(struct task_struct *t, struct bp_task_counters *c)
{
	c->cpu_ns = BPF_CORE_READ(t, se.sum_exec_runtime);
	if (bpf_core_field_exists(t->ioac)) {
		c->read_bytes = BPF_CORE_READ(t, ioac.read_bytes);
		c->write_bytes = BPF_CORE_READ(t, ioac.write_bytes);
		c->cancelled_write_bytes = BPF_CORE_READ(t, ioac.cancelled_write_bytes);
		c->rchar = BPF_CORE_READ(t, ioac.rchar);
		c->wchar = BPF_CORE_READ(t, ioac.wchar);
	}
	c->min_flt = BPF_CORE_READ(t, min_flt);
	c->maj_flt = BPF_CORE_READ(t, maj_flt);
	c->nvcsw = BPF_CORE_READ(t, nvcsw);
	c->nivcsw = BPF_CORE_READ(t, nivcsw);
}

SEC("tp_btf/sched_process_fork")
int BPF_PROG(on_fork, struct task_struct *parent, struct task_struct *child)
{
	__u32 parent_tgid = BPF_CORE_READ(parent, tgid);
	__u32 child_tgid = BPF_CORE_READ(child, tgid);
	struct bp_tracked *p, entry = {};
	struct bp_proc_fork *rec;
	long err;

	if (!follow_children || child_tgid == parent_tgid) /* a new thread, not a process */
		return 0;
	p = bpf_map_lookup_elem(&tracked, &parent_tgid);
	if (!p)
		return 0;
	entry.parent_tgid = parent_tgid;
	entry.generation = p->generation + 1;
	entry.since_ns = bpf_ktime_get_ns();
	err = bpf_map_update_elem(&tracked, &child_tgid, &entry, BPF_NOEXIST);
	if (err && err != -EEXIST)
		count_drop(BP_DROP_TRACKED_FULL, 1);

	rec = bpf_ringbuf_reserve(&events, sizeof(*rec), 0);
	if (!rec) {
		count_drop(BP_DROP_RINGBUF_FULL, 1);
		return 0;
	}
	fill_header(&rec->hdr, BP_REC_PROC_FORK, sizeof(*rec), parent);
	rec->child_tgid = child_tgid;
	rec->_pad = 0;
	bpf_ringbuf_submit(rec, 0);
	return 0;
}

SEC("tp_btf/sched_process_exec")
int BPF_PROG(on_exec, struct task_struct *task, pid_t old_pid, struct linux_binprm *bprm)
{
	__u32 tgid = BPF_CORE_READ(task, tgid);
	struct bp_proc_exec *rec;
	long n;

	if (!is_tracked(tgid))
		return 0;
	rec = bpf_ringbuf_reserve(&events, sizeof(*rec), 0);
	if (!rec) {
		count_drop(BP_DROP_RINGBUF_FULL, 1);
		return 0;
	}
	fill_header(&rec->hdr, BP_REC_PROC_EXEC, sizeof(*rec), task);
	rec->old_tid = old_pid;
	rec->flags = 0;
	n = bpf_probe_read_kernel_str(rec->filename, sizeof(rec->filename),
				      BPF_CORE_READ(bprm, filename));
	if (n < 0) {
		rec->filename[0] = 0;
		rec->flags |= BP_FLAG_UNREADABLE;
		count_drop(BP_DROP_READ_FAILED, 1);
	} else if (n == sizeof(rec->filename)) {
		/* Filled to the last byte: the path may have been longer. */
		rec->flags |= BP_FLAG_CUT;
		count_drop(BP_DROP_PATH_CUT, 1);
	}
	bpf_ringbuf_submit(rec, 0);
	return 0;
}

SEC("tp_btf/sched_process_exit")
int BPF_PROG(on_exit, struct task_struct *task)
{
	__u32 tgid = BPF_CORE_READ(task, tgid);
	struct bp_task_counters c = {};
	struct bp_task_counters *acc;
	struct bp_proc_exit *rec;
	__u32 zero = 0;

	if (!bpf_map_lookup_elem(&tracked, &tgid))
		return 0;

	/* Every exiting thread hands its counters over to the accumulator; the task
	 * iterator skips exiting tasks, so nothing is counted twice. */
	read_counters(task, &c);
	acc = bpf_map_lookup_elem(&exited, &zero);
	if (acc) {
		__sync_fetch_and_add(&acc->cpu_ns, c.cpu_ns);
		__sync_fetch_and_add(&acc->read_bytes, c.read_bytes);
		__sync_fetch_and_add(&acc->write_bytes, c.write_bytes);
		__sync_fetch_and_add(&acc->cancelled_write_bytes, c.cancelled_write_bytes);
		__sync_fetch_and_add(&acc->rchar, c.rchar);
		__sync_fetch_and_add(&acc->wchar, c.wchar);
		__sync_fetch_and_add(&acc->min_flt, c.min_flt);
		__sync_fetch_and_add(&acc->maj_flt, c.maj_flt);
		__sync_fetch_and_add(&acc->nvcsw, c.nvcsw);
		__sync_fetch_and_add(&acc->nivcsw, c.nivcsw);
	}

	/* do_exit() decrements signal->live before this tracepoint: 0 means this is
	 * the last thread of the process. */
	if (BPF_CORE_READ(task, signal, live.counter) != 0)
		return 0;

	bpf_map_delete_elem(&tracked, &tgid);
	rec = bpf_ringbuf_reserve(&events, sizeof(*rec), 0);
	if (!rec) {
		count_drop(BP_DROP_RINGBUF_FULL, 1);
		return 0;
	}
	fill_header(&rec->hdr, BP_REC_PROC_EXIT, sizeof(*rec), task);
	rec->exit_code = BPF_CORE_READ(task, exit_code);
	rec->_pad = 0;
	rec->maxrss_pages = BPF_CORE_READ(task, signal, maxrss);
	/* Process exits are rare and end the run: wake the reader now. */
	bpf_ringbuf_submit(rec, BPF_RB_FORCE_WAKEUP);
	return 0;
}

/* Emits one bp_task_sample per live thread of the tracked set. */
SEC("iter/task")
int sample_tasks(struct bpf_iter__task *ctx)
{
	struct task_struct *t = ctx->task;
	struct bp_task_sample s = {};
	struct mm_struct *mm;
	__u32 tgid;

	if (!t)
		return 0;
	tgid = t->tgid;
	if (!bpf_map_lookup_elem(&tracked, &tgid))
		return 0;
	if (t->flags & PF_EXITING) /* already handed to `exited` (or about to be) */
		return 0;
	s.tgid = tgid;
	s.tid = t->pid;
	read_counters(t, &s.counters);
	mm = t->mm;
	if (mm && t->pid == t->tgid) { /* one mm per process: report it with the leader */
		s.rss_pages = bp_mm_rss_pages(mm);
		s.hiwater_rss_pages = BPF_CORE_READ(mm, hiwater_rss);
	}
	bpf_seq_write(ctx->meta->seq, &s, sizeof(s));
	return 0;
}

/* Copies the tail of every write(2) of a tracked process to stdout or stderr, for
 * the output kept when a run fails. Loaded only when capture_output is set; the
 * job's file descriptors stay untouched, so its output is not re-buffered. */
SEC("tracepoint/syscalls/sys_enter_write")
int on_write(struct trace_event_raw_sys_enter *ctx)
{
	__u64 pid_tgid = bpf_get_current_pid_tgid();
	__u32 tgid = pid_tgid >> 32;
	__u64 fd = ctx->args[0];
	const char *buf = (const char *)ctx->args[1];
	__u64 len = ctx->args[2];
	const __u64 keep = BP_OUTPUT_CHUNK_MAX * BP_OUTPUT_CHUNKS_PER_WRITE;
	__u64 start = 0;
	__u32 flags = 0;
	int i;

	if ((fd != 1 && fd != 2) || len == 0)
		return 0;
	if (!bpf_map_lookup_elem(&tracked, &tgid))
		return 0;
	if (len > keep) {
		start = len - keep;
		flags = BP_FLAG_CUT;
		count_drop(BP_DROP_OUTPUT_CUT, start);
	}
	for (i = 0; i < BP_OUTPUT_CHUNKS_PER_WRITE; i++) {
		__u64 off = start + (__u64)i * BP_OUTPUT_CHUNK_MAX;
		struct bp_output_chunk *rec;
		__u32 n;

		if (off >= len)
			break;
		n = len - off > BP_OUTPUT_CHUNK_MAX ? BP_OUTPUT_CHUNK_MAX : len - off;
		rec = bpf_ringbuf_reserve(&events, sizeof(*rec), 0);
		if (!rec) {
			count_drop(BP_DROP_RINGBUF_FULL, 1);
			return 0;
		}
		rec->hdr.type = BP_REC_OUTPUT;
		rec->hdr.size = sizeof(*rec);
		rec->hdr.tgid = tgid;
		rec->hdr.tid = (__u32)pid_tgid;
		rec->hdr.cpu = bpf_get_smp_processor_id();
		rec->hdr.ts_ns = bpf_ktime_get_ns();
		rec->fd = fd;
		rec->flags = flags;
		rec->_pad = 0;
		if (n > BP_OUTPUT_CHUNK_MAX) /* bound for the verifier */
			n = BP_OUTPUT_CHUNK_MAX;
		if (bpf_probe_read_user(rec->data, n, buf + off)) {
			count_drop(BP_DROP_READ_FAILED, 1);
			bpf_ringbuf_discard(rec, 0);
			return 0;
		}
		rec->len = n;
		/* Output is only needed at the end of a run: never wake the reader for it. */
		bpf_ringbuf_submit(rec, BPF_RB_NO_WAKEUP);
	}
	return 0;
}
