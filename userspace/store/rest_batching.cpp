#include "store/rest_batching.h"

#include <map>
#include <string>

#include "store/rest_json.h"

namespace bpfpads {
namespace {

class ChunkBuilder {
 public:
  explicit ChunkBuilder(const BatchLimits& limits) : limits_(limits) {}

  void add(const char* field, nlohmann::json item) {
    const size_t bytes = item.dump().size() + 1;
    size_t& count = field[0] == 'm' ? metrics_ : field[0] == 'p' ? params_ : tags_;
    const size_t cap = field[0] == 'm' ? limits_.max_metrics
                       : field[0] == 'p' ? limits_.max_params : limits_.max_tags;
    if (count + 1 > cap || items_ + 1 > limits_.max_items || (items_ > 0 && bytes_ + bytes > limits_.max_bytes))
      cut();
    size_t& c = field[0] == 'm' ? metrics_ : field[0] == 'p' ? params_ : tags_;
    current_[field].push_back(std::move(item));
    ++c;
    ++items_;
    bytes_ += bytes;
  }

  std::vector<nlohmann::json> finish() {
    cut();
    return std::move(out_);
  }

 private:
  void cut() {
    if (items_ > 0) out_.push_back(std::move(current_));
    current_ = nlohmann::json::object();
    metrics_ = params_ = tags_ = items_ = bytes_ = 0;
  }

  const BatchLimits& limits_;
  std::vector<nlohmann::json> out_;
  nlohmann::json current_ = nlohmann::json::object();
  size_t metrics_ = 0, params_ = 0, tags_ = 0, items_ = 0, bytes_ = 0;
};

}  // namespace

Result<std::vector<nlohmann::json>> split_batch(std::span<const Metric> metrics,
                                                std::span<const Param> params,
                                                std::span<const Tag> tags,
                                                const BatchLimits& limits) {
  ChunkBuilder b(limits);
  // Params are unique per call, so no request ever repeats a key.
  std::map<std::string, std::string> seen;
  for (const auto& p : params) {
    auto [it, inserted] = seen.emplace(p.key, p.value);
    if (!inserted) {
      if (it->second != p.value)
        return make_error("param given twice with different values ('" + it->second + "', '" +
                          p.value + "'); params cannot change", p.key);
      continue;
    }
    b.add("params", key_value_json(p.key, p.value));
  }
  for (const auto& m : metrics) b.add("metrics", metric_json(m));
  std::map<std::string, size_t> last;
  for (size_t i = 0; i < tags.size(); ++i) last[tags[i].key] = i;
  for (size_t i = 0; i < tags.size(); ++i)
    if (last[tags[i].key] == i) b.add("tags", key_value_json(tags[i].key, tags[i].value));
  return b.finish();
}

bool BatchCoalescer::add(const nlohmann::json& payload) {
  static const nlohmann::json kNone = nlohmann::json::array();
  const auto list = [&](const char* field) -> const nlohmann::json& {
    auto it = payload.find(field);
    return it == payload.end() ? kNone : *it;
  };
  const nlohmann::json &m = list("metrics"), &p = list("params"), &t = list("tags");
  const size_t bytes = payload.dump().size();
  if (payloads_ > 0) {
    if (metrics_ + m.size() > limits_.max_metrics || params_ + p.size() > limits_.max_params ||
        tags_ + t.size() > limits_.max_tags ||
        metrics_ + params_ + tags_ + m.size() + p.size() + t.size() > limits_.max_items ||
        bytes_ + bytes > limits_.max_bytes)
      return false;
    for (const auto& x : p)
      if (param_keys_.count(x.value("key", ""))) return false;
    for (const auto& x : t)
      if (tag_keys_.count(x.value("key", ""))) return false;
  }
  for (const char* field : {"metrics", "params", "tags"}) {
    const nlohmann::json& items = list(field);
    if (items.empty()) continue;
    auto& into = payload_[field];
    for (const auto& x : items) into.push_back(x);
  }
  for (const auto& x : p) param_keys_.insert(x.value("key", ""));
  for (const auto& x : t) tag_keys_.insert(x.value("key", ""));
  metrics_ += m.size();
  params_ += p.size();
  tags_ += t.size();
  bytes_ += bytes;
  ++payloads_;
  return true;
}

}  // namespace bpfpads
