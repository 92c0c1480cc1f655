// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * Python functions from outside the interpreter. Userspace places a hardware
 * watchpoint (one byte, read/write) on the first bytecode unit of each watched code
 * object and on its return units, in each thread of a tracked Python process; the interpreter reads that byte
 * once each time a frame of that code starts, Python-to-Python calls included. This
 * program runs on the watchpoint's perf event: it finds the thread's state, then its
 * running frame, checks that the frame runs the code object the unit belongs to (the
 * byte may be shared by identical bytecode elsewhere, or touched by the interpreter
 * rewriting it) and sends the frame's first slots, how many watched frames are below
 * it, and at a return unit the returned value. No other code of the process pays
 * anything.
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

struct python_code_key {
	__u32 tgid;
	__u32 _pad;
	__u64 code;  /* the unit's address */
};

/* Watched bytecode units: (tgid, address) -> what the unit is. A perf event's address
 * is its watchpoint's. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 4096);
	__type(key, struct python_code_key);
	__type(value, struct bp_python_unit);
} python_units SEC(".maps");

#define MAX_ANCESTORS 48 /* calling frames looked at for watched code */

/* When the reader was last woken for a Python record. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} python_woken SEC(".maps");

#define WAKE_EVERY_NS 2000000ULL

/* The reader names a call from the process's memory, which the interpreter may free
 * soon after: it is woken for the first record after a quiet 2 ms, not for each one
 * (a wake-up costs the trapping thread ~20 us in this VM, against ~10 us for the
 * trap itself: docs/python-tracing.md). A burst's later records wait at most that. */
static __always_inline __u64 python_wakeup_flags(__u64 now, __u64 size)
{
	__u32 zero = 0;
	__u64 *last = bpf_map_lookup_elem(&python_woken, &zero);

	if (last && now - *last > WAKE_EVERY_NS) {
		*last = now;
		return BPF_RB_FORCE_WAKEUP;
	}
	return lazy_wakeup_flags(size);
}

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

/* head[i] without a variable stack offset (the verifier refuses those). */
static __always_inline __u64 pick(const __u64 *head, __u16 i)
{
	return i == 0 ? head[0] : i == 1 ? head[1] : i == 2 ? head[2] : head[3];
}

/* How many frames below `frame` run watched code: 0 for a top-level call. The whole
 * stack is walked on every hit, so each step is one read (the frame's code and caller
 * pointers lie within 24 bytes of each other in every version) and at most four
 * compares (a process has at most four watched code objects). */
static __always_inline __u32 watched_ancestors(const struct bp_python_proc *py, __u64 frame)
{
	__u16 lo = py->frame_code < py->frame_previous ? py->frame_code : py->frame_previous;
	__u16 code_at = py->frame_code - lo, previous_at = py->frame_previous - lo;
	__u64 head[4];
	__u32 depth = 0;

	if (code_at > 24 || previous_at > 24)
		return 0;
	frame = read_ptr(frame + py->frame_previous);
	for (int i = 0; i < MAX_ANCESTORS && frame; i++) {
		__u64 code;

		if (bpf_probe_read_user(head, sizeof(head), (const void *)(frame + lo)))
			break;
		code = pick(head, code_at / 8);
		for (int k = 0; k < BP_PY_MAX_CODE; k++)
			if (code && code == py->watched_code[k]) {
				depth++;
				break;
			}
		frame = pick(head, previous_at / 8);
	}
	return depth;
}

SEC("perf_event")
int python_entry(struct bpf_perf_event_data *ctx)
{
	__u64 pid_tgid = bpf_get_current_pid_tgid();
	__u32 tgid = pid_tgid >> 32, tid = (__u32)pid_tgid;
	struct python_code_key key = { .tgid = tgid, .code = ctx->addr };
	const struct bp_python_proc *py;
	const struct bp_python_unit *unit;
	struct bp_python_call *rec;
	__u64 tstate, frame, code;

	if (!is_tracked(tgid))
		return 0;
	py = bpf_map_lookup_elem(&python_procs, &tgid);
	unit = bpf_map_lookup_elem(&python_units, &key);
	if (!py || !unit)
		return 0;
	tstate = current_tstate(py, tid);
	if (!tstate) {
		count_drop(BP_DROP_READ_FAILED, 1);
		return 0;
	}
	frame = py->flags & BP_PY_CFRAME ? read_ptr(tstate + py->cframe) : tstate;
	frame = frame ? read_ptr(frame + py->current_frame) : 0;
	code = frame ? read_ptr(frame + py->frame_code) : 0;
	if (code != unit->code)
		return 0; /* identical bytecode elsewhere, or the interpreter rewriting it */
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
	rec->hook_id = unit->hook_id;
	rec->flags = unit->kind == BP_PY_UNIT_RETURN ? BP_PY_CALL_RETURN : 0;
	rec->depth = watched_ancestors(py, frame);
	rec->_pad = 0;
	rec->code = code;
	rec->frame = frame;
	rec->function = py->flags & BP_PY_FRAME_FUNCTION ? read_ptr(frame + py->frame_function) : 0;
	rec->ip = PT_REGS_IP(&ctx->regs);
	if (bpf_probe_read_user(rec->locals, sizeof(rec->locals), (const void *)(frame + py->frame_localsplus))) {
		__builtin_memset(rec->locals, 0, sizeof(rec->locals));
		rec->flags |= BP_FLAG_UNREADABLE;
	}
	for (int i = 0; i < BP_PY_LOCALS; i++)
		rec->local_types[i] = rec->locals[i] ? read_ptr(rec->locals[i] + 8) : 0;
	/* At a return instruction the value stack holds the returned value alone: the
	 * slot after the locals and cells. Its head is copied now, as it may be freed
	 * as soon as the caller drops it. */
	rec->ret = 0;
	__builtin_memset(rec->ret_head, 0, sizeof(rec->ret_head));
	if (unit->kind == BP_PY_UNIT_RETURN) {
		rec->ret = unit->stack_slot == BP_PY_NO_STACK_SLOT
				   ? unit->const_object
				   : read_ptr(frame + py->frame_localsplus + 8 * (__u64)unit->stack_slot);
		if (rec->ret && bpf_probe_read_user(rec->ret_head, sizeof(rec->ret_head), (const void *)rec->ret))
			rec->flags |= BP_FLAG_UNREADABLE;
	}
	bpf_ringbuf_submit(rec, python_wakeup_flags(rec->hdr.ts_ns, sizeof(*rec)));
	return 0;
}
