#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "cli_runner.h"
#include "read_file.h"

namespace descent::testing {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;

// The whole pipeline on a small set: range test, sweep around its suggestion, final run with the
// best η of the sweep, and the report, each stage in its own subdirectory.
TEST(TuneCommand, ChoosesTheSweepsBestAndWritesEveryStage) {
  const fs::path dir = fresh_dir("tune_spirals");
  const CommandResult r = run_descent(
      "tune --data spirals --model mlp:32,32 --optimizer sgd --momentum 0.9 --batch-size 16 "
      "--epochs 2 --sweep-points 3 --json --out " +
      (dir / "run").string());
  ASSERT_EQ(r.exit_code, 0) << r.output;
  const auto result = last_json_line(r.output);
  const double suggested = result["suggested"]["lr"].get<double>();
  const double chosen = result["chosen_lr"].get<double>();
  // The sweep spans a tenth to three times the suggestion, 2 more η for each widening past an
  // edge, and the chosen η is one of its runs.
  const int widenings = result["sweep"]["widenings"].get<int>();
  const auto lrs = result["sweep"]["lrs"].get<std::vector<double>>();
  ASSERT_EQ(lrs.size(), 3u + 2u * widenings);
  const auto swept = [&](double lr) {
    return std::any_of(lrs.begin(), lrs.end(),
                       [&](double x) { return std::abs(x - lr) < 1e-9 * lr; });
  };
  EXPECT_TRUE(swept(suggested / 10) && swept(suggested * 3)) << result.dump();
  EXPECT_TRUE(swept(chosen)) << result.dump();
  EXPECT_TRUE(std::is_sorted(lrs.begin(), lrs.end()));
  EXPECT_THAT(result["confidence"]["summary"].get<std::string>(),
              HasSubstr(result["confidence"]["level"].get<std::string>() + ": "));
  EXPECT_THAT(result["reason"].get<std::string>(), HasSubstr("lowest validation loss"));
  for (const char* file :
       {"config.json", "results.json", "report.html", "find-lr/lr_finder.json", "sweep/sweep.json",
        "final/history.json", "final/weights.bin", "final/loss.png"})
    EXPECT_TRUE(fs::exists(dir / "run" / file)) << file;
  // Each sweep run is the final run in small: the same one-cycle schedule, from a 25th of its
  // peak, over a tenth of the final run's steps (30 at least).
  const auto sweep_config = nlohmann::json::parse(std::ifstream(dir / "run/sweep/config.json"));
  EXPECT_EQ(sweep_config["schedule"], "onecycle");
  EXPECT_EQ(sweep_config["steps"], 30);
  const auto sweep = nlohmann::json::parse(std::ifstream(dir / "run/sweep/sweep.json"));
  for (const auto& run : sweep["runs"]) {
    const double peak = run["lr"].get<double>();
    EXPECT_NEAR(run["history"]["steps"]["lr"][0].get<double>(), peak / 25, 1e-9 * peak);
  }
  // The final run trained with the chosen η as the one-cycle peak.
  const auto final_config = nlohmann::json::parse(std::ifstream(dir / "run/final/config.json"));
  EXPECT_EQ(final_config["schedule"]["name"], "OneCycleLR");
}

// On this set the best of the three η is the highest: without widening the choice says it is
// unsure; with it the sweep goes on past that edge, two η at a time, until the best is inside.
TEST(TuneCommand, TheSweepWidensPastTheEdgeWhereItsBestLies) {
  const std::string tune =
      "tune --data moons --model mlp:16 --epochs 2 --sweep-points 3 --quiet --json --out ";
  const fs::path dir = fresh_dir("tune_widen");
  const CommandResult kept = run_descent(tune + (dir / "kept").string() + " --sweep-widen 0");
  ASSERT_EQ(kept.exit_code, 0) << kept.output;
  const auto k = last_json_line(kept.output);
  ASSERT_EQ(k["sweep"]["lrs"].size(), 3u);
  EXPECT_EQ(k["chosen_lr"], k["sweep"]["lrs"][2]);
  EXPECT_EQ(k["confidence"]["level"], "low");
  EXPECT_EQ(k["confidence"]["at_edge"], true);

  const CommandResult widened = run_descent(tune + (dir / "widened").string());
  ASSERT_EQ(widened.exit_code, 0) << widened.output;
  const auto w = last_json_line(widened.output);
  EXPECT_EQ(w["sweep"]["widenings"], 1);
  ASSERT_EQ(w["sweep"]["lrs"].size(), 5u);
  EXPECT_EQ(w["sweep"]["lrs"][2], k["sweep"]["lrs"][2]);  // the grid, then what lies past it
  EXPECT_GT(w["sweep"]["lrs"][3].get<double>(), w["sweep"]["lrs"][2].get<double>());
  EXPECT_EQ(w["confidence"]["at_edge"], false);
  EXPECT_THAT(w["reason"].get<std::string>(),
              HasSubstr("the grid widened 1 time(s) past its edge"));
  const auto sweep = nlohmann::json::parse(std::ifstream(dir / "widened/sweep/sweep.json"));
  EXPECT_EQ(sweep["runs"].size(), 5u);
  EXPECT_THAT(read_file(dir / "widened/report.html"),
              HasSubstr("<p class=\"confidence\">Confidence: " +
                        w["confidence"]["summary"].get<std::string>()));
  EXPECT_EQ(run_descent(tune + (dir / "bad").string() + " --sweep-widen -1").output,
            "descent: error: --sweep-widen must be >= 0, got -1\n");
}

// Successive halving: rung 1 trains every η for a third of a sweep run's steps, each later rung
// the best third of the one before for three times the steps (capped at the final run's 45), and
// the pick reads the last rung.
TEST(TuneCommand, SuccessiveHalvingTrainsTheBestThirdLongerAndPicksFromTheLastRung) {
  const fs::path dir = fresh_dir("tune_halving");
  const CommandResult r = run_descent(
      "tune --data moons --model mlp:16 --epochs 3 --sweep-points 5 --sweep-widen 0 "
      "--sweep-rungs 3 --quiet --json --out " +
      (dir / "run").string());
  ASSERT_EQ(r.exit_code, 0) << r.output;
  const auto result = last_json_line(r.output);
  const auto& rungs = result["sweep"]["rungs"];
  ASSERT_EQ(rungs.size(), 3u) << result.dump();
  const std::vector<std::size_t> sizes = {5, 2, 1};
  const std::vector<int> steps = {10, 30, 45};
  for (std::size_t rung = 0; rung < 3; ++rung) {
    EXPECT_EQ(rungs[rung]["runs"].size(), sizes[rung]) << rung;
    EXPECT_EQ(rungs[rung]["steps"], steps[rung]) << rung;
  }
  EXPECT_EQ(rungs[0]["runs"].size(), result["sweep"]["lrs"].size());
  // Each later rung's η are the lowest validation losses of the rung before.
  for (std::size_t rung = 1; rung < 3; ++rung) {
    std::vector<double> losses;
    for (const auto& run : rungs[rung - 1]["runs"])
      losses.push_back(run["val_loss"].get<double>());
    std::sort(losses.begin(), losses.end());
    for (const auto& run : rungs[rung]["runs"]) {
      const auto before =
          std::find_if(rungs[rung - 1]["runs"].begin(), rungs[rung - 1]["runs"].end(),
                       [&](const nlohmann::json& r0) { return r0["lr"] == run["lr"]; });
      ASSERT_NE(before, rungs[rung - 1]["runs"].end()) << run.dump();
      EXPECT_LE((*before)["val_loss"].get<double>(), losses[sizes[rung] - 1]) << run.dump();
    }
  }
  EXPECT_EQ(result["chosen_lr"], rungs[2]["runs"][0]["lr"]);
  EXPECT_EQ(result["sweep"]["best_lr"], rungs[2]["runs"][0]["lr"]);
  EXPECT_THAT(result["reason"].get<std::string>(),
              HasSubstr("after 45 steps of the final schedule among the 1 η of rung 3 of a "
                        "successive halving (5 η × 10 steps -> 2 η × 30 steps -> 1 η × "
                        "45 steps)"));
  // Each rung is a sweep run directory of its own, its runs as long as the rung says.
  for (int rung = 1; rung < 3; ++rung) {
    const fs::path rung_dir = dir / "run/sweep" / ("rung-" + std::to_string(rung));
    const auto sweep = nlohmann::json::parse(std::ifstream(rung_dir / "sweep.json"));
    ASSERT_EQ(sweep["runs"].size(), sizes[rung]);
    EXPECT_EQ(sweep["runs"][0]["history"]["steps"]["step"].size(), steps[rung]);
    EXPECT_EQ(nlohmann::json::parse(std::ifstream(rung_dir / "config.json"))["steps"], steps[rung]);
  }
  const auto config = nlohmann::json::parse(std::ifstream(dir / "run/config.json"));
  EXPECT_EQ(config["tune"]["sweep_rungs"], 3);
}

TEST(TuneCommand, RefusesABadNumberOfRungs) {
  const fs::path dir = fresh_dir("tune_bad_rungs");
  const std::string tune = "tune --data moons --out " + (dir / "run").string();
  const CommandResult none = run_descent(tune + " --sweep-rungs 0");
  EXPECT_EQ(none.exit_code, 2);
  EXPECT_EQ(none.output, "descent: error: --sweep-rungs must be >= 1, got 0\n");
  const CommandResult many = run_descent(tune + " --sweep-rungs 6");
  EXPECT_EQ(many.exit_code, 2);
  EXPECT_EQ(many.output, "descent: error: --sweep-rungs must be at most 5 (docs/cli.md), got 6\n");
  EXPECT_FALSE(fs::exists(dir / "run"));
}

// Sweep runs too short for the final schedule (2 steps of one-cycle) train at a constant η, and
// say so, instead of failing after the range test.
TEST(TuneCommand, SweepRunsTooShortForTheScheduleTrainAtAConstantEta) {
  const fs::path dir = fresh_dir("tune_short_sweep");
  const CommandResult r = run_descent(
      "tune --data moons --model mlp:8 --batch-size 1024 --epochs 4 --sweep-epochs 1 "
      "--finder-iters 10 --out " +
      (dir / "run").string());
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_THAT(r.output, HasSubstr("The sweep runs (2 steps) train at a constant η: OneCycleLR: "));
  const auto sweep_config = nlohmann::json::parse(std::ifstream(dir / "run/sweep/config.json"));
  EXPECT_TRUE(sweep_config["schedule"].is_null());
}

// A tune run that lost a sweep run and the end of its final training (as a kill would) is resumed:
// the range test is not redone, the lost sweep run is, the final training goes on from its last
// checkpoint, and the final weights equal those of the run that was never interrupted.
TEST(TuneCommand, ResumeRedoesOnlyWhatWasLost) {
  const fs::path dir = fresh_dir("tune_resume");
  const std::string run = (dir / "run").string();
  const CommandResult first = run_descent(
      "tune --data moons --model mlp:16 --batch-size 32 --epochs 3 --sweep-points 3 "
      "--checkpoint-every 20 --keep 100 --threads 1 --quiet --out " +
      run);
  ASSERT_EQ(first.exit_code, 0) << first.output;
  const std::string weights = read_file(dir / "run/final/weights.bin");
  const std::string sweep_steps = read_file(dir / "run/sweep/sweep_steps.csv");
  const auto finder_time = fs::last_write_time(dir / "run/find-lr/lr_finder.json");
  fs::remove(dir / "run/sweep/runs/run-1.json");
  std::vector<fs::path> checkpoints;
  for (const auto& entry : fs::directory_iterator(dir / "run/final/checkpoints"))
    checkpoints.push_back(entry.path());
  std::sort(checkpoints.begin(), checkpoints.end());
  ASSERT_GE(checkpoints.size(), 4u);
  for (std::size_t i = 2; i < checkpoints.size(); ++i)  // back to step 40 of 189
    fs::remove(checkpoints[i]);
  fs::remove(dir / "run/final/weights.bin");

  const CommandResult resumed = run_descent("tune --resume " + run);
  ASSERT_EQ(resumed.exit_code, 0) << resumed.output;
  EXPECT_THAT(resumed.output, HasSubstr("1/3 Range test: done before"));
  EXPECT_EQ(fs::last_write_time(dir / "run/find-lr/lr_finder.json"), finder_time);
  EXPECT_TRUE(fs::exists(dir / "run/sweep/runs/run-1.json"));
  EXPECT_EQ(read_file(dir / "run/sweep/sweep_steps.csv"), sweep_steps);
  EXPECT_EQ(read_file(dir / "run/final/weights.bin"), weights);
}

// A halving tune run that lost a run of its second rung and its final weights is resumed: only
// that run trains again, and the results are those of the run never interrupted.
TEST(TuneCommand, ResumeRedoesOnlyTheLostRunOfARung) {
  const fs::path dir = fresh_dir("tune_resume_rungs");
  const std::string run = (dir / "run").string();
  const CommandResult first = run_descent(
      "tune --data moons --model mlp:16 --batch-size 32 --epochs 3 --sweep-points 5 "
      "--sweep-rungs 3 --threads 1 --quiet --json --out " +
      run);
  ASSERT_EQ(first.exit_code, 0) << first.output;
  const auto results = last_json_line(first.output);
  const std::string weights = read_file(dir / "run/final/weights.bin");
  const std::string rung_steps = read_file(dir / "run/sweep/rung-1/sweep_steps.csv");
  const auto kept_time = fs::last_write_time(dir / "run/sweep/rung-1/runs/run-0.json");
  ASSERT_TRUE(fs::exists(dir / "run/sweep/rung-1/runs/run-1.json"));
  fs::remove(dir / "run/sweep/rung-1/runs/run-1.json");
  fs::remove_all(dir / "run/final");

  const CommandResult resumed = run_descent("tune --resume " + run + " --json");
  ASSERT_EQ(resumed.exit_code, 0) << resumed.output;
  const auto again = last_json_line(resumed.output);
  EXPECT_EQ(again["sweep"]["rungs"], results["sweep"]["rungs"]);
  EXPECT_EQ(again["chosen_lr"], results["chosen_lr"]);
  EXPECT_EQ(fs::last_write_time(dir / "run/sweep/rung-1/runs/run-0.json"), kept_time);
  EXPECT_EQ(read_file(dir / "run/sweep/rung-1/sweep_steps.csv"), rung_steps);
  EXPECT_EQ(read_file(dir / "run/final/weights.bin"), weights);
}

// A run directory from before successive halving (no sweep_rungs in its settings) resumes as the
// one-rung sweep it was.
TEST(TuneCommand, ARunFromBeforeHalvingResumesWithOneRung) {
  const fs::path dir = fresh_dir("tune_resume_old");
  const std::string run = (dir / "run").string();
  const CommandResult first = run_descent(
      "tune --data moons --model mlp:16 --batch-size 32 --epochs 3 --sweep-points 3 "
      "--sweep-rungs 1 --threads 1 --quiet --json --out " +
      run);
  ASSERT_EQ(first.exit_code, 0) << first.output;
  const std::string weights = read_file(dir / "run/final/weights.bin");
  auto config = nlohmann::json::parse(std::ifstream(dir / "run/config.json"));
  config["tune"].erase("sweep_rungs");
  std::ofstream(dir / "run/config.json") << config.dump();
  fs::remove_all(dir / "run/final");

  const CommandResult resumed = run_descent("tune --resume " + run + " --json");
  ASSERT_EQ(resumed.exit_code, 0) << resumed.output;
  EXPECT_EQ(last_json_line(resumed.output)["sweep"]["rungs"].size(), 1u);
  EXPECT_FALSE(fs::exists(dir / "run/sweep/rung-1"));
  EXPECT_EQ(read_file(dir / "run/final/weights.bin"), weights);
}

// Every optimizer finishes a tune run with the default one-cycle schedule: its momentum (or β1)
// is cycled where the optimizer has one and left alone where it has none (Adagrad, Adadelta,
// DoG, and Schedule-Free, whose β is its interpolation weight).
TEST(TuneCommand, EveryOptimizerTunesWithTheOneCycleSchedule) {
  for (const char* optimizer :
       {"sgd", "adagrad", "adadelta", "rmsprop", "adam", "adamw", "adamax", "nadam", "lion", "dog",
        "prodigy", "dadapt_sgd", "dadapt_adam", "sgd_schedule_free", "adamw_schedule_free"}) {
    const fs::path dir = fresh_dir(std::string("tune_") + optimizer);
    const CommandResult r = run_descent(
        std::string("tune --data moons --model mlp:8 --batch-size 64 --epochs 1 --finder-iters 20 "
                    "--sweep-points 2 --quiet --json --optimizer ") +
        optimizer + " --out " + (dir / "run").string());
    ASSERT_EQ(r.exit_code, 0) << optimizer << ": " << r.output;
    const auto config = nlohmann::json::parse(std::ifstream(dir / "run/final/config.json"));
    EXPECT_EQ(config["schedule"]["name"], "OneCycleLR") << optimizer;
    const std::string name = optimizer;
    const bool has_momentum = name != "adagrad" && name != "adadelta" && name != "dog" &&
                              !name.ends_with("_schedule_free");
    EXPECT_EQ(config["schedule"]["config"]["cycle_momentum"], has_momentum) << optimizer;
  }
}

// A schedule that cycles the momentum, asked for by name with an optimizer that has none, is
// refused before any run directory is written.
TEST(TuneCommand, AnExplicitMomentumCycleForAnOptimizerWithoutOneIsRefused) {
  const fs::path dir = fresh_dir("train_adagrad_onecycle");
  const CommandResult r = run_descent(
      "train --data moons --model mlp:8 --optimizer adagrad --schedule OneCycleLR --epochs 1 "
      "--out " +
      (dir / "run").string());
  EXPECT_EQ(r.exit_code, 2) << r.output;
  EXPECT_THAT(r.output, HasSubstr("OneCycleLR cycles the momentum, which adagrad does not have"));
  EXPECT_FALSE(fs::exists(dir / "run"));
}

TEST(TuneCommand, RefusesAFixedLearningRateAndBadStages) {
  for (const char* flags : {"--lr 0.1", "--sweep-points 1", "--sweep-epochs 0", "--finder-iters 1",
                            "--validation-split 0", "--schedule NoSuchSchedule"}) {
    const CommandResult r = run_descent(std::string("tune --data moons ") + flags);
    EXPECT_EQ(r.exit_code, 2) << flags << ": " << r.output;
    EXPECT_THAT(r.output, HasSubstr("descent: error:")) << flags;
  }
}

// A final run too short for its schedule (one step: one epoch in one batch) is refused before the
// finder runs, not after the sweep has written its stages (the command-line fuzzer found this).
TEST(TuneCommand, AFinalRunTooShortForItsScheduleIsRefusedBeforeAnyStage) {
  const fs::path dir = fresh_dir("tune_one_step");
  const CommandResult r = run_descent(
      "tune --data moons --model mlp:4 --finder-iters 10 --sweep-points 2 --sweep-epochs 1 "
      "--epochs 1 --batch-size 4294967296 --quiet --out " +
      (dir / "run").string());
  EXPECT_EQ(r.exit_code, 2) << r.output;
  EXPECT_THAT(r.output, HasSubstr("the final run (1 optimizer steps)"));
  EXPECT_THAT(r.output, HasSubstr("total_steps must be >= 2"));
  EXPECT_FALSE(fs::exists(dir / "run"));
}

}  // namespace
}  // namespace descent::testing
