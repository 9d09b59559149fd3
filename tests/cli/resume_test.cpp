// `descent train --resume`: a run killed with SIGKILL at random moments, resumed each time, ends
// bitwise identical to a run never interrupted; and the flags' bad-input behaviour.
#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <fstream>
#include <iostream>
#include <random>
#include <sstream>
#include <thread>
#include <vector>

#include <fmt/format.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "cli_runner.h"
#include "read_file.h"
#include "train/checkpoint.h"
#include "train/weights_file.h"

namespace descent {
namespace {

namespace fs = std::filesystem;
using testing::fresh_dir;

// The step of a run's newest checkpoint (checkpoint-<step>.bin), or -1 when it has none yet. Read
// from the names: CheckpointStore would remove the temporary file of a write in progress.
std::int64_t newest_checkpoint_step(const fs::path& run_dir) {
  std::int64_t newest = -1;
  std::error_code error;  // no such folder yet: no checkpoint
  for (const auto& entry : fs::directory_iterator(run_dir / "checkpoints", error)) {
    const std::string name = entry.path().filename().string();
    if (name.starts_with("checkpoint-") && name.ends_with(".bin"))
      newest = std::max<std::int64_t>(newest, std::stoll(name.substr(11, name.size() - 15)));
  }
  return newest;
}
using testing::read_file;
using testing::run_descent;

const std::string kTraining =
    "--data moons --model mlp:32,32 --optimizer adam --epochs 3 --batch-size 10 --seed 3 "
    "--threads 1 --checkpoint-every 4 --quiet";

// Starts `descent ARGS` in the background, its output discarded.
pid_t spawn_descent(const std::string& arguments) {
  const pid_t pid = fork();
  if (pid == 0) {
    const int null = ::open("/dev/null", O_WRONLY);
    ::dup2(null, 1);
    ::dup2(null, 2);
    const std::string command = std::string("exec ") + DESCENT_BINARY + " " + arguments;
    ::execl("/bin/sh", "sh", "-c", command.c_str(), static_cast<char*>(nullptr));
    ::_exit(127);
  }
  return pid;
}

// The weights and the optimizer state of a run's newest checkpoint, as bytes.
std::string final_state(const fs::path& run_dir) {
  const auto loaded = CheckpointStore(run_dir / "checkpoints", 3).load_latest();
  if (!loaded) return "no checkpoint";
  std::string bytes = loaded->state.meta.at("optimizer").dump();
  for (const auto& [name, tensor] : loaded->state.tensors)
    if (name.starts_with("model/") || name.starts_with("optimizer/"))
      bytes.append(name).append(reinterpret_cast<const char*>(tensor.data()),
                                tensor.size() * sizeof(float));
  return bytes;
}

std::string sha256(const std::string& bytes) {
  const fs::path file =
      fs::temp_directory_path() / ("descent_resume_sha_" + std::to_string(getpid()));
  std::FILE* out = std::fopen(file.c_str(), "wb");
  std::fwrite(bytes.data(), 1, bytes.size(), out);
  std::fclose(out);
  std::string digest;
  if (std::FILE* pipe = popen(("sha256sum " + file.string()).c_str(), "r")) {
    char text[65] = {};
    if (std::fgets(text, sizeof text, pipe) != nullptr) digest = text;
    pclose(pipe);
  }
  fs::remove(file);
  return digest;
}

bool has_temporary_file(const fs::path& dir) {
  std::error_code error;
  for (const auto& entry : fs::directory_iterator(dir, error))
    if (entry.path().filename().string().find(".tmp.") != std::string::npos) return true;
  return false;
}

// Kills `descent train TRAINING` with SIGKILL `kill_count` times, resuming it each time, in `dir`;
// it must end bitwise identical to a run never interrupted.
void expect_sigkills_survived(const fs::path& dir, const std::string& training, int kill_count) {
  const auto reference =
      run_descent("train " + training + " --out " + (dir / "reference").string());
  ASSERT_EQ(reference.exit_code, 0) << reference.output;
  const std::int64_t total_steps = newest_checkpoint_step(dir / "reference");
  ASSERT_GE(total_steps, 100);

  // Kill points at random steps of the first 90% of the run. Each kill waits until the run's
  // newest checkpoint reaches its step, then a random moment of up to 2 ms (some land inside a
  // checkpoint write): the kills follow the run's progress, not the clock, so all of them land
  // before the run ends however loaded the machine is. Points that the resumed run has already
  // passed kill it while it starts up.
  std::mt19937 random(20261127);
  std::uniform_int_distribution<std::int64_t> step(1, total_steps * 9 / 10);
  std::vector<std::int64_t> kill_steps(kill_count);
  for (std::int64_t& s : kill_steps)
    s = step(random);
  std::sort(kill_steps.begin(), kill_steps.end());
  std::uniform_real_distribution<double> delay(0.0, 2e-3);

  const fs::path run = dir / "killed";
  // Killed before its run directory was written, a run starts afresh; after, it resumes.
  const auto next_command = [&] {
    const bool resumable = fs::exists(run / "config.json") && fs::exists(run / "model.json");
    return resumable ? "train --resume " + run.string() + " --quiet"
                     : "train " + training + " --overwrite --out " + run.string();
  };
  int kills = 0, during_write = 0, status = 0;
  for (const std::int64_t kill_step : kill_steps) {
    const pid_t pid = spawn_descent(next_command());
    bool ended = false;
    while (!ended && newest_checkpoint_step(run) < kill_step) {
      std::this_thread::sleep_for(std::chrono::microseconds(100));
      ended = ::waitpid(pid, &status, WNOHANG) == pid;
    }
    ASSERT_FALSE(ended) << "the run ended on its own before step " << kill_step;
    std::this_thread::sleep_for(std::chrono::duration<double>(delay(random)));
    ::kill(pid, SIGKILL);
    ::waitpid(pid, &status, 0);
    ASSERT_TRUE(WIFSIGNALED(status)) << "the run ended on its own before step " << kill_step;
    ++kills;
    during_write += has_temporary_file(run / "checkpoints") ? 1 : 0;
  }
  const auto last = run_descent(next_command());
  ASSERT_EQ(last.exit_code, 0) << last.output;
  std::cout << "[ resume   ] " << kills << " SIGKILLs survived, " << during_write
            << " of them during a checkpoint write\n";
  EXPECT_EQ(kills, kill_count);

  const std::string expected = final_state(dir / "reference");
  ASSERT_NE(expected, "no checkpoint");
  EXPECT_EQ(sha256(final_state(run)), sha256(expected));
  EXPECT_EQ(read_file(run / "steps.csv"), read_file(dir / "reference" / "steps.csv"));
  EXPECT_EQ(read_file(run / "weights.bin"), read_file(dir / "reference" / "weights.bin"));
  EXPECT_FALSE(has_temporary_file(run / "checkpoints"));
}

TEST(Resume, TwentySigkillsThenResumeEndBitwiseIdentical) {
  expect_sigkills_survived(fresh_dir("resume_sigkill"), kTraining, 20);
}

// BatchNormalization's running statistics are state that no optimizer holds: the checkpoints carry
// them beside the weights, and the final comparison (final_state, weights.bin) reads them.
TEST(Resume, ABatchNormalizationRunSurvivesSigkillsWithItsRunningStatistics) {
  const fs::path dir = fresh_dir("resume_sigkill_batchnorm");
  const fs::path model = dir / "batchnorm.json";
  std::ofstream(model) << R"({"layers": [
    {"type": "Dense", "units": 16},
    {"type": "BatchNormalization", "momentum": 0.9},
    {"type": "Activation", "activation": "relu"},
    {"type": "Dense", "units": 2}]})";
  const std::string training =
      "--data moons --model " + model.string() +
      " --optimizer adam --epochs 3 --batch-size 10 --seed 3 --threads 1 --checkpoint-every 4 "
      "--quiet";
  expect_sigkills_survived(dir, training, 20);
  const auto last = CheckpointStore(dir / "killed" / "checkpoints", 3).load_latest();
  ASSERT_TRUE(last);
  const Tensor& variance = last->state.tensors.at("model/batch_normalization/moving_variance");
  EXPECT_NE(variance[0], 1.0f);  // moved by training
}

