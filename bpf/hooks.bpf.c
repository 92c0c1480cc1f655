// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * Hooks: uprobes and uretprobes on the functions that mapping files select, and
 * USDT probes. The attach cookie is the hook id; `hook_specs[hook id]` says what to
 * capture. Only the tracked process tree produces records.
 *
 * A hook that needs anything at return (out-parameters, the return value, its
 * duration or hardware deltas) is "paired": its entry is kept per thread and one
 * record is sent at return, with every capture read then. Other hooks send their
 * record at entry: a 32-byte bp_hook_hit when they capture nothing. Kernel side
 * stays dumb: copy, count, submit; names and meaning live in userspace.
 *
 * Every hit is on the traced program's own time: the SEC programs are thin
 * wrappers around on_entry()/on_return(), which do each step once (one pid/tgid
 * read, one clock read per record) and write no more ring bytes than the spec
 * needs.
 */
#include "vmlinux.h"
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/usdt.bpf.h>

#include "bpfpads_records.h"
#include "maps.bpf.h"

char LICENSE[] SEC("license") = "GPL";

/* Set at load from probing: false on kernels without bpf_get_attach_cookie (< 5.15),
 * where the verifier never sees the helper because this branch is dead. */
const volatile bool use_attach_cookie = true;

/* Without attach cookies: the probed virtual address -> hook id, filled by userspace
 * from each tracked process's /proc/PID/maps. One entry unless resized at load. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1);
	__type(key, __u64);
	__type(value, __u32);
} hook_addrs SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, BP_MAX_HOOKS);
	__type(key, __u32);
	__type(value, struct bp_hook_spec);
} hook_specs SEC(".maps");

/* Hits per hook, for the run's hit counts and the hot-hook guard. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, BP_MAX_HOOKS);
	__type(key, __u32);
	__type(value, __u64);
} hook_hits SEC(".maps");

struct bp_frame {
	__u32 hook_id;
	__u32 _pad;
	__u64 entry_ns;
	__u64 args[BP_MAX_ARGS];
	struct bp_call_hardware hw_at_entry;
};

struct bp_call_stack {
	__u32 depth;
	__u32 _pad;
	struct bp_frame frames[BP_MAX_CALL_DEPTH];
};

/* Paired calls in flight, per thread. Task storage is freed with the task, so a
 * thread that exits mid-call leaks nothing. */
struct {
	__uint(type, BPF_MAP_TYPE_TASK_STORAGE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, int);
	__type(value, struct bp_call_stack);
} call_stacks SEC(".maps");

static __always_inline void read_hardware(struct task_struct *t, struct bp_call_hardware *hw)
{
	hw->cpu_ns = BPF_CORE_READ(t, se.sum_exec_runtime);
	if (bpf_core_field_exists(t->ioac)) {
		hw->read_bytes = BPF_CORE_READ(t, ioac.read_bytes);
		hw->write_bytes = BPF_CORE_READ(t, ioac.write_bytes);
	}
	hw->faults = BPF_CORE_READ(t, min_flt) + BPF_CORE_READ(t, maj_flt);
}

static __always_inline __u64 arg_of(const __u64 *args, __u8 index)
{
	return index < BP_MAX_ARGS ? args[index] : 0;
}

/* Reads a C string into data[offset..offset+max_len), marking a cut or a failure. */
static __always_inline void capture_str(char *data, struct bp_capture_slot *slot,
					const struct bp_capture_spec *cap, __u64 ptr)
{
	__u32 off = cap->offset & (BP_HOOK_DATA_MAX - 1);
	__u64 len = cap->max_len; /* 64-bit: a 32-bit copy loses the bounds for the verifier */
	long n;
	char last;

	if (len == 0 || len > BP_HOOK_DATA_MAX)
		return;
	barrier_var(len);
	n = bpf_probe_read_user_str(data + off, len, (const void *)ptr);
	if (n < 0) {
		slot->flags |= BP_FLAG_UNREADABLE;
		count_drop(BP_DROP_CAPTURE_UNREADABLE, 1);
		return;
	}
	slot->len = n > 0 ? n - 1 : 0;
	/* Filled to the bound: cut unless the source ends exactly there. */
	if (n == len && bpf_probe_read_user(&last, 1, (const char *)ptr + len - 1) == 0 && last) {
		slot->flags |= BP_FLAG_CUT;
		count_drop(BP_DROP_CAPTURE_CUT, 1);
	}
}

