// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * Library-load watch: a uprobe on the dynamic loader's _dl_debug_state(), which
 * glibc calls with _r_debug.r_state = RT_ADD before it maps objects and with
 * RT_CONSISTENT once they are mapped, before any of their code runs. When an object
 * that a {lib:NAME} target could select is new, the process is stopped (SIGSTOP)
 * until userspace has probed it and sent SIGCONT.
 *
 * Stopping at every call cost ~2.5 ms each, hundreds of times in one Python import,
 * so the program reads the loader's link_map list first. The loader appends new
 * objects at its tail and removes objects only after announcing RT_DELETE, so the
 * entries after the tail seen at the process's last RT_CONSISTENT are the new ones;
 * only their names are compared. Where the new entries cannot be told apart (a
 * program's first event, a removal) every entry's name is compared; what cannot be
 * read stops the process (a list too long or unreadable): a stop too many costs
 * time, a stop too few loses a library's first calls.
 */
#include "vmlinux.h"
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

#include "bpfpads_records.h"
#include "maps.bpf.h"

/* Stop a process that maps new objects, so that they are probed before they run. */
const volatile bool stop_on_library_load = false;

#define RT_CONSISTENT 0
#define RT_ADD 1
#define RT_DELETE 2
#define LINK_MAP_CHUNK 256  /* entries per call of bp_lib_walk_chunk() */
#define LINK_MAP_CHUNKS 16
#define LIB_PATH_MAX 256

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct bp_lib_watch_config);
} lib_watch_config SEC(".maps");

/* &_r_debug - &_dl_debug_state per loader, keyed by the page offset of
 * _dl_debug_state (kept by every mapping of the loader, so no attach cookie is
 * needed). Missing, or 0 for loaders that share a page offset: stop at every call. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 16);
	__type(key, __u32);
	__type(value, __s64);
} lib_watch_r_debug SEC(".maps");

#define LIB_WATCH_ADDED 0x1u    /* RT_ADD seen since the last RT_CONSISTENT */
#define LIB_WATCH_DELETED 0x2u  /* RT_DELETE seen since the last RT_CONSISTENT */

struct lib_watch_state {
	__u64 mm;        /* identifies the program image: a fork or exec gets a new one */
	__u64 start_ns;  /* with the tgid, identifies the process across pid reuse */
	__u64 tail;      /* the list's last link_map at the last RT_CONSISTENT; 0: unknown */
	__u32 flags;     /* LIB_WATCH_* */
	__u32 _pad;
};

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 8192);
	__type(key, __u32);
	__type(value, struct lib_watch_state);
} lib_watch_states SEC(".maps");

struct lib_watch_scratch {
	char path[LIB_PATH_MAX];
	char pad[BP_LIB_WATCH_NAME_MAX]; /* a copy from path + base stays inside */
	char name[BP_LIB_WATCH_NAME_MAX];
	__u32 base;
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct lib_watch_scratch);
} lib_watch_scratch SEC(".maps");

/* glibc's public heads of struct r_debug and struct link_map (x86-64, arm64). */
struct r_debug_head {
	__s32 r_version;
	__s32 _pad;
	__u64 r_map;
	__u64 r_brk;
	__s32 r_state;
};

struct link_map_head {
	__u64 l_addr;
	__u64 l_name;
	__u64 l_ld;
	__u64 l_next;
	__u64 l_prev;
};

/* 1 when the object named at user address `name` could be a target's: its file
 * name starts with a configured name. Unreadable or overlong paths count as yes.
 * A global function: verified once, not once per list entry. */
__noinline int bp_lib_watch_wants(__u64 name)
{
	const struct bp_lib_watch_config *cfg;
	struct lib_watch_scratch *s;
	__u32 zero = 0, base = 0;
	long n;

	cfg = bpf_map_lookup_elem(&lib_watch_config, &zero);
	s = bpf_map_lookup_elem(&lib_watch_scratch, &zero);
	if (!cfg || !s || cfg->match_all)
		return 1;
	n = bpf_probe_read_user_str(s->path, LIB_PATH_MAX, (const void *)name);
	if (n <= 0 || n >= LIB_PATH_MAX)
		return 1;
	for (int i = 0; i < LIB_PATH_MAX; i++) {
		if (i >= n)
			break;
		if (s->path[i] == '/')
			base = i + 1;
	}
	/* Through memory: the verifier then sees some offset, not one state per '/'. */
	*(volatile __u32 *)&s->base = base;
	base = *(volatile __u32 *)&s->base & (LIB_PATH_MAX - 1);
	if (bpf_probe_read_kernel(s->name, sizeof(s->name), s->path + base))
		return 1;
	/* The copy holds the path's NUL where the name ends: no match goes past it. */
	for (int c = 0; c < BP_LIB_WATCH_NAMES; c++) {
		if (c >= cfg->nnames)
			break;
		for (int j = 0; j < BP_LIB_WATCH_NAME_MAX; j++) {
			char want = cfg->names[c][j];

			if (!want)
				return 1;
			if (s->name[j] != want)
				break;
		}
	}
	return 0;
}

struct lib_walk {
	__u64 next;    /* the entry to read next; 0: the end of the list */
	__u64 last;    /* the last entry read */
	__u32 check;   /* compare the names of the entries read */
	__u32 wanted;  /* one of them could be a target's */
};