// A resume that read the checkpoint and then trained from step 0 would end in the same weights; the
// steps it reports having trained, and the step it names, tell the two apart.
TEST(Resume, TrainsOnlyTheStepsAfterItsCheckpoint) {
  const fs::path dir = fresh_dir("resume_counts");
  const fs::path run = dir / "run";
  const auto full = run_descent("train " + kTraining + " --keep 1000 --json --out " + run.string());
  ASSERT_EQ(full.exit_code, 0) << full.output;
  const auto full_results = nlohmann::json::parse(full.output.substr(full.output.find('{')));
  const std::int64_t total = full_results.at("steps_trained");
  ASSERT_EQ(total, newest_checkpoint_step(run));
  const std::string steps = read_file(run / "steps.csv");

  // Keep only the checkpoint of step 240, as a run killed soon after it would have.
  for (const auto& entry : fs::directory_iterator(run / "checkpoints"))
    if (entry.path().filename() != "checkpoint-0000000240.bin") fs::remove(entry.path());
  const auto resumed = run_descent("train --resume " + run.string());
  ASSERT_EQ(resumed.exit_code, 0) << resumed.output;
  EXPECT_NE(resumed.output.find("(step 240, epoch 2, batch 40)"), std::string::npos)
      << resumed.output;
  EXPECT_NE(
      resumed.output.find(fmt::format("Resumed at step 240; trained {} more steps", total - 240)),
      std::string::npos)
      << resumed.output;
  EXPECT_EQ(read_file(run / "steps.csv"), steps);

  for (const auto& entry : fs::directory_iterator(run / "checkpoints"))
    if (entry.path().filename() != "checkpoint-0000000240.bin") fs::remove(entry.path());
  const auto as_json = run_descent("train --resume " + run.string() + " --json");
  ASSERT_EQ(as_json.exit_code, 0) << as_json.output;
  const auto results = nlohmann::json::parse(as_json.output.substr(as_json.output.find('{')));
  EXPECT_EQ(results.at("resumed_from_step"), 240);
  EXPECT_EQ(results.at("steps_trained"), total - 240);
}

