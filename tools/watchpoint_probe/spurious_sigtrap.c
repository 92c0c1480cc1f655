/* Does this machine deliver spurious SIGTRAPs to a process under a hardware
 * watchpoint? A child reads a watched byte in a loop while making system calls and
 * page faults, and counts the SIGTRAPs it gets; the parent holds a perf-event
 * watchpoint (read/write, 1 byte, sample_period 1, no BPF) on that byte in the child
 * for the given number of seconds. Linux sends SIGTRAP with si_code TRAP_BRKPT for a
 * debug exception whose DR6 shows no cause ("icebp" in exc_debug_user); the watchpoint
 * itself is consumed by perf and sends nothing. docs/python-tracing.md has the figures.
 *
 *   cc -O1 -o spurious_sigtrap spurious_sigtrap.c && sudo ./spurious_sigtrap 4
 * prints: hits N, spurious SIGTRAPs M (si_code of the last one) */
#define _GNU_SOURCE
#include <linux/hw_breakpoint.h>
#include <linux/perf_event.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static volatile unsigned char watched[64];
static volatile sig_atomic_t traps, last_code;

static void on_trap(int sig, siginfo_t *si, void *uc)
{
	(void)sig, (void)uc;
	traps++;
	last_code = si->si_code;
}

static int child(int seconds, int report_fd)
{
	struct sigaction sa;
	unsigned long sum = 0, n = 0;
	time_t end = time(NULL) + seconds + 1;

	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = on_trap;
	sa.sa_flags = SA_SIGINFO;
	sigaction(SIGTRAP, &sa, NULL);
	while (time(NULL) < end) {
		for (int i = 0; i < 1000; i++)
			sum += watched[0];
		if (++n % 16 == 0) { /* page faults and an munmap (TLB shootdown) */
			void *p = mmap(NULL, 1 << 20, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
			if (p != MAP_FAILED) {
				memset(p, 1, 1 << 20);
				munmap(p, 1 << 20);
			}
		}
		if (n % 7 == 0)
			getppid();
	}
	int report[2] = { traps, last_code };
	if (write(report_fd, report, sizeof(report)) != sizeof(report))
		return 1;
	return (int)(sum & 0); /* 0 */
}

int main(int argc, char **argv)
{
	int seconds = argc > 1 ? atoi(argv[1]) : 4, fds[2], report[2] = { 0, 0 };
	struct perf_event_attr a;
	uint64_t hits = 0;
	pid_t pid;

	if (pipe(fds))
		return 1;
	pid = fork();
	if (pid == 0)
		_exit(child(seconds, fds[1]));
	usleep(100000);
	memset(&a, 0, sizeof(a));
	a.size = sizeof(a);
	a.type = PERF_TYPE_BREAKPOINT;
	a.bp_type = HW_BREAKPOINT_RW;
	a.bp_addr = (uintptr_t)watched; /* the same address in the forked child */
	a.bp_len = HW_BREAKPOINT_LEN_1;
	a.sample_period = 1;
	a.exclude_kernel = 1;
	a.exclude_hv = 1;
	int fd = (int)syscall(SYS_perf_event_open, &a, pid, -1, -1, 0);
	if (fd < 0) {
		perror("perf_event_open");
		kill(pid, SIGKILL);
		return 1;
	}
	sleep((unsigned)seconds);
	if (read(fd, &hits, sizeof(hits)) != sizeof(hits))
		hits = 0;
	close(fd);
	if (read(fds[0], report, sizeof(report)) != sizeof(report))
		report[0] = -1;
	waitpid(pid, NULL, 0);
	printf("hits %llu, spurious SIGTRAPs %d (si_code of the last one %d)\n", (unsigned long long)hits, report[0],
	       report[1]);
	return 0;
}
