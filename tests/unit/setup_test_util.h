// Shared by the setup tests: fixture roots and tags as comparable pairs.
#pragma once

#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "setup/setup_function.h"

namespace bpfpads::setup_test {

inline const std::filesystem::path kSetupData =
    std::filesystem::path(BPFPADS_TEST_DATA_DIR) / "setup";

using Pairs = std::vector<std::pair<std::string, std::string>>;

inline Pairs tag_pairs(const std::vector<Tag>& tags) {
  Pairs pairs;
  for (const auto& tag : tags) pairs.emplace_back(tag.key, tag.value);
  return pairs;
}

inline const std::string* find_tag(const std::vector<Tag>& tags, std::string_view key) {
  for (const auto& tag : tags)
    if (tag.key == key) return &tag.value;
  return nullptr;
}

// A registered setup function by its name(), straight from the registry.
inline std::unique_ptr<SetupFunction> make_setup(std::string_view name) {
  for (auto& function : SetupRegistry::instance().create_all())
    if (function->name() == name) return std::move(function);
  return nullptr;
}

inline SetupContext fixture_context(const std::string& machine) {
  SetupContext ctx;
  ctx.proc_root = kSetupData / machine / "proc";
  ctx.sys_root = kSetupData / machine / "sys";
  ctx.etc_root = kSetupData / machine / "etc";
  return ctx;
}

// A fresh directory under $TMPDIR, removed with everything in it.
class TempDir {
 public:
  TempDir() {
    std::string pattern = (std::filesystem::temp_directory_path() / "bpfpads-setup-XXXXXX").string();
    if (::mkdtemp(pattern.data())) path_ = pattern;
  }
  ~TempDir() {
    std::error_code ec;
    if (!path_.empty()) std::filesystem::remove_all(path_, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

}  // namespace bpfpads::setup_test