/* Reads up to LINK_MAP_CHUNK entries of the list; -1 when one is unreadable. A
 * global function: verified once, and short enough for the verifier's jump history. */
__noinline int bp_lib_walk_chunk(struct lib_walk *w)
{
	struct link_map_head lm;

	if (!w)
		return -1;
	for (int i = 0; i < LINK_MAP_CHUNK; i++) {
		if (!w->next)
			return 0;
		if (bpf_probe_read_user(&lm, sizeof(lm), (const void *)w->next))
			return -1;
		if (w->check && !w->wanted)
			w->wanted = bp_lib_watch_wants(lm.l_name);
		w->last = w->next;
		w->next = lm.l_next;
	}
	return 0;
}

/* The state of this process, reset when it is new, forked or exec'd. */
static __always_inline struct lib_watch_state *state_of(__u32 tgid)
{
	struct task_struct *task = (struct task_struct *)bpf_get_current_task();
	struct lib_watch_state fresh = {
		.mm = (__u64)BPF_CORE_READ(task, mm),
		.start_ns = BPF_CORE_READ(task, group_leader, start_time),
	};
	struct lib_watch_state *s = bpf_map_lookup_elem(&lib_watch_states, &tgid);

	if (s && s->mm == fresh.mm && s->start_ns == fresh.start_ns)
		return s;
	bpf_map_update_elem(&lib_watch_states, &tgid, &fresh, BPF_ANY);
	return bpf_map_lookup_elem(&lib_watch_states, &tgid);
}

/* Whether this _dl_debug_state() call is worth stopping the process for. */
static __always_inline bool worth_a_stop(struct pt_regs *ctx, __u32 tgid)
{
	__u64 ip = PT_REGS_IP(ctx);
	__u32 page_offset = ip & 0xfff, flags;
	struct lib_watch_state *s;
	struct r_debug_head rd;
	const struct bp_lib_watch_config *cfg;
	struct lib_walk w = {};
	__u32 zero = 0;
	__s64 *delta;
	bool known_tail, first;

	delta = bpf_map_lookup_elem(&lib_watch_r_debug, &page_offset);
	if (!delta || !*delta || bpf_probe_read_user(&rd, sizeof(rd), (const void *)(ip + *delta)))
		return true;
	s = state_of(tgid);
	if (!s)
		return true;
	if (rd.r_state != RT_CONSISTENT) {
		/* nothing is mapped yet (RT_ADD), or objects go (RT_DELETE) */
		s->flags |= rd.r_state == RT_ADD ? LIB_WATCH_ADDED : LIB_WATCH_DELETED;
		return false;
	}
	flags = s->flags;
	s->flags = 0;
	first = !s->tail && !(flags & LIB_WATCH_DELETED);
	known_tail = s->tail && !(flags & LIB_WATCH_DELETED);
	if (known_tail) {
		struct link_map_head lm;

		if (bpf_probe_read_user(&lm, sizeof(lm), (const void *)s->tail))
			known_tail = false;
		else
			w.next = lm.l_next, w.last = s->tail, w.check = 1;
	}
	if (!known_tail) {
		w.next = rd.r_map; /* the whole list, each name compared */
		w.check = 1;
	}
	for (int i = 0; i < LINK_MAP_CHUNKS && w.next; i++)
		if (bp_lib_walk_chunk(&w))
			break;
	if (w.next) {
		s->tail = 0; /* unreadable or too long */
		return true;
	}
	s->tail = w.last;
	if (w.wanted)
		return true;
	/* A new program: executable targets are resolved at its first event. */
	if (!known_tail)
		return first && (cfg = bpf_map_lookup_elem(&lib_watch_config, &zero)) && cfg->new_programs;
	/* RT_CONSISTENT without RT_ADD or RT_DELETE in the base namespace: another
	 * namespace (dlmopen) changed, whose list is not walked, or an object was opened
	 * again. */
	return !(flags & (LIB_WATCH_ADDED | LIB_WATCH_DELETED));
}

SEC("uprobe")
int library_loaded(struct pt_regs *ctx)
{
	struct bp_library_loaded *rec;
	__u64 pid_tgid = bpf_get_current_pid_tgid();

	if (!stop_on_library_load || !is_tracked(pid_tgid >> 32))
		return 0;
	if (!worth_a_stop(ctx, pid_tgid >> 32))
		return 0;
	rec = bpf_ringbuf_reserve(&events, sizeof(*rec), 0);
	if (!rec) {
		count_drop(BP_DROP_RINGBUF_FULL, 1);
		return 0; /* not stopped: better a missed library than a job stopped for good */
	}
	rec->hdr.type = BP_REC_LIBRARY_LOADED;
	rec->hdr.size = sizeof(*rec);
	rec->hdr.tgid = pid_tgid >> 32;
	rec->hdr.tid = (__u32)pid_tgid;
	rec->hdr.cpu = bpf_get_smp_processor_id();
	rec->hdr.ts_ns = bpf_ktime_get_ns();
	rec->stopped = bpf_send_signal_thread(19 /* SIGSTOP */) == 0;
	rec->_pad = 0;
	bpf_ringbuf_submit(rec, BPF_RB_FORCE_WAKEUP);
	return 0;
}
