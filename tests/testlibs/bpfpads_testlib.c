// A small shared library for symbol and dlopen tests. Built without
// -fcf-protection, so its functions do not start with endbr64.
#include <stdint.h>

#define EXPORT __attribute__((visibility("default"), noinline))

EXPORT int bpfpads_testlib_add(int a, int b) { return a + b; }
// An alias: two names, one address, one probe target.
int bpfpads_testlib_sum(int a, int b) __attribute__((alias("bpfpads_testlib_add"), visibility("default")));

EXPORT long bpfpads_testlib_mul(long a, long b) { return a * b; }
EXPORT const char* bpfpads_testlib_version(void) { return "1.0"; }

static int pick_portable(int x) { return x + 1; }
// STT_GNU_IFUNC: the symbol's address is the resolver.
static int (*resolve_pick(void))(int) { return pick_portable; }
int bpfpads_testlib_pick(int x) __attribute__((ifunc("resolve_pick"), visibility("default")));
