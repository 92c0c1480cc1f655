// ram: memory and swap totals, like PyPads' Ram setup function.
#include "setup/setup_function.h"
#include "setup/setup_parse.h"
#include "setup/setup_text.h"

namespace bpfpads {

namespace {

class RamSetup final : public SetupFunction {
 public:
  std::string_view name() const override { return "ram"; }

  Result<> collect(const SetupContext& ctx, SetupOutput& out) override {
    const auto path = ctx.proc_root / "meminfo";
    auto text = read_text_file(path);
    if (!text) return std::unexpected(text.error());
    MemInfo info = parse_meminfo(*text);
    if (!info.mem_total_bytes) return make_error("no MemTotal line", path.string());
    out.tags.push_back({"bpfpads.ram.total_mb", format_mb(*info.mem_total_bytes)});
    if (info.swap_total_bytes)
      out.tags.push_back({"bpfpads.ram.swap_total_mb", format_mb(*info.swap_total_bytes)});
    return {};
  }
};

}  // namespace

BPFPADS_REGISTER_SETUP_FUNCTION(RamSetup);

}  // namespace bpfpads
