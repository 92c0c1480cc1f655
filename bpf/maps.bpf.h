/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * Maps shared by every BPF program of bpfpads. Each .bpf.c includes this header;
 * `bpftool gen object` links the core's files into one object, where __weak makes
 * the linker keep a single copy of each map. The hook object has its own copies,
 * which userspace replaces by the core's before loading it (bpf_map__reuse_fd).
 */
#ifndef BPFPADS_MAPS_BPF_H
#define BPFPADS_MAPS_BPF_H

#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

#include "bpfpads_records.h"

/* The tracked process set, keyed by tgid. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 16384); /* resized by userspace before load */
	__type(key, __u32);
	__type(value, struct bp_tracked);
} tracked SEC(".maps") __weak;

/* Every record for userspace, in one ring so that order across kinds is kept. */
struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 4 * 1024 * 1024);
} events SEC(".maps") __weak;

/* What was lost, by enum bp_drop_reason. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, BP_DROP__COUNT);
	__type(key, __u32);
	__type(value, __u64);
} drops SEC(".maps") __weak;

static __always_inline void count_drop(__u32 reason, __u64 n)
{
	__u64 *slot = bpf_map_lookup_elem(&drops, &reason);

	if (slot)
		*slot += n;
}

static __always_inline bool is_tracked(__u32 tgid)
{
	return bpf_map_lookup_elem(&tracked, &tgid) != NULL;
}

/* Wake the reader only when the backlog crosses another MiB: a wake-up per record
 * costs more than the record (shared/research/ebpf-lab.md §1), and waking on every
 * record while the backlog is large turned a slow reader into a wake-up storm
 * (bench/README.md). `size` is the record just reserved. */
static __always_inline __u64 lazy_wakeup_flags(__u64 size)
{
	__u64 len = (size + 8 + 7) & ~7ULL; /* with the ring's record header, 8-aligned */
	__u64 avail = bpf_ringbuf_query(&events, BPF_RB_AVAIL_DATA);

	return avail >= len && (avail >> 20) != ((avail - len) >> 20) ? BPF_RB_FORCE_WAKEUP
								       : BPF_RB_NO_WAKEUP;
}

#endif
