// `bpfpads mappings check|resolve|list`: mapping files without attaching anything.
#pragma once

#include <CLI/CLI.hpp>

#include <string>
#include <vector>

namespace bpfpads::cli {

class MappingsCommand {
 public:
  explicit MappingsCommand(CLI::App& app);
  bool parsed() const;
  int execute();

 private:
  int check();
  int resolve();
  int list();

  CLI::App* group_ = nullptr;
  CLI::App* check_ = nullptr;
  CLI::App* resolve_ = nullptr;
  CLI::App* list_ = nullptr;
  std::vector<std::string> files_;
  std::string binary_;
  bool strict_ = false;
};

}  // namespace bpfpads::cli
