#include "report/sharpness_chart.h"

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace descent {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;

SharpnessResult sample_sharpness() {
  SharpnessResult r;
  r.lambda_max = 20.0;
  r.estimates = {8.0, 15.0, 19.0, 19.9, 20.0};
  r.converged = true;
  r.samples = 100;
  return r;
}

std::string read_file(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

TEST(SharpnessChart, EstimatesAndTheFinalValue) {
  const ChartSpec spec = sharpness_chart(sample_sharpness());
  ASSERT_EQ(spec.series.size(), 2u);
  EXPECT_EQ(spec.series[0].y, sample_sharpness().estimates);
  EXPECT_EQ(spec.series[0].x.back(), 5.0);
  EXPECT_EQ(spec.series[1].y, (std::vector<double>{20.0, 20.0}));
  EXPECT_THAT(spec.title, HasSubstr("η < 2/λmax = 0.1"));
  SharpnessResult flat = sample_sharpness();
  flat.lambda_max = -2.0;
  flat.converged = false;
  const ChartSpec unbounded = sharpness_chart(flat);
  EXPECT_THAT(unbounded.title, HasSubstr("no curvature limit"));
  EXPECT_EQ(unbounded.series[0].label, "estimate (not converged)");
}

TEST(SharpnessChart, WritesPngAndSvg) {
  const fs::path dir =
      fs::temp_directory_path() / ("descent_sharpness_chart_" + std::to_string(getpid()));
  fs::remove_all(dir);
  const auto files = write_sharpness_chart(sample_sharpness(), dir);
  ASSERT_EQ(files.size(), 2u);
  EXPECT_EQ(read_file(dir / "sharpness.png").substr(1, 3), "PNG");
  EXPECT_THAT(read_file(dir / "sharpness.svg"), HasSubstr("<svg"));
  fs::remove_all(dir);
}

}  // namespace
}  // namespace descent
