#include "store/new_run.h"

#include <span>

#include "store/key_validation.h"
#include "store/random_id.h"

namespace bpfpads {

Result<PreparedRun> prepare_new_run(const NewRun& run) {
  if (auto r = validate_batch({}, {}, std::span<const Tag>(run.tags)); !r) return std::unexpected(r.error());
  PreparedRun out;
  std::string tag_name;
  for (const auto& t : run.tags) {
    if (t.key == kRunNameTag) tag_name = t.value;
    // A repeated key keeps the last value, as a dict would.
    std::erase_if(out.tags, [&](const Tag& old) { return old.key == t.key; });
    out.tags.push_back({t.key, truncate_tag_value(t.key, t.value)});
  }
  if (!run.run_name.empty() && !tag_name.empty() && run.run_name != tag_name)
    return make_error("run name '" + run.run_name + "' differs from the mlflow.runName tag '" +
                      tag_name + "'; give one of them");
  out.run_name = !run.run_name.empty() ? run.run_name : tag_name;
  if (out.run_name.empty()) {
    auto name = random_run_name();
    if (!name) return std::unexpected(name.error());
    out.run_name = *name;
  }
  out.run_name = truncate_tag_value(kRunNameTag, out.run_name);
  if (tag_name.empty()) out.tags.push_back({kRunNameTag, out.run_name});
  auto id = uuid4_hex();
  if (!id) return std::unexpected(id.error());
  out.run_id = *id;
  out.user_id = run.user_id.empty() ? "unknown" : run.user_id;
  out.start_time_ms = run.start_time_ms > 0 ? run.start_time_ms : now_ms();
  return out;
}

}  // namespace bpfpads
