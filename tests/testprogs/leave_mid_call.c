/* A hooked call that never returns:   leave_mid_call exit|exec
 * leave() exits the process (status 3) or execs /bin/true from inside, so the hook's
 * entry is kept in the kernel with no return to pair it with. */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

__attribute__((noipa, visibility("default"))) int leave(const char *how)
{
	if (strcmp(how, "exec") == 0)
		execl("/bin/true", "true", (char *)NULL);
	exit(3);
}

int main(int argc, char **argv) { return leave(argc > 1 ? argv[1] : "exit"); }
