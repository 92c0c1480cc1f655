// The feature report's formatting, from filled structs: no root, no BPF.
#include <gtest/gtest.h>

#include <set>
#include <string>

#include "kernel/feature_probe.h"

namespace bpfpads {
namespace {

KernelFeatures all_yes() {
  KernelFeatures f;
  f.kernel_release = "6.1.0-56-amd64";
  f.lockdown = "none";
  f.privileged = true;
  for (const auto& field : feature_fields()) f.*field.member = {Support::Yes, "ok"};
  return f;
}

TEST(FeatureReport, EveryFieldHasAUniqueKeyAndADegradation) {
  std::set<std::string> keys;
  for (const auto& field : feature_fields()) {
    EXPECT_TRUE(keys.insert(field.key).second) << field.key;
    EXPECT_NE(std::string(field.without), "") << field.key;
  }
  // Each member of KernelFeatures appears exactly once.
  EXPECT_EQ(keys.size(), 16u);
}

TEST(FeatureReport, AllPresentMeetsRequirements) {
  auto f = all_yes();
  EXPECT_TRUE(missing_requirements(f).empty());
  std::string text = feature_report_text(f);
  EXPECT_NE(text.find("kernel 6.1.0-56-amd64"), std::string::npos) << text;
  EXPECT_NE(text.find("bpfpads requirements: met"), std::string::npos) << text;
  EXPECT_EQ(feature_report_json(f)["requirements_met"], true);
}

TEST(FeatureReport, MissingRequiredFeatureIsNamedInTextAndJson) {
  auto f = all_yes();
  f.ring_buffer = {Support::No, "map type RINGBUF rejected by the kernel"};
  f.fentry = {Support::Blocked, "load: EPERM (Operation not permitted)"};  // optional
  EXPECT_EQ(missing_requirements(f), std::vector<std::string>{"ring_buffer"});
  std::string text = feature_report_text(f);
  EXPECT_NE(text.find("NOT met, missing: ring_buffer"), std::string::npos) << text;
  EXPECT_NE(text.find("map type RINGBUF rejected"), std::string::npos) << text;
  EXPECT_NE(text.find("blocked"), std::string::npos) << text;

  auto j = feature_report_json(f);
  EXPECT_EQ(j["requirements_met"], false);
  EXPECT_EQ(j["missing_requirements"], nlohmann::json::array({"ring_buffer"}));
  bool seen = false;
  for (const auto& row : j["features"]) {
    if (row["key"] == "ring_buffer") {
      seen = true;
      EXPECT_EQ(row["support"], "no");
      EXPECT_EQ(row["required"], true);
    }
    if (row["key"] == "fentry") {
      EXPECT_EQ(row["support"], "blocked");
    }
  }
  EXPECT_TRUE(seen);
}

TEST(FeatureReport, JsonKeepsReportOrderAndKernel) {
  auto f = all_yes();
  auto j = feature_report_json(f);
  EXPECT_EQ(j["kernel"], "6.1.0-56-amd64");
  ASSERT_EQ(j["features"].size(), feature_fields().size());
  size_t i = 0;
  for (const auto& field : feature_fields()) EXPECT_EQ(j["features"][i++]["key"], field.key);
}

TEST(FeatureReport, UnprivilegedFailureSaysSo) {
  KernelFeatures f;  // nothing probed: everything Unknown
  f.privileged = false;
  std::string text = feature_report_text(f);
  EXPECT_NE(text.find("unknown"), std::string::npos);
  EXPECT_NE(text.find("run as root"), std::string::npos) << text;
  EXPECT_NE(text.find("kernel ?"), std::string::npos) << text;
}

TEST(FeatureReport, SupportNames) {
  EXPECT_STREQ(support_name(Support::Yes), "yes");
  EXPECT_STREQ(support_name(Support::No), "no");
  EXPECT_STREQ(support_name(Support::Blocked), "blocked");
  EXPECT_STREQ(support_name(Support::Unknown), "unknown");
}

}  // namespace
}  // namespace bpfpads
