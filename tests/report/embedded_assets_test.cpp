#include "report/embedded_assets.h"

#include <filesystem>
#include <fstream>
#include <sstream>

#include <gtest/gtest.h>

namespace descent {
namespace {

namespace fs = std::filesystem;

std::string source_file(const std::string& relative) {
  const fs::path root = fs::path(DESCENT_FIXTURES_DIR).parent_path().parent_path();
  std::stringstream text;
  text << std::ifstream(root / relative, std::ios::binary).rdbuf();
  return text.str();
}

// The build compiled the files in byte for byte (cmake/embed_files.cmake).
TEST(EmbeddedAssets, AreTheSourceFilesExactly) {
  const std::pair<std::string_view, const char*> assets[] = {
      {embedded::uplot_js(), "third_party/uplot/uPlot.iife.min.js"},
      {embedded::uplot_css(), "third_party/uplot/uPlot.min.css"},
      {embedded::guard_js(), "src/report/assets/guard.js"},
      {embedded::report_js(), "src/report/assets/report.js"},
      {embedded::report_css(), "src/report/assets/report.css"}};
  for (const auto& [embedded, path] : assets) {
    const std::string source = source_file(path);
    ASSERT_FALSE(source.empty()) << path;
    EXPECT_TRUE(embedded == source) << path;
  }
  EXPECT_NE(embedded::uplot_js().find("uPlot"), std::string_view::npos);
}

}  // namespace
}  // namespace descent
