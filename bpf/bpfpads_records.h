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
};

/* Why something was lost. Userspace shows each count in the run. */
enum bp_drop_reason {
	BP_DROP_RINGBUF_FULL = 0,    /* a record could not be reserved */
	BP_DROP_TRACKED_FULL = 1,    /* a new process did not fit in `tracked` */
	BP_DROP_OUTPUT_CUT = 2,      /* bytes of a write not copied (only its tail is kept) */
	BP_DROP_READ_FAILED = 3,     /* a read of user or kernel memory failed */
	BP_DROP_PATH_CUT = 4,        /* an exec path longer than BP_PATH_MAX */
	BP_DROP__COUNT = 5,
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

#endif /* BPFPADS_RECORDS_H */
