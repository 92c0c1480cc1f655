/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * Every record that crosses the kernel/user boundary, declared once.
 *
 * Rules (see shared/design/architecture.md):
 *  - fixed-width fields, explicit padding, a size check per record;
 *  - every ring-buffer record starts with struct bp_record_header, whose `type`
 *    says the layout and whose `size` must equal sizeof(that layout);
 *  - a changed layout gets a new type tag and BPFPADS_ABI_VERSION goes up;
 *  - every drop or cut is counted per reason in the per-CPU `drops` map.
 */
#ifndef BPFPADS_RECORDS_H
#define BPFPADS_RECORDS_H

#ifndef __VMLINUX_H__
#include <linux/types.h>
#endif

#define BPFPADS_ABI_VERSION 1

#ifdef __cplusplus
#define BP_STATIC_ASSERT(cond, msg) static_assert(cond, msg)
#else
#define BP_STATIC_ASSERT(cond, msg) _Static_assert(cond, msg)
#endif

enum bp_record_type {
	BP_REC_PROC_FORK = 1,  /* a tracked process created a process */
	BP_REC_PROC_EXEC = 2,  /* a tracked process executed a new program */
	BP_REC_PROC_EXIT = 3,  /* the last thread of a tracked process exited */
	BP_REC_OUTPUT = 4,     /* bytes a tracked process wrote to fd 1 or 2 */
	BP_REC_HOOK_CALL = 5,      /* a hooked call without string/buffer captures */
	BP_REC_HOOK_CALL_DATA = 6, /* a hooked call with string/buffer captures */
	BP_REC_LIBRARY_LOADED = 7, /* the dynamic loader mapped objects: the process is stopped */
	BP_REC_HOOK_HIT = 8,       /* a call of an entry-only hook that captures nothing */
	BP_REC_PYTHON_CALL = 9,    /* a watched Python code object began to run */
};

/* Why something was lost. Userspace shows each count in the run. */
enum bp_drop_reason {
	BP_DROP_RINGBUF_FULL = 0,    /* a record could not be reserved */
	BP_DROP_TRACKED_FULL = 1,    /* a new process did not fit in `tracked` */
	BP_DROP_OUTPUT_CUT = 2,      /* bytes of a write not copied (only its tail is kept) */
	BP_DROP_READ_FAILED = 3,     /* a read of user or kernel memory failed */
	BP_DROP_PATH_CUT = 4,        /* an exec path longer than BP_PATH_MAX */
	BP_DROP_CAPTURE_CUT = 5,     /* a captured string or buffer longer than its bound */
	BP_DROP_CAPTURE_UNREADABLE = 6, /* a capture pointed at unreadable user memory */
	BP_DROP_CALL_DEPTH = 7,      /* a call nested deeper than BP_MAX_CALL_DEPTH: not paired */
	BP_DROP_UNPAIRED_RETURN = 8, /* a return whose entry was not seen (attached mid-call) */
	BP_DROP_UNPAIRED_ENTRY = 9,  /* entries left without a return (longjmp, exception, exec) */
	BP_DROP__COUNT = 10,
};

#define BP_PATH_MAX 256
#define BP_OUTPUT_CHUNK_MAX 1024
#define BP_OUTPUT_CHUNKS_PER_WRITE 4

/* Flags of a cut or unreadable value. */
#define BP_FLAG_CUT 0x1u
#define BP_FLAG_UNREADABLE 0x2u

struct bp_record_header {
	__u16 type;   /* enum bp_record_type */
	__u16 size;   /* sizeof the whole record */
	__u32 tgid;   /* process (thread group) id */
	__u32 tid;    /* thread id */
	__u32 cpu;
	__u64 ts_ns;  /* bpf_ktime_get_ns(): CLOCK_MONOTONIC */
};
BP_STATIC_ASSERT(sizeof(struct bp_record_header) == 24, "bp_record_header layout");

/* Per-thread resource counters, as the kernel keeps them in task_struct. Summed
 * over live threads (task iterator) plus exited threads (exit accumulator). */
struct bp_task_counters {
	__u64 cpu_ns;           /* se.sum_exec_runtime */
	__u64 read_bytes;       /* ioac.read_bytes: bytes fetched from storage */
	__u64 write_bytes;      /* ioac.write_bytes: bytes sent (dirtied) to storage */
	__u64 cancelled_write_bytes;
	__u64 rchar;            /* ioac.rchar: bytes passed to read-like syscalls */
	__u64 wchar;            /* ioac.wchar */
	__u64 min_flt;
	__u64 maj_flt;
	__u64 nvcsw;            /* voluntary context switches */
	__u64 nivcsw;           /* involuntary context switches */
};
BP_STATIC_ASSERT(sizeof(struct bp_task_counters) == 80, "bp_task_counters layout");

