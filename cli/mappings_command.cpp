#include "mappings_command.h"

#include <filesystem>
#include <iostream>

#include "hooks/hook_catalog.h"
#include "hooks/hook_engine.h"
#include "hooks/library_version.h"
#include "mapping/mapping_parser.h"
#include "symbols/library_locator.h"

namespace bpfpads::cli {

MappingsCommand::MappingsCommand(CLI::App& app) {
  group_ = app.add_subcommand("mappings", "Check, resolve and list mapping files (nothing is attached)");
  group_->require_subcommand(1);
  check_ = group_->add_subcommand("check", "Parse and validate mapping files; exit 1 on any error");
  check_->add_option("files", files_, "Mapping files")->required()->check(CLI::ExistingFile);
  resolve_ = group_->add_subcommand("resolve", "Show what each path matches in a binary: symbol, offset, hooks");
  resolve_->add_option("files", files_, "Mapping files")->required()->check(CLI::ExistingFile);
  resolve_->add_option("--binary", binary_, "Executable or shared library to resolve against")
      ->required()
      ->check(CLI::ExistingFile);
  resolve_->add_flag("--strict", strict_, "A path that matches nothing is an error");
  list_ = group_->add_subcommand("list", "The shipped mapping files and their libraries");
}

bool MappingsCommand::parsed() const { return group_->parsed(); }

int MappingsCommand::execute() {
  if (check_->parsed()) return check();
  if (resolve_->parsed()) return resolve();
  return list();
}

int MappingsCommand::check() {
  int errors = 0;
  for (const auto& f : files_) {
    auto parsed = parse_mapping_file(f);
    for (const auto& d : parsed.diagnostics) std::cerr << d.format() << "\n";
    if (!parsed.file) {
      ++errors;
      continue;
    }
    size_t native = 0, python = 0;
    for (const auto& e : parsed.file->entries) (e.target.is_native() ? native : python)++;
    std::cout << f << ": ok, " << parsed.file->entries.size() << " entries (" << native << " native, "
              << python << " Python), library " << parsed.file->metadata.library.name << " "
              << parsed.file->metadata.library.version.text() << "\n";
  }
  return errors ? 1 : 0;
}

int MappingsCommand::resolve() {
  auto loaded = load_mapping_files(files_, false);
  if (!loaded) {
    std::cerr << loaded.error().message << "\n";
    return 1;
  }
  HookCatalog catalog(std::move(*loaded), PipelineConfig::defaults());
  std::string path = std::filesystem::absolute(binary_);
  auto hooks = catalog.resolve_file(path, path, true);
  if (!hooks) {
    std::cerr << hooks.error().describe() << "\n";
    return 1;
  }
  for (const Hook* h : *hooks) {
    std::cout << h->entry->location.file << ":" << h->entry->location.line << " " << h->entry->path_text()
              << "\n  -> " << h->function;
    if (h->usdt)
      std::cout << " (USDT " << h->usdt_provider << ":" << h->usdt_name << ")";
    else
      std::cout << " @ file offset 0x" << std::hex << h->file_offset << std::dec;
    std::cout << (h->layout.spec.flags & BP_HOOK_PAIRED ? ", entry+return" : ", entry") << "; hooks:";
    for (const auto& x : h->entry->hooks) std::cout << " " << x;
    std::cout << "; events:";
    for (const auto& e : h->events) std::cout << " " << e;
    std::cout << "\n";
    for (const auto& w : h->layout.warnings) std::cout << "  warning: " << w << "\n";
  }
  for (const auto& u : catalog.mapping_uses())
    std::cout << u.name << ": " << u.library << " " << u.library_version << ", " << u.status << ", "
              << u.hooks << " hooks\n";
  auto unmatched = catalog.unmatched_entries();
  for (const auto& u : unmatched) std::cerr << (strict_ ? "error: " : "warning: ") << u << "\n";
  return strict_ && !unmatched.empty() ? 1 : 0;
}

int MappingsCommand::list() {
  auto files = shipped_mapping_files();
  if (files.empty()) {
    std::cout << "no shipped mapping files found (set BPFPADS_MAPPINGS_DIR)\n";
    return 0;
  }
  for (const auto& f : files) {
    auto parsed = parse_mapping_file(f);
    if (!parsed.file) {
      std::cout << f << ": invalid: " << parsed.file.error().message << "\n";
      continue;
    }
    const auto& md = parsed.file->metadata;
    std::cout << f << ": " << md.library.name << " " << md.library.version.text() << " (mapping version "
              << md.version << ", " << parsed.file->entries.size() << " entries)\n";
  }
  return 0;
}

}  // namespace bpfpads::cli