static __always_inline void capture_bytes(char *data, struct bp_capture_slot *slot,
					  const struct bp_capture_spec *cap, __u64 ptr, __u64 want)
{
	__u32 off = cap->offset & (BP_HOOK_DATA_MAX - 1);
	__u64 len = want > cap->max_len ? cap->max_len : want;

	if (want > cap->max_len) {
		slot->flags |= BP_FLAG_CUT;
		count_drop(BP_DROP_CAPTURE_CUT, 1);
	}
	if (len == 0 || len > BP_HOOK_DATA_MAX)
		return;
	barrier_var(len); /* keep the compiler from passing an unchecked copy of len */
	if (bpf_probe_read_user(data + off, len, (const void *)ptr)) {
		slot->flags |= BP_FLAG_UNREADABLE;
		count_drop(BP_DROP_CAPTURE_UNREADABLE, 1);
		return;
	}
	slot->len = len;
}

#define BP_MAX_STR_ARRAY 16 /* strings of one BP_CAP_OUT_STR_ARRAY capture */

/* BP_CAP_OUT_STR_ARRAY: the strings at the first `count` pointers of the user array at
 * `ptr`, each in its int_size bytes of the data area. A global function: verified
 * once, not once per capture of the unrolled loop below. */
__noinline int bp_capture_str_array(struct bp_hook_call_data *rec, __u32 index, __u64 ptr, __u64 count)
{
	const struct bp_hook_spec *spec;
	const struct bp_capture_spec *cap;
	struct bp_capture_slot *slot;
	__u32 hook_id;
	__u64 elem, max;

	if (!rec)
		return 0;
	hook_id = rec->call.hook_id;
	spec = bpf_map_lookup_elem(&hook_specs, &hook_id);
	if (!spec)
		return 0;
	cap = &spec->captures[index & (BP_MAX_CAPTURES - 1)];
	slot = &rec->call.slots[index & (BP_MAX_CAPTURES - 1)];
	elem = cap->int_size;
	if (elem == 0)
		return 0;
	max = cap->max_len / elem;
	if (count > max) {
		count = max;
		slot->flags |= BP_FLAG_CUT;
		count_drop(BP_DROP_CAPTURE_CUT, 1);
	}
	for (__u32 k = 0; k < BP_MAX_STR_ARRAY; k++) {
		__u32 off = (cap->offset + k * elem) & (BP_HOOK_DATA_MAX - 1);
		__u64 p = 0;
		long n;
		char last;

		if (k >= count)
			break;
		if (bpf_probe_read_user(&p, sizeof(p), (const void *)(ptr + k * sizeof(p))) ||
		    (n = bpf_probe_read_user_str(rec->data + off, elem & 0xff, (const void *)p)) < 0) {
			slot->flags |= BP_FLAG_UNREADABLE;
			count_drop(BP_DROP_CAPTURE_UNREADABLE, 1);
			return 0;
		}
		/* Filled to the bound: cut unless the source ends exactly there. */
		if (n == elem && bpf_probe_read_user(&last, 1, (const char *)p + elem - 1) == 0 && last) {
			slot->flags |= BP_FLAG_CUT;
			count_drop(BP_DROP_CAPTURE_CUT, 1);
		}
		slot->len = k + 1;
	}
	return 0;
}