struct bp_proc_fork {
	struct bp_record_header hdr;  /* tgid/tid: the parent */
	__u32 child_tgid;
	__u32 _pad;
};
BP_STATIC_ASSERT(sizeof(struct bp_proc_fork) == 32, "bp_proc_fork layout");

struct bp_proc_exec {
	struct bp_record_header hdr;
	__u32 old_tid;     /* the thread that called execve (differs from tgid in a threaded exec) */
	__u32 flags;       /* BP_FLAG_CUT when filename was longer than BP_PATH_MAX */
	char filename[BP_PATH_MAX];
};
BP_STATIC_ASSERT(sizeof(struct bp_proc_exec) == 24 + 8 + BP_PATH_MAX, "bp_proc_exec layout");

struct bp_proc_exit {
	struct bp_record_header hdr;
	__u32 exit_code;       /* wait(2) status: (code << 8) | signal */
	__u32 _pad;
	__u64 maxrss_pages;    /* signal->maxrss: peak RSS of the process, in pages */
};
BP_STATIC_ASSERT(sizeof(struct bp_proc_exit) == 40, "bp_proc_exit layout");

struct bp_output_chunk {
	struct bp_record_header hdr;
	__u32 fd;          /* 1 or 2 */
	__u32 len;         /* valid bytes in data */
	__u32 flags;       /* BP_FLAG_CUT: the write was longer, only its tail is here */
	__u32 _pad;
	char data[BP_OUTPUT_CHUNK_MAX];
};
BP_STATIC_ASSERT(sizeof(struct bp_output_chunk) == 24 + 16 + BP_OUTPUT_CHUNK_MAX, "bp_output_chunk layout");

/* Written by the task iterator (not the ring buffer): one per live thread of
 * the tracked set, read in one pass at each sampling tick. */
struct bp_task_sample {
	__u32 tgid;
	__u32 tid;
	struct bp_task_counters counters;
	__u64 rss_pages;          /* file + anon + shmem pages of the mm; 0 for kernel threads */
	__u64 hiwater_rss_pages;  /* mm->hiwater_rss: updated lazily by the kernel */
};
BP_STATIC_ASSERT(sizeof(struct bp_task_sample) == 8 + 80 + 16, "bp_task_sample layout");

/* Value of the `tracked` map, keyed by tgid. */
struct bp_tracked {
	__u32 parent_tgid;
	__u32 generation;   /* 0: the run's root(s); n: n forks below a root */
	__u64 since_ns;
};
BP_STATIC_ASSERT(sizeof(struct bp_tracked) == 16, "bp_tracked layout");

/* ---- hooks: uprobes/USDT on the functions that mapping files select ---- */

#define BP_MAX_HOOKS 4096          /* hook ids are indexes into `hook_specs` */
#define BP_MAX_ARGS 6              /* integer/pointer argument registers (x86-64 SysV) */
#define BP_MAX_CAPTURES 8
#define BP_MAX_CALL_DEPTH 16       /* paired calls in flight per thread */
#define BP_HOOK_DATA_MAX 1024      /* capture bytes per call; offsets are masked with this - 1 */

enum bp_capture_kind {
	BP_CAP_NONE = 0,
	BP_CAP_ARG = 1,          /* integer/pointer register value */
	BP_CAP_STR = 2,          /* C string at the pointer in an argument */
	BP_CAP_BYTES = 3,        /* max_len bytes at the pointer in an argument */
	BP_CAP_BYTES_ARGLEN = 4, /* bytes at arg, length from argument len_arg, bounded by max_len */
	BP_CAP_OUT_INT = 5,      /* at return: int_size bytes at the pointer in an argument */
	BP_CAP_OUT_STR = 6,      /* at return: the C string whose address an argument points to */
	BP_CAP_RET = 7,          /* at return: the return value register */
	BP_CAP_RET_STR = 8,      /* at return: the C string the return value points to */
	BP_CAP_OUT_ARRAY = 9,    /* at return: int_size-byte elements at the pointer in an argument */
	BP_CAP_OUT_STR_ARRAY = 10, /* at return: C strings at the pointers of a pointer array */
};

/* Out arrays: len_arg is the index of the capture whose value is the element count, or
 * BP_ARRAY_FULL for as many as max_len holds. BP_CAP_OUT_STR_ARRAY keeps each string in
 * int_size bytes (its bound, with the NUL) and slot.len counts the strings read. */
#define BP_ARRAY_FULL 0xff

