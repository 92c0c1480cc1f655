#include "kernel/records.h"

#include <cstring>

namespace bpfpads {
namespace {

template <typename Rec>
Result<Rec> read_as(const void* data, size_t size, const char* name) {
  if (size < sizeof(Rec))
    return make_error("record " + std::string(name) + " is " + std::to_string(size) +
                          " bytes, expected " + std::to_string(sizeof(Rec)),
                      "ring buffer");
  Rec rec;
  std::memcpy(&rec, data, sizeof(Rec));
  if (rec.hdr.size != sizeof(Rec))
    return make_error("record " + std::string(name) + " says size " +
                          std::to_string(rec.hdr.size) + ", layout is " +
                          std::to_string(sizeof(Rec)) + " (BPF object and collector disagree)",
                      "ring buffer");
  return rec;
}

std::string bounded_string(const char* s, size_t max) { return std::string(s, strnlen(s, max)); }

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
    default:
      return make_error("unknown record type " + std::to_string(hdr.type), "ring buffer");
  }
}

}  // namespace bpfpads
