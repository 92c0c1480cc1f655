#include "python/python_bytecode.h"

#include <sstream>

namespace bpfpads {
namespace {

struct Row {
  int minor, return_value, return_const, load_const;
  const char* caches;
};

const Row kRows[] = {
    {9, 83, -1, 100, ""},
    {10, 83, -1, 100, ""},
    {11, 83, -1, 100,
      "3:1 4:1 5:1 6:1 7:1 8:1 13:1 14:1 16:1 17:4 18:4 19:4 20:4 21:4 22:4 23:4 24:4 25:4 26:2 "
      "27:2 28:2 29:2 39:4 40:4 41:4 42:4 43:4 47:5 48:5 55:5 56:10 57:10 58:10 59:10 60:1 "
      "62:10 63:10 64:1 65:1 66:1 67:1 72:1 73:1 76:1 77:1 78:1 79:1 80:1 81:1 92:1 95:4 106:4 "
      "107:2 113:1 116:5 121:1 122:1 127:1 141:1 143:1 153:4 154:4 158:4 159:4 160:10 166:1 "
      "168:1 169:1 170:1 171:4 177:1 178:1 179:1 180:1"},
    {12, 83, 121, 100,
      "6:1 7:1 8:1 10:1 13:1 14:1 16:1 18:1 19:1 20:1 21:1 22:1 23:3 24:3 25:1 28:3 29:3 34:3 "
      "38:3 39:3 40:3 41:3 42:3 43:3 44:3 45:3 46:3 47:3 48:3 56:3 57:1 58:1 59:1 60:1 62:1 "
      "63:1 64:1 65:1 66:1 67:1 70:9 72:9 73:9 76:9 77:9 78:9 79:9 80:9 81:9 82:9 92:1 93:1 "
      "95:4 106:9 107:1 111:4 112:4 113:4 116:4 122:1 123:1 141:1 148:4 153:4 159:1 160:1 161:1 "
      "166:1 167:1 168:1 171:3"},
    {13, 36, 103, 83,
      "3:1 5:1 39:1 40:3 45:1 53:3 58:1 59:1 72:1 77:1 82:9 91:4 93:1 97:1 98:1 99:1 100:1 "
      "104:1 108:4 117:1 150:1 151:1 152:1 153:1 154:1 155:1 156:1 157:1 158:1 159:1 160:1 "
      "161:1 162:3 163:3 164:3 165:3 166:3 167:3 168:3 169:3 170:3 171:3 172:3 173:3 174:3 "
      "175:3 176:3 177:3 178:3 179:3 180:3 181:3 182:1 183:1 184:1 185:1 186:1 187:1 188:1 "
      "189:1 190:1 191:9 192:9 193:9 194:9 195:9 196:9 197:9 198:9 199:9 200:9 201:9 202:9 "
      "203:4 204:4 205:1 206:1 208:1 209:4 210:4 211:4 212:1 213:1 214:3 215:3 216:3 217:3 "
      "218:3 219:3 220:1 221:1 222:1"},
};

}  // namespace

std::string BytecodeFacts::caches_text() const {
  std::string out;
  for (int op = 0; op < 256; ++op)
    if (caches[static_cast<size_t>(op)])
      out += (out.empty() ? "" : " ") + std::to_string(op) + ":" + std::to_string(caches[static_cast<size_t>(op)]);
  return out;
}

std::optional<BytecodeFacts> bytecode_facts(int major, int minor) {
  if (major != 3) return std::nullopt;
  for (const auto& r : kRows) {
    if (r.minor != minor) continue;
    BytecodeFacts f;
    f.return_value = r.return_value;
    f.return_const = r.return_const;
    f.load_const = r.load_const;
    std::istringstream in(r.caches);
    std::string pair;
    while (in >> pair) {
      auto colon = pair.find(':');
      f.caches[static_cast<size_t>(std::stoi(pair.substr(0, colon)))] =
          static_cast<uint8_t>(std::stoi(pair.substr(colon + 1)));
    }
    return f;
  }
  return std::nullopt;
}

std::vector<ReturnSite> find_returns(const std::vector<uint8_t>& code, const BytecodeFacts& facts) {
  std::vector<ReturnSite> out;
  int previous_op = -1, previous_arg = 0;
  for (size_t i = 0; i + 1 < code.size();) {
    int op = code[i], arg = code[i + 1];
    if (op == facts.return_value || (facts.return_const >= 0 && op == facts.return_const)) {
      ReturnSite site;
      site.offset = i;
      if (op == facts.return_const) {
        site.constant = true;
        site.const_index = static_cast<uint32_t>(arg);
      } else if (previous_op == facts.load_const) {
        site.constant = true;
        site.const_index = static_cast<uint32_t>(previous_arg);
      }
      out.push_back(site);
    }
    previous_op = op;
    previous_arg = arg;
    i += 2 * (1 + static_cast<size_t>(facts.caches[static_cast<size_t>(op)]));
  }
  return out;
}

}  // namespace bpfpads
