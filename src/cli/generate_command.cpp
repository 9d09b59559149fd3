#include "cli/generate_command.h"

#include <cstdio>

#include <fmt/format.h>

#include "cli/exit_codes.h"
#include "cli/flag_limits.h"
#include "cli/saved_run.h"
#include "cli/thread_flag.h"
#include "core/error.h"
#include "data/text.h"
#include "train/text_generation.h"

namespace descent::cli {
namespace {

// More characters than a person reads at the terminal; each one is a forward pass.
constexpr std::int64_t kMaxGeneratedTokens = 1'000'000;

struct GenerateCommand {
  std::string run_dir;
  std::string prompt = "\n";
  std::int64_t tokens = 200;
  double temperature = 1.0;
  std::int64_t top_k = 0;
  std::uint64_t seed = 42;
  int threads = 0;
};

void check_flags(const GenerateCommand& c) {
  if (c.prompt.empty()) throw InvalidArgument("--prompt is empty: give at least one character");
  if (c.tokens < 1) throw InvalidArgument(fmt::format("--tokens must be >= 1, got {}", c.tokens));
  check_at_most("--tokens", c.tokens, kMaxGeneratedTokens);
  if (!(std::isfinite(c.temperature) && c.temperature > 0.0))
    throw InvalidArgument(
        fmt::format("--temperature must be finite and > 0, got {}", c.temperature));
  if (c.top_k < 0)
    throw InvalidArgument(
        fmt::format("--top-k must be >= 0 (0: every character), got {}", c.top_k));
}

int run_generate(const GenerateCommand& c) {
  check_flags(c);
  apply_thread_flag(c.threads);
  SavedRun run = load_run(c.run_dir);
  if (!run.data.vocabulary)
    throw InvalidArgument(
        fmt::format("{} was trained on {}, not on text: generate needs a run of --data text:FILE "
                    "--model gpt:...",
                    c.run_dir, run.data.source));
  const Vocabulary& vocabulary = *run.data.vocabulary;
  const std::vector<std::int32_t> prompt =
      vocabulary.encode(decode_utf8(c.prompt, "--prompt"), "--prompt");
  const std::vector<std::int32_t> tokens =
      generate_tokens(*run.model, prompt, c.tokens,
                      {.temperature = c.temperature, .top_k = c.top_k, .seed = c.seed});
  std::u32string text = decode_utf8(c.prompt, "--prompt");
  for (std::int32_t token : tokens)
    text += vocabulary.character(token);
  fmt::print("{}\n", encode_utf8(text));
  return kSuccess;
}

}  // namespace

void add_generate_command(CLI::App& app, int& exit_code) {
  auto c = std::make_shared<GenerateCommand>();
  CLI::App* sub = app.add_subcommand(
      "generate", "Sample text from a language model trained on text (--model gpt:...)");
  sub->add_option("run_dir", c->run_dir, "run directory written by descent train")->required();
  sub->add_option("--prompt", c->prompt,
                  "text the sample continues; every character must be in the run's vocab.json "
                  "(default: a newline)");
  sub->add_option("--tokens", c->tokens, "characters to sample")->capture_default_str();
  sub->add_option("--temperature", c->temperature,
                  "logits are divided by it: below 1 sharper, above 1 flatter (> 0)")
      ->capture_default_str();
  sub->add_option("--top-k", c->top_k, "sample among the K likeliest characters only (0: all)")
      ->capture_default_str();
  sub->add_option("--seed", c->seed, "seed of the sampling: the same seed gives the same text")
      ->capture_default_str();
  sub->add_option("--threads", c->threads, "threads (0: all cores)")->capture_default_str();
  sub->callback([c, &exit_code] { exit_code = run_generate(*c); });
}

}  // namespace descent::cli
