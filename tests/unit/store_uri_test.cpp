#include <gtest/gtest.h>

#include "store/store.h"
#include "store/uri.h"

namespace bpfpads {
namespace {

TEST(StoreUri, SqliteForms) {
  auto d = resolve_tracking_uri("", "/work/dir");
  ASSERT_TRUE(d);
  EXPECT_EQ(d->kind, StoreLocation::Kind::Sqlite);
  EXPECT_EQ(d->path, "/work/dir/mlflow.db");
  auto rel = resolve_tracking_uri("sqlite:///sub/x.db", "/w");
  ASSERT_TRUE(rel);
  EXPECT_EQ(rel->path, "/w/sub/x.db");
  auto abs = resolve_tracking_uri("sqlite:////abs/path.db", "/w");
  ASSERT_TRUE(abs);
  EXPECT_EQ(abs->path, "/abs/path.db");
  EXPECT_FALSE(resolve_tracking_uri("sqlite://", "/w"));
  EXPECT_FALSE(resolve_tracking_uri("sqlite:///:memory:", "/w"));
}

TEST(StoreUri, FileForms) {
  for (auto [uri, want] : {std::pair{"file:./mlruns", "/w/mlruns"}, {"file:///abs/mlruns", "/abs/mlruns"},
                           {"file:/abs/m", "/abs/m"}, {"file://localhost/abs/m", "/abs/m"},
                           {"/plain/abs/", "/plain/abs"}, {"rel/dir", "/w/rel/dir"},
                           {"file:///a%20b", "/a b"}}) {
    auto r = resolve_tracking_uri(uri, "/w");
    ASSERT_TRUE(r) << uri;
    EXPECT_EQ(r->kind, StoreLocation::Kind::File) << uri;
    EXPECT_EQ(r->path, want) << uri;
  }
  EXPECT_FALSE(resolve_tracking_uri("file://remotehost/x", "/w"));
}

TEST(StoreUri, UnsupportedSchemesNameTheUri) {
  // http(s) is the REST store now: opening it contacts nothing until first use.
  auto http = open_store("https://mlflow.example.com", "/w");
  ASSERT_TRUE(http) << http.error().describe();
  EXPECT_EQ((*http)->describe(), "https://mlflow.example.com");
  for (const char* uri : {"postgresql://u:p@h/db", "databricks", "mysql://h/db", "s3://bucket"}) {
    auto r = open_store(uri, "/w");
    ASSERT_FALSE(r) << uri;
    EXPECT_NE(r.error().describe().find(uri), std::string::npos) << r.error().describe();
  }
}

TEST(StoreUri, FileUriEncoding) {
  EXPECT_EQ(path_to_file_uri("/tmp/ml runs/0"), "file:///tmp/ml%20runs/0");
  EXPECT_EQ(path_to_file_uri("/a-b_c.d~/x"), "file:///a-b_c.d~/x");
  auto p = artifact_uri_to_path("file:///tmp/ml%20runs/0");
  ASSERT_TRUE(p);
  EXPECT_EQ(*p, "/tmp/ml runs/0");
  EXPECT_EQ(*artifact_uri_to_path("/abs/art"), "/abs/art");
  EXPECT_FALSE(artifact_uri_to_path("s3://b/x"));
  EXPECT_FALSE(artifact_uri_to_path("mlflow-artifacts:/1/x"));
}

}  // namespace
}  // namespace bpfpads