/* Out arrays: the element count a BP_CAP_OUT_* array capture reads. */
static __always_inline __u64 array_count(const struct bp_hook_call *call, const struct bp_capture_spec *cap)
{
	if (cap->len_arg == BP_ARRAY_FULL)
		return cap->int_size ? cap->max_len / cap->int_size : 0;
	return call->values[cap->len_arg & (BP_MAX_CAPTURES - 1)];
}

/* Fills values/slots/data of a record from the saved arguments (and, at return,
 * the return value). `data` is NULL for hooks without string/buffer captures. */
static __always_inline void capture_all(struct bp_hook_call *call, char *data,
					const struct bp_hook_spec *spec, bool at_return)
{
	const __u64 *args = call->args;

#pragma unroll
	for (int i = 0; i < BP_MAX_CAPTURES; i++) {
		const struct bp_capture_spec *cap = &spec->captures[i];
		struct bp_capture_slot *slot = &call->slots[i];
		__u64 p = 0;

		if (i >= spec->ncaptures)
			break;
		switch (cap->kind) {
		case BP_CAP_ARG:
			call->values[i] = arg_of(args, cap->arg);
			break;
		case BP_CAP_STR:
			if (data)
				capture_str(data, slot, cap, arg_of(args, cap->arg));
			break;
		case BP_CAP_BYTES:
			if (data)
				capture_bytes(data, slot, cap, arg_of(args, cap->arg), cap->max_len);
			break;
		case BP_CAP_BYTES_ARGLEN:
			if (data)
				capture_bytes(data, slot, cap, arg_of(args, cap->arg),
					      arg_of(args, cap->len_arg));
			break;
		case BP_CAP_OUT_INT:
			if (!at_return)
				break;
			if (bpf_probe_read_user(&p, cap->int_size & 0xf,
						(const void *)arg_of(args, cap->arg))) {
				slot->flags |= BP_FLAG_UNREADABLE;
				count_drop(BP_DROP_CAPTURE_UNREADABLE, 1);
			}
			call->values[i] = p;
			break;
		case BP_CAP_OUT_STR:
			if (!at_return || !data)
				break;
			if (bpf_probe_read_user(&p, sizeof(p), (const void *)arg_of(args, cap->arg))) {
				slot->flags |= BP_FLAG_UNREADABLE;
				count_drop(BP_DROP_CAPTURE_UNREADABLE, 1);
				break;
			}
			call->values[i] = p;
			capture_str(data, slot, cap, p);
			break;
		case BP_CAP_RET:
			if (at_return)
				call->values[i] = call->ret;
			break;
		case BP_CAP_RET_STR:
			if (at_return && data)
				capture_str(data, slot, cap, call->ret);
			break;
		case BP_CAP_OUT_ARRAY:
			if (at_return && data)
				capture_bytes(data, slot, cap, arg_of(args, cap->arg),
					      array_count(call, cap) * (cap->int_size & 0xf));
			break;
		case BP_CAP_OUT_STR_ARRAY:
			if (at_return && data)
				bp_capture_str_array((struct bp_hook_call_data *)call, i,
						     arg_of(args, cap->arg), array_count(call, cap));
			break;
		default:
			break;
		}
	}
}

static __always_inline void fill_header(struct bp_record_header *hdr, __u16 type, __u16 size,
					__u64 pid_tgid, __u64 ts_ns)
{
	hdr->type = type;
	hdr->size = size;
	hdr->tgid = pid_tgid >> 32;
	hdr->tid = (__u32)pid_tgid;
	hdr->cpu = bpf_get_smp_processor_id();
	hdr->ts_ns = ts_ns;
}

