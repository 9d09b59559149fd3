// Character-level language models on the command line: --data text:FILE, --model gpt:..., the
// run's vocab.json and bits per character, evaluate, generate, and the LR tools on a tiny gpt.
#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "cli_runner.h"

namespace descent::testing {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;
using ::testing::StartsWith;

// About 3,000 characters of a small language: 15 distinct characters.
std::string corpus() {
  const char* words[] = {"the cat ", "sat on ", "a mat. ", "the dog ", "ran to ", "the cat.\n"};
  std::string text;
  for (int i = 0; text.size() < 3000; ++i)
    text += words[(i * 5 + i / 7) % 6];
  return text;
}

fs::path text_file(const fs::path& dir) {
  write_file(dir / "corpus.txt", corpus());
  return dir / "corpus.txt";
}

// One thread: a model this small only waits on more.
constexpr const char* kTinyGpt = " --model gpt:layers=1,heads=2,dim=16,context=16 --threads 1 ";

nlohmann::json run_file_json(const fs::path& path) {
  return nlohmann::json::parse(std::ifstream(path));
}

TEST(TextModel, TrainsWritesTheVocabularyAndReportsBitsPerCharacter) {
  const fs::path dir = fresh_dir("text_train");
  const fs::path run = dir / "run";
  const CommandResult r =
      run_descent("train --data text:" + text_file(dir).string() + kTinyGpt +
                  "--optimizer adamw --lr 0.01 --batch-size 32 --epochs 3 --out " + run.string());
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_THAT(r.output, HasSubstr("15 distinct: 168 train and 18 held-out windows of 16"));
  EXPECT_THAT(r.output, HasSubstr("bits per character"));
  EXPECT_THAT(r.output, HasSubstr("Held-out text: loss "));

  const auto vocab = run_file_json(run / "vocab.json");
  ASSERT_EQ(vocab["characters"].size(), 15u);
  EXPECT_EQ(vocab["characters"][0], "\n");
  const auto model = run_file_json(run / "model.json");
  EXPECT_EQ(model["outputs"], nlohmann::json::array({"logits"}));
  const auto results = run_file_json(run / "results.json");
  const double loss = results["final"]["loss"].get<double>();
  // The loss falls from log(15), a uniform guess, where a model drawn at N(0, 0.02²) starts.
  EXPECT_LT(loss, std::log(15.0) - 0.5);
  EXPECT_NEAR(results["final"]["bits_per_character"].get<double>(), loss / std::log(2.0), 1e-9);
  const double test_loss = results["test"]["loss"].get<double>();
  EXPECT_NEAR(results["test"]["bits_per_character"].get<double>(), test_loss / std::log(2.0), 1e-9);
  EXPECT_GT(results["test"]["accuracy"].get<double>(), 1.0 / 15);

  const CommandResult evaluated = run_descent("evaluate " + run.string() + " --json");
  ASSERT_EQ(evaluated.exit_code, 0) << evaluated.output;
  const auto figures = last_json_line(evaluated.output);
  EXPECT_EQ(figures["samples"], 18);
  EXPECT_NEAR(figures["loss"].get<double>(), test_loss, 1e-6);
  EXPECT_NEAR(figures["bits_per_character"].get<double>(), test_loss / std::log(2.0), 1e-6);

  // Other text is read with the run's vocabulary and window length.
  const CommandResult same =
      run_descent("evaluate " + run.string() + " --json --data text:" + text_file(dir).string());
  ASSERT_EQ(same.exit_code, 0) << same.output;
  EXPECT_NEAR(last_json_line(same.output)["loss"].get<double>(), test_loss, 1e-6);
  write_file(dir / "other.txt", corpus().substr(0, 500) + "zebra");
  const CommandResult foreign =
      run_descent("evaluate " + run.string() + " --data text:" + (dir / "other.txt").string());
  EXPECT_EQ(foreign.exit_code, 3);
  EXPECT_EQ(foreign.output, "descent: error: " + (dir / "other.txt").string() +
                                ": character 'z' (U+007A) at position 500 is not in the "
                                "vocabulary\n");

  const CommandResult predicted =
      run_descent("predict " + run.string() + " --output " + (dir / "p.csv").string());
  EXPECT_EQ(predicted.exit_code, 2) << predicted.output;
  EXPECT_THAT(predicted.output, HasSubstr("use descent evaluate for its loss or descent generate"));
}

TEST(TextModel, GenerateSamplesTheSameTextForASeed) {
  const fs::path dir = fresh_dir("text_generate");
  const fs::path run = dir / "run";
  ASSERT_EQ(run_descent("train --data text:" + text_file(dir).string() + kTinyGpt +
                        "--optimizer adamw --lr 0.01 --epochs 1 --quiet --out " + run.string())
                .exit_code,
            0);
  const std::string generate =
      "generate " + run.string() + " --threads 1 --prompt 'the ' --tokens 10 ";
  const CommandResult first = run_descent(generate + "--seed 3 --temperature 0.8 --top-k 5");
  ASSERT_EQ(first.exit_code, 0) << first.output;
  EXPECT_THAT(first.output, StartsWith("the "));
  EXPECT_EQ(first.output.size(), 4u + 10u + 1u);  // prompt, 10 one-byte characters, newline
  EXPECT_EQ(run_descent(generate + "--seed 3 --temperature 0.8 --top-k 5").output, first.output);
  EXPECT_NE(run_descent(generate + "--seed 4 --temperature 0.8 --top-k 5").output, first.output);
  for (const char* bad : {"0", "-1", "nan", "inf"}) {
    const CommandResult r = run_descent(generate + "--temperature " + bad);
    EXPECT_EQ(r.exit_code, 2) << bad;
    EXPECT_THAT(r.output, StartsWith("descent: error: --temperature must be finite and > 0"));
  }
  const CommandResult unknown = run_descent("generate " + run.string() + " --prompt 'thé'");
  EXPECT_EQ(unknown.exit_code, 3);
  EXPECT_EQ(unknown.output,
            "descent: error: --prompt: character 'é' (U+00E9) at position 2 is not in the "
            "vocabulary\n");
  EXPECT_EQ(run_descent(generate + "--top-k -2").exit_code, 2);
  EXPECT_EQ(run_descent(generate + "--tokens 0").exit_code, 2);
  EXPECT_EQ(run_descent("generate " + (dir / "nowhere").string()).exit_code, 4);
  const CommandResult help = run_descent("generate --help");
  EXPECT_EQ(help.exit_code, 0);
  EXPECT_THAT(help.output, HasSubstr("--temperature"));
}

TEST(TextModel, GenerateRefusesARunThatIsNotOnText) {
  const fs::path dir = fresh_dir("text_generate_moons");
  ASSERT_EQ(run_descent("train --data moons --model linear --epochs 1 --quiet --out " +
                        (dir / "run").string())
                .exit_code,
            0);
  const CommandResult r = run_descent("generate " + (dir / "run").string());
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.output, HasSubstr("not on text: generate needs a run of --data text:FILE"));
}

