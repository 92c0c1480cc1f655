// ~/.mlflow/credentials: parsed as MLflow's configparser does; the environment wins.
#include <gtest/gtest.h>

#include <fstream>
#include <map>

#include "store/mlflow_credentials.h"
#include "store/rest_config.h"

namespace bpfpads {
namespace {

TEST(MlflowCredentials, OnlyTheMlflowSection) {
  auto c = parse_mlflow_credentials(
      "# comment\n[other]\nmlflow_tracking_username = wrong\n"
      "[mlflow]\n; note\nMLFLOW_TRACKING_USERNAME = alice \nmlflow_tracking_password: s3cr=t\n"
      "[Mlflow]\nmlflow_tracking_password = not-this\n");
  EXPECT_EQ(c.username, "alice");
  EXPECT_EQ(c.password, "s3cr=t");  // split at the first separator only
  auto none = parse_mlflow_credentials("[mlflowx]\nmlflow_tracking_username=u\n");
  EXPECT_FALSE(none.username);
  EXPECT_FALSE(none.password);
}

TEST(MlflowCredentials, FileFillsWhatTheEnvironmentLeavesUnset) {
  const auto home = std::filesystem::path(::testing::TempDir()) / "bpfpads-creds-home";
  std::filesystem::create_directories(home / ".mlflow");
  std::ofstream(home / ".mlflow" / "credentials")
      << "[mlflow]\nmlflow_tracking_username = fileuser\nmlflow_tracking_password = filepass\n";
  auto env = [&](std::map<std::string, std::string> m) -> EnvLookup {
    m["HOME"] = home.string();
    return [m](const std::string& k) -> std::optional<std::string> {
      auto it = m.find(k);
      if (it == m.end()) return std::nullopt;
      return it->second;
    };
  };
  auto from_file = rest_config_from("http://h", env({}));
  ASSERT_TRUE(from_file);
  EXPECT_EQ(from_file->username, "fileuser");
  EXPECT_EQ(from_file->password, "filepass");
  EXPECT_TRUE(from_file->has_basic_auth());
  // The environment wins, variable by variable.
  auto mixed = rest_config_from("http://h", env({{"MLFLOW_TRACKING_USERNAME", "envuser"}}));
  ASSERT_TRUE(mixed);
  EXPECT_EQ(mixed->username, "envuser");
  EXPECT_EQ(mixed->password, "filepass");
  auto both = rest_config_from("http://h", env({{"MLFLOW_TRACKING_USERNAME", "eu"}, {"MLFLOW_TRACKING_PASSWORD", "ep"}}));
  EXPECT_EQ(both->username, "eu");
  EXPECT_EQ(both->password, "ep");
  std::filesystem::remove_all(home);
  auto no_file = rest_config_from("http://h", env({}));
  ASSERT_TRUE(no_file);
  EXPECT_TRUE(no_file->username.empty());
  EXPECT_FALSE(no_file->has_basic_auth());
}

}  // namespace
}  // namespace bpfpads