/* Reserves the record kind the spec needs, zeroed, with its header and hook id. */
static __always_inline struct bp_hook_call *reserve_call(const struct bp_hook_spec *spec,
							  __u32 hook_id, __u64 pid_tgid, __u64 ts_ns,
							  char **data)
{
	struct bp_hook_call *call;
	__u16 type, size;

	if (spec->flags & BP_HOOK_HAS_DATA) {
		struct bp_hook_call_data *rec = bpf_ringbuf_reserve(&events, sizeof(*rec), 0);

		if (!rec)
			goto full;
		__builtin_memset(rec, 0, sizeof(rec->call));
		call = &rec->call;
		*data = rec->data;
		size = sizeof(*rec);
		type = BP_REC_HOOK_CALL_DATA;
	} else {
		call = bpf_ringbuf_reserve(&events, sizeof(*call), 0);
		if (!call)
			goto full;
		__builtin_memset(call, 0, sizeof(*call));
		*data = NULL;
		size = sizeof(*call);
		type = BP_REC_HOOK_CALL;
	}
	fill_header(&call->hdr, type, size, pid_tgid, ts_ns);
	call->hook_id = hook_id;
	return call;
full:
	count_drop(BP_DROP_RINGBUF_FULL, 1);
	return NULL;
}

/* The tracked check, the hit count and the spec: what every hit pays first. */
static __always_inline const struct bp_hook_spec *hit(__u32 hook_id, __u64 pid_tgid)
{
	__u64 *hits;

	if (!is_tracked(pid_tgid >> 32))
		return NULL;
	hits = bpf_map_lookup_elem(&hook_hits, &hook_id);
	if (hits)
		*hits += 1;
	return bpf_map_lookup_elem(&hook_specs, &hook_id);
}

/* An entry-only hook without captures sends the small record. */
static __always_inline void send_hit(__u32 hook_id, __u64 pid_tgid, __u32 depth)
{
	struct bp_hook_hit *rec = bpf_ringbuf_reserve(&events, sizeof(*rec), 0);

	if (!rec) {
		count_drop(BP_DROP_RINGBUF_FULL, 1);
		return;
	}
	fill_header(&rec->hdr, BP_REC_HOOK_HIT, sizeof(*rec), pid_tgid, bpf_ktime_get_ns());
	rec->hook_id = hook_id;
	rec->depth = depth;
	rec->_pad = 0;
	bpf_ringbuf_submit(rec, lazy_wakeup_flags(sizeof(*rec)));
}

static __always_inline int on_entry(__u32 hook_id, const __u64 *args)
{
	__u64 pid_tgid = bpf_get_current_pid_tgid();
	const struct bp_hook_spec *spec = hit(hook_id, pid_tgid);
	struct bp_hook_call *call;
	struct bp_call_stack *stack;
	char *data = NULL;
	__u32 depth;
	__u64 now;

	if (!spec)
		return 0;
	stack = bpf_task_storage_get(&call_stacks, bpf_get_current_task_btf(), 0,
				     (spec->flags & BP_HOOK_PAIRED) ? BPF_LOCAL_STORAGE_GET_F_CREATE : 0);
	depth = stack ? stack->depth : 0;

	if (spec->flags & BP_HOOK_PAIRED) {
		struct bp_frame *f;

		if (!stack)
			return 0;
		if (depth >= BP_MAX_CALL_DEPTH) {
			count_drop(BP_DROP_CALL_DEPTH, 1);
			return 0;
		}
		f = &stack->frames[depth & (BP_MAX_CALL_DEPTH - 1)];
		f->hook_id = hook_id;
		f->entry_ns = bpf_ktime_get_ns();
#pragma unroll
		for (int i = 0; i < BP_MAX_ARGS; i++)
			f->args[i] = args[i];
		if (spec->flags & BP_HOOK_HARDWARE)
			read_hardware(bpf_get_current_task_btf(), &f->hw_at_entry);
		stack->depth = depth + 1;
		return 0;
	}
	if (spec->ncaptures == 0) {
		send_hit(hook_id, pid_tgid, depth);
		return 0;
	}

	now = bpf_ktime_get_ns();
	call = reserve_call(spec, hook_id, pid_tgid, now, &data);
	if (!call)
		return 0;
	call->depth = depth;
	call->entry_ns = now;
#pragma unroll
	for (int i = 0; i < BP_MAX_ARGS; i++)
		call->args[i] = args[i];
	capture_all(call, data, spec, false);
	bpf_ringbuf_submit(call, lazy_wakeup_flags(call->hdr.size));
	return 0;
}

