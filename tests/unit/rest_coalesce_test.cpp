// BatchCoalescer: consecutive journal payloads joined into one log-batch request.
#include <gtest/gtest.h>

#include <string>

#include "store/rest_batching.h"
#include "store/rest_json.h"

namespace bpfpads {
namespace {

nlohmann::json metrics_payload(int first, int n) {
  nlohmann::json p;
  for (int i = first; i < first + n; ++i) p["metrics"].push_back(metric_json({"m", double(i), 1, i}));
  return p;
}

TEST(BatchCoalescer, JoinsInOrderUpToTheMetricLimit) {
  BatchCoalescer c;
  int added = 0;
  while (c.add(metrics_payload(added * 300, 300))) ++added;
  EXPECT_EQ(added, 3);  // a 4th would make 1200 > 1000 metrics
  EXPECT_EQ(c.payloads(), 3u);
  const auto& m = c.payload()["metrics"];
  ASSERT_EQ(m.size(), 900u);
  for (int i = 0; i < 900; ++i) EXPECT_EQ(m[i]["step"].get<int>(), i);
  EXPECT_FALSE(c.payload().contains("params"));
}

TEST(BatchCoalescer, TotalItemsParamAndTagLimits) {
  BatchLimits lim;
  BatchCoalescer items(lim);
  nlohmann::json mixed = metrics_payload(0, 950);
  mixed["params"].push_back(key_value_json("p0", "v"));
  ASSERT_TRUE(items.add(mixed));
  nlohmann::json more = metrics_payload(950, 40);
  more["tags"].push_back(key_value_json("t", "v"));
  for (int i = 0; i < 10; ++i) more["params"].push_back(key_value_json("q" + std::to_string(i), "v"));
  EXPECT_FALSE(items.add(more));  // 951 + 51 items > 1000
  EXPECT_EQ(items.payloads(), 1u);
  EXPECT_EQ(items.payload()["metrics"].size(), 950u);

  BatchCoalescer params(lim);
  for (int k = 0; k < 2; ++k) {
    nlohmann::json p;
    for (int i = 0; i < 50; ++i) p["params"].push_back(key_value_json("p" + std::to_string(k * 50 + i), "v"));
    ASSERT_TRUE(params.add(p));
  }
  EXPECT_FALSE(params.add({{"params", {key_value_json("p100", "v")}}}));  // 101 params
  EXPECT_TRUE(params.add(metrics_payload(0, 10)));                       // metrics still fit
  EXPECT_EQ(params.payload()["params"].size(), 100u);
}

TEST(BatchCoalescer, RepeatedKeysStartANewRequest) {
  BatchCoalescer c;
  ASSERT_TRUE(c.add({{"params", {key_value_json("lr", "0.1")}}, {"tags", {key_value_json("phase", "a")}}}));
  // The server refuses a param key twice in one request, even with the same value.
  EXPECT_FALSE(c.add({{"params", {key_value_json("lr", "0.1")}}}));
  // A tag set again must keep its order against the first value: not joined either.
  EXPECT_FALSE(c.add({{"tags", {key_value_json("phase", "b")}}}));
  EXPECT_TRUE(c.add({{"tags", {key_value_json("other", "x")}}}));
  EXPECT_EQ(c.payloads(), 2u);
  EXPECT_EQ(c.payload()["tags"].size(), 2u);
}

TEST(BatchCoalescer, ByteCapAndAFirstPayloadAlwaysFits) {
  BatchLimits lim;
  lim.max_bytes = 2000;
  BatchCoalescer c(lim);
  nlohmann::json big = {{"params", {key_value_json("a", std::string(3000, 'x'))}}};
  EXPECT_TRUE(c.add(big));  // alone it was already cut to the limits by split_batch
  EXPECT_FALSE(c.add({{"params", {key_value_json("b", "y")}}}));
  EXPECT_EQ(c.payloads(), 1u);
}

}  // namespace
}  // namespace bpfpads
