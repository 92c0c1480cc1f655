#include "common/redaction.h"

#include <gtest/gtest.h>

#include <cstdlib>

namespace bpfpads {
namespace {

TEST(Redaction, OptionsNamedLikeSecretsLoseTheirValues) {
  auto r = Redactor::with_defaults();
  EXPECT_EQ(r.apply("python train.py --password=hunter2 --lr 0.1"), "python train.py --password=*** --lr 0.1");
  EXPECT_EQ(r.apply("train --api-key sk-12345 --epochs 3"), "train --api-key *** --epochs 3");
  EXPECT_EQ(r.apply("job -token 'a b c' --depth 4"), "job -token *** --depth 4");
  EXPECT_EQ(r.apply("--db-passwd=\"x y\""), "--db-passwd=***");
}

TEST(Redaction, AssignmentsJsonAndUrls) {
  auto r = Redactor::with_defaults();
  EXPECT_EQ(r.apply("DB_PASSWORD=s3cr3t ./run"), "DB_PASSWORD=*** ./run");
  EXPECT_EQ(r.apply(R"({"secret_key": "abc", "lr": 0.1})"), R"({"secret_key": "***", "lr": 0.1})");
  EXPECT_EQ(r.apply("postgresql://alice:hunter2@db:5432/x"), "postgresql://alice:***@db:5432/x");
  EXPECT_EQ(redact_uri_credentials("http://u:p@host/"), "http://u:***@host/");
  EXPECT_EQ(redact_uri_credentials("http://host:5000/"), "http://host:5000/");
}

TEST(Redaction, OrdinaryTextStaysAsItIs) {
  auto r = Redactor::with_defaults();
  for (const char* text : {"python train.py --lr 0.1 --max-depth 4", "[3]\ttrain-rmse:0.5\teval-rmse:0.6",
                           "objective=binary:logistic", "loss went down", "https://example.org/a/b"})
    EXPECT_EQ(r.apply(text), text);
}

TEST(Redaction, SecretEnvironmentValuesAreHiddenWherever) {
  setenv("BPFPADS_TEST_API_TOKEN", "tok-998877", 1);
  setenv("BPFPADS_TEST_SHORT_SECRET", "abc", 1);  // too short to hunt for
  auto r = Redactor::with_defaults();
  EXPECT_EQ(r.apply("connecting with tok-998877 now; abc"), "connecting with *** now; abc");
  unsetenv("BPFPADS_TEST_API_TOKEN");
  unsetenv("BPFPADS_TEST_SHORT_SECRET");
}

TEST(Redaction, UserPatternsAndTheOffSwitch) {
  auto r = Redactor::with_defaults();
  ASSERT_TRUE(r.add_pattern(R"(ACCT-\d+)"));
  EXPECT_EQ(r.apply("billing ACCT-1234 done"), "billing *** done");
  auto bad = r.add_pattern("(unclosed");
  ASSERT_FALSE(bad);
  EXPECT_NE(bad.error().describe().find("--redact"), std::string::npos);
  EXPECT_EQ(Redactor::disabled().apply("--password=hunter2"), "--password=hunter2");
}

}  // namespace
}  // namespace bpfpads