TEST(TextModel, BadTextAndModelsAreRefusedInOneLineWithoutARunDirectory) {
  const fs::path dir = fresh_dir("text_bad");
  const fs::path run = dir / "run";
  write_file(dir / "latin1.txt", "fine\ncaf\xE9\n");
  write_file(dir / "empty.txt", "");
  write_file(dir / "short.txt", "eighteen letters.\n");
  const std::string train = "train --epochs 1 --out " + run.string() + " ";
  struct Case {
    std::string arguments;
    int exit_code;
    std::string message;
  };
  const std::vector<Case> cases = {
      {"--data text:" + (dir / "latin1.txt").string() + kTinyGpt, 3,
       (dir / "latin1.txt").string() + ": line 2 is not valid UTF-8"},
      {"--data text:" + (dir / "empty.txt").string() + kTinyGpt, 3,
       (dir / "empty.txt").string() + " is empty"},
      {"--data text:" + (dir / "short.txt").string() + kTinyGpt, 3,
       (dir / "short.txt").string() +
           ": 18 characters are too few for a context of 16: the first 90% of the text, which "
           "trains, must hold at least 17"},
      {"--data text:" + (dir / "missing.txt").string() + kTinyGpt, 4,
       "text file " + (dir / "missing.txt").string() + " does not exist"},
      {"--data text:" + (dir / "empty.txt").string() + " --model mlp:8", 2,
       "--data text:" + (dir / "empty.txt").string() +
           " trains a language model: give --model gpt:KEY=VALUE,... (its context is the window "
           "length)"},
      {"--data moons --model gpt", 2,
       "model 'gpt' reads windows of 128 tokens, but the data's samples have shape (2,) (train it "
       "on --data text:FILE)"},
      {"--data text:x --model gpt:layerz=2", 2,
       "model 'gpt:layerz=2': unknown key 'layerz' (keys: layers, heads, dim, context, dropout)"},
      {"--data text:x --model gpt:heads=3,dim=16", 2,
       "model 'gpt:heads=3,dim=16': heads (3) must divide dim (16)"},
      {"--data text:x --model gpt:layers=0", 2,
       "model 'gpt:layers=0': layers must be an integer in [1, 1000], got '0'"},
      {"--data text:x --model gpt:dropout=1", 2,
       "model 'gpt:dropout=1': dropout must be a number in [0, 1), got '1'"},
      {"--data text:x --model gpt:dim=8,dim=16", 2, "model 'gpt:dim=8,dim=16': dim is given twice"},
      {"--data text:x --model gpt:context", 2,
       "model 'gpt:context': 'context' is not KEY=VALUE (keys: layers, heads, dim, context, "
       "dropout)"},
  };
  for (const Case& c : cases) {
    const CommandResult r = run_descent(train + c.arguments);
    EXPECT_EQ(r.exit_code, c.exit_code) << c.arguments << "\n" << r.output;
    EXPECT_EQ(r.output, "descent: error: " + c.message + "\n") << c.arguments;
    EXPECT_FALSE(fs::exists(run)) << c.arguments;
  }
}

