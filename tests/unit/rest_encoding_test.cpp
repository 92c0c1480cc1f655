// REST store without a server: JSON shapes, batching limits, config from the environment.
#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <map>
#include <set>

#include "store/rest_api.h"
#include "store/rest_batching.h"
#include "store/rest_config.h"
#include "store/rest_json.h"

namespace bpfpads {
namespace {

TEST(RestJson, MetricValuesAndIntegers) {
  EXPECT_EQ(metric_json({"a", 0.5, 1700000000000, 3}).dump(),
            R"({"key":"a","step":3,"timestamp":1700000000000,"value":0.5})");
  EXPECT_EQ(metric_json({"a", std::nan(""), 1, 0})["value"], "NaN");
  EXPECT_EQ(metric_json({"a", std::numeric_limits<double>::infinity(), 1, 0})["value"], "Infinity");
  EXPECT_EQ(metric_json({"a", -std::numeric_limits<double>::infinity(), 1, 0})["value"], "-Infinity");
  // Shortest round trip: the same double always gives the same bytes.
  EXPECT_EQ(metric_json({"a", 0.1, 1, 0})["value"].dump(), "0.1");
}

TEST(RestJson, BodyIsByteIdenticalAndRunIdIsAString) {
  nlohmann::json p = {{"metrics", {metric_json({"m", 1.25, 5, 1})}}};
  const std::string a = body_with_run_id("abc", p), b = body_with_run_id("abc", p);
  EXPECT_EQ(a, b);
  EXPECT_EQ(nlohmann::json::parse(a)["run_id"], "abc");
}

TEST(RestJson, DatasetInputShape) {
  DatasetInput d{"train", "abcd", "local", "{}", "", "", "training"};
  auto j = dataset_input_json(d);
  EXPECT_EQ(j["dataset"]["name"], "train");
  EXPECT_FALSE(j["dataset"].contains("schema"));
  EXPECT_EQ(j["tags"][0]["key"], "mlflow.data.context");
}

TEST(RestJson, ServerErrorParsing) {
  auto e = parse_server_error(400, R"({"error_code":"INVALID_PARAMETER_VALUE","message":"bad","sqlstate":"x"})");
  EXPECT_EQ(e.describe(), "INVALID_PARAMETER_VALUE: bad");
  auto h = parse_server_error(502, "<html>\nBad gateway</html>");
  EXPECT_EQ(h.error_code, "");
  EXPECT_NE(h.message.find("HTTP 502"), std::string::npos);
  EXPECT_EQ(h.message.find('\n'), std::string::npos);
}

TEST(RestApiClassify, RetryOrReject) {
  for (long s : {0L, 401L, 403L, 408L, 429L, 500L, 503L}) EXPECT_EQ(classify_http_status(s), RestFailure::Kind::Transient) << s;
  for (long s : {400L, 404L, 409L, 413L}) EXPECT_EQ(classify_http_status(s), RestFailure::Kind::Rejected) << s;
}

TEST(RestApiPaths, ArtifactUriAndUrl) {
  EXPECT_EQ(*mlflow_artifacts_path("mlflow-artifacts:/1/abc/artifacts"), "1/abc/artifacts");
  EXPECT_EQ(*mlflow_artifacts_path("mlflow-artifacts://h:5000/1/abc/artifacts/"), "1/abc/artifacts");
  EXPECT_FALSE(mlflow_artifacts_path("s3://bucket/x"));
  EXPECT_EQ(run_page_url("http://h:1", "2", "r"), "http://h:1/#/experiments/2/runs/r");
}

size_t count(const nlohmann::json& j, const char* f) { return j.contains(f) ? j[f].size() : 0; }

TEST(RestBatching, RespectsEveryLimit) {
  std::vector<Metric> m;
  for (int i = 0; i < 2500; ++i) m.push_back({"m", double(i), 1, i});
  std::vector<Param> p;
  for (int i = 0; i < 250; ++i) p.push_back({"p" + std::to_string(i), "v"});
  std::vector<Tag> t;
  for (int i = 0; i < 150; ++i) t.push_back({"t" + std::to_string(i), "v"});
  auto chunks = split_batch(m, p, t);
  ASSERT_TRUE(chunks);
  size_t nm = 0, np = 0, nt = 0;
  for (const auto& c : *chunks) {
    EXPECT_LE(count(c, "metrics"), 1000u);
    EXPECT_LE(count(c, "params"), 100u);
    EXPECT_LE(count(c, "tags"), 100u);
    EXPECT_LE(count(c, "metrics") + count(c, "params") + count(c, "tags"), 1000u);
    EXPECT_LT(c.dump().size(), 1000000u);
    nm += count(c, "metrics");
    np += count(c, "params");
    nt += count(c, "tags");
  }
  EXPECT_EQ(nm, 2500u);
  EXPECT_EQ(np, 250u);
  EXPECT_EQ(nt, 150u);
  // Order kept: the metric steps come out in the order given.
  int64_t last = -1;
  for (const auto& c : *chunks)
    if (c.contains("metrics"))
      for (const auto& x : c["metrics"]) { EXPECT_GT(x["step"].get<int64_t>(), last); last = x["step"]; }
}

TEST(RestBatching, ByteCapSplitsLargeValues) {
  std::vector<Param> p;
  for (int i = 0; i < 100; ++i) p.push_back({"p" + std::to_string(i), std::string(6000, 'x')});
  BatchLimits lim;
  lim.max_bytes = 100000;
  auto chunks = split_batch({}, p, {}, lim);
  ASSERT_TRUE(chunks);
  EXPECT_GT(chunks->size(), 5u);
  for (const auto& c : *chunks) EXPECT_LE(c.dump().size(), 100000u + 100);
}

TEST(RestBatching, ParamKeysNeverRepeatAndConflictsFail) {
  std::vector<Param> same = {{"lr", "0.1"}, {"lr", "0.1"}, {"x", "1"}};
  auto ok = split_batch({}, same, {});
  ASSERT_TRUE(ok);
  ASSERT_EQ(ok->size(), 1u);
  EXPECT_EQ((*ok)[0]["params"].size(), 2u);
  std::vector<Param> conflict = {{"lr", "0.1"}, {"lr", "0.2"}};
  auto bad = split_batch({}, conflict, {});
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().context, "lr");
  std::vector<Tag> tags = {{"a", "1"}, {"a", "2"}};
  auto t = split_batch({}, {}, tags);
  ASSERT_EQ((*t)[0]["tags"].size(), 1u);
  EXPECT_EQ((*t)[0]["tags"][0]["value"], "2");
  EXPECT_TRUE(split_batch({}, {}, {})->empty());
}

EnvLookup env_of(std::map<std::string, std::string> m) {
  return [m](const std::string& k) -> std::optional<std::string> {
    auto it = m.find(k);
    if (it == m.end()) return std::nullopt;
    return it->second;
  };
}

TEST(RestConfig, UriAndAuth) {
  auto c = rest_config_from("http://127.0.0.1:5000/", env_of({{"MLFLOW_TRACKING_USERNAME", "u"},
                                                                 {"MLFLOW_TRACKING_PASSWORD", "p"},
                                                                 {"MLFLOW_TRACKING_TOKEN", "t"}}));
  ASSERT_TRUE(c);
  EXPECT_EQ(c->base_url, "http://127.0.0.1:5000");
  EXPECT_TRUE(c->has_basic_auth());  // Basic wins over the token when both are complete
  auto token_only = rest_config_from("https://h/prefix", env_of({{"MLFLOW_TRACKING_USERNAME", "u"},
                                                                 {"MLFLOW_TRACKING_TOKEN", "t"}}));
  ASSERT_TRUE(token_only);
  EXPECT_FALSE(token_only->has_basic_auth());
  EXPECT_EQ(token_only->base_url, "https://h/prefix");
}

TEST(RestConfig, BadInput) {
  for (const char* bad : {"http://", "http:///x", "http://h:99999", "ftp://h", "http://h/?a=b"})
    EXPECT_FALSE(rest_config_from(bad, env_of({}))) << bad;
  auto both = rest_config_from("https://h", env_of({{"MLFLOW_TRACKING_INSECURE_TLS", "true"},
                                                   {"MLFLOW_TRACKING_SERVER_CERT_PATH", "/ca.pem"}}));
  ASSERT_FALSE(both);
  EXPECT_NE(both.error().message.find("cannot both"), std::string::npos);
  EXPECT_FALSE(rest_config_from("https://h", env_of({{"MLFLOW_TRACKING_INSECURE_TLS", "yes"}})));
  auto insecure = rest_config_from("https://h", env_of({{"MLFLOW_TRACKING_INSECURE_TLS", "TRUE"}}));
  ASSERT_TRUE(insecure);
  EXPECT_TRUE(insecure->insecure_tls);
}

}  // namespace
}  // namespace bpfpads
