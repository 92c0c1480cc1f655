#include <gtest/gtest.h>

#include <fstream>

#include "hooks/dpkg_version.h"
#include "hooks/library_version.h"
#include "setup_test_util.h"

namespace bpfpads {
namespace {

using setup_test::TempDir;

void write(const std::filesystem::path& p, const std::string& text) {
  std::filesystem::create_directories(p.parent_path());
  std::ofstream(p) << text;
}

TEST(DpkgVersion, UpstreamPartOfDebianVersions) {
  EXPECT_EQ(upstream_version("1.7.4-1"), "1.7.4");
  EXPECT_EQ(upstream_version("1:2.3.0-4+deb12u1"), "2.3.0");
  EXPECT_EQ(upstream_version("2.0"), "2.0");
  EXPECT_EQ(upstream_version("1.0-rc1-2"), "1.0-rc1");
}

// A fake dpkg database: the file is listed under /usr/lib, the loader maps /lib.
TEST(DpkgVersion, FindsTheOwningPackageAcrossMergedUsr) {
  TempDir dpkg;
  write(dpkg.path() / "info" / "libxgboost0.list",
        "/.\n/usr/lib/x86_64-linux-gnu/libxgboost.so.0\n/usr/lib/x86_64-linux-gnu/libxgboost.so.1.6.0\n");
  write(dpkg.path() / "info" / "xgboost-doc.list", "/usr/share/doc/xgboost\n");
  write(dpkg.path() / "status",
        "Package: libdmlc0\nStatus: install ok installed\nVersion: 0.5-1\n\n"
        "Package: libxgboost0\nStatus: install ok installed\nSource: xgboost\nVersion: 1.7.4-1\n\n");
  EXPECT_EQ(dpkg_package_version("/lib/x86_64-linux-gnu/libxgboost.so.0", "xgboost", dpkg.path()), "1.7.4");
  EXPECT_EQ(dpkg_package_version("/usr/lib/x86_64-linux-gnu/libxgboost.so.1.6.0", "XGBoost", dpkg.path()),
            "1.7.4");
  EXPECT_EQ(dpkg_package_version("/opt/libxgboost.so", "xgboost", dpkg.path()), std::nullopt);
  EXPECT_EQ(dpkg_package_version("/usr/lib/x86_64-linux-gnu/libxgboost.so.0", "lightgbm", dpkg.path()),
            std::nullopt);
}

TEST(DpkgVersion, NoDatabaseIsNoVersion) {
  TempDir empty;
  EXPECT_EQ(dpkg_package_version("/lib/libz.so.1", "z", empty.path() / "missing"), std::nullopt);
}

TEST(LibraryVersion, WheelMetadataBeatsSoname) {
  TempDir site;
  write(site.path() / "xgboost-3.2.0.dist-info" / "METADATA", "Metadata-Version: 2.1\nName: xgboost\nVersion: 3.2.0\n");
  write(site.path() / "xgboost" / "lib" / "libxgboost.so.9", "");
  EXPECT_EQ(detect_library_version((site.path() / "xgboost" / "lib" / "libxgboost.so.9").string(), "xgboost"),
            "3.2.0");
  write(site.path() / "other" / "libfoo.so.1.2.3", "");
  EXPECT_EQ(detect_library_version((site.path() / "other" / "libfoo.so.1.2.3").string(), "foo"), "1.2.3");
}

}  // namespace
}  // namespace bpfpads
