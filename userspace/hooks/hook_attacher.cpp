#include "hooks/hook_attacher.h"

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include <cerrno>
#include <map>

#include "bpfpads_hooks_bpf.skel.h"
#include "kernel/hook_programs.h"

namespace bpfpads {
namespace {

// One uprobe_multi link: every offset of `binary` with its hook id as the cookie.
BpfLinkPtr attach_multi_link(bpf_program* prog, const std::string& binary, const std::vector<unsigned long>& offsets,
                             const std::vector<__u64>& cookies, bool retprobe) {
  LIBBPF_OPTS(bpf_uprobe_multi_opts, opts, .offsets = offsets.data(), .cookies = cookies.data(),
              .cnt = offsets.size(), .retprobe = retprobe);
  // pid -1: inode-wide, as classic uprobes, so later mappings (dlopen) are probed too.
  return BpfLinkPtr(bpf_program__attach_uprobe_multi(prog, -1, binary.c_str(), nullptr, &opts));
}

}  // namespace

HookAttacher::HookAttacher(HookPrograms& programs) : programs_(programs), multi_(programs.uprobe_multi()) {}

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

std::vector<UprobeFailure> HookAttacher::attach_uprobes(const std::vector<UprobeHook>& hooks) {
  std::vector<UprobeFailure> failed;
  std::map<std::string, std::vector<const UprobeHook*>> by_binary;
  // Single-stepped probes are the dear ones: classic links, which the hot-hook guard can
  // take out for real (a multi link cannot lose one of its probes). Not for large sets:
  // classic links cost a grace period each to attach and drop.
  constexpr size_t kMaxClassicForGuard = 16;
  std::map<std::string, size_t> stepped;
  for (const auto& h : hooks)
    if (h.target.single_stepped) ++stepped[h.target.binary.string()];
  std::vector<const UprobeHook*> classic;
  for (const auto& h : hooks) {
    const std::string binary = h.target.binary.string();
    if (multi_ && h.target.single_stepped && stepped[binary] <= kMaxClassicForGuard) classic.push_back(&h);
    else by_binary[binary].push_back(&h);
  }
  for (const auto& [binary, n] : stepped)
    if (multi_ && n > kMaxClassicForGuard)
      notes_.push_back(std::to_string(n) + " single-stepped probes in " + binary +
                       " went into uprobe_multi links: the hot-hook guard can only disable them there");
  for (const UprobeHook* h : classic)
    if (auto r = attach_uprobe(h->hook_id, h->target, h->paired); !r) failed.push_back({h->hook_id, r.error()});
  for (const auto& [binary, group] : by_binary) {
    if (multi_) {
      auto r = attach_multi(binary, group);
      if (r) continue;
      // One bad offset fails the whole link: classic probes keep the others.
      notes_.push_back("uprobe_multi attach failed, classic uprobes instead: " + r.error().describe());
    }
    for (const UprobeHook* h : group)
      if (auto r = attach_uprobe(h->hook_id, h->target, h->paired); !r) failed.push_back({h->hook_id, r.error()});
  }
  return failed;
}

Result<> HookAttacher::attach_multi(const std::string& binary, const std::vector<const UprobeHook*>& hooks) {
  auto* skel = programs_.skel();
  std::vector<unsigned long> offsets, ret_offsets;
  std::vector<__u64> cookies, ret_cookies;
  for (const UprobeHook* h : hooks) {
    offsets.push_back(h->target.file_offset);
    cookies.push_back(h->hook_id);
    if (!h->paired) continue;
    ret_offsets.push_back(h->target.file_offset);
    ret_cookies.push_back(h->hook_id);
  }
  std::string where = binary + " (" + std::to_string(offsets.size()) + " functions)";
  BpfLinkPtr entry = attach_multi_link(skel->progs.hook_entry_multi, binary, offsets, cookies, false);
  if (!entry) return make_errno_error("cannot attach uprobe_multi", errno, where);
  BpfLinkPtr ret;
  if (!ret_offsets.empty()) {
    ret = attach_multi_link(skel->progs.hook_return_multi, binary, ret_offsets, ret_cookies, true);
    if (!ret) return make_errno_error("cannot attach uretprobe_multi", errno, where);
  }
  for (const UprobeHook* h : hooks) {
    multi_hooks_.insert(h->hook_id);
    skel->bss->hook_disabled[h->hook_id % BP_MAX_HOOKS] = 0;
  }
  multi_probes_ += offsets.size() + ret_offsets.size();
  multi_links_.push_back(std::move(entry));
  if (ret) multi_links_.push_back(std::move(ret));
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

Result<> HookAttacher::watch_execs() {
  BpfLinkPtr link(bpf_program__attach(programs_.skel()->progs.hooks_on_exec));
  if (!link) return make_errno_error("cannot watch execs for hooked calls in flight", errno, "sched_process_exec");
  exec_links_.push_back(std::move(link));
  return {};
}

void HookAttacher::detach(uint32_t hook_id) {
  links_.erase(hook_id);
  // Multi links stay: the kernel side skips the hook from now on (its trap remains).
  if (multi_hooks_.erase(hook_id)) programs_.skel()->bss->hook_disabled[hook_id % BP_MAX_HOOKS] = 1;
}

size_t HookAttacher::link_count() const {
  size_t n = multi_links_.size();
  for (const auto& [id, links] : links_) n += links.size();
  return n;
}

void HookAttacher::release_links(std::vector<BpfLinkPtr>& out) {
  summary_at_release_ = mode_summary();
  for (auto& [id, links] : links_)
    for (auto& l : links) out.push_back(std::move(l));
  for (auto* group : {&multi_links_, &exec_links_})
    for (auto& l : *group) out.push_back(std::move(l));
  links_.clear();
  multi_links_.clear();
  exec_links_.clear();
  multi_hooks_.clear();
}

std::string HookAttacher::mode_summary() const {
  if (!summary_at_release_.empty()) return summary_at_release_;
  size_t classic = 0;
  for (const auto& [id, links] : links_) classic += links.size();
  std::string text = multi_ ? "uprobe_multi" : "uprobe";
  text += ": uprobe_multi links: " + std::to_string(multi_links_.size()) + " with " + std::to_string(multi_probes_) +
          " probes; classic links (uprobe, uretprobe, USDT): " + std::to_string(classic);
  return text;
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
