// bpfpads-features [--json] [--require]: the kernel feature report.
//   --json     one JSON object instead of the text table
//   --require  exit 3 when a feature bpfpads cannot run without is missing
#include <cstdio>
#include <cstring>
#include <iostream>

#include "kernel/feature_probe.h"

int main(int argc, char** argv) {
  bool json = false, require = false;
  for (int i = 1; i < argc; ++i) {
    if (!std::strcmp(argv[i], "--json")) {
      json = true;
    } else if (!std::strcmp(argv[i], "--require")) {
      require = true;
    } else {
      std::fprintf(stderr, "usage: %s [--json] [--require]\n", argv[0]);
      return 2;
    }
  }
  bpfpads::KernelFeatures features = bpfpads::probe_kernel_features();
  if (json)
    std::cout << bpfpads::feature_report_json(features).dump() << "\n";
  else
    std::cout << bpfpads::feature_report_text(features);
  return require && !bpfpads::missing_requirements(features).empty() ? 3 : 0;
}
