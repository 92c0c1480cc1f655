#pragma once
namespace bpfpads {
// Routes libbpf's messages to our log on stderr: warnings always (they carry the
// verifier log of a failed load), debug lines only with -v.
void install_libbpf_logging();
}  // namespace bpfpads