/* The hook id of a uprobe: its cookie, or its address in this process. x86 reports
 * the breakpoint's address, or the byte after it where the int3 already ran. */
static __always_inline __u32 entry_hook_id(struct pt_regs *ctx)
{
	__u64 ip;
	__u32 *id;

	if (use_attach_cookie)
		return (__u32)bpf_get_attach_cookie(ctx);
	ip = PT_REGS_IP(ctx);
	id = bpf_map_lookup_elem(&hook_addrs, &ip);
	if (!id) {
		ip -= 1;
		id = bpf_map_lookup_elem(&hook_addrs, &ip);
	}
	return id ? *id : BP_MAX_HOOKS; /* no such hook: hit() finds no spec */
}

static __always_inline int on_uprobe_entry(struct pt_regs *ctx, __u32 hook_id)
{
	__u64 args[BP_MAX_ARGS] = {PT_REGS_PARM1(ctx), PT_REGS_PARM2(ctx), PT_REGS_PARM3(ctx),
				   PT_REGS_PARM4(ctx), PT_REGS_PARM5(ctx), PT_REGS_PARM6(ctx)};

	return on_entry(hook_id, args);
}

SEC("uprobe")
int hook_entry(struct pt_regs *ctx)
{
	return on_uprobe_entry(ctx, entry_hook_id(ctx));
}

static __always_inline int on_return(__u32 hook_id, __u64 ret)
{
	__u64 pid_tgid = bpf_get_current_pid_tgid();
	const struct bp_hook_spec *spec;
	struct bp_call_stack *stack;
	struct bp_hook_call *call;
	struct bp_frame *f = NULL;
	char *data = NULL;
	__u32 depth, found = BP_MAX_CALL_DEPTH;
	__u16 nested = 0;
	__u64 now;

	/* No tracked check: a thread has a call stack only if a tracked entry made one,
	 * and a call that began tracked is reported when it returns. */
	stack = bpf_task_storage_get(&call_stacks, bpf_get_current_task_btf(), 0, 0);
	if (!stack)
		return 0;
	/* No cookie (the ip is the return address): the innermost open call returns. */
	if (!use_attach_cookie && stack->depth)
		hook_id = stack->frames[(stack->depth - 1) & (BP_MAX_CALL_DEPTH - 1)].hook_id;
	spec = bpf_map_lookup_elem(&hook_specs, &hook_id);
	if (!spec)
		return 0;
	depth = stack->depth;
	/* The innermost frame of this hook; frames above it lost their return
	 * (longjmp, exceptions) and are dropped, counted. */
#pragma unroll
	for (int i = BP_MAX_CALL_DEPTH - 1; i >= 0; i--) {
		if (i < depth && found == BP_MAX_CALL_DEPTH && stack->frames[i].hook_id == hook_id)
			found = i;
	}
	if (found == BP_MAX_CALL_DEPTH) {
		count_drop(BP_DROP_UNPAIRED_RETURN, 1);
		return 0;
	}
	if (depth > found + 1)
		count_drop(BP_DROP_UNPAIRED_ENTRY, depth - found - 1);
	stack->depth = found;
	f = &stack->frames[found & (BP_MAX_CALL_DEPTH - 1)];
	/* PyPads' recursion_identity needs to know whether this is a nested call of
	 * the same function. */
#pragma unroll
	for (int i = 0; i < BP_MAX_CALL_DEPTH; i++) {
		if (i < found && stack->frames[i].hook_id == hook_id)
			nested = BP_CALL_NESTED_SAME;
	}

	now = bpf_ktime_get_ns();
	call = reserve_call(spec, hook_id, pid_tgid, now, &data);
	if (!call)
		return 0;
	call->depth = found;
	call->flags = BP_CALL_RETURNED | nested;
	call->entry_ns = f->entry_ns;
	call->return_ns = now;
	call->ret = ret;
#pragma unroll
	for (int i = 0; i < BP_MAX_ARGS; i++)
		call->args[i] = f->args[i];
	if (spec->flags & BP_HOOK_HARDWARE) {
		struct bp_call_hardware now = {};

		read_hardware(bpf_get_current_task_btf(), &now);
		call->hw.cpu_ns = now.cpu_ns - f->hw_at_entry.cpu_ns;
		call->hw.read_bytes = now.read_bytes - f->hw_at_entry.read_bytes;
		call->hw.write_bytes = now.write_bytes - f->hw_at_entry.write_bytes;
		call->hw.faults = now.faults - f->hw_at_entry.faults;
	}
	capture_all(call, data, spec, true);
	bpf_ringbuf_submit(call, lazy_wakeup_flags(call->hdr.size));
	return 0;
}

