// USDT fixture: probes guarded by semaphores here; probes without semaphores
// come from tests/testlibs/sym_usdt_plain.c (sys/sdt.h picks one mode per
// translation unit through _SDT_HAS_SEMAPHORES).
#define _SDT_HAS_SEMAPHORES 1
#include <stdio.h>
#include <stdlib.h>
#include <sys/sdt.h>

// The names sys/sdt.h expects: PROVIDER_NAME_semaphore, in section .probes.
// The kernel (ref_ctr_offset) or a tracer increments them while attached.
volatile unsigned short bpfpads_test_with_sem_semaphore
    __attribute__((unused, section(".probes")));
volatile unsigned short bpfpads_test_with_sem3_semaphore
    __attribute__((unused, section(".probes")));

int sym_usdt_plain(int x, long y);

__attribute__((noinline)) static long with_semaphores(int x, long y) {
  long r = x + y;
  if (bpfpads_test_with_sem_semaphore) STAP_PROBE2(bpfpads_test, with_sem, x, y);
  if (bpfpads_test_with_sem3_semaphore) STAP_PROBE3(bpfpads_test, with_sem3, x, y, r);
  return r;
}

int main(int argc, char** argv) {
  int n = argc > 1 ? atoi(argv[1]) : 1;
  long total = 0;
  for (int i = 0; i < n; ++i) total += with_semaphores(i, 2L * i) + sym_usdt_plain(i, i + 1);
  printf("%ld\n", total);
  return 0;
}
