#include "cli/sharpness_command.h"

#include <chrono>
#include <cmath>
#include <set>
#include <string>

#include <fmt/format.h>

#include "cli/exit_codes.h"
#include "cli/flag_limits.h"
#include "cli/output.h"
#include "cli/run_directory_flags.h"
#include "cli/saved_run.h"
#include "cli/thread_flag.h"
#include "cli/training_flags.h"
#include "core/error.h"
#include "lr/sharpness.h"
#include "report/run_directory.h"
#include "report/sharpness_chart.h"

namespace descent::cli {
namespace {

struct SharpnessCommand {
  TrainingFlags training;
  std::string run_dir;  // empty: the model the training flags describe, at its initial weights
  std::string method = "exact";
  std::int64_t samples = 0;
  int iters = 100;
  int top = 1;
  double tol = 1e-4;
  bool batch_statistics = false;
  std::string out;
  bool overwrite = false;
  OutputFlags output;
  // The training flags that define a model, data or optimizer: not allowed with --run.
  std::vector<const CLI::Option*> experiment_flags;
};

// The model at the weights to probe, the training samples, and what they came from.
struct Subject {
  std::unique_ptr<Model> model;
  Dataset train;
  std::string description;
  nlohmann::json config;
  std::uint64_t seed = 0;
};

// The training part of `data`, as fit() takes it with this validation split.
Dataset training_part(Dataset data, double validation_split) {
  if (validation_split <= 0.0) return data;
  return split_tail(data, validation_split).first;
}

Subject from_flags(const TrainingFlags& flags) {
  Experiment e = make_experiment(flags);
  Subject s{std::move(e.model), training_part(std::move(e.data.train), flags.validation_split),
            e.data.description, std::move(e.config), flags.data.seed};
  // The command has no --epochs or --schedule: the defaults make_experiment records say nothing.
  s.config.erase("epochs");
  s.config.erase("schedule");
  return s;
}

Subject from_run(const std::string& run_dir, int threads) {
  apply_thread_flag(threads);
  SavedRun run = load_run(run_dir);
  LoadedData data = load_data(run.data);
  conform_to_input(data.train, run.model->input_shape(), run.data.source);
  const double split = run.config.value("validation_split", 0.0);
  return {std::move(run.model), training_part(std::move(data.train), split),
          fmt::format("{} (the trained weights of {})", data.description, run_dir),
          std::move(run.config), run.data.seed};
}

void check_flags(const SharpnessCommand& c) {
  if (!c.run_dir.empty())
    for (const CLI::Option* flag : c.experiment_flags)
      if (flag->count() > 0)
        throw InvalidArgument(
            fmt::format("{} cannot be given with --run, which takes the model, data and optimizer "
                        "from the run",
                        flag->get_name()));
  if (!parse_sharpness_method(c.method))
    throw InvalidArgument(fmt::format(
        "--method must be exact, finite-difference or gauss-newton, got '{}'", c.method));
  if (c.samples < 0)
    throw InvalidArgument(
        fmt::format("--samples must be >= 0 (0: all training samples), got {}", c.samples));
  if (c.iters < 1) throw InvalidArgument(fmt::format("--iters must be >= 1, got {}", c.iters));
  check_at_most("--iters", c.iters, kMaxIters);
  if (c.top < 1 || c.top > c.iters)
    throw InvalidArgument(fmt::format("--top must be in [1, --iters {}], got {}", c.iters, c.top));
  if (!(std::isfinite(c.tol) && c.tol >= 0.0))
    throw InvalidArgument(fmt::format("--tol must be finite and >= 0, got {}", c.tol));
  if (c.training.batch_size < 1)
    throw InvalidArgument(fmt::format("--batch-size must be >= 1, got {}", c.training.batch_size));
  if (c.training.momentum && !(*c.training.momentum >= 0.0 && *c.training.momentum < 1.0))
    throw InvalidArgument(
        fmt::format("--momentum must be in [0, 1), got {}", *c.training.momentum));
}

// μ for the momentum bound: --momentum, else the optimizer's heavy-ball momentum.
double bound_momentum(const SharpnessCommand& c, Optimizer& optimizer) {
  return c.training.momentum ? *c.training.momentum : heavy_ball_momentum(optimizer);
}

std::string report(const SharpnessResult& r, double mu, Optimizer& optimizer) {
  std::string text = fmt::format(
      "λmax = {:.6g} (top eigenvalue of the {} of the training loss over {} samples; {})\n",
      r.lambda_max,
      r.curvature == SharpnessCurvature::gauss_newton ? "Gauss-Newton matrix" : "Hessian",
      r.samples,
      r.converged
          ? fmt::format("converged after {} iterations", r.estimates.size())
          : fmt::format("NOT converged after {} iterations: raise --iters", r.estimates.size()));
  if (r.top.size() > 1) {
    text += fmt::format("The {} largest eigenvalues:", r.top.size());
    for (double e : r.top)
      text += fmt::format(" {:.6g}", e);
    text += "\n";
  }
  const double bound = r.lr_bound();
  if (!std::isfinite(bound)) {
    text +=
        "No positive curvature here: the local quadratic model puts no limit on η for gradient "
        "descent.\n";
    return text;
  }
  text += fmt::format(
      "Plain gradient descent is stable on the local quadratic model for η < 2/λmax = {:.6g}\n",
      bound);
  if (r.curvature == SharpnessCurvature::gauss_newton)
    text +=
        "(λmax of the Gauss-Newton matrix, the Hessian without the network's own curvature: near "
        "initialisation the Hessian's can be much higher, 1.7× on a Fashion-MNIST ReLU MLP, so "
        "the bound is optimistic there; docs/sharpness.md.)\n";
  if (mu > 0.0)
    text += fmt::format("With heavy-ball momentum μ = {:g}: η < 2(1+μ)/λmax = {:.6g}\n", mu,
                        r.lr_bound(mu));
  if (optimizer.name() == "sgd")
    text += fmt::format("The optimizer's η = {:g} is {:.3g}× that bound.\n", optimizer.lr(),
                        optimizer.lr() / r.lr_bound(mu));
  else
    text += fmt::format(
        "({} scales each weight's step by its own statistics, so the bound, made "
        "for gradient descent, applies to it only loosely.)\n",
        optimizer.name());
  return text;
}

int run_sharpness(const SharpnessCommand& c) {
  check_flags(c);
  Subject s = c.run_dir.empty() ? from_flags(c.training) : from_run(c.run_dir, c.training.threads);
  if (c.samples > s.train.size())
    throw InvalidArgument(fmt::format("--samples {} is more than the {} training samples of {}",
                                      c.samples, s.train.size(), s.description));
  RunDirectory run(c.out, "sharpness", c.overwrite);
  Optimizer& optimizer = s.model->optimizer();
  const double mu = bound_momentum(c, optimizer);
  const std::int64_t samples = c.samples == 0 ? s.train.size() : c.samples;
  const SharpnessCurvature curvature = *parse_sharpness_method(c.method);
  if (!c.output.quiet)
    fmt::print(stderr, "Estimating λmax of the training loss's {} ({}) on {} samples of {}\n",
               curvature == SharpnessCurvature::gauss_newton ? "Gauss-Newton matrix" : "Hessian",
               c.method, samples, s.description);

  const auto start = std::chrono::steady_clock::now();
  const SharpnessResult result = estimate_sharpness(*s.model, s.train,
                                                    {.samples = c.samples,
                                                     .batch_size = c.training.batch_size,
                                                     .max_iters = c.iters,
                                                     .top = c.top,
                                                     .tol = c.tol,
                                                     .seed = s.seed,
                                                     .verbose = c.output.quiet ? 0 : 1,
                                                     .curvature = curvature,
                                                     .batch_statistics = c.batch_statistics});
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();

  nlohmann::json config = s.config;
  config["sharpness"] = {{"run", c.run_dir.empty() ? nlohmann::json() : nlohmann::json(c.run_dir)},
                         {"samples", samples},
                         {"batch_size", c.training.batch_size},
                         {"iters", c.iters},
                         {"top", c.top},
                         {"tol", c.tol},
                         {"seed", s.seed},
                         {"method", to_string(curvature)},
                         {"batch_statistics", c.batch_statistics},
                         {"momentum", mu}};
  nlohmann::json results = result.to_json(mu);
  results["iterations"] = result.estimates.size();
  results["seconds"] = seconds;
  results["optimizer"] = optimizer.name();
  results["lr"] = optimizer.lr();
  results["run_dir"] = run.path().string();
  run.write_json("config.json", config);
  run.write_json("sharpness.json", result.to_json(mu));
  write_sharpness_csv(result, run.file("sharpness.csv"));
  write_sharpness_chart(result, run.path());
  run.write_json("results.json", results);

  std::string text = report(result, mu, optimizer);
  text += fmt::format("Run directory: {}\n", run.path().string());
  print_result(c.output, results, text);
  return kSuccess;
}

}  // namespace

void add_sharpness_command(CLI::App& app, int& exit_code) {
  auto command = std::make_shared<SharpnessCommand>();
  command->training.batch_size = 1024;
  CLI::App* sub = app.add_subcommand(
      "sharpness",
      "Estimate λmax, the top Hessian eigenvalue of the training loss, and the bound η < 2/λmax");
  add_training_flags(*sub, command->training);
  // How long and on which η path a run trains does not change the curvature at its weights.
  for (const char* name : {"--epochs", "--schedule", "--schedule-param", "--schedule-interval",
                           "--test", "--clipnorm", "--clipvalue", "--global-clipnorm"})
    sub->remove_option(sub->get_option(name));
  sub->get_option("--batch-size")
      ->description("samples per batch while accumulating the full-set gradient");
  sub->get_option("--momentum")
      ->description(
          "momentum μ: the optimizer's (sgd, rmsprop), and μ of the bound 2(1+μ)/λmax "
          "(default: sgd's momentum, else 0)");
  sub->get_option("--seed")->description(
      "seed for weights, synthetic data and the power iteration's start vector");
  // With --run the model, data and optimizer are the run's; only these flags still apply.
  const std::set<std::string> with_run = {"--batch-size", "--threads", "--momentum", "--help"};
  for (const CLI::Option* option : sub->get_options())
    if (!with_run.contains(option->get_name())) command->experiment_flags.push_back(option);
  sub->add_option(
      "--run", command->run_dir,
      "a finished `descent train` run directory: probe its trained weights on its training data");
  sub->add_option("--method", command->method,
                  "exact (Hessian-vector products by automatic differentiation), "
                  "finite-difference (central differences of gradients) or gauss-newton (the "
                  "Jᵀ H_loss J part of the Hessian, by differences of outputs; docs/sharpness.md)")
      ->capture_default_str();
  sub->add_option("--samples", command->samples,
                  "the first N training samples (a fixed large batch); 0: all")
      ->capture_default_str();
  sub->add_option("--iters", command->iters,
                  "power iterations (or, with --top above 1, Lanczos products) at most")
      ->capture_default_str();
  sub->add_option("--top", command->top,
                  "the K largest eigenvalues, by Lanczos when K > 1 (1: λmax by power iteration)")
      ->capture_default_str();
  sub->add_option("--tol", command->tol,
                  "stop when the estimate changes by less than this, relatively")
      ->capture_default_str();
  sub->add_flag("--batch-statistics", command->batch_statistics,
                "BatchNormalization on each batch's own statistics (batches of --batch-size), as "
                "in training, instead of its running statistics");
  add_run_directory_flags(*sub, command->out, command->overwrite);
  sub->add_flag("--json", command->output.json, "print one JSON object with the results");
  sub->add_flag("--quiet", command->output.quiet, "no progress output");
  sub->callback([command, &exit_code] { exit_code = run_sharpness(*command); });
}

}  // namespace descent::cli
