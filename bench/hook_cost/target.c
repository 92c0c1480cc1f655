/*
 * Target for bench/hook_cost.py: calls a few hookable functions N times each and
 * prints ns per call of each (clock_gettime around the loop, as in
 * shared/research/ebpf-lab.md §1), so the tracer's start-up is not in the number.
 *
 *   hc_target N [FUNC...]      FUNC: hc_plain hc_strs hc_out (default: all three)
 *   HC_SPIN=K                  K iterations of a busy loop between calls: paces the
 *                              calls (the spin is in the number; subtract "no probe")
 *
 * Built twice: hc_target (-fcf-protection=none: the first instruction is
 * `push %rbx`, which x86 uprobes emulate) and hc_target_cet (-fcf-protection=full:
 * `endbr64; push %rbx`, probed at +4). Prints one JSON line.
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define HOOKABLE __attribute__((noipa, used, visibility("default")))
/* Clobbering a callee-saved register makes the prologue start with `push %rbx`,
 * like a real non-leaf function: x86 uprobes emulate a push (one trap), where a
 * leaf's first `mov`/`lea` would be single-stepped (a second trap, ~10x dearer). */
#define PROLOGUE() __asm__ volatile("" ::: "rbx")

/* (a) entry only, nothing captured. */
HOOKABLE long hc_plain(long a, long b)
{
	PROLOGUE();
	return a ^ b;
}

/* (b) two string captures (read at return). */
HOOKABLE long hc_strs(const char *name, const char *value)
{
	PROLOGUE();
	return name[0] + value[0];
}

/* (c) an int out-parameter and the return value. */
HOOKABLE long hc_out(long x, int *out)
{
	PROLOGUE();
	*out = (int)(x * 3);
	return x + 1;
}

static volatile long sink;
static long spin;

static inline void pace(void)
{
	for (long k = 0; k < spin; k++)
		sink++;
}

static double now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e9 + ts.tv_nsec;
}

static double run(const char *fn, long n)
{
	static const char name[] = "learning_rate", value[] = "0.3";
	int out = 0;
	double t0 = 0;

	for (int pass = 0; pass < 2; pass++) { /* pass 0: warm-up (first hit, task storage) */
		long iters = pass ? n : 1000;
		if (pass)
			t0 = now_ns();
		if (!strcmp(fn, "hc_plain")) {
			for (long i = 0; i < iters; i++) {
				sink += hc_plain(i, 7);
				pace();
			}
		} else if (!strcmp(fn, "hc_strs")) {
			for (long i = 0; i < iters; i++) {
				sink += hc_strs(name, value);
				pace();
			}
		} else if (!strcmp(fn, "hc_out")) {
			for (long i = 0; i < iters; i++) {
				sink += hc_out(i, &out);
				sink += out;
				pace();
			}
		} else {
			fprintf(stderr, "unknown function %s\n", fn);
			exit(2);
		}
	}
	return (now_ns() - t0) / (double)n;
}

int main(int argc, char **argv)
{
	static const char *all[] = {"hc_plain", "hc_strs", "hc_out"};
	long n = argc > 1 ? atol(argv[1]) : 1000000;
	const char **fns = argc > 2 ? (const char **)argv + 2 : all;
	int nfns = argc > 2 ? argc - 2 : 3;

	if (getenv("HC_SPIN"))
		spin = atol(getenv("HC_SPIN"));
	if (n <= 0) {
		fprintf(stderr, "usage: %s N [hc_plain|hc_strs|hc_out]...\n", argv[0]);
		return 2;
	}
	printf("{\"n\": %ld, \"spin\": %ld", n, spin);
	for (int i = 0; i < nfns; i++)
		printf(", \"%s\": %.2f", fns[i], run(fns[i], n));
	printf("}\n");
	return 0;
}
