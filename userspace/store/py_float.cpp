#include "store/py_float.h"

#include <charconv>
#include <cmath>
#include <cstdlib>

namespace bpfpads {

std::string python_float_repr(double value) {
  if (std::isnan(value)) return "nan";
  if (std::isinf(value)) return value > 0 ? "inf" : "-inf";

  // Shortest round-trip digits, as CPython's repr uses (dtoa mode 0).
  char buf[64];
  auto res = std::to_chars(buf, buf + sizeof buf, std::fabs(value), std::chars_format::scientific);
  std::string sci(buf, res.ptr);  // "d.ddde+XX"
  const auto e_pos = sci.find('e');
  std::string digits = sci.substr(0, e_pos);
  if (digits.size() > 1) digits.erase(1, 1);  // drop the '.'
  const int exp10 = std::atoi(sci.c_str() + e_pos + 1);

  std::string out = std::signbit(value) ? "-" : "";
  // CPython switches to exponent notation when the decimal point would sit before the
  // 4th leading zero or after the 16th digit.
  if (exp10 < -4 || exp10 >= 16) {
    out += digits[0];
    if (digits.size() > 1) out += "." + digits.substr(1);
    out += exp10 < 0 ? "e-" : "e+";
    const int abs_exp = std::abs(exp10);
    if (abs_exp < 10) out += '0';
    out += std::to_string(abs_exp);
    return out;
  }
  const int point = exp10 + 1;  // digits before the decimal point
  if (point <= 0) {
    out += "0." + std::string(-point, '0') + digits;
  } else if (point >= static_cast<int>(digits.size())) {
    out += digits + std::string(point - digits.size(), '0') + ".0";
  } else {
    out += digits.substr(0, point) + "." + digits.substr(point);
  }
  return out;
}

}  // namespace bpfpads
