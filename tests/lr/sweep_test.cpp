#include "lr/sweep.h"

#include <cmath>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <set>
#include <stdexcept>
#include <string>

#include <fmt/format.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "core/error.h"
#include "core/parallel.h"
#include "data/synthetic.h"
#include "nn/dense.h"
#include "optim/schedule/step_lr.h"
#include "optim/sgd.h"

namespace descent {
namespace {

using ::testing::HasSubstr;

// A small MLP on moons, the same initial weights for every η (seed 7).
std::unique_ptr<Model> moons_model(double lr) {
  auto model = std::make_unique<Model>(7);
  model->add(Dense(16, {.activation = "relu", .input_shape = {2}}));
  model->add(Dense(16, {.activation = "relu"}));
  model->add(Dense(2));
  model->compile(std::make_unique<SGD>(model->trainable_variables(), SGDOptions{.lr = lr}),
                 make_loss("sparse_categorical_crossentropy", true), {"accuracy"});
  return model;
}

struct MoonsSweep : ::testing::Test {
  Dataset train = moons(1024, 0.1, 1);
  Dataset validation = moons(256, 0.1, 2);
  SweepOptions options{.epochs = 3, .batch_size = 32, .validation = &validation, .verbose = 0};
};

void expect_same_history(const History& a, const History& b) {
  ASSERT_EQ(a.steps.size(), b.steps.size());
  for (std::size_t i = 0; i < a.steps.size(); ++i)
    ASSERT_EQ(a.steps[i].loss, b.steps[i].loss) << "step " << i + 1;  // bitwise
  ASSERT_EQ(a.epochs.size(), b.epochs.size());
  for (std::size_t e = 0; e < a.epochs.size(); ++e)
    for (const char* key : {"loss", "accuracy", "val_loss", "val_accuracy"})
      EXPECT_EQ(a.epochs[e].get(key), b.epochs[e].get(key)) << key << " epoch " << e + 1;
  EXPECT_EQ(a.diverged, b.diverged);
  EXPECT_EQ(a.divergence, b.divergence);
}

// The criterion on a small, fast set: from a tiny η to a huge one, the smallest is too
// low, the largest diverged, and some η in between is good.
TEST_F(MoonsSweep, SmallestTooLowLargestDivergedAGoodOneBetween) {
  const std::vector<double> lrs = log_spaced(1e-4, 100, 7);
  const SweepResult r = run_sweep(moons_model, train, lrs, options);
  ASSERT_EQ(r.runs.size(), lrs.size());
  std::string all;
  int good = 0;
  for (const SweepRun& run : r.runs) {
    all += fmt::format("η = {:g}: {}: {}\n", run.lr, to_string(run.verdict), run.reason);
    good += run.verdict == Verdict::good;
  }
  EXPECT_EQ(r.runs.front().verdict, Verdict::too_low) << all;
  EXPECT_EQ(r.runs.back().verdict, Verdict::diverged) << all;
  EXPECT_GE(good, 1) << all;
  ASSERT_TRUE(r.best_lr);
  const auto best = std::find_if(r.runs.begin(), r.runs.end(),
                                 [&](const SweepRun& run) { return run.lr == *r.best_lr; });
  EXPECT_EQ(best->verdict, Verdict::good) << best->reason;
  for (const SweepRun& run : r.runs)
    if (run.verdict != Verdict::diverged) {
      EXPECT_GE(run.final_val_loss(), best->final_val_loss());
    }
}

TEST_F(MoonsSweep, EveryRunStartsFromTheSameWeightsAndBatches) {
  const SweepResult r = run_sweep(moons_model, train, {0.001, 0.01, 0.1}, options);
  // Step 1's loss is computed before the first update: the same weights on the same batch.
  for (const SweepRun& run : r.runs)
    EXPECT_EQ(run.history.steps.front().loss, r.runs.front().history.steps.front().loss);
}

// Runs that train side by side do not disturb each other: each is bitwise the run it would be
// alone on one thread (the thread count a run of a parallel sweep uses; a split matrix product sums
// in another order on more threads, docs/sweep.md).
TEST_F(MoonsSweep, ARunInAParallelSweepIsTheSameRunAlone) {
  const std::vector<double> lrs = {0.003, 0.03, 0.3, 3.0};
  options.parallel = 2;
  const SweepResult together = run_sweep(moons_model, train, lrs, options);
  const int threads = num_threads();
  set_num_threads(1);
  for (std::size_t i = 0; i < lrs.size(); ++i) {
    const SweepResult alone = run_sweep(moons_model, train, {lrs[i]}, options);
    SCOPED_TRACE(fmt::format("η = {:g}", lrs[i]));
    expect_same_history(together.runs[i].history, alone.runs[0].history);
  }
  set_num_threads(threads);
}

TEST_F(MoonsSweep, TwoSweepsGiveTheSameResults) {
  const std::vector<double> lrs = log_spaced(1e-3, 10, 5);
  options.parallel = 3;
  const SweepResult a = run_sweep(moons_model, train, lrs, options);
  const SweepResult b = run_sweep(moons_model, train, lrs, options);
  for (std::size_t i = 0; i < lrs.size(); ++i) {
    expect_same_history(a.runs[i].history, b.runs[i].history);
    EXPECT_EQ(a.runs[i].verdict, b.runs[i].verdict);
    EXPECT_EQ(a.runs[i].reason, b.runs[i].reason);
  }
  EXPECT_EQ(a.best_lr, b.best_lr);
}

TEST_F(MoonsSweep, ADivergingRunStopsAtOnce) {
  const SweepResult r = run_sweep(moons_model, train, {0.1, 100.0}, options);
  const SweepRun& huge = r.runs[1];
  ASSERT_EQ(huge.verdict, Verdict::diverged);
  EXPECT_TRUE(huge.history.diverged);
  EXPECT_EQ(huge.history.divergence, huge.reason);
  EXPECT_LT(huge.history.steps.size(), 10u) << huge.reason;  // of 96
  EXPECT_EQ(r.runs[0].history.steps.size(), 96u);
  EXPECT_EQ(r.best_lr, 0.1);
}

TEST_F(MoonsSweep, EachRunGetsItsOwnScheduleStartingAtItsEta) {
  std::mutex mutex;
  std::set<double> asked;
  options.schedule = [&](double lr) {
    std::lock_guard lock(mutex);
    asked.insert(lr);
    return std::make_shared<StepLR>(lr, StepLROptions{.step_size = 32, .gamma = 0.5});
  };
  options.parallel = 2;
  const SweepResult r = run_sweep(moons_model, train, {0.01, 0.1}, options);
  EXPECT_EQ(asked, (std::set<double>{0.01, 0.1}));
  for (const SweepRun& run : r.runs) {
    EXPECT_DOUBLE_EQ(run.history.steps.front().lr, run.lr);
    EXPECT_DOUBLE_EQ(run.history.steps[40].lr, run.lr * 0.5);
  }
}

TEST_F(MoonsSweep, WithoutValidationTheBestIsByTrainingLoss) {
  options.validation = nullptr;
  const SweepResult r = run_sweep(moons_model, train, {1e-3, 0.3}, options);
  EXPECT_TRUE(std::isnan(r.runs[0].final_val_loss()));
  EXPECT_FALSE(r.runs[0].best_val_metric());
  EXPECT_EQ(r.best_lr, 0.3);
}

TEST_F(MoonsSweep, JsonAndCsvFiles) {
  const SweepResult r = run_sweep(moons_model, train, {0.1, 100.0}, options);
  const auto j = r.to_json();
  EXPECT_EQ(j["best_lr"], 0.1);
  ASSERT_EQ(j["runs"].size(), 2u);
  const auto& run = j["runs"][0];
  for (const char* key : {"lr", "verdict", "reason", "seconds", "final_loss", "final_val_loss",
                          "best_val_metric", "history"})
    EXPECT_TRUE(run.contains(key)) << key;
  EXPECT_EQ(run["verdict"], "good");
  EXPECT_EQ(run["best_val_metric"]["name"], "val_accuracy");
  EXPECT_GT(run["best_val_metric"]["value"].get<double>(), 0.8);
  EXPECT_EQ(run["history"]["steps"]["loss"].size(), 96u);
  EXPECT_EQ(j["runs"][1]["verdict"], "diverged");

  const auto dir = std::filesystem::temp_directory_path() / "descent_sweep_files";
  std::filesystem::create_directories(dir);
  write_sweep_csv(r, dir / "sweep.csv");
  write_sweep_steps_csv(r, dir / "steps.csv");
  std::ifstream csv(dir / "sweep.csv");
  std::string header, first;
  std::getline(csv, header);
  std::getline(csv, first);
  EXPECT_EQ(header, "lr,verdict,final_loss,final_val_loss,best_val_accuracy,seconds,reason");
  EXPECT_THAT(first, ::testing::StartsWith("0.1,good,"));
  EXPECT_THAT(first, HasSubstr(",\"the largest fall"));
  std::ifstream steps(dir / "steps.csv");
  std::getline(steps, header);
  std::getline(steps, first);
  EXPECT_EQ(header, "lr,step,epoch,loss");
  EXPECT_THAT(first, ::testing::StartsWith("0.1,1,1,"));
}

TEST_F(MoonsSweep, AFailingRunStopsTheSweepWithItsError) {
  const auto failing = [](double lr) -> std::unique_ptr<Model> {
    if (lr > 0.05) throw DataError("no model for this η");
    return moons_model(lr);
  };
  options.parallel = 2;
  EXPECT_THROW(run_sweep(failing, train, {0.01, 0.1, 0.02}, options), DataError);
}

TEST_F(MoonsSweep, RejectsBadInput) {
  EXPECT_THROW(run_sweep(moons_model, train, {}, options), InvalidArgument);
  EXPECT_THROW(run_sweep(moons_model, train, {0.1, 0.0}, options), InvalidArgument);
  EXPECT_THROW(run_sweep(moons_model, train, {NAN}, options), InvalidArgument);
  EXPECT_THROW(run_sweep(moons_model, train, {-1.0}, options), InvalidArgument);
  options.epochs = 0;
  EXPECT_THROW(run_sweep(moons_model, train, {0.1}, options), InvalidArgument);
  options.epochs = 1;
  options.parallel = -1;
  EXPECT_THROW(run_sweep(moons_model, train, {0.1}, options), InvalidArgument);
}

TEST(LogSpaced, EndsExactAndPowersOfTen) {
  EXPECT_EQ(log_spaced(1e-4, 1, 5), (std::vector<double>{1e-4, 1e-3, 0.01, 0.1, 1}));
  const auto v = log_spaced(1e-4, 1, 8);
  ASSERT_EQ(v.size(), 8u);
  EXPECT_EQ(v.front(), 1e-4);
  EXPECT_EQ(v.back(), 1.0);
  for (std::size_t i = 1; i < v.size(); ++i)
    EXPECT_NEAR(v[i] / v[i - 1], std::pow(1e4, 1.0 / 7), 1e-12);
  EXPECT_THROW(log_spaced(1, 0.1, 3), InvalidArgument);
  EXPECT_THROW(log_spaced(0, 1, 3), InvalidArgument);
  EXPECT_THROW(log_spaced(0.1, 1, 1), InvalidArgument);
}

}  // namespace
}  // namespace descent