struct bp_capture_spec {
	__u8 kind;      /* enum bp_capture_kind */
	__u8 arg;       /* argument index 0..5 (USDT: argument number 0..11) */
	__u8 len_arg;   /* BP_CAP_BYTES_ARGLEN: the argument holding the length */
	__u8 int_size;  /* BP_CAP_OUT_INT: 1, 2, 4 or 8 */
	__u16 offset;   /* where in the record's data area a string/buffer goes */
	__u16 max_len;  /* its bound, offset + max_len <= BP_HOOK_DATA_MAX */
};
BP_STATIC_ASSERT(sizeof(struct bp_capture_spec) == 8, "bp_capture_spec layout");

#define BP_HOOK_PAIRED 0x1u    /* entry is kept per thread and one record sent at return */
#define BP_HOOK_HARDWARE 0x2u  /* per-call CPU/IO/fault deltas of the calling thread */
#define BP_HOOK_HAS_DATA 0x4u  /* some capture needs the data area (BP_REC_HOOK_CALL_DATA) */
#define BP_HOOK_USDT 0x8u      /* arguments come from USDT argument specs, not registers */

/* Value of `hook_specs`, indexed by hook id (the attach cookie). */
struct bp_hook_spec {
	__u32 flags;
	__u8 ncaptures;
	__u8 _pad[3];
	struct bp_capture_spec captures[BP_MAX_CAPTURES];
};
BP_STATIC_ASSERT(sizeof(struct bp_hook_spec) == 8 + 8 * BP_MAX_CAPTURES, "bp_hook_spec layout");

struct bp_capture_slot {
	__u16 len;     /* bytes in the data area (strings without their NUL) */
	__u8 flags;    /* BP_FLAG_CUT, BP_FLAG_UNREADABLE */
	__u8 _pad;
};
BP_STATIC_ASSERT(sizeof(struct bp_capture_slot) == 4, "bp_capture_slot layout");

/* Per-call resource deltas of the calling thread between entry and return. */
struct bp_call_hardware {
	__u64 cpu_ns;
	__u64 read_bytes;
	__u64 write_bytes;
	__u64 faults;
};
BP_STATIC_ASSERT(sizeof(struct bp_call_hardware) == 32, "bp_call_hardware layout");

#define BP_CALL_RETURNED 0x1u     /* return_ns, ret and the at-return captures are valid */
#define BP_CALL_NESTED_SAME 0x2u  /* the same hook is in flight further down this thread */

struct bp_hook_call {
	struct bp_record_header hdr;
	__u32 hook_id;
	__u16 depth;      /* paired calls of this thread already in flight (0 = outermost) */
	__u16 flags;      /* BP_CALL_* */
	__u64 entry_ns;
	__u64 return_ns;
	__u64 args[BP_MAX_ARGS];             /* raw argument registers at entry */
	__u64 ret;                           /* raw return register */
	__u64 values[BP_MAX_CAPTURES];       /* integer captures, by capture index */
	struct bp_capture_slot slots[BP_MAX_CAPTURES]; /* string/buffer captures */
	struct bp_call_hardware hw;
};
BP_STATIC_ASSERT(sizeof(struct bp_hook_call) == 24 + 8 + 16 + 48 + 8 + 64 + 32 + 32,
		 "bp_hook_call layout");

struct bp_hook_call_data {
	struct bp_hook_call call;
	/* Twice the usable size: the verifier bounds offset and length separately. */
	char data[2 * BP_HOOK_DATA_MAX];
};
BP_STATIC_ASSERT(sizeof(struct bp_hook_call_data) == sizeof(struct bp_hook_call) + 2 * BP_HOOK_DATA_MAX,
		 "bp_hook_call_data layout");

/* A call of an entry-only hook without captures: a bp_hook_call would be 7x as
 * large, and every byte written to the ring is part of the hook's cost. */
struct bp_hook_hit {
	struct bp_record_header hdr;  /* ts_ns: the entry */
	__u32 hook_id;
	__u16 depth;      /* as in bp_hook_call */
	__u16 _pad;
};
BP_STATIC_ASSERT(sizeof(struct bp_hook_hit) == 24 + 8, "bp_hook_hit layout");

/* The dynamic loader reached _dl_debug_state: new objects may be mapped. The thread
 * is stopped (SIGSTOP) until userspace has attached to them and sent SIGCONT. */
struct bp_library_loaded {
	struct bp_record_header hdr;
	__u32 stopped;   /* 1 when the process was stopped and waits for SIGCONT */
	__u32 _pad;
};
BP_STATIC_ASSERT(sizeof(struct bp_library_loaded) == 32, "bp_library_loaded layout");

/* Which objects the loader maps are worth a stop (value of `lib_watch_config`): those
 * whose file name starts with one of `names` (the mappings' {lib:NAME} targets). */
