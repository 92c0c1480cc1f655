/* Two processes bounce a byte over two pipes: every round trip is two context
 * switches, the worst case for anything hooked on the scheduler. Prints its own
 * elapsed seconds.   pingpong [ROUND_TRIPS] */
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	long rounds = argc > 1 ? atol(argv[1]) : 100000;
	int ab[2], ba[2];
	char c = 'x';
	struct timespec a, b;

	if (pipe(ab) || pipe(ba))
		return 1;
	clock_gettime(CLOCK_MONOTONIC, &a);
	pid_t pid = fork();
	if (pid == 0) {
		for (long i = 0; i < rounds; i++)
			if (read(ab[0], &c, 1) != 1 || write(ba[1], &c, 1) != 1)
				_exit(1);
		_exit(0);
	}
	for (long i = 0; i < rounds; i++)
		if (write(ab[1], &c, 1) != 1 || read(ba[0], &c, 1) != 1)
			return 1;
	waitpid(pid, NULL, 0);
	clock_gettime(CLOCK_MONOTONIC, &b);
	printf("{\"elapsed_s\": %.6f}\n", (b.tv_sec - a.tv_sec) + (b.tv_nsec - a.tv_nsec) / 1e9);
	return 0;
}
