#include "cli/valley_command.h"

#include <cmath>
#include <optional>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "cli/exit_codes.h"
#include "cli/flag_limits.h"
#include "cli/output.h"
#include "cli/output_file.h"
#include "cli/run_directory_flags.h"
#include "cli/training_flags.h"
#include "core/error.h"
#include "lr/valley.h"
#include "report/run_directory.h"
#include "report/valley_charts.h"

namespace descent::cli {
namespace {

// Steps over all runs from which the command reports its progress.
constexpr std::int64_t kValleyProgressSteps = 100'000;

struct ValleyCommand {
  std::string function = "quadratic";
  double a = 1.0, b = 10.0;
  std::string start;  // empty: the function's default
  std::string lrs = "0.5,1.5,2.5";
  int steps = 50;
  std::string optimizer = "sgd";
  std::optional<double> momentum;
  std::vector<std::string> optimizer_params;
  std::string csv;
  std::string out;
  bool overwrite = false;
  OutputFlags output;
};

// "0.5,1.5" -> {0.5, 1.5}; every entry a number, finite and (when `positive`) > 0.
std::vector<double> parse_numbers(const std::string& text, const std::string& flag, bool positive) {
  std::vector<double> values;
  std::size_t begin = 0;
  while (begin <= text.size()) {
    const std::size_t end = std::min(text.find(',', begin), text.size());
    const std::string item = text.substr(begin, end - begin);
    double value = NAN;
    std::size_t used = 0;
    try {
      value = std::stod(item, &used);
    } catch (const std::exception&) {
      used = 0;
    }
    if (item.empty() || used != item.size() || !std::isfinite(value) || (positive && value <= 0.0))
      throw InvalidArgument(
          fmt::format("{} expects {} numbers separated by commas, got '{}' in '{}'", flag,
                      positive ? "finite, positive" : "finite", item, text));
    values.push_back(value);
    begin = end + 1;
  }
  return values;
}

int run_valley_command(const ValleyCommand& c) {
  check_output_file(c.csv, "--csv");
  const ValleyFunction f(c.function, c.a, c.b);
  const std::vector<double> start =
      c.start.empty() ? f.default_start() : parse_numbers(c.start, "--start", false);
  if (start.size() != f.dims())
    throw InvalidArgument(fmt::format("--start for {} takes {} coordinate(s), got '{}'", f.name(),
                                      f.dims(), c.start));
  const std::vector<double> lrs = parse_numbers(c.lrs, "--lrs", true);
  check_at_most("the number of --lrs", static_cast<std::int64_t>(lrs.size()), kMaxValleyLrs);
  if (c.steps < 1) throw InvalidArgument(fmt::format("--steps must be >= 1, got {}", c.steps));
  check_at_most("--steps", c.steps, kMaxValleySteps);
  nlohmann::json hyper = parse_key_values(c.optimizer_params, "--opt");
  if (c.momentum) hyper["momentum"] = *c.momentum;

  std::vector<ValleyRun> runs;
  // A big job (up to 12 runs of 100,000 steps, a CSV of a million rows: seconds) says how far it
  // has got; the usual few hundred steps stay quiet.
  const bool progress = std::int64_t{c.steps} * std::ssize(lrs) >= kValleyProgressSteps;
  for (std::size_t i = 0; i < lrs.size(); ++i) {
    runs.push_back(run_valley(f, start, c.steps, c.optimizer, hyper, lrs[i]));
    if (progress)
      fmt::print(stderr, "valley: run {}/{} (η = {:g}) done\n", i + 1, lrs.size(), lrs[i]);
  }
  nlohmann::json config_hyper = hyper;
  config_hyper["lr"] = lrs.front();
  const auto bound = stable_lr_bound(f, c.optimizer, config_hyper);

  RunDirectory run(c.out, "valley", c.overwrite);
  if (progress) fmt::print(stderr, "valley: writing the trajectories and the charts\n");
  write_valley_csv(f, runs, run.file("trajectory.csv"));
  if (!c.csv.empty()) write_valley_csv(f, runs, c.csv);
  const auto panels = valley_charts(f, runs);
  const int cols = static_cast<int>(std::min<std::size_t>(panels.size(), 3));
  write_grid_png(panels, cols, run.file("valley.png"));
  write_grid_svg(panels, cols, run.file("valley.svg"));

  nlohmann::json results = {{"function", f.name()},
                            {"formula", f.formula()},
                            {"optimizer", c.optimizer},
                            {"hyperparameters", hyper},
                            {"start", start},
                            {"steps", c.steps},
                            {"bound", bound ? json_number(*bound) : nlohmann::json()},
                            {"run_dir", run.path().string()},
                            {"runs", nlohmann::json::array()}};
  std::string text = fmt::format("{} on f(x) = {} from {}, {} steps\n", c.optimizer, f.formula(),
                                 fmt::join(start, ","), c.steps);
  if (bound) {
    const double mu = hyper.value("momentum", 0.0);
    text += mu > 0.0 ? fmt::format("Stable for η < 2(1+μ)/a = {:g} (μ = {:g})\n", *bound, mu)
                     : fmt::format("Stable for η < 2/a = {:g}\n", *bound);
  }
  for (const auto& r : runs) {
    const ValleyPoint& last = r.points.back();
    nlohmann::json x = nlohmann::json::array();
    for (double v : last.x)
      x.push_back(json_number(v));
    results["runs"].push_back({{"lr", r.lr},
                               {"label", to_string(r.label)},
                               {"steps_run", last.step},
                               {"final_x", x},
                               {"final_f", json_number(last.f)},
                               {"final_grad_norm", json_number(last.grad_norm)}});
    text += fmt::format("  η = {:<8g} {:<13} after {} steps: f = {:.6g}, |∇f| = {:.3g}\n", r.lr,
                        to_string(r.label), last.step, last.f, last.grad_norm);
  }
  run.write_json("results.json", results);
  text += fmt::format("Run directory: {}\n", run.path().string());
  print_result(c.output, results, text);
  return kSuccess;
}

}  // namespace

void add_valley_command(CLI::App& app, int& exit_code) {
  auto command = std::make_shared<ValleyCommand>();
  CLI::App* sub = app.add_subcommand(
      "valley", "Run an optimizer on a test function for several learning rates and label them");
  sub->add_option("--function", command->function,
                  "quadratic|quartic|double-well|elongated|rosenbrock|beale|himmelblau")
      ->capture_default_str();
  sub->add_option("--a", command->a, "curvature a of quadratic / elongated")->capture_default_str();
  sub->add_option("--b", command->b, "curvature b of elongated")->capture_default_str();
  sub->add_option("--start", command->start, "start point, x or x,y (default per function)");
  sub->add_option("--lrs", command->lrs, "learning rates, comma-separated")->capture_default_str();
  sub->add_option("--steps", command->steps, "steps per run")->capture_default_str();
  sub->add_option("--optimizer", command->optimizer, "sgd, adam, ... (as for train)")
      ->capture_default_str();
  sub->add_option("--momentum", command->momentum, "momentum μ (sgd, rmsprop)");
  sub->add_option("--opt", command->optimizer_params,
                  "other optimizer hyperparameter, KEY=VALUE (repeatable)");
  sub->add_option("--csv", command->csv, "also write the trajectories to this CSV file");
  add_run_directory_flags(*sub, command->out, command->overwrite);
  sub->add_flag("--json", command->output.json, "print one JSON object with the results");
  sub->callback([command, &exit_code] { exit_code = run_valley_command(*command); });
}

}  // namespace descent::cli