#define BP_LIB_WATCH_NAMES 32
#define BP_LIB_WATCH_NAME_MAX 32  /* with the NUL */
struct bp_lib_watch_config {
	__u32 nnames;
	__u32 match_all;     /* every new object is worth a stop (long names) */
	__u32 new_programs;  /* a program's first load event is worth a stop (executable targets) */
	__u32 _pad;
	char names[BP_LIB_WATCH_NAMES][BP_LIB_WATCH_NAME_MAX];
};
BP_STATIC_ASSERT(sizeof(struct bp_lib_watch_config) == 16 + BP_LIB_WATCH_NAMES * BP_LIB_WATCH_NAME_MAX,
		 "bp_lib_watch_config layout");

/* ---- Python functions: hardware watchpoints on a code object's first bytecode ---- */

#define BP_PY_LOCALS 12  /* frame slots copied: the arguments, locals, closure cells */

#define BP_PY_MAX_CODE 4 /* code objects watched in a process: 4 debug registers */

/* How a Python interpreter keeps its threads and frames (value of `python_procs`,
 * keyed by tgid): offsets from userspace/python/python_layout.cpp. */
#define BP_PY_TSTATE_BY_THREAD_ID 0x1u /* walk the interpreter's threads by native id (3.11+) */
#define BP_PY_CFRAME 0x2u              /* the frame hangs off tstate->cframe (3.11, 3.12) */
#define BP_PY_FRAME_FUNCTION 0x4u      /* frames point at their function (3.11+) */
struct bp_python_proc {
	__u64 runtime;               /* &_PyRuntime in the process */
	__u32 flags;                 /* BP_PY_* */
	__u16 interpreters_head;     /* runtime -> main interpreter */
	__u16 gil_tstate_current;    /* runtime -> the thread that holds the GIL (<= 3.10) */
	__u16 threads_head;          /* interpreter -> first thread state */
	__u16 tstate_next;
	__u16 native_thread_id;
	__u16 cframe;
	__u16 current_frame;         /* tstate (or cframe) -> the running frame */
	__u16 frame_code;            /* frame -> code object */
	__u16 frame_localsplus;      /* frame -> its locals, arguments first */
	__u16 frame_function;        /* frame -> function object, with BP_PY_FRAME_FUNCTION */
	__u16 frame_previous;        /* frame -> the frame that called it */
	__u16 _pad[3];
	__u64 watched_code[BP_PY_MAX_CODE]; /* code objects with a watched unit; 0: none */
};
BP_STATIC_ASSERT(sizeof(struct bp_python_proc) == 40 + 8 * BP_PY_MAX_CODE, "bp_python_proc layout");

/* A watched bytecode unit (value of `python_units`, keyed by tgid and address): the
 * first unit of a code object (its calls start there) or one of its return units. */
#define BP_PY_UNIT_ENTRY 0
#define BP_PY_UNIT_RETURN 1
#define BP_PY_NO_STACK_SLOT 0xffffu /* RETURN_CONST: the value is a constant, not read */
struct bp_python_unit {
	__u64 code;                  /* the code object the unit belongs to */
	__u32 hook_id;
	__u16 kind;                  /* BP_PY_UNIT_* */
	__u16 stack_slot;            /* return: the frame slot of the returned value */
	__u64 const_object;          /* RETURN_CONST (or LOAD_CONST before it): the constant */
};
BP_STATIC_ASSERT(sizeof(struct bp_python_unit) == 24, "bp_python_unit layout");

#define BP_PY_CALL_RETURN 0x100u /* flags: a return, not a call */
struct bp_python_call {
	struct bp_record_header hdr;
	__u32 hook_id;
	__u32 flags;                 /* BP_FLAG_UNREADABLE, BP_PY_CALL_RETURN */
	__u32 depth;                 /* frames of watched code below this one in the thread */
	__u32 _pad;
	__u64 code;                  /* the frame's code object */
	__u64 frame;
	__u64 function;              /* the frame's function object; 0 before 3.11 */
	__u64 ip;                    /* where the watchpoint trapped */
	__u64 locals[BP_PY_LOCALS];  /* the frame's first slots: arguments, locals, cells */
	__u64 local_types[BP_PY_LOCALS]; /* each one's type then: an object freed and its memory
					   * reused before userspace reads it shows another type */
	__u64 ret;                   /* return: the returned object */
	__u64 ret_head[4];           /* its first 32 bytes then: refcount, type, payload */
};
BP_STATIC_ASSERT(sizeof(struct bp_python_call) == 24 + 16 + 32 + 16 * BP_PY_LOCALS + 40, "bp_python_call layout");

#endif /* BPFPADS_RECORDS_H */
