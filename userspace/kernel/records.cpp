#include "kernel/records.h"

#include <cstddef>
#include <cstring>

namespace bpfpads {
namespace {

// Whether `size` bytes at `data` hold a whole Rec, as its header says.
template <typename Rec>
Result<> check_size(const void* data, size_t size, const char* name) {
  if (size < sizeof(Rec))
    return make_error("record " + std::string(name) + " is " + std::to_string(size) +
                          " bytes, expected " + std::to_string(sizeof(Rec)),
                      "ring buffer");
  bp_record_header hdr;  // every record starts with it
  std::memcpy(&hdr, data, sizeof(hdr));
  if (hdr.size != sizeof(Rec))
    return make_error("record " + std::string(name) + " says size " +
                          std::to_string(hdr.size) + ", layout is " +
                          std::to_string(sizeof(Rec)) + " (BPF object and collector disagree)",
                      "ring buffer");
  return {};
}

template <typename Rec>
Result<Rec> read_as(const void* data, size_t size, const char* name) {
  if (auto r = check_size<Rec>(data, size, name); !r) return std::unexpected(r.error());
  Rec rec;
  std::memcpy(&rec, data, sizeof(Rec));
  return rec;
}

std::string bounded_string(const char* s, size_t max) { return std::string(s, strnlen(s, max)); }

HookCallEvent decode_call(const bp_hook_call& c, const char* data) {
  HookCallEvent e{};
  e.tgid = c.hdr.tgid;
  e.tid = c.hdr.tid;
  e.hook_id = c.hook_id;
  e.depth = c.depth;
  e.returned = (c.flags & BP_CALL_RETURNED) != 0;
  e.nested_same = (c.flags & BP_CALL_NESTED_SAME) != 0;
  e.entry_ns = c.entry_ns;
  e.return_ns = c.return_ns;
  std::memcpy(e.args, c.args, sizeof(e.args));
  e.ret = c.ret;
  std::memcpy(e.values, c.values, sizeof(e.values));
  std::memcpy(e.slots, c.slots, sizeof(e.slots));
  e.hardware = c.hw;
  if (data) e.data.assign(data, BP_HOOK_DATA_MAX);
  return e;
}

}  // namespace

Result<KernelEvent> decode_record(const void* data, size_t size) {
  if (size < sizeof(bp_record_header))
    return make_error("record of " + std::to_string(size) + " bytes is shorter than its header",
                      "ring buffer");
  bp_record_header hdr;
  std::memcpy(&hdr, data, sizeof(hdr));
  switch (hdr.type) {
    case BP_REC_PROC_FORK: {
      auto r = read_as<bp_proc_fork>(data, size, "proc_fork");
      if (!r) return std::unexpected(r.error());
      return ProcForkEvent{r->hdr.ts_ns, r->hdr.tgid, r->child_tgid};
    }
    case BP_REC_PROC_EXEC: {
      auto r = read_as<bp_proc_exec>(data, size, "proc_exec");
      if (!r) return std::unexpected(r.error());
      return ProcExecEvent{r->hdr.ts_ns, r->hdr.tgid,
                           bounded_string(r->filename, sizeof(r->filename)),
                           (r->flags & BP_FLAG_CUT) != 0};
    }
    case BP_REC_PROC_EXIT: {
      auto r = read_as<bp_proc_exit>(data, size, "proc_exit");
      if (!r) return std::unexpected(r.error());
      return ProcExitEvent{r->hdr.ts_ns, r->hdr.tgid, r->exit_code, r->maxrss_pages};
    }
    case BP_REC_OUTPUT: {
      auto r = read_as<bp_output_chunk>(data, size, "output");
      if (!r) return std::unexpected(r.error());
      if (r->len > sizeof(r->data))
        return make_error("output record length " + std::to_string(r->len) + " exceeds its buffer",
                          "ring buffer");
      return OutputEvent{r->hdr.ts_ns, r->hdr.tgid, r->fd, std::string(r->data, r->len),
                         (r->flags & BP_FLAG_CUT) != 0};
    }
    case BP_REC_HOOK_CALL: {
      auto r = read_as<bp_hook_call>(data, size, "hook_call");
      if (!r) return std::unexpected(r.error());
      return decode_call(*r, nullptr);
    }
    case BP_REC_HOOK_HIT: {
      auto r = read_as<bp_hook_hit>(data, size, "hook_hit");
      if (!r) return std::unexpected(r.error());
      HookCallEvent e{};
      e.tgid = r->hdr.tgid;
      e.tid = r->hdr.tid;
      e.hook_id = r->hook_id;
      e.depth = r->depth;
      e.entry_ns = r->hdr.ts_ns;
      return e;
    }
    case BP_REC_HOOK_CALL_DATA: {
      // The call part is copied; the data area is read in place, once.
      if (auto r = check_size<bp_hook_call_data>(data, size, "hook_call_data"); !r)
        return std::unexpected(r.error());
      bp_hook_call call;
      std::memcpy(&call, data, sizeof(call));
      return decode_call(call, static_cast<const char*>(data) + offsetof(bp_hook_call_data, data));
    }
    case BP_REC_LIBRARY_LOADED: {
      auto r = read_as<bp_library_loaded>(data, size, "library_loaded");
      if (!r) return std::unexpected(r.error());
      return LibraryLoadedEvent{r->hdr.tgid, r->hdr.tid, r->stopped != 0, r->hdr.ts_ns};
    }
    case BP_REC_PYTHON_CALL: {
      auto r = read_as<bp_python_call>(data, size, "python_call");
      if (!r) return std::unexpected(r.error());
      PythonCallEvent e{};
      e.tgid = r->hdr.tgid;
      e.tid = r->hdr.tid;
      e.hook_id = r->hook_id;
      e.locals_unreadable = (r->flags & BP_FLAG_UNREADABLE) != 0;
      e.is_return = (r->flags & BP_PY_CALL_RETURN) != 0;
      e.depth = r->depth;
      e.ret = r->ret;
      std::memcpy(e.ret_head, r->ret_head, sizeof(e.ret_head));
      e.ts_ns = r->hdr.ts_ns;
      e.code = r->code;
      e.frame = r->frame;
      e.function = r->function;
      e.ip = r->ip;
      std::memcpy(e.locals, r->locals, sizeof(e.locals));
      std::memcpy(e.local_types, r->local_types, sizeof(e.local_types));
      return e;
    }
    default:
      return make_error("unknown record type " + std::to_string(hdr.type), "ring buffer");
  }
}

}  // namespace bpfpads
