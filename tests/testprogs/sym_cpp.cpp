// Symbol-resolution fixture: namespaces, a class with overloads, a template,
// an extern "C" function. Built with -fcf-protection=full (tests/testlibs/
// CMakeLists.txt) so every function starts with endbr64.
#include <cstdio>
#include <cstdlib>

extern "C" int bpfpads_testlib_add(int a, int b);

#define NOINLINE __attribute__((noinline, used))

namespace bpfpads_test {
namespace shapes {

class Circle {
 public:
  explicit Circle(double r) : r_(r) {}
  NOINLINE double area() const { return 3.0 * r_ * r_; }
  NOINLINE void scale(int factor) { r_ *= factor; }
  NOINLINE void scale(double factor) { r_ *= factor + 0.5; }
  double radius() const { return r_; }

 private:
  double r_;
};

NOINLINE int compute(int x) { return x * 3 + 1; }
NOINLINE double compute(double x) { return x * 2.5; }

template <typename T>
NOINLINE T twice(T v) {
  return v + v;
}
template int twice<int>(int);
template double twice<double>(double);

}  // namespace shapes
}  // namespace bpfpads_test

extern "C" NOINLINE int sym_c_entry(int x) { return x ^ 0x5a; }

int main(int argc, char** argv) {
  int n = argc > 1 ? std::atoi(argv[1]) : 1;
  volatile int seed = 3;
  double total = 0;
  for (int i = 0; i < n; ++i) {
    bpfpads_test::shapes::Circle c(seed);
    c.scale(2);
    c.scale(1.5);
    total += c.area() + bpfpads_test::shapes::compute(seed) +
             bpfpads_test::shapes::compute(double(seed)) + bpfpads_test::shapes::twice(seed) +
             bpfpads_test::shapes::twice(double(seed)) + sym_c_entry(seed) +
             bpfpads_testlib_add(seed, i);
  }
  std::printf("%.1f\n", total);
  return 0;
}
