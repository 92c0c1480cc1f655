/*
 * A job with known resource use, for the integration tests: a child burns CPU,
 * the parent touches memory and writes a file, then everybody is reaped and the
 * kernel's own accounting (getrusage, /proc/self/io) is printed as JSON on stdout.
 *
 *   workload [--cpu S] [--mem MB] [--write MB] [--dir D] [--exit N] [--signal N]
 *            [--sleep S] [--stderr TEXT] [--orphan S]
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static double thread_cpu_seconds(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void burn_cpu(double seconds)
{
	volatile unsigned long x = 0;
	double start = thread_cpu_seconds();
	while (thread_cpu_seconds() - start < seconds)
		for (int i = 0; i < 100000; i++)
			x += i;
}

static void sleep_seconds(double s)
{
	struct timespec ts = {(time_t)s, (long)((s - (time_t)s) * 1e9)};
	while (nanosleep(&ts, &ts) != 0)
		;
}

static long long proc_io(const char *key)
{
	FILE *f = fopen("/proc/self/io", "r");
	char name[64];
	long long v, out = -1;
	if (!f)
		return -1;
	while (fscanf(f, "%63[^:]: %lld\n", name, &v) == 2)
		if (strcmp(name, key) == 0)
			out = v;
	fclose(f);
	return out;
}

int main(int argc, char **argv)
{
	double cpu = 0, sleep_s = 0, orphan_s = 0;
	long mem_mb = 0, write_mb = 0;
	int exit_code = 0, sig = 0;
	const char *dir = ".", *err_text = NULL;

	for (int i = 1; i + 1 < argc; i += 2) {
		if (!strcmp(argv[i], "--cpu")) cpu = atof(argv[i + 1]);
		else if (!strcmp(argv[i], "--mem")) mem_mb = atol(argv[i + 1]);
		else if (!strcmp(argv[i], "--write")) write_mb = atol(argv[i + 1]);
		else if (!strcmp(argv[i], "--dir")) dir = argv[i + 1];
		else if (!strcmp(argv[i], "--exit")) exit_code = atoi(argv[i + 1]);
		else if (!strcmp(argv[i], "--signal")) sig = atoi(argv[i + 1]);
		else if (!strcmp(argv[i], "--sleep")) sleep_s = atof(argv[i + 1]);
		else if (!strcmp(argv[i], "--stderr")) err_text = argv[i + 1];
		else if (!strcmp(argv[i], "--orphan")) orphan_s = atof(argv[i + 1]);
		else { fprintf(stderr, "workload: unknown option %s\n", argv[i]); return 64; }
	}

	if (sleep_s > 0)
		sleep_seconds(sleep_s);

	pid_t cpu_child = -1;
	if (cpu > 0) {
		cpu_child = fork();
		if (cpu_child == 0) {
			burn_cpu(cpu);
			_exit(0);
		}
	}
	if (orphan_s > 0 && fork() == 0) {
		/* A grandchild that outlives its parent: the run must wait for it. */
		if (fork() == 0) {
			sleep_seconds(orphan_s);
			_exit(0);
		}
		_exit(0);
	}
	if (mem_mb > 0) {
		size_t n = (size_t)mem_mb << 20;
		char *p = malloc(n);
		for (size_t off = 0; off < n; off += 4096)
			p[off] = 1;
		sleep_seconds(1.5); /* held across at least one sampling tick */
		free(p);
	}
	if (write_mb > 0) {
		char path[4096];
		snprintf(path, sizeof(path), "%s/workload.out", dir);
		int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
		static char block[1 << 20];
		memset(block, 'x', sizeof(block));
		for (long i = 0; i < write_mb; i++)
			if (write(fd, block, sizeof(block)) != (ssize_t)sizeof(block))
				return 65;
		fsync(fd);
		close(fd);
	}
	if (cpu_child > 0)
		waitpid(cpu_child, NULL, 0);
	while (wait(NULL) > 0)
		;

	struct rusage self, children;
	getrusage(RUSAGE_SELF, &self);
	getrusage(RUSAGE_CHILDREN, &children);
	double cpu_s = self.ru_utime.tv_sec + self.ru_utime.tv_usec / 1e6 + self.ru_stime.tv_sec +
		       self.ru_stime.tv_usec / 1e6 + children.ru_utime.tv_sec +
		       children.ru_utime.tv_usec / 1e6 + children.ru_stime.tv_sec +
		       children.ru_stime.tv_usec / 1e6;
	printf("{\"pid\": %d, \"cpu_seconds\": %.4f, \"maxrss_kb\": %ld, \"children_maxrss_kb\": %ld, "
	       "\"write_bytes\": %lld, \"read_bytes\": %lld, \"nvcsw\": %ld, \"nivcsw\": %ld}\n",
	       getpid(), cpu_s, self.ru_maxrss, children.ru_maxrss, proc_io("write_bytes"),
	       proc_io("read_bytes"), self.ru_nvcsw + children.ru_nvcsw,
	       self.ru_nivcsw + children.ru_nivcsw);
	fflush(stdout);
	if (err_text) {
		fprintf(stderr, "%s\n", err_text);
		fflush(stderr);
	}
	if (sig)
		kill(getpid(), sig);
	return exit_code;
}
