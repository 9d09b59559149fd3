#include "cli/find_lr_command.h"

#include <algorithm>
#include <cmath>
#include <optional>
#include <string>

#include <fmt/format.h>

#include "cli/exit_codes.h"
#include "cli/flag_limits.h"
#include "cli/output.h"
#include "cli/run_directory_flags.h"
#include "cli/training_flags.h"
#include "core/error.h"
#include "lr/lr_finder.h"
#include "report/lr_finder_chart.h"
#include "report/run_directory.h"

namespace descent::cli {
namespace {

struct FindLrCommand {
  TrainingFlags training;
  LrFinderOptions finder;
  std::string mode = "exp";
  bool validate = false;
  OutputFlags output;
  std::string out;
  bool overwrite = false;
};

// The finder's flags, named as the user typed them (find_lr checks the same ranges).
void check_flags(const FindLrCommand& c) {
  const LrFinderOptions& f = c.finder;
  if (!(std::isfinite(f.start) && f.start > 0))
    throw InvalidArgument(fmt::format("--start must be finite and > 0, got {}", f.start));
  if (!(std::isfinite(f.end) && f.end > f.start))
    throw InvalidArgument(
        fmt::format("--end must be finite and above --start ({:g}), got {}", f.start, f.end));
  if (f.iters < 2) throw InvalidArgument(fmt::format("--iters must be >= 2, got {}", f.iters));
  // The test now runs every step, over as many epochs as small data needs.
  check_at_most("--iters", f.iters, kMaxIters);
  if (c.mode != "exp" && c.mode != "linear")
    throw InvalidArgument(fmt::format("--mode must be exp or linear, got '{}'", c.mode));
  if (!(f.beta >= 0 && f.beta < 1))
    throw InvalidArgument(fmt::format("--beta must be in [0, 1), got {}", f.beta));
  if (!(std::isfinite(f.diverge_factor) && f.diverge_factor > 1))
    throw InvalidArgument(
        fmt::format("--diverge-factor must be finite and > 1, got {}", f.diverge_factor));
  const auto& rules = suggestion_rules();
  if (std::find(rules.begin(), rules.end(), f.suggest) == rules.end())
    throw InvalidArgument(
        fmt::format("--suggest must be steep, minimum or valley, got '{}'", f.suggest));
}

nlohmann::json suggestion_json(const LrSuggestion& s) {
  return {{"rule", s.rule}, {"lr", s.lr}, {"loss", json_number(s.loss)}, {"reason", s.reason}};
}

int run_find_lr(const FindLrCommand& c) {
  check_flags(c);
  Experiment e = make_experiment(c.training);

  // --validation-split holds out the tail as `train` would; --val measures on it, or else on the
  // data's own test set.
  Dataset train = std::move(e.data.train), held_out;
  if (c.training.validation_split > 0)
    std::tie(train, held_out) = split_tail(train, c.training.validation_split);
  LrFinderOptions options = c.finder;
  options.linear = c.mode == "linear";
  options.batch_size = c.training.batch_size;
  options.verbose = c.output.quiet ? 0 : 1;
  if (c.validate) {
    if (held_out.size() > 0)
      options.validation = &held_out;
    else if (e.data.test)
      options.validation = &*e.data.test;
    else
      throw InvalidArgument(
          "--val needs held-out data: --validation-split, or a test set (--test for a CSV file)");
  }
  range_test_steps(train.size(), options.batch_size, options.iters);  // before writing anything
  RunDirectory run(c.out, "find-lr", c.overwrite);

  nlohmann::json config = e.config;
  config.erase("epochs");
  config["find_lr"] = {{"start", options.start},
                       {"end", options.end},
                       {"iters", options.iters},
                       {"mode", c.mode},
                       {"beta", options.beta},
                       {"diverge_factor", options.diverge_factor},
                       {"suggest", options.suggest},
                       {"validation", options.validation == nullptr ? "none"
                                      : held_out.size() > 0         ? "validation split"
                                                                    : "test set"}};
  run.write_json("config.json", config);
  if (!c.output.quiet)
    fmt::print(stderr, "Range test of {} on {} with {}: η from {:g} to {:g}; run directory {}\n",
               c.training.model, e.data.description, e.model->optimizer().name(), options.start,
               options.end, run.path().string());

  const LrFinderResult r = find_lr(*e.model, train, options);
  run.write_json("lr_finder.json", r.to_json());
  r.write_csv(run.file("lr_finder.csv"));
  write_lr_finder_chart(r, run.path());

  const auto lowest = std::min_element(
      r.smoothed.begin(), r.smoothed.end(),
      [](double a, double b) { return std::isfinite(a) && (!std::isfinite(b) || a < b); });
  const std::size_t at = static_cast<std::size_t>(lowest - r.smoothed.begin());
  nlohmann::json results = {{"suggested", suggestion_json(r.suggested)},
                            {"clear", r.clear},
                            {"suggestions", nlohmann::json::object()},
                            {"steps", r.lr.size()},
                            {"iters", r.options.iters},
                            {"epochs", r.epochs},
                            {"stopped", r.stopped},
                            {"lowest_smoothed_loss", json_number(*lowest)},
                            {"lowest_smoothed_loss_lr", r.lr[at]},
                            {"run_dir", run.path().string()}};
  std::string others;
  for (const LrSuggestion& s : r.suggestions) {
    results["suggestions"][s.rule] = suggestion_json(s);
    if (s.rule != r.suggested.rule)
      others += fmt::format("{}{} η = {:.3g}", others.empty() ? "" : ", ", s.rule, s.lr);
  }
  run.write_json("results.json", results);

  std::string text = fmt::format(
      "Range test: {} of {} steps, η {:.3g} to {:.3g} ({}); smoothed loss {:.4g} at the start, "
      "lowest {:.4g} at η = {:.3g}\n",
      r.lr.size(), r.options.iters, r.lr.front(), r.lr.back(),
      options.linear ? "linear" : "exponential", r.smoothed.front(), *lowest, r.lr[at]);
  if (r.epochs > 1)
    text += fmt::format(
        "The data gives fewer batches than steps: the test went over it {} times (reshuffled)\n",
        r.epochs);
  text += fmt::format("Stopped: {}\n", r.stopped);
  text += fmt::format("Suggested η = {:.3g} ({}): {}\n", r.suggested.lr, r.suggested.rule,
                      r.suggested.reason);
  if (!others.empty()) text += fmt::format("Other rules: {}\n", others);
  text += fmt::format("Run directory: {}\n", run.path().string());
  print_result(c.output, results, text);
  return kSuccess;
}

}  // namespace

void add_find_lr_command(CLI::App& app, int& exit_code) {
  auto command = std::make_shared<FindLrCommand>();
  CLI::App* sub = app.add_subcommand(
      "find-lr", "Learning-rate range test: grow η every batch, suggest one from the loss curve");
  add_training_flags(*sub, command->training);
  // The test sets η itself (--start, --end) and runs --iters steps, over several epochs of a
  // small set.
  for (const char* flag :
       {"--lr", "--epochs", "--schedule", "--schedule-param", "--schedule-interval"})
    sub->remove_option(sub->get_option(flag));
  LrFinderOptions& f = command->finder;
  sub->add_option("--start", f.start, "η of the first step")->capture_default_str();
  sub->add_option("--end", f.end, "η of the last step")->capture_default_str();
  sub->add_option("--iters", f.iters, "steps (over several epochs when the data is small)")
      ->capture_default_str();
  sub->add_option("--mode", command->mode, "exp or linear growth of η")->capture_default_str();
  sub->add_option("--beta", f.beta, "β of the loss's bias-corrected moving average")
      ->capture_default_str();
  sub->add_option("--diverge-factor", f.diverge_factor,
                  "stop when the smoothed loss exceeds this × its minimum")
      ->capture_default_str();
  sub->add_option("--suggest", f.suggest, "rule that picks η: steep, minimum or valley")
      ->capture_default_str();
  sub->add_flag("--val", command->validate,
                "validation loss at every step (the --validation-split tail, else the test set)");
  add_run_directory_flags(*sub, command->out, command->overwrite);
  sub->add_flag("--json", command->output.json, "print one JSON object with the results");
  sub->add_flag("--quiet", command->output.quiet, "no progress line");
  sub->callback([command, &exit_code] { exit_code = run_find_lr(*command); });
}

}  // namespace descent::cli