SEC("uretprobe")
int hook_return(struct pt_regs *ctx)
{
	/* Without cookies on_return() names the call from the thread's innermost frame. */
	__u32 hook_id = use_attach_cookie ? (__u32)bpf_get_attach_cookie(ctx) : BP_MAX_HOOKS;

	return on_return(hook_id, PT_REGS_RC(ctx));
}

/* uprobe_multi variants: one link carries every probe of a binary, the cookie of
 * each probe is still its hook id. Loaded only where the kernel has uprobe_multi
 * (probed at load; see kernel/bpf_programs.cpp). A multi link cannot lose one
 * probe, so the hot-hook guard disables a hook here instead of detaching it: its
 * breakpoint stays (the trap is still paid), but nothing is counted or sent. */
__u8 hook_disabled[BP_MAX_HOOKS] = {};

static __always_inline bool multi_hook_enabled(__u32 hook_id)
{
	return hook_id < BP_MAX_HOOKS && !hook_disabled[hook_id];
}

SEC("uprobe.multi")
int hook_entry_multi(struct pt_regs *ctx)
{
	__u32 hook_id = (__u32)bpf_get_attach_cookie(ctx);

	return multi_hook_enabled(hook_id) ? on_uprobe_entry(ctx, hook_id) : 0;
}

SEC("uretprobe.multi")
int hook_return_multi(struct pt_regs *ctx)
{
	__u32 hook_id = (__u32)bpf_get_attach_cookie(ctx);

	return multi_hook_enabled(hook_id) ? on_return(hook_id, PT_REGS_RC(ctx)) : 0;
}

/* USDT probes: arguments from the probe's argument specs (libbpf's usdt.bpf.h);
 * the hook id is the user cookie given at attach. */
SEC("usdt")
int hook_usdt(struct pt_regs *ctx)
{
	__u64 args[BP_MAX_ARGS] = {};
	long v;

#pragma unroll
	for (int i = 0; i < BP_MAX_ARGS; i++) {
		if (bpf_usdt_arg(ctx, i, &v) == 0)
			args[i] = v;
	}
	return on_entry((__u32)bpf_usdt_cookie(ctx), args);
}

/* exec replaces the program: calls in flight never return. */
SEC("tp_btf/sched_process_exec")
int BPF_PROG(hooks_on_exec, struct task_struct *task, pid_t old_pid, struct linux_binprm *bprm)
{
	struct bp_call_stack *stack;

	if (!is_tracked(task->tgid))
		return 0;
	stack = bpf_task_storage_get(&call_stacks, task, 0, 0);
	if (stack && stack->depth) {
		count_drop(BP_DROP_UNPAIRED_ENTRY, stack->depth);
		stack->depth = 0;
	}
	return 0;
}
