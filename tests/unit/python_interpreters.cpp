#include "python_interpreters.h"

#include <unistd.h>

#include <cstdlib>
#include <filesystem>

namespace bpfpads::testing {

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
