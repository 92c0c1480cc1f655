/*
 * The functions the mapping-engine tests hook, with known arguments:
 *   hooked [TESTLIB.so]
 * set_param/train_step/eval_step mimic a boosting library's C API; fib recurses;
 * save_model writes a file; a thread calls set_param too; a long and an unreadable
 * string exercise cut and unreadable captures; the test library is opened with
 * dlopen and one of its functions called right after, which must be seen.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/sdt.h>

#define HOOKABLE __attribute__((noipa, visibility("default")))

HOOKABLE int set_param(void *handle, const char *name, const char *value)
{
	(void)handle;
	return (int)(strlen(name) + strlen(value));
}

HOOKABLE int train_step(void *handle, int iteration)
{
	(void)handle;
	return iteration;
}

/* Like XGBoosterEvalOneIter: the result string comes back through an out-parameter. */
HOOKABLE int eval_step(void *handle, int iteration, const char **out_result)
{
	static char buf[128];
	(void)handle;
	snprintf(buf, sizeof(buf), "[%d]\ttrain-rmse:%.4f\teval-rmse:%.4f", iteration,
		 1.0 / (iteration + 1), 2.0 / (iteration + 1));
	*out_result = buf;
	return 0;
}

HOOKABLE long fib(int n) { return n < 2 ? n : fib(n - 1) + fib(n - 2); }

HOOKABLE int save_model(const char *path)
{
	FILE *f = fopen(path, "w");
	if (!f)
		return -1;
	fputs("{\"model\": \"trees\"}\n", f);
	fclose(f);
	return 0;
}

HOOKABLE int note(const char *text)
{
	/* Does not touch a pointer into the first page: the hook reads it, we do not. */
	return (unsigned long)text < 4096 ? -1 : (int)strlen(text);
}

static void *worker(void *arg)
{
	(void)arg;
	set_param(NULL, "nthread", "2");
	return NULL;
}

int main(int argc, char **argv)
{
	pthread_t t;
	const char *out = NULL;
	char long_text[600];

	set_param(NULL, "max_depth", "6");
	set_param(NULL, "eta", "0.3");
	pthread_create(&t, NULL, worker, NULL);
	pthread_join(t, NULL);
	for (int i = 0; i < 5; i++) {
		train_step(NULL, i);
		eval_step(NULL, i, &out);
		DTRACE_PROBE2(bpfpads_test, iteration, i, 100 - i);
	}
	printf("fib(10)=%ld\n", fib(10));
	save_model("model.json");
	memset(long_text, 'x', sizeof(long_text) - 1);
	long_text[sizeof(long_text) - 1] = 0;
	note(long_text);
	note((const char *)8); /* unreadable: must be counted, the job unharmed */

	if (argc > 1) {
		void *lib = dlopen(argv[1], RTLD_NOW);
		if (!lib) {
			fprintf(stderr, "dlopen: %s\n", dlerror());
			return 1;
		}
		int (*add)(int, int) = (int (*)(int, int))dlsym(lib, "bpfpads_testlib_add");
		printf("add=%d\n", add(20, 22));
	}
	return 0;
}
