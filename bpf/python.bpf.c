// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * Python functions from outside the interpreter. Userspace places a hardware
 * watchpoint (one byte, read/write) on the first bytecode unit of each watched code
 * object, in each thread of a tracked Python process; the interpreter reads that byte
 * once each time a frame of that code starts, Python-to-Python calls included. This
 * program runs on the watchpoint's perf event: it finds the thread's state, then its
 * running frame, checks that the frame runs a watched code object (the byte may be
 * shared by identical bytecode elsewhere, or touched by the interpreter rewriting it)
 * and sends the frame's first slots. No other code of the process pays anything.
 */
#include "maps.bpf.h"
#include <bpf/bpf_tracing.h>

char LICENSE[] SEC("license") = "Dual BSD/GPL";

#define MAX_THREADS 64  /* thread states walked to find the current one */

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1024);
	__type(key, __u32); /* tgid */
	__type(value, struct bp_python_proc);
} python_procs SEC(".maps");

/* Watched code objects: address -> hook id. Key: (tgid << 64 is not possible) a
 * struct of both, so that two processes' objects at one address stay apart. */
struct python_code_key {
	__u32 tgid;
	__u32 _pad;
	__u64 code;
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 4096);
	__type(key, struct python_code_key);
	__type(value, __u32);
} python_code SEC(".maps");

static __always_inline __u64 read_ptr(__u64 addr)
{
	__u64 v = 0;

	if (bpf_probe_read_user(&v, sizeof(v), (const void *)addr))
		return 0;
	return v;
}

static __always_inline __u64 current_tstate(const struct bp_python_proc *py, __u32 tid)
{
	__u64 interp, t;

	if (!(py->flags & BP_PY_TSTATE_BY_THREAD_ID))
		/* <= 3.10: the thread running bytecode holds the GIL */
		return read_ptr(py->runtime + py->gil_tstate_current);
	interp = read_ptr(py->runtime + py->interpreters_head);
	if (!interp)
		return 0;
	t = read_ptr(interp + py->threads_head);
	for (int i = 0; i < MAX_THREADS && t; i++) {
		if (read_ptr(t + py->native_thread_id) == tid)
			return t;
		t = read_ptr(t + py->tstate_next);
	}
	return 0;
}

SEC("perf_event")
int python_entry(struct bpf_perf_event_data *ctx)
{
	__u64 pid_tgid = bpf_get_current_pid_tgid();
	__u32 tgid = pid_tgid >> 32, tid = (__u32)pid_tgid;
	struct python_code_key key = { .tgid = tgid };
	const struct bp_python_proc *py;
	struct bp_python_call *rec;
	__u64 tstate, frame;
	__u32 *hook_id;

	if (!is_tracked(tgid))
		return 0;
	py = bpf_map_lookup_elem(&python_procs, &tgid);
	if (!py)
		return 0;
	tstate = current_tstate(py, tid);
	if (!tstate) {
		count_drop(BP_DROP_READ_FAILED, 1);
		return 0;
	}
	frame = py->flags & BP_PY_CFRAME ? read_ptr(tstate + py->cframe) : tstate;
	frame = frame ? read_ptr(frame + py->current_frame) : 0;
	key.code = frame ? read_ptr(frame + py->frame_code) : 0;
	hook_id = bpf_map_lookup_elem(&python_code, &key);
	if (!hook_id)
		return 0; /* not a watched frame: identical bytecode elsewhere */
	rec = bpf_ringbuf_reserve(&events, sizeof(*rec), 0);
	if (!rec) {
		count_drop(BP_DROP_RINGBUF_FULL, 1);
		return 0;
	}
	rec->hdr.type = BP_REC_PYTHON_CALL;
	rec->hdr.size = sizeof(*rec);
	rec->hdr.tgid = tgid;
	rec->hdr.tid = tid;
	rec->hdr.cpu = bpf_get_smp_processor_id();
	rec->hdr.ts_ns = bpf_ktime_get_ns();
	rec->hook_id = *hook_id;
	rec->flags = 0;
	rec->code = key.code;
	rec->frame = frame;
	rec->ip = PT_REGS_IP(&ctx->regs);
	if (bpf_probe_read_user(rec->locals, sizeof(rec->locals), (const void *)(frame + py->frame_localsplus))) {
		__builtin_memset(rec->locals, 0, sizeof(rec->locals));
		rec->flags |= BP_FLAG_UNREADABLE;
	}
	bpf_ringbuf_submit(rec, lazy_wakeup_flags(sizeof(*rec)));
	return 0;
}
