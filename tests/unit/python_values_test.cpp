// Values and estimator parameters read from outside, against what each interpreter
// itself says (str() and get_params()-style names), on every CPython of the machine.

#include <gtest/gtest.h>

#include <cstdio>
#include <filesystem>
#include <sstream>

#include "python/python_process.h"
#include "python/python_resolver.h"
#include "python/python_values.h"
#include "python_interpreters.h"

namespace bpfpads {
namespace {

constexpr const char* kScript = R"PY(
import sys
class Est:
    def __init__(self, max_depth=None, criterion="gini", alpha=0.5, flags=(1, 2), *, n_jobs=None, random_state=7):
        self.max_depth = max_depth
        self.criterion = criterion
        self.alpha = alpha
        self.flags = flags
        self.n_jobs = n_jobs
        self.random_state = random_state
        self.fitted_ = True
class Child(Est):
    pass
e = Child(max_depth=3, criterion="entropie ü", alpha=1e-05, flags=[True, None, "x", (4,)], n_jobs=-1)
big, neg, huge = 2**70, -12345678901, 2**200
arr = None
try:
    import numpy
    arr = numpy.zeros((150, 4))
except ImportError:
    pass
print(hex(id(e)), hex(id(big)), hex(id(neg)), hex(id(huge)), hex(id(arr)), flush=True)
sys.stdin.read()
)PY";

void check(const std::string& exe, bool expect_numpy) {
  SCOPED_TRACE(exe);
  testing::RunningScript job(exe, kScript);
  std::vector<uint64_t> ids;
  std::istringstream line(job.first_line());
  for (std::string h; line >> h;) ids.push_back(std::stoull(h, nullptr, 16));
  ASSERT_EQ(ids.size(), 5u) << job.first_line();
  auto py = find_python(job.pid());
  ASSERT_TRUE(py) << py.error().describe();
  PythonResolver resolver(*py);
  PythonValues values(resolver.objects());
  auto params = values.estimator_params(ids[0]);
  ASSERT_TRUE(params) << params.error().describe();
  std::vector<std::pair<std::string, std::string>> want = {
      {"max_depth", "3"}, {"criterion", "entropie ü"}, {"alpha", "1e-05"},
      {"flags", "[True, None, 'x', (4,)]"}, {"n_jobs", "-1"}, {"random_state", "7"}};
  EXPECT_EQ(*params, want);
  EXPECT_EQ(values.text(ids[1]), "1180591620717411303424");
  EXPECT_EQ(values.text(ids[2]), "-12345678901");
  EXPECT_EQ(values.text(ids[3]), "<int of 210 bits>");
  std::string arr = values.text(ids[4]);
  if (expect_numpy) EXPECT_EQ(arr, "<ndarray (150, 4) float64>");
  else EXPECT_TRUE(arr == "None" || arr == "<ndarray (150, 4) float64>") << arr;  // numpy where importable
}

TEST(PythonValues, EstimatorParamsAndValuesOnEveryInterpreter) {
  auto interpreters = testing::available_interpreters();
  ASSERT_FALSE(interpreters.empty());
  for (const auto& interp : interpreters) check(interp.executable, false);
}

TEST(PythonValues, NumpyArraysAsShapeAndDtype) {
  // The test virtual environment has numpy (MLflow needs it).
  std::string venv = BPFPADS_SOURCE_DIR "/.venv/bin/python";
  ASSERT_TRUE(std::filesystem::exists(venv)) << "scripts/setup-venv.sh makes " << venv;
  check(std::filesystem::canonical(venv).string(), true);
}

}  // namespace
}  // namespace bpfpads
