/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* Kernel layout drift, in one place. Each flavour names the change it covers. */
#ifndef BPFPADS_CORE_FIXES_BPF_H
#define BPFPADS_CORE_FIXES_BPF_H

#include "vmlinux.h"
#include <bpf/bpf_core_read.h>

/* Before 6.2 (commit f1a7941243c1 "mm: convert mm's rss stats into
 * percpu_counter") mm->rss_stat was a struct of atomic_long_t counters. */
struct mm_rss_stat___pre62 {
	atomic_long_t count[4];
};
struct mm_struct___pre62 {
	struct mm_rss_stat___pre62 rss_stat;
};

/* MM_FILEPAGES, MM_ANONPAGES, MM_SWAPENTS, MM_SHMEMPAGES */
#define BP_MM_FILEPAGES 0
#define BP_MM_ANONPAGES 1
#define BP_MM_SHMEMPAGES 3

static __always_inline long bp_mm_counter(struct mm_struct *mm, int member)
{
	long v;

	/* The type check is resolved at load; the branch not taken is dead code, so
	 * its relocations never have to resolve on this kernel. */
	if (bpf_core_type_exists(struct mm_rss_stat___pre62)) {
		struct mm_struct___pre62 *old = (void *)mm;
		v = BPF_CORE_READ(old, rss_stat.count[member].counter);
	} else {
		/* percpu_counter.count: the batched total, off by at most a batch per CPU. */
		v = BPF_CORE_READ(mm, rss_stat[member].count);
	}
	return v < 0 ? 0 : v;
}

static __always_inline __u64 bp_mm_rss_pages(struct mm_struct *mm)
{
	if (!mm)
		return 0;
	return bp_mm_counter(mm, BP_MM_FILEPAGES) + bp_mm_counter(mm, BP_MM_ANONPAGES) +
	       bp_mm_counter(mm, BP_MM_SHMEMPAGES);
}

#endif
