// Semaphore-less USDT probes for tests/testprogs/sym_usdt.c (linked into it).
#include <sys/sdt.h>

static volatile long counter;

__attribute__((noinline)) int sym_usdt_plain(int x, long y) {
  counter += y;
  DTRACE_PROBE2(bpfpads_test, no_sem, x, y);
  STAP_PROBE3(bpfpads_test, mixed, 42, counter, x);
  return x + 1;
}
