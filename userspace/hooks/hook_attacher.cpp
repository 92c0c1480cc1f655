#include "hooks/hook_attacher.h"

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include <cerrno>

#include "bpfpads_bpf.skel.h"
#include "kernel/bpf_programs.h"

namespace bpfpads {

Result<> HookAttacher::set_spec(uint32_t hook_id, const bp_hook_spec& spec) {
  if (hook_id >= BP_MAX_HOOKS)
    return make_error("more than " + std::to_string(BP_MAX_HOOKS) + " hooks", "hook " + std::to_string(hook_id));
  int fd = bpf_map__fd(programs_.skel()->maps.hook_specs);
  if (bpf_map_update_elem(fd, &hook_id, &spec, BPF_ANY) != 0)
    return make_errno_error("cannot store the hook's capture spec", errno, "hook " + std::to_string(hook_id));
  return {};
}

Result<> HookAttacher::attach_uprobe(uint32_t hook_id, const UprobeTarget& target, bool paired) {
  auto* skel = programs_.skel();
  std::string where = target.binary.string() + ":" + target.symbol;
  // A kernel without cookies refuses a nonzero one; the hook_addrs map names it then.
  uint64_t cookie = programs_.uses_attach_cookie() ? hook_id : 0;
  LIBBPF_OPTS(bpf_uprobe_opts, entry_opts, .bpf_cookie = cookie, .retprobe = false);
  BpfLinkPtr entry(bpf_program__attach_uprobe_opts(skel->progs.hook_entry, -1, target.binary.c_str(),
                                                   target.file_offset, &entry_opts));
  if (!entry) return make_errno_error("cannot attach uprobe", errno, where);
  std::vector<BpfLinkPtr>& links = links_[hook_id];
  links.push_back(std::move(entry));
  if (paired) {
    LIBBPF_OPTS(bpf_uprobe_opts, ret_opts, .bpf_cookie = cookie, .retprobe = true);
    BpfLinkPtr ret(bpf_program__attach_uprobe_opts(skel->progs.hook_return, -1, target.binary.c_str(),
                                                   target.file_offset, &ret_opts));
    if (!ret) {
      int err = errno;
      links.pop_back();
      if (links.empty()) links_.erase(hook_id);
      return make_errno_error("cannot attach uretprobe", err, where);
    }
    links.push_back(std::move(ret));
  }
  return {};
}

Result<> HookAttacher::set_address(uint64_t vaddr, uint32_t hook_id) {
  int fd = bpf_map__fd(programs_.skel()->maps.hook_addrs);
  if (bpf_map_update_elem(fd, &vaddr, &hook_id, BPF_ANY) != 0)
    return make_errno_error("cannot store the hook's address", errno, "hook " + std::to_string(hook_id));
  return {};
}

Result<> HookAttacher::attach_usdt(uint32_t hook_id, const UsdtTarget& target) {
  LIBBPF_OPTS(bpf_usdt_opts, opts, .usdt_cookie = hook_id);
  BpfLinkPtr link(bpf_program__attach_usdt(programs_.skel()->progs.hook_usdt, -1, target.binary.c_str(),
                                           target.provider.c_str(), target.name.c_str(), &opts));
  if (!link)
    return make_errno_error("cannot attach USDT probe", errno,
                            target.binary.string() + ":" + target.provider + ":" + target.name);
  links_[hook_id].push_back(std::move(link));
  return {};
}

Result<> HookAttacher::watch_library_loads(const std::filesystem::path& dynamic_loader) {
  LIBBPF_OPTS(bpf_uprobe_opts, opts, .func_name = "_dl_debug_state");
  BpfLinkPtr link(bpf_program__attach_uprobe_opts(programs_.skel()->progs.library_loaded, -1,
                                                  dynamic_loader.c_str(), 0, &opts));
  if (!link) return make_errno_error("cannot watch library loads", errno, dynamic_loader.string() + ":_dl_debug_state");
  loader_links_.push_back(std::move(link));
  return {};
}

void HookAttacher::detach(uint32_t hook_id) { links_.erase(hook_id); }

size_t HookAttacher::link_count() const {
  size_t n = 0;
  for (const auto& [id, links] : links_) n += links.size();
  return n;
}

std::vector<uint64_t> HookAttacher::hits(uint32_t count) const {
  std::vector<uint64_t> out(count, 0);
  int ncpu = libbpf_num_possible_cpus();
  if (ncpu <= 0) return out;
  std::vector<uint64_t> per_cpu(static_cast<size_t>(ncpu));
  int fd = bpf_map__fd(programs_.skel()->maps.hook_hits);
  for (uint32_t id = 0; id < count && id < BP_MAX_HOOKS; ++id) {
    if (bpf_map_lookup_elem(fd, &id, per_cpu.data()) != 0) continue;
    for (uint64_t v : per_cpu) out[id] += v;
  }
  return out;
}

}  // namespace bpfpads