// Schedule-Free checkpoints hold the training point y and the average x: a run resumed from one
// mid-epoch ends with the same saved weights, which are x, not the y the checkpoints hold.
TEST(Resume, ScheduleFreeResumesToTheSameAverage) {
  for (const char* optimizer : {"sgd_schedule_free --lr 0.3", "adamw_schedule_free"}) {
    SCOPED_TRACE(optimizer);
    const fs::path run = fresh_dir("resume_schedule_free") / "run";
    const auto full = run_descent(fmt::format(
        "train --data moons --model mlp:16 --optimizer {} --opt warmup_steps=10 --epochs 2 "
        "--batch-size 10 --validation-split 0.2 --seed 3 --threads 1 --checkpoint-every 7 "
        "--keep 1000 --quiet --out {}",
        optimizer, run.string()));
    ASSERT_EQ(full.exit_code, 0) << full.output;
    // history.csv without its last column, the epochs' seconds: loss, metrics, val_loss at x, η.
    const auto figures = [&run] {
      std::string out, line;
      std::istringstream in(read_file(run / "history.csv"));
      while (std::getline(in, line))
        out += line.substr(0, line.rfind(',')) + "\n";
      return out;
    };
    const std::string weights = read_file(run / "weights.bin");
    const std::string history = figures();
    const std::string steps = read_file(run / "steps.csv");

    const auto last = CheckpointStore(run / "checkpoints", 1000).load_latest();
    ASSERT_TRUE(last);
    const StateDict saved = read_weights_file(run / "weights.bin");
    for (const auto& [name, tensor] : saved.tensors) {
      const auto bytes = [](const Tensor& t) {
        return std::string(reinterpret_cast<const char*>(t.data()), t.size() * sizeof(float));
      };
      EXPECT_NE(bytes(last->state.tensors.at("model/" + name)), bytes(tensor)) << name;
      bool in_x = false;
      for (const auto& [key, x] : last->state.tensors)
        in_x = in_x || (key.starts_with("optimizer/state.") && key.ends_with(".x") &&
                        bytes(x) == bytes(tensor));
      EXPECT_TRUE(in_x) << name << " is not the average x of the last checkpoint";
    }

    // Keep one mid-epoch checkpoint of the first epoch, as a run killed there would have.
    const std::vector<fs::path> files = CheckpointStore(run / "checkpoints", 1000).files();
    ASSERT_GE(files.size(), 4u);
    for (std::size_t i = 0; i < files.size(); ++i)
      if (i != 1) fs::remove(files[i]);
    const auto resumed = run_descent("train --resume " + run.string() + " --quiet");
    ASSERT_EQ(resumed.exit_code, 0) << resumed.output;
    EXPECT_EQ(read_file(run / "weights.bin"), weights);
    EXPECT_EQ(figures(), history);
    EXPECT_EQ(read_file(run / "steps.csv"), steps);
  }
}

