#include "report/sweep_chart.h"

#include <unistd.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <limits>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "core/error.h"

namespace descent {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;

// A run of 2 epochs × 50 steps whose loss goes from 2.3 as `curve(step)` says.
template <class Curve>
SweepRun make_run(double lr, Verdict verdict, Curve curve, bool validation = true) {
  SweepRun run{lr, History{}, verdict, "because", 1.0};
  for (int e = 1; e <= 2; ++e) {
    double sum = 0;
    for (int i = 1; i <= 50; ++i) {
      const std::int64_t step = (e - 1) * 50 + i;
      const double loss = curve(step);
      run.history.steps.push_back({step, e, loss, lr});
      sum += loss;
    }
    Logs logs;
    logs.set("epoch", e);
    logs.set("loss", sum / 50);
    if (validation) logs.set("val_loss", 1.1 * sum / 50);
    run.history.epochs.push_back(logs);
  }
  return run;
}

SweepResult sample_sweep(bool validation = true) {
  SweepResult r;
  r.runs.push_back(make_run(
      1e-3, Verdict::too_low, [](double t) { return 2.3 - 0.002 * t; }, validation));
  r.runs.push_back(make_run(
      0.01, Verdict::good, [](double t) { return 0.3 + 2.0 * std::exp(-0.02 * t); }, validation));
  r.runs.push_back(make_run(
      0.1, Verdict::good, [](double t) { return 0.1 + 2.2 * std::exp(-0.1 * t); }, validation));
  r.runs.push_back(make_run(
      1.0, Verdict::too_high, [](double t) { return 0.8 + 0.5 * std::sin(t); }, validation));
  SweepRun diverged = make_run(
      10.0, Verdict::diverged, [](double t) { return 2.3 * std::pow(4.0, t - 1); }, validation);
  diverged.history.steps.resize(8);  // stopped by the guard
  diverged.history.epochs.resize(1);
  r.runs.push_back(diverged);
  r.best_lr = 0.1;
  return r;
}

TEST(SweepChart, VerdictColours) {
  const Color good = verdict_color(Verdict::good), low = verdict_color(Verdict::too_low),
              high = verdict_color(Verdict::too_high), diverged = verdict_color(Verdict::diverged);
  EXPECT_GT(good.g, good.r);  // green
  EXPECT_GT(low.b, low.r);    // blue
  EXPECT_GT(high.r, high.b);  // orange
  EXPECT_GT(high.g, 0.3);
  EXPECT_GT(diverged.r, 2 * diverged.g);  // red
}

TEST(SweepChart, LossChartOneLinePerRunByVerdictWithTheBestBold) {
  const SweepResult r = sample_sweep();
  const ChartSpec spec = sweep_loss_chart(r);
  ASSERT_EQ(spec.series.size(), 5u);
  EXPECT_EQ(spec.y_scale, Scale::log);
  EXPECT_EQ(spec.series[0].label, "η = 0.001 (too low)");
  EXPECT_EQ(spec.series[2].label, "η = 0.1 (good, best)");
  EXPECT_EQ(spec.series[4].label, "η = 10 (diverged)");
  EXPECT_GT(spec.series[2].width, spec.series[1].width);
  // Two good runs: the same hue, the smaller η lighter.
  const Color a = *spec.series[1].color, b = *spec.series[2].color;
  EXPECT_GT(a.r, b.r);
  EXPECT_GT(b.g, b.r);
  const Color red = *spec.series[4].color;
  EXPECT_EQ(red.r, verdict_color(Verdict::diverged).r);
  // Smoothed: the too-high run's ±0.5 swings are damped.
  double lo = 10, hi = 0;
  for (std::size_t i = 50; i < spec.series[3].y.size(); ++i) {
    lo = std::min(lo, spec.series[3].y[i]);
    hi = std::max(hi, spec.series[3].y[i]);
  }
  EXPECT_LT(hi - lo, 0.5);
  // The axis spans the others and twice the initial loss, not the diverged run's 1e5.
  ASSERT_TRUE(spec.y_range);
  EXPECT_LT(spec.y_range->second, 6.0);
  EXPECT_GT(spec.y_range->second, 4.6);
  EXPECT_LT(spec.y_range->first, 0.1);
}

TEST(SweepChart, RunsAboveTheBoundSaySo) {
  const ChartSpec spec = sweep_loss_chart(sample_sweep(), SweepBound{0.5, "2/λmax = 0.5"});
  EXPECT_EQ(spec.series[3].label, "η = 1 (too high, above 2/λmax = 0.5)");
  EXPECT_EQ(spec.series[2].label, "η = 0.1 (good, best)");
}

TEST(SweepChart, FinalChartAgainstEtaWithBestAndBound) {
  const ChartSpec spec = sweep_final_chart(sample_sweep(), SweepBound{0.5, "2/λmax = 0.5"});
  EXPECT_EQ(spec.x_scale, Scale::log);
  EXPECT_EQ(spec.title, "Final validation loss against η");
  ASSERT_EQ(spec.points.size(), 5u);
  // Points in order of η; the first of each verdict names it in the legend.
  EXPECT_EQ(spec.points[0].label, "too low");
  EXPECT_EQ(spec.points[1].label, "good");
  EXPECT_EQ(spec.points[2].label, "");
  EXPECT_EQ(spec.points[4].label, "diverged (drawn at the top)");
  ASSERT_TRUE(spec.y_range);
  for (int i = 0; i < 4; ++i)
    EXPECT_LT(spec.points[i].y, spec.points[4].y);
  EXPECT_LT(spec.points[4].y, spec.y_range->second);
  ASSERT_EQ(spec.verticals.size(), 2u);
  EXPECT_EQ(spec.verticals[0].label, "best η = 0.1");
  EXPECT_EQ(spec.verticals[1].x, 0.5);
  EXPECT_EQ(spec.verticals[1].label, "2/λmax = 0.5");
  // The grey line joins the runs that did not diverge.
  EXPECT_EQ(spec.series.at(0).x, (std::vector<double>{1e-3, 0.01, 0.1, 1.0}));
}

TEST(SweepChart, FinalChartUsesTrainingLossWithoutValidation) {
  const ChartSpec spec = sweep_final_chart(sample_sweep(false));
  EXPECT_EQ(spec.title, "Final training loss against η");
  EXPECT_EQ(spec.series.at(0).y.size(), 4u);
}

TEST(SweepChart, EveryRunDivergedStillDraws) {
  SweepResult r;
  r.runs.push_back(make_run(5.0, Verdict::diverged, [](double) { return NAN; }));
  r.runs[0].history.steps.resize(1);
  r.runs[0].history.epochs.resize(1);
  EXPECT_NO_THROW(sweep_loss_chart(r));
  EXPECT_EQ(sweep_final_chart(r).points.size(), 1u);
}

TEST(SweepChart, RejectsAnEmptySweepAndABadBound) {
  EXPECT_THROW(sweep_loss_chart(SweepResult{}), InvalidArgument);
  EXPECT_THROW(sweep_final_chart(sample_sweep(), SweepBound{0.0, "x"}), InvalidArgument);
  EXPECT_THROW(sweep_loss_chart(sample_sweep(), SweepBound{NAN, "x"}), InvalidArgument);
}

TEST(SweepChart, WritesPngAndSvg) {
  const fs::path dir =
      fs::temp_directory_path() / ("descent_sweep_chart_" + std::to_string(getpid()));
  fs::remove_all(dir);
  fs::create_directories(dir);
  const auto files = write_sweep_charts(sample_sweep(), dir, SweepBound{0.5, "2/λmax = 0.5"});
  ASSERT_EQ(files.size(), 4u);
  for (const fs::path& file : files) {
    ASSERT_TRUE(fs::exists(file)) << file;
    std::ifstream in(file, std::ios::binary);
    const std::string head(std::istreambuf_iterator<char>(in), {});
    if (file.extension() == ".png")
      EXPECT_EQ(head.substr(0, 8), "\x89PNG\r\n\x1a\n");
    else
      EXPECT_THAT(head, HasSubstr("<svg"));
  }
  EXPECT_EQ(files[0].filename(), "sweep.png");
  EXPECT_EQ(files[2].filename(), "sweep_final.png");
  fs::remove_all(dir);
  EXPECT_THROW(write_sweep_charts(sample_sweep(), dir / "missing"), IoError);
}

}  // namespace
}  // namespace descent
