/* Fixed work, no system calls: the job whose slowdown under tracking the overhead
 * benchmark measures. Prints its own elapsed seconds, so bpfpads' start-up is not
 * counted in it.   cpu_bound [ITERATIONS_IN_MILLIONS] */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

int main(int argc, char **argv)
{
	long millions = argc > 1 ? atol(argv[1]) : 500;
	struct timespec a, b;
	volatile unsigned long long x = 1;

	clock_gettime(CLOCK_MONOTONIC, &a);
	for (long i = 0; i < millions * 1000000L; i++)
		x = x * 6364136223846793005ULL + 1442695040888963407ULL;
	clock_gettime(CLOCK_MONOTONIC, &b);
	printf("{\"elapsed_s\": %.6f}\n", (b.tv_sec - a.tv_sec) + (b.tv_nsec - a.tv_nsec) / 1e9);
	return 0;
}
