#include "report/valley_charts.h"

#include <filesystem>
#include <vector>

#include <gtest/gtest.h>

namespace descent {
namespace {

TEST(ValleyCharts, OnePanelPerRunWithOneArrowPerStep) {
  const ValleyFunction f("elongated");
  std::vector<ValleyRun> runs;
  for (double lr : {0.1, 0.3})
    runs.push_back(run_valley(f, std::vector{1.0, 1.0}, 5, "sgd", {}, lr));
  const auto panels = valley_charts(f, runs);
  ASSERT_EQ(panels.size(), 2u);
  EXPECT_EQ(panels[0].arrows.size(), 5u);
  EXPECT_EQ(panels[1].title, "η = 0.3: diverged");
  const auto png = std::filesystem::temp_directory_path() / "descent_valley_test.png";
  write_grid_png(panels, 2, png);
  EXPECT_TRUE(std::filesystem::exists(png));
}

}  // namespace
}  // namespace descent
