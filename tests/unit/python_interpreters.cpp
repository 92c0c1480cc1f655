#include "python_interpreters.h"

#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>

#include <cstdlib>
#include <filesystem>

extern char** environ;

namespace bpfpads::testing {

RunningScript::RunningScript(const std::string& exe, const char* script) {
  int in[2], out[2];
  if (pipe2(in, O_CLOEXEC) != 0) return;
  if (pipe2(out, O_CLOEXEC) != 0) {
    close(in[0]);
    close(in[1]);
    return;
  }
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_adddup2(&fa, in[0], 0);
  posix_spawn_file_actions_adddup2(&fa, out[1], 1);
  std::vector<char*> argv = {const_cast<char*>(exe.c_str()), const_cast<char*>("-c"), const_cast<char*>(script),
                             nullptr};
  if (posix_spawn(&pid_, exe.c_str(), &fa, nullptr, argv.data(), environ) != 0) pid_ = -1;
  posix_spawn_file_actions_destroy(&fa);
  close(in[0]);
  close(out[1]);
  stdin_ = in[1];
  FILE* f = fdopen(out[0], "r");
  char buf[4096];
  if (f && fgets(buf, sizeof(buf), f)) line_ = buf;
  if (f) fclose(f);
}

RunningScript::~RunningScript() {
  if (stdin_ >= 0) close(stdin_);
  if (pid_ > 0) waitpid(pid_, nullptr, 0);
}

std::vector<Interpreter> available_interpreters() {
  std::vector<Interpreter> out;
  std::vector<std::filesystem::path> roots;
  if (const char* r = std::getenv("PYENV_ROOT")) roots.emplace_back(r);
  if (const char* home = std::getenv("HOME")) roots.emplace_back(std::filesystem::path(home) / ".pyenv");
  roots.emplace_back("/root/.pyenv");
  std::error_code ec;
  for (const auto& root : roots) {
    if (!std::filesystem::is_directory(root / "versions", ec)) continue;
    for (int minor = 9; minor <= 13; ++minor) {
      std::string mm = "3." + std::to_string(minor);
      for (const auto& v : std::filesystem::directory_iterator(root / "versions", ec)) {
        std::string name = v.path().filename();
        if (name.rfind(mm + ".", 0) != 0 || name.find_first_not_of("0123456789.") != std::string::npos) continue;
        auto exe = v.path() / "bin" / ("python" + mm);
        if (access(exe.c_str(), X_OK) == 0) out.push_back({exe.string(), v.path().string(), mm});
        break;
      }
    }
    break;  // the first pyenv root found
  }
  if (access("/usr/bin/python3.11", X_OK) == 0) out.push_back({"/usr/bin/python3.11", "", "3.11"});
  return out;
}

}  // namespace bpfpads::testing
