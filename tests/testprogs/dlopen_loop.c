/* Opens and closes a library again and again, each time a new object for the loader
 * watch to stop at, until a stop file appears; then writes "done N" to a marker file
 * and exits with the given code. Used by the fault tests: a job that is held at a
 * library-load stop when bpfpads dies must run to this end. */
#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	if (argc != 5) {
		fprintf(stderr, "usage: %s LIBRARY STOP_FILE MARKER_FILE EXIT_CODE\n", argv[0]);
		return 2;
	}
	long opened = 0;
	while (access(argv[2], F_OK) != 0) {
		void *h = dlopen(argv[1], RTLD_NOW);
		if (!h) {
			fprintf(stderr, "dlopen: %s\n", dlerror());
			return 3;
		}
		dlclose(h);
		opened++;
		usleep(5000);
	}
	FILE *marker = fopen(argv[3], "w");
	if (!marker)
		return 4;
	fprintf(marker, "done %ld\n", opened);
	fclose(marker);
	return atoi(argv[4]);
}
