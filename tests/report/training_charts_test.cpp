#include "report/training_charts.h"

#include <cairo.h>
#include <unistd.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <limits>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "core/error.h"
#include "core/non_finite.h"
#include "find_series.h"
#include "temp_dir.h"

namespace descent {
namespace {

namespace fs = std::filesystem;
using ::testing::DoubleNear;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

// 3 epochs of 40 steps; the loss falls from 2.3 to about 0.02; η decays from 0.1 to 1e-3.
History sample_history(bool with_metrics = true) {
  History h;
  const int steps_per_epoch = 40, epochs = 3;
  for (int e = 1; e <= epochs; ++e) {
    double sum = 0;
    for (int i = 1; i <= steps_per_epoch; ++i) {
      const std::int64_t step = (e - 1) * steps_per_epoch + i;
      const double loss = 2.3 * std::exp(-0.04 * step) * (1 + 0.2 * std::sin(step * 1.7));
      const double lr = 0.1 * std::pow(0.01, (step - 1) / 119.0);
      h.steps.push_back({step, e, loss, lr});
      sum += loss;
    }
    Logs logs;
    logs.set("epoch", e);
    logs.set("loss", sum / steps_per_epoch);
    if (with_metrics) logs.set("accuracy", 0.5 + 0.15 * e);
    logs.set("val_loss", sum / steps_per_epoch * 1.1);
    if (with_metrics) logs.set("val_accuracy", 0.45 + 0.15 * e);
    logs.set("lr", h.steps.back().lr);
    logs.set("seconds", 0.5);
    h.epochs.push_back(logs);
  }
  return h;
}

using testing::find_series;

void expect_png(const fs::path& path) {
  cairo_surface_t* img = cairo_image_surface_create_from_png(path.c_str());
  EXPECT_EQ(cairo_surface_status(img), CAIRO_STATUS_SUCCESS) << path;
  EXPECT_GE(cairo_image_surface_get_width(img), 100);
  cairo_surface_destroy(img);
}

TEST(LossChart, StepLossSmoothedAndEpochLossesAtEpochEnds) {
  const std::optional<ChartSpec> spec = loss_chart(sample_history());
  ASSERT_TRUE(spec);
  EXPECT_EQ(spec->x_label, "step");
  EXPECT_EQ(spec->y_scale, Scale::log);  // 2.3 down to ~0.02
  const Series* raw = find_series(*spec, "loss (step)");
  const Series* smoothed = find_series(*spec, "loss (smoothed)");
  const Series* train = find_series(*spec, "loss (epoch)");
  const Series* val = find_series(*spec, "val_loss");
  ASSERT_TRUE(raw && smoothed && train && val);
  EXPECT_EQ(raw->x.size(), 120u);
  EXPECT_LT(raw->color->a, 1.0);  // drawn light
  EXPECT_EQ(smoothed->y.size(), 120u);
  EXPECT_THAT(train->x, ElementsAre(40, 80, 120));
  EXPECT_THAT(val->x, ElementsAre(40, 80, 120));
  EXPECT_TRUE(spec->verticals.empty());
}

TEST(LossChart, LinearWhenTheLossSpansLessThanADecade) {
  History h;
  for (int i = 1; i <= 10; ++i)
    h.steps.push_back({i, 1, 1.0 - 0.05 * i, 0.01});
  const std::optional<ChartSpec> spec = loss_chart(h);
  ASSERT_TRUE(spec);
  EXPECT_EQ(spec->y_scale, Scale::linear);
  // Few steps: the per-step line alone, at full strength.
  ASSERT_EQ(spec->series.size(), 1u);
  EXPECT_EQ(spec->series[0].color->a, 1.0);
}

TEST(LossChart, PerEpochWhenNoStepsWereRecorded) {
  History h = sample_history();
  h.steps.clear();
  const std::optional<ChartSpec> spec = loss_chart(h);
  ASSERT_TRUE(spec);
  EXPECT_EQ(spec->x_label, "epoch");
  const Series* train = find_series(*spec, "loss (epoch)");
  ASSERT_TRUE(train);
  EXPECT_THAT(train->x, ElementsAre(1, 2, 3));
}

TEST(LossChart, MarksDivergence) {
  History h = sample_history();
  h.steps.push_back({121, 4, kInf, 0.5});
  h.diverged = true;
  const std::optional<ChartSpec> spec = loss_chart(h);
  ASSERT_TRUE(spec);
  ASSERT_EQ(spec->verticals.size(), 1u);
  EXPECT_EQ(spec->verticals[0].x, 121);
  EXPECT_EQ(spec->verticals[0].label, "diverged");
}

TEST(LossChart, NoneForAnEmptyHistory) {
  EXPECT_FALSE(loss_chart(History{}));
  EXPECT_FALSE(lr_chart(History{}));
  EXPECT_TRUE(metric_charts(History{}).empty());
}

TEST(LrChart, LogScaleWhenEtaSpansMoreThanADecade) {
  const std::optional<ChartSpec> spec = lr_chart(sample_history());
  ASSERT_TRUE(spec);
  EXPECT_EQ(spec->y_scale, Scale::log);
  EXPECT_EQ(spec->y_label, "η");
  ASSERT_EQ(spec->series.size(), 1u);
  EXPECT_EQ(spec->series[0].y.size(), 120u);
  EXPECT_DOUBLE_EQ(spec->series[0].y[0], 0.1);
}

TEST(LrChart, LinearForAConstantEta) {
  History h;
  h.steps = {{1, 1, 1.0, 0.01}, {2, 1, 0.9, 0.01}};
  const std::optional<ChartSpec> spec = lr_chart(h);
  ASSERT_TRUE(spec);
  EXPECT_EQ(spec->y_scale, Scale::linear);
}

TEST(MetricCharts, OnePanelPerMetricTrainAgainstValidation) {
  History h = sample_history();
  for (std::size_t i = 0; i < h.epochs.size(); ++i)
    h.epochs[i].set("val_mae", 0.3 - 0.05 * i);  // validation only
  const std::vector<ChartSpec> panels = metric_charts(h);
  ASSERT_EQ(panels.size(), 2u);
  EXPECT_EQ(panels[0].title, "accuracy");
  ASSERT_EQ(panels[0].series.size(), 2u);
  EXPECT_EQ(panels[0].series[0].label, "accuracy");
  EXPECT_EQ(panels[0].series[1].label, "val_accuracy");
  EXPECT_THAT(panels[0].series[1].y,
              ElementsAre(DoubleNear(0.6, 1e-12), DoubleNear(0.75, 1e-12), DoubleNear(0.9, 1e-12)));
  EXPECT_THAT(panels[0].series[0].x, ElementsAre(1, 2, 3));
  EXPECT_EQ(panels[1].title, "mae");
  ASSERT_EQ(panels[1].series.size(), 1u);
  EXPECT_EQ(panels[1].series[0].label, "val_mae");
}

TEST(WriteTrainingCharts, WritesLossMetricsAndLrAsPngAndSvg) {
  const testing::TempDir temp;
  const fs::path& dir = temp.path();
  const std::vector<fs::path> files = write_training_charts(sample_history(), dir);
  EXPECT_THAT(files, ElementsAre(dir / "loss.png", dir / "loss.svg", dir / "metrics.png",
                                 dir / "metrics.svg", dir / "lr.png", dir / "lr.svg"));
  for (const fs::path& f : files) {
    ASSERT_TRUE(fs::exists(f)) << f;
    EXPECT_GT(fs::file_size(f), 1000u) << f;
    if (f.extension() == ".png") expect_png(f);
  }
  fs::remove_all(dir);
}

TEST(WriteTrainingCharts, SkipsMetricsWhenThereAreNone) {
  const testing::TempDir temp;
  const fs::path& dir = temp.path();
  const std::vector<fs::path> files = write_training_charts(sample_history(false), dir);
  EXPECT_THAT(files,
              ElementsAre(dir / "loss.png", dir / "loss.svg", dir / "lr.png", dir / "lr.svg"));
  EXPECT_FALSE(fs::exists(dir / "metrics.png"));
  fs::remove_all(dir);
}

TEST(WriteTrainingCharts, DivergedRunWithNonFiniteLossDraws) {
  const testing::TempDir temp;
  const fs::path& dir = temp.path();
  History h = sample_history();
  h.steps.push_back({121, 4, kNaN, 0.5});
  h.steps.push_back({122, 4, kInf, 0.5});
  h.diverged = true;
  const std::vector<fs::path> files = write_training_charts(h, dir);
  ASSERT_EQ(files.size(), 6u);
  expect_png(dir / "loss.png");
  fs::remove_all(dir);
}

TEST(WriteTrainingCharts, EmptyHistoryWritesNothing) {
  const testing::TempDir temp;
  const fs::path& dir = temp.path();
  EXPECT_TRUE(write_training_charts(History{}, dir).empty());
  fs::remove_all(dir);
}

TEST(WriteTrainingCharts, UnwritableDirectoryThrowsIoError) {
  const testing::TempDir temp;
  const fs::path& dir = temp.path();
  fs::create_directories(dir);
  std::ofstream(dir / "file") << "x";
  try {
    write_training_charts(sample_history(), dir / "file" / "charts");
    FAIL() << "expected IoError";
  } catch (const IoError& e) {
    EXPECT_THAT(e.what(), HasSubstr((dir / "file" / "charts").string()));
  }
  fs::remove_all(dir);
}

}  // namespace
}  // namespace descent
