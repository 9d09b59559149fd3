// `descent train --resume`: a run killed with SIGKILL at random moments, resumed each time, ends
// bitwise identical to a run never interrupted; and the flags' bad-input behaviour.
#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <iostream>
#include <random>
#include <thread>

#include <gtest/gtest.h>

#include "cli_runner.h"
#include "read_file.h"
#include "train/checkpoint.h"

namespace descent {
namespace {

namespace fs = std::filesystem;
using testing::fresh_dir;

bool has_checkpoint(const fs::path& run_dir) {
  std::error_code error;  // no such folder yet: no checkpoint
  return fs::exists(run_dir / "checkpoints", error) &&
         !fs::is_empty(run_dir / "checkpoints", error);
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

TEST(Resume, TwentySigkillsThenResumeEndBitwiseIdentical) {
  const fs::path dir = fresh_dir("resume_sigkill");
  // The uninterrupted run, timed: how long until its first checkpoint (start-up: loading, building)
  // and how long in all, so that the kills below fall while it trains.
  using Clock = std::chrono::steady_clock;
  const auto started = Clock::now();
  const pid_t reference =
      spawn_descent("train " + kTraining + " --out " + (dir / "reference").string());
  double startup = -1;
  int status = 0;
  while (::waitpid(reference, &status, WNOHANG) == 0) {
    if (startup < 0 && has_checkpoint(dir / "reference"))
      startup = std::chrono::duration<double>(Clock::now() - started).count();
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
  const double seconds = std::chrono::duration<double>(Clock::now() - started).count();
  startup = std::max(0.0, startup);

  const fs::path run = dir / "killed";
  std::mt19937 random(20261127);
  // Each attempt starts up, then trains for a random while: 20 kills cover about half a run,
  // so that even on a machine whose load changes, most of them land before the run ends.
  std::uniform_real_distribution<double> wait(startup, startup + (seconds - startup) / 20.0);
  int kills = 0, during_write = 0, attempts = 0;
  bool finished = false;
  // Killed before its run directory was written, a run starts afresh; after, it resumes.
  const auto next_command = [&] {
    const bool resumable = fs::exists(run / "config.json") && fs::exists(run / "model.json");
    return resumable ? "train --resume " + run.string() + " --quiet"
                     : "train " + kTraining + " --overwrite --out " + run.string();
  };
  while (kills < 20 && !finished && attempts++ < 200) {
    const pid_t pid = spawn_descent(next_command());
    std::this_thread::sleep_for(std::chrono::duration<double>(wait(random)));
    if (::waitpid(pid, &status, WNOHANG) == pid) {
      ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << "a resume failed";
      finished = true;
      break;
    }
    ::kill(pid, SIGKILL);
    ::waitpid(pid, &status, 0);
    if (WIFSIGNALED(status)) {
      ++kills;
      during_write += has_temporary_file(run / "checkpoints") ? 1 : 0;
    } else {
      finished = WIFEXITED(status) && WEXITSTATUS(status) == 0;
    }
  }
  const auto last = run_descent(next_command());
  ASSERT_EQ(last.exit_code, 0) << last.output;
  std::cout << "[ resume   ] " << kills << " SIGKILLs survived, " << during_write
            << " of them during a checkpoint write\n";
  EXPECT_GE(kills, 10);

  const std::string expected = final_state(dir / "reference");
  ASSERT_NE(expected, "no checkpoint");
  EXPECT_EQ(sha256(final_state(run)), sha256(expected));
  EXPECT_EQ(read_file(run / "steps.csv"), read_file(dir / "reference" / "steps.csv"));
  EXPECT_EQ(read_file(run / "weights.bin"), read_file(dir / "reference" / "weights.bin"));
  EXPECT_FALSE(has_temporary_file(run / "checkpoints"));
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
