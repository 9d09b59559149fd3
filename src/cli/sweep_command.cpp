#include "cli/sweep_command.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <optional>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "cli/checkpoint_flags.h"
#include "cli/exit_codes.h"
#include "cli/flag_limits.h"
#include "cli/lr_list.h"
#include "cli/memory_check.h"
#include "cli/output.h"
#include "cli/run_directory_flags.h"
#include "cli/thread_flag.h"
#include "cli/training_flags.h"
#include "core/error.h"
#include "lr/sharpness.h"
#include "lr/sweep.h"
#include "lr/sweep_confidence.h"
#include "lr/sweep_run_store.h"
#include "optim/schedule/make_schedule.h"
#include "report/run_directory.h"
#include "report/sweep_chart.h"

namespace descent::cli {
namespace {

using nlohmann::json;

struct SweepCommand {
  SweepCommand() { training.epochs = 2; }  // a sweep compares early training: short by default

  TrainingFlags training;
  std::string lrs;
  int parallel = 0;
  std::int64_t sharpness_samples = 0;  // > 0: draw 2/λmax of the initial weights on these samples
  OutputFlags output;
  std::string out;
  bool overwrite = false;
  std::string resume;
};

json sweep_settings(const SweepCommand& c) {
  return {{"lrs", c.lrs}, {"parallel", c.parallel}, {"sharpness", c.sharpness_samples}};
}

// The command as it was started in `run_dir` (its config.json), for --resume.
SweepCommand resumed_command(const SweepCommand& given, const RunDirectory& run_dir) {
  const json config = read_json_file(run_dir.file("config.json"));
  SweepCommand c = given;
  try {
    c.training = training_flags_from_json(config.at("flags"));
    const json& sweep = config.at("sweep");
    c.lrs = sweep.at("lrs").get<std::string>();
    c.parallel = sweep.at("parallel").get<int>();
    c.sharpness_samples = sweep.at("sharpness").get<std::int64_t>();
  } catch (const json::exception& e) {
    throw DataError(fmt::format("{}: not a resumable sweep ({})",
                                run_dir.file("config.json").string(), e.what()));
  }
  c.training.model = run_dir.file("model.json").string();
  return c;
}

// A loss or metric in a fixed-width column: 4 decimals, or 4 significant digits when large (a
// diverged run's loss), "-" when missing or not finite.
std::string cell(double v, int width) {
  if (!std::isfinite(v)) return fmt::format("{:>{}}", "-", width);
  return std::abs(v) < 1e4 ? fmt::format("{:>{}.4f}", v, width)
                           : fmt::format("{:>{}.4g}", v, width);
}

std::string table(const SweepResult& result) {
  std::string metric;
  for (const SweepRun& run : result.runs)
    if (const auto m = run.best_val_metric()) {
      metric = "best " + m->name;
      break;
    }
  const int metric_width = std::max<int>(10, static_cast<int>(metric.size()));
  std::string text =
      fmt::format("{:>10}  {:>10}  {:>10}  {:>{}}  {:<9}  {:>7}\n", "η", "train loss", "val loss",
                  metric, metric_width, "verdict", "seconds");
  for (const SweepRun& run : result.runs) {
    const auto m = run.best_val_metric();
    text += fmt::format("{:>10.4g}  {}  {}  {}  {:<9}  {:>7.2f}\n", run.lr,
                        cell(run.final_loss(), 10), cell(run.final_val_loss(), 10),
                        m ? cell(m->value, metric_width) : fmt::format("{:>{}}", "", metric_width),
                        to_string(run.verdict), run.seconds);
  }
  return text;
}

int run_sweep_command(const SweepCommand& given, const CLI::App& command) {
  std::optional<RunDirectory> resumed;
  if (!given.resume.empty()) {
    refuse_settings_with_resume(command);
    resumed = RunDirectory::existing(given.resume);
  }
  const SweepCommand c = resumed ? resumed_command(given, *resumed) : given;
  if (c.lrs.empty())
    throw InvalidArgument("--lrs is required: the learning rates to sweep (e.g. 1e-4:1:8)");
  if (c.training.lr)
    throw InvalidArgument("--lr does not apply to sweep: give the learning rates with --lrs");
  if (c.parallel < 0)
    throw InvalidArgument(fmt::format("--parallel must be >= 0, got {}", c.parallel));
  check_at_most("--parallel", c.parallel, kMaxThreads);
  if (c.sharpness_samples < 0)
    throw InvalidArgument(fmt::format("--sharpness must be >= 0, got {}", c.sharpness_samples));
  const std::vector<double> lrs = parse_lr_list(c.lrs);
  Experiment e = make_experiment(c.training, lrs.front());
  const int at_once = std::min<int>(c.parallel > 0 ? c.parallel : e.config["threads"].get<int>(),
                                    static_cast<int>(lrs.size()));
  // make_experiment checked one model; the sweep trains at_once more beside it.
  check_memory({.model_spec = c.training.model,
                .model_config = e.model_config,
                .optimizer_slots = e.optimizer_slots,
                .batch_size = std::min(c.training.batch_size, e.data.train.size()),
                .runs = at_once + 1});
  const RunDirectory run_dir = resumed ? *resumed : RunDirectory(c.out, "sweep", c.overwrite);
  json config = e.config;
  config["command"] = "sweep";
  config["sweep"] = sweep_settings(c);
  if (!resumed) {
    std::filesystem::remove_all(run_dir.file("runs"));  // an overwritten sweep's runs
    run_dir.write_json("config.json", config);
    run_dir.write_json("model.json", e.model_config);
  }
  const SweepRunStore store(run_dir.file("runs"));

  // Validation: the held-out tail of the training data with --validation-split, else the data's
  // own test set, else none (the best η is then picked by training loss).
  Dataset train = std::move(e.data.train);
  std::optional<Dataset> held_out;
  std::string validation_text = "none";
  if (c.training.validation_split > 0) {
    auto parts = split_tail(train, c.training.validation_split);
    train = std::move(parts.first);
    held_out = std::move(parts.second);
    validation_text = fmt::format("the last {:g} of the training data ({} samples)",
                                  c.training.validation_split, held_out->size());
  } else if (e.data.test) {
    held_out = std::move(*e.data.test);
    validation_text = fmt::format("the test set ({} samples)", held_out->size());
  }

  SweepOptions options;
  options.epochs = c.training.epochs;
  options.batch_size = c.training.batch_size;
  options.validation = held_out ? &*held_out : nullptr;
  options.schedule_interval = e.interval;
  options.parallel = c.parallel;
  options.verbose = c.output.quiet ? 0 : 1;
  options.finished = store.load(lrs);
  options.on_run_end = [&store](std::size_t i, const SweepRun& run) { store.save(i, run); };
  if (!c.output.quiet && resumed)
    fmt::print(stderr, "Resuming {}: {} of {} runs already finished\n", run_dir.path().string(),
               std::count_if(options.finished.begin(), options.finished.end(),
                             [](const auto& run) { return run.has_value(); }),
               lrs.size());
  if (!c.training.schedule.empty()) {
    const json params = parse_key_values(c.training.schedule_params, "--schedule-param");
    const std::int64_t length =
        schedule_length(train.size(), c.training.batch_size, c.training.epochs, e.interval);
    options.schedule = [&c, params, length](double lr) {
      return std::shared_ptr<Schedule>(make_schedule(c.training.schedule, params, lr, length));
    };
  }
  if (!c.output.quiet)
    fmt::print(stderr,
               "Sweeping {} learning rates of {} on {}: {}, {} epoch(s) each, {} run(s) at a "
               "time; validation: {}; run directory {}\n",
               lrs.size(), e.model->optimizer().name(), e.data.description, c.training.model,
               c.training.epochs, at_once, validation_text, run_dir.path().string());

  // The sharpness bound at the initial weights: η above it diverges on the local quadratic model.
  std::optional<SweepBound> bound;
  json lr_bound;
  if (c.sharpness_samples > 0) {
    std::unique_ptr<Model> probe = make_model(c.training, e.model_config, train, lrs.front());
    const double momentum = heavy_ball_momentum(probe->optimizer());
    const SharpnessResult s = estimate_sharpness(
        *probe, train,
        {.samples = std::min(c.sharpness_samples, train.size()), .verbose = options.verbose});
    const double lr = s.lr_bound(momentum);
    if (std::isfinite(lr)) {
      bound = SweepBound{lr, momentum > 0 ? fmt::format("2(1+μ)/λmax = {:.3g}", lr)
                                          : fmt::format("2/λmax = {:.3g}", lr)};
      lr_bound = {{"lambda_max", s.lambda_max}, {"bound", lr}, {"label", bound->label}};
    }
  }

  const auto started = std::chrono::steady_clock::now();
  const SweepResult result =
      run_sweep([&](double lr) { return make_model(c.training, e.model_config, train, lr); }, train,
                lrs, options);
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();

  config["optimizer"]["config"].erase("lr");
  config["lrs"] = lrs;
  config["parallel"] = c.parallel;
  config["validation"] = validation_text;
  if (!c.training.schedule.empty())  // built anew for each run, with that run's η
    config["schedule"] = {
        {"name", c.training.schedule},
        {"params", parse_key_values(c.training.schedule_params, "--schedule-param")},
        {"interval", std::string(to_string(e.interval))}};
  run_dir.write_json("config.json", config);
  json sweep_json = result.to_json();
  if (bound) sweep_json["lr_bound"] = lr_bound;
  run_dir.write_json("sweep.json", sweep_json);
  write_sweep_csv(result, run_dir.file("sweep.csv"));
  write_sweep_steps_csv(result, run_dir.file("sweep_steps.csv"));
  write_sweep_charts(result, run_dir.path(), bound);

  int diverged = 0;
  json runs = json::array();
  for (const SweepRun& run : result.runs) {
    diverged += run.verdict == Verdict::diverged;
    const auto metric = run.best_val_metric();
    runs.push_back(
        {{"lr", run.lr},
         {"verdict", to_string(run.verdict)},
         {"reason", run.reason},
         {"final_loss", json_number(run.final_loss())},
         {"final_val_loss", json_number(run.final_val_loss())},
         {"best_val_metric",
          metric ? json{{"name", metric->name}, {"value", json_number(metric->value)}} : json()},
         {"steps", run.history.steps.size()},
         {"seconds", run.seconds}});
  }
  json results = {{"run_dir", run_dir.path().string()},
                  {"best_lr", result.best_lr ? json(*result.best_lr) : json()},
                  {"validation", validation_text},
                  {"runs_at_once", at_once},
                  {"seconds", seconds},
                  {"diverged", diverged},
                  {"runs", runs}};
  if (bound) results["lr_bound"] = lr_bound;
  std::optional<SweepConfidence> confidence;
  if (result.best_lr) {
    confidence = sweep_confidence(result, options.validation != nullptr);
    results["confidence"] = confidence->to_json();
  }
  run_dir.write_json("results.json", results);

  std::string text = table(result) + "\n";
  for (const SweepRun& run : result.runs)
    text += fmt::format("η = {:g} is {}: {}\n", run.lr, to_string(run.verdict), run.reason);
  if (result.best_lr) {
    const auto best = std::find_if(result.runs.begin(), result.runs.end(),
                                   [&](const SweepRun& r) { return r.lr == *result.best_lr; });
    text += options.validation
                ? fmt::format("Best η: {:g} (validation loss {:.4f}, {})\n", best->lr,
                              best->final_val_loss(), to_string(best->verdict))
                : fmt::format("Best η: {:g} (training loss {:.4f}, {}; no validation data)\n",
                              best->lr, best->final_loss(), to_string(best->verdict));
    text += fmt::format("Confidence: {}\n", confidence->summary);
  } else {
    text += "Best η: none, every run diverged: try smaller learning rates\n";
  }
  text += fmt::format("Sweep took {:.1f} s\n", seconds);
  text += fmt::format("Run directory: {}\n", run_dir.path().string());
  print_result(c.output, results, text);
  return result.best_lr ? kSuccess : kDiverged;
}

}  // namespace

void add_sweep_command(CLI::App& app, int& exit_code) {
  auto command = std::make_shared<SweepCommand>();
  CLI::App* sub = app.add_subcommand(
      "sweep", "Train one model per learning rate side by side and give each a verdict");
  add_training_flags(*sub, command->training);
  sub->add_option(
      "--lrs", command->lrs,
      "learning rates (required unless --resume): a list 1e-4,1e-3,0.01 or a log-spaced "
      "range LOW:HIGH:COUNT "
      "(1e-4:1:8)");
  sub->add_option("--parallel", command->parallel, "runs at once (0: one per thread)")
      ->capture_default_str();
  sub->add_option("--sharpness", command->sharpness_samples,
                  "estimate λmax at the initial weights on the first N samples and draw the "
                  "bound 2/λmax (2(1+μ)/λmax with momentum) on the charts (docs/sharpness.md)");
  sub->add_option("--resume", command->resume,
                  "finish the sweep in RUN_DIR: only the runs it had not finished are trained");
  add_run_directory_flags(*sub, command->out, command->overwrite);
  sub->add_flag("--json", command->output.json, "print one JSON object with the results");
  sub->add_flag("--quiet", command->output.quiet, "no progress lines");
  sub->callback([command, sub, &exit_code] { exit_code = run_sweep_command(*command, *sub); });
}

}  // namespace descent::cli