std::string tiny_gpt_on_text(const fs::path& dir) {
  return "--data text:" + text_file(dir).string() + kTinyGpt +
         "--optimizer adamw --batch-size 32 --quiet ";
}

TEST(TextModel, FindLrRunsOnATinyGpt) {
  const fs::path dir = fresh_dir("text_find_lr");
  const CommandResult r = run_descent("find-lr " + tiny_gpt_on_text(dir) + "--iters 20 --out " +
                                      (dir / "find").string());
  EXPECT_EQ(r.exit_code, 0) << r.output;
}

TEST(TextModel, SweepRunsOnATinyGpt) {
  const fs::path dir = fresh_dir("text_sweep");
  const CommandResult r =
      run_descent("sweep " + tiny_gpt_on_text(dir) + "--lrs 0.001,0.01 --epochs 1 --out " +
                  (dir / "sweep").string());
  EXPECT_EQ(r.exit_code, 0) << r.output;
}

// A short tune of the tiny gpt into dir/tune: a 20-step range test and two one-epoch sweep runs.
CommandResult tune_tiny_gpt(const fs::path& dir, int epochs) {
  return run_descent("tune " + tiny_gpt_on_text(dir) +
                     "--finder-iters 20 --sweep-points 2 --sweep-epochs 1 --epochs " +
                     std::to_string(epochs) + " --out " + (dir / "tune").string());
}

TEST(TextModel, TuneRunsOnATinyGptAndItsFinalRunKeepsTheVocabulary) {
  const fs::path dir = fresh_dir("text_tune");
  const CommandResult r = tune_tiny_gpt(dir, 1);
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_TRUE(fs::exists(dir / "tune" / "final" / "vocab.json"));
  EXPECT_TRUE(run_file_json(dir / "tune" / "final" / "results.json")["test"].contains(
      "bits_per_character"));
}

// A transformer at a good peak η without warmup is the classic divergence (docs/text.md): tune's
// final run, and so each sweep run (the final run in small), starts at a small fraction of the
// chosen η and climbs to it.
TEST(TextModel, TuneWarmsAGptUpToTheChosenPeak) {
  const fs::path dir = fresh_dir("text_tune_warmup");
  const CommandResult r = tune_tiny_gpt(dir, 4);
  ASSERT_EQ(r.exit_code, 0) << r.output;
  const double chosen = run_file_json(dir / "tune" / "results.json")["chosen_lr"].get<double>();
  std::ifstream steps(dir / "tune" / "final" / "steps.csv");
  std::string line;
  std::getline(steps, line);  // step,epoch,loss,lr
  std::vector<double> lrs;
  while (std::getline(steps, line))
    lrs.push_back(std::stod(line.substr(line.rfind(',') + 1)));
  ASSERT_GE(lrs.size(), 10u);
  EXPECT_NEAR(lrs.front(), chosen / 25, chosen * 1e-9);  // the warmup's start
  const auto peak = std::max_element(lrs.begin(), lrs.end());
  EXPECT_NEAR(*peak, chosen, chosen * 0.05);
  EXPECT_GT(peak - lrs.begin(), 1);  // reached by climbing, not at once
  EXPECT_TRUE(std::is_sorted(lrs.begin(), peak + 1));
}

}  // namespace
}  // namespace descent::testing
