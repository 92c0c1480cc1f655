// The trap shield against a child of ours (ptrace needs no root for that): `int1`
// (icebp) raises exactly the SIGTRAP that a watchpoint hit with a lost DR6 raises
// (si_code TRAP_BRKPT), so the spurious trap is made on purpose here. The child has no
// SIGTRAP handler for those: without the shield each would kill it.
#include <gtest/gtest.h>
#include <pthread.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>

#include "python/trap_shield.h"

namespace bpfpads {
namespace {

void icebp() { asm volatile(".byte 0xf1"); }

std::atomic<int> user_signals{0};
void on_usr1(int) { ++user_signals; }

void* thread_icebps(void*) {
  for (int i = 0; i < 50; ++i) icebp();
  return nullptr;
}

// Exit status: 0 when every check held; else the number of the check that failed.
[[noreturn]] void child_body(int go_fd) {
  char byte;
  if (read(go_fd, &byte, 1) != 1) _exit(10);
  for (int i = 0; i < 100; ++i) icebp();
  pthread_t t;  // a thread started under the shield is shielded too
  if (pthread_create(&t, nullptr, thread_icebps, nullptr) != 0) _exit(11);
  pthread_join(t, nullptr);
  pid_t grandchild = fork();  // and so is a process it starts
  if (grandchild == 0) {
    for (int i = 0; i < 20; ++i) icebp();
    _exit(0);
  }
  int status = 0;
  if (waitpid(grandchild, &status, 0) != grandchild || !WIFEXITED(status) || WEXITSTATUS(status) != 0) _exit(12);
  // Other signals arrive as they were sent, a SIGTRAP that someone sends included.
  signal(SIGUSR1, on_usr1);
  raise(SIGUSR1);
  if (user_signals != 1) _exit(13);
  signal(SIGTRAP, on_usr1);
  raise(SIGTRAP);
  if (user_signals != 2) _exit(14);
  // A stop stays a stop until SIGCONT (the shield holds it with PTRACE_LISTEN).
  raise(SIGSTOP);
  _exit(0);
}

// The target is a grandchild: a tracer in its real parent's thread group would reap
// it and take its stops, so a middle process is its parent and reports what it saw.
// The middle's exit status: 0, or what went wrong (the target's own codes from 10).
[[noreturn]] void middle_body(int go_fd, int pid_fd) {
  pid_t target = fork();
  if (target == 0) child_body(go_fd);
  if (write(pid_fd, &target, sizeof target) != sizeof target) _exit(2);
  int status = 0;
  if (waitpid(target, &status, WUNTRACED) != target) _exit(3);
  if (!WIFSTOPPED(status)) _exit(WIFEXITED(status) ? WEXITSTATUS(status) : 4);
  if (WSTOPSIG(status) != SIGSTOP) _exit(5);
  kill(target, SIGCONT);
  if (waitpid(target, &status, 0) != target) _exit(6);
  if (WIFSIGNALED(status)) _exit(100 + WTERMSIG(status));
  _exit(WIFEXITED(status) ? WEXITSTATUS(status) : 7);
}

TEST(TrapShield, DropsSpuriousTrapsAndPassesEveryOtherSignal) {
  int go[2], pid_pipe[2];
  ASSERT_EQ(pipe(go), 0);
  ASSERT_EQ(pipe(pid_pipe), 0);
  pid_t middle = fork();
  if (middle == 0) middle_body(go[0], pid_pipe[1]);
  pid_t target = 0;
  ASSERT_EQ(read(pid_pipe[0], &target, sizeof target), static_cast<ssize_t>(sizeof target));
  std::atomic<int> lost{0};
  {
    TrapShield shield([&](pid_t root, pid_t, uint64_t ip) {
      if (root == target && ip != 0) ++lost;
    });
    auto protect = shield.protect(target);
    ASSERT_TRUE(protect) << protect.error().describe();
    ASSERT_EQ(write(go[1], "g", 1), 1);
    int status = 0;
    ASSERT_EQ(waitpid(middle, &status, __WNOTHREAD), middle);
    ASSERT_TRUE(WIFEXITED(status));
    EXPECT_EQ(WEXITSTATUS(status), 0) << "0: all held; 1xx: the target was killed by signal xx";
    EXPECT_EQ(shield.dropped(target), 170u);
    EXPECT_EQ(shield.dropped_total(), 170u);
  }
  EXPECT_EQ(lost.load(), 170);
}

TEST(TrapShield, ReleasedProcessRunsUntraced) {
  int go[2];
  ASSERT_EQ(pipe(go), 0);
  pid_t child = fork();  // released before it ends: its exit comes to us, not the shield
  if (child == 0) {
    char byte;
    if (read(go[0], &byte, 1) != 1) _exit(10);
    // After the release nothing shields it: a spurious trap would kill it now, so
    // check the tracer is gone instead.
    FILE* f = fopen("/proc/self/status", "r");
    char line[256];
    int tracer = -1;
    while (f && fgets(line, sizeof line, f))
      if (sscanf(line, "TracerPid: %d", &tracer) == 1) break;
    if (f) fclose(f);
    _exit(tracer == 0 ? 0 : 20);
  }
  TrapShield shield;
  ASSERT_TRUE(shield.protect(child));
  shield.release(child);
  ASSERT_EQ(write(go[1], "g", 1), 1);
  int status = 0;
  ASSERT_EQ(waitpid(child, &status, __WNOTHREAD), child);
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 0);
}

TEST(TrapShield, RefusesAProcessAnotherTracerHolds) {
  pid_t child = fork();
  if (child == 0) {
    pause();
    _exit(0);
  }
  {
    TrapShield first;
    ASSERT_TRUE(first.protect(child));
    TrapShield second;
    auto r = second.protect(child);
    ASSERT_FALSE(r);
    EXPECT_NE(r.error().describe().find("TracerPid"), std::string::npos) << r.error().describe();
  }
  kill(child, SIGKILL);
  int status = 0;
  waitpid(child, &status, __WNOTHREAD);
}

}  // namespace
}  // namespace bpfpads
