/* A very hot hooked function, for the hot-hook guard:   hot_loop [SECONDS]
 * calls hot_step() back to back for SECONDS (default 1.5) and prints how many
 * calls it made, so a test can compare them with the hits bpfpads counted. */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

__attribute__((noipa, visibility("default"))) long hot_step(long i) { return i * 3 + 1; }

static double now_s(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec + t.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
	double seconds = argc > 1 ? atof(argv[1]) : 1.5, end = now_s() + seconds;
	long calls = 0;
	volatile long sink = 0;

	while (now_s() < end) {
		for (int i = 0; i < 1000; i++, calls++)
			sink += hot_step(calls);
	}
	printf("calls=%ld\n", calls);
	return 0;
}