TEST(Resume, RefusesSettingsAndMissingRuns) {
  const fs::path dir = fresh_dir("resume_refuses");
  const auto refused = run_descent("train --resume " + dir.string() + " --lr 0.1");
  EXPECT_EQ(refused.exit_code, 2);
  EXPECT_NE(refused.output.find("--lr cannot be given with it"), std::string::npos)
      << refused.output;
  const auto missing = run_descent("train --resume " + (dir / "nowhere").string());
  EXPECT_EQ(missing.exit_code, 4);
  EXPECT_NE(missing.output.find("does not exist"), std::string::npos) << missing.output;
  const auto not_a_run = run_descent("train --resume " + dir.string());
  EXPECT_NE(not_a_run.exit_code, 0);
  EXPECT_NE(not_a_run.output.find("config.json"), std::string::npos) << not_a_run.output;
}

// A damaged config.json: a float where the checkpoint interval's integer belongs is one clear
// error, not undefined behaviour in the conversion.
TEST(Resume, AFloatInTheRunsCheckpointSettingsIsRefused) {
  const fs::path run = fresh_dir("resume_damaged_config") / "run";
  ASSERT_EQ(run_descent("train --data moons --epochs 1 --quiet --out " + run.string()).exit_code,
            0);
  nlohmann::json config = nlohmann::json::parse(read_file(run / "config.json"));
  config["checkpoints"]["every"] = 1e300;
  std::ofstream(run / "config.json") << config.dump();
  const auto result = run_descent("train --resume " + run.string());
  EXPECT_NE(result.exit_code, 0);
  EXPECT_NE(result.output.find("checkpoints.every must be an integer"), std::string::npos)
      << result.output;
}

TEST(Resume, BadCheckpointAndDivergenceFlagsAreRefused) {
  for (const std::string flags :
       {"--keep 0", "--checkpoint-every -1", "--on-divergence retry", "--rollback-factor 1",
        "--rollback-factor nan", "--max-rollbacks -2"}) {
    const auto result = run_descent("train --data moons --epochs 1 --quiet " + flags + " --out " +
                                    fresh_dir("resume_flags").string());
    EXPECT_EQ(result.exit_code, 2) << flags << ": " << result.output;
    const std::string name = flags.substr(0, flags.find(' '));
    EXPECT_NE(result.output.find(name), std::string::npos) << result.output;
  }
}

TEST(Resume, RollbackFromTheCommandLineRecoversAndSaysSo) {
  // A CSV whose one row is so large that its batch's loss overflows.
  const fs::path dir = fresh_dir("resume_rollback");
  std::string csv = "x,y\n";
  for (int i = 0; i < 40; ++i)
    csv += std::to_string(i % 7 * 0.1) + "," + std::to_string(i % 7 * 0.2) + "\n";
  csv += "1e30,1\n";
  for (int i = 0; i < 19; ++i)
    csv += std::to_string(i % 5 * 0.1) + "," + std::to_string(i % 5 * 0.2) + "\n";
  testing::write_file(dir / "poisoned.csv", csv);
  const std::string training = "train --data " + (dir / "poisoned.csv").string() +
                               " --model linear --optimizer sgd --lr 0.1 --epochs 1 "
                               "--batch-size 10 --quiet --out ";
  const auto stopped = run_descent(training + (dir / "stop").string());
  EXPECT_EQ(stopped.exit_code, 5) << stopped.output;
  EXPECT_NE(stopped.output.find("loss became inf at step"), std::string::npos) << stopped.output;

  const auto recovered =
      run_descent(training + (dir / "rollback").string() + " --on-divergence rollback --json");
  EXPECT_EQ(recovered.exit_code, 0) << recovered.output;
  EXPECT_NE(recovered.output.find("\"recoveries\""), std::string::npos) << recovered.output;
  EXPECT_NE(read_file(dir / "rollback" / "history.json").find("\"lr_after\": 0.05"),
            std::string::npos);
}

}  // namespace
}  // namespace descent
