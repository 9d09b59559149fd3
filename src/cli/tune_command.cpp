#include "cli/tune_command.h"

#include <algorithm>
#include <cmath>

#include <fmt/format.h>

#include "cli/checkpoint_flags.h"
#include "cli/exit_codes.h"
#include "cli/flag_limits.h"
#include "cli/memory_check.h"
#include "cli/output.h"
#include "cli/run_directory_flags.h"
#include "cli/thread_flag.h"
#include "cli/training_flags.h"
#include "cli/training_run.h"
#include "core/error.h"
#include "lr/lr_finder.h"
#include "lr/lr_suggestions.h"
#include "lr/successive_halving.h"
#include "lr/sweep.h"
#include "lr/sweep_budget.h"
#include "lr/sweep_choice.h"
#include "lr/sweep_confidence.h"
#include "lr/sweep_run_store.h"
#include "lr/widening_sweep.h"
#include "optim/schedule/make_schedule.h"
#include "optim/schedule/schedule_presets.h"
#include "report/html_report.h"
#include "report/lr_finder_chart.h"
#include "report/run_directory.h"
#include "report/sweep_chart.h"
#include "train/checkpoint.h"
#include "train/schedule_driver.h"

namespace descent::cli {
namespace {

using nlohmann::json;

struct TuneCommand {
  TuneCommand() { training.validation_split = 0.1; }  // the sweep picks η on held-out data

  TrainingFlags training;
  int finder_iters = 100;
  std::string suggest = "valley";
  int sweep_points = 5;
  std::optional<int> sweep_epochs;  // empty: a tenth of the final run's steps (lr/sweep_budget.h)
  int sweep_widenings = 2;
  int sweep_rungs = 1;         // lr/successive_halving.h; 1: every η trained once
  bool sweep_schedule = true;  // sweep runs follow the final run's schedule, compressed
  bool cautious_pick = true;   // lr/sweep_choice.h, not simply the best run's η
  int parallel = 0;
  CheckpointFlags checkpoints;
  OutputFlags output;
  std::string out;
  bool overwrite = false;
  std::string resume;
};

json tune_settings(const TuneCommand& c) {
  return {{"finder_iters", c.finder_iters},
          {"suggest", c.suggest},
          {"sweep_points", c.sweep_points},
          {"sweep_epochs", c.sweep_epochs ? json(*c.sweep_epochs) : json()},
          {"sweep_schedule", c.sweep_schedule},
          {"cautious_pick", c.cautious_pick},
          {"sweep_widenings", c.sweep_widenings},
          {"sweep_rungs", c.sweep_rungs},
          {"parallel", c.parallel},
          {"checkpoints", to_json(c.checkpoints)}};
}

// The command as it was started in `root` (its config.json), for --resume.
TuneCommand resumed_command(const TuneCommand& given, const RunDirectory& root) {
  const json config = read_json_file(root.file("config.json"));
  TuneCommand c = given;
  try {
    c.training = training_flags_from_json(config.at("flags"));
    const json& tune = config.at("tune");
    c.finder_iters = tune.at("finder_iters").get<int>();
    c.suggest = tune.at("suggest").get<std::string>();
    c.sweep_points = tune.at("sweep_points").get<int>();
    c.sweep_epochs = tune.at("sweep_epochs").is_null()
                         ? std::nullopt
                         : std::optional<int>(tune.at("sweep_epochs").get<int>());
    // Runs from before the sweep followed the final schedule trained at a constant η.
    c.sweep_schedule = tune.value("sweep_schedule", false);
    c.cautious_pick = tune.value("cautious_pick", false);  // and took the best run's η
    c.sweep_widenings = tune.value("sweep_widenings", 0);  // runs from before widening had none
    c.sweep_rungs = tune.value("sweep_rungs", 1);  // and before successive halving, one rung
    c.parallel = tune.at("parallel").get<int>();
    c.checkpoints = checkpoint_flags_from_json(tune.at("checkpoints"));
  } catch (const json::exception& e) {
    throw DataError(fmt::format("{}: not a resumable tune run ({})",
                                root.file("config.json").string(), e.what()));
  }
  c.training.model = root.file("model.json").string();
  return c;
}

// The range test's suggestion saved by a run that got past it (find-lr/results.json), if any.
std::optional<LrSuggestion> saved_suggestion(const RunDirectory& finder_dir) {
  if (!std::filesystem::exists(finder_dir.file("results.json"))) return std::nullopt;
  const json saved = read_json_file(finder_dir.file("results.json"));
  try {
    const json& s = saved.at("suggested");
    return LrSuggestion{s.at("rule").get<std::string>(), s.at("lr").get<double>(), NAN,
                        s.at("reason").get<std::string>()};
  } catch (const json::exception&) {
    return std::nullopt;  // damaged: the range test runs again
  }
}

// The final run's schedule for peak η `lr` over `steps` optimizer steps: a preset (onecycle,
// cosine, constant: optim/schedule/schedule_presets.h) or any schedule by name, with
// --schedule-param. Refuses one that cycles a momentum `optimizer` lacks.
std::shared_ptr<Schedule> final_schedule(const TrainingFlags& f, const Optimizer& optimizer,
                                         double lr, std::int64_t steps) {
  const json params = parse_key_values(f.schedule_params, "--schedule-param");
  std::shared_ptr<Schedule> schedule =
      is_schedule_preset(f.schedule)
          ? make_schedule_preset(f.schedule, params, lr, steps, optimizer.momentum().has_value())
          : make_schedule(f.schedule, params, lr, steps);
  if (schedule) {
    check_cycled_momentum(*schedule, optimizer);
    check_schedule_length(*schedule, steps);
  }
  return schedule;
}

json suggestion_json(const LrSuggestion& s) {
  return {{"rule", s.rule}, {"lr", s.lr}, {"reason", s.reason}};
}

int run_tune(const TuneCommand& given, const CLI::App& command) {
  std::optional<RunDirectory> resumed;
  if (!given.resume.empty()) {
    refuse_settings_with_resume(command);
    resumed = RunDirectory::existing(given.resume);
  }
  const TuneCommand c = resumed ? resumed_command(given, *resumed) : given;
  if (c.training.lr) throw InvalidArgument("--lr does not apply to tune: it picks η itself");
  if (c.finder_iters < 2)
    throw InvalidArgument(fmt::format("--finder-iters must be >= 2, got {}", c.finder_iters));
  if (c.sweep_points < 2)
    throw InvalidArgument(fmt::format("--sweep-points must be >= 2, got {}", c.sweep_points));
  if (c.sweep_epochs && *c.sweep_epochs < 1)
    throw InvalidArgument(fmt::format("--sweep-epochs must be >= 1, got {}", *c.sweep_epochs));
  if (c.sweep_widenings < 0)
    throw InvalidArgument(fmt::format("--sweep-widen must be >= 0, got {}", c.sweep_widenings));
  check_at_most("--sweep-widen", c.sweep_widenings, kMaxSweepWidenings);
  if (c.sweep_rungs < 1)
    throw InvalidArgument(fmt::format("--sweep-rungs must be >= 1, got {}", c.sweep_rungs));
  check_at_most("--sweep-rungs", c.sweep_rungs, kMaxSweepRungs);
  if (c.parallel < 0)
    throw InvalidArgument(fmt::format("--parallel must be >= 0, got {}", c.parallel));
  check_at_most("--parallel", c.parallel, kMaxThreads);
  check_at_most("--finder-iters", c.finder_iters, kMaxIters);
  check_at_most("--sweep-points", c.sweep_points, kMaxSweepPoints);
  if (c.sweep_epochs) check_at_most("--sweep-epochs", *c.sweep_epochs, kMaxEpochs);
  // The stages' own settings, checked before the run directory is made.
  const auto& rules = suggestion_rules();
  if (std::find(rules.begin(), rules.end(), c.suggest) == rules.end())
    throw InvalidArgument(
        fmt::format("--suggest must be steep, minimum or valley, got '{}'", c.suggest));
  check_checkpoint_flags(c.checkpoints);
  if (!(c.training.validation_split > 0 && c.training.validation_split < 1))
    throw InvalidArgument(fmt::format(
        "--validation-split must be in (0, 1) for tune (the sweep compares validation losses), "
        "got {}",
        c.training.validation_split));
  TrainingFlags flags = c.training;
  if (flags.schedule.empty()) flags.schedule = "onecycle";
  TrainingFlags experiment_flags = flags;
  experiment_flags.schedule.clear();  // the final run's schedule is built once η is known
  Experiment e = make_experiment(experiment_flags);

  const bool quiet = c.output.quiet;
  // Named references, not a structured binding: Debian's clang 14 cannot capture one in a lambda.
  auto split = split_tail(e.data.train, flags.validation_split);
  Dataset& train = split.first;
  Dataset& validation = split.second;
  const std::int64_t final_steps =
      schedule_length(train.size(), flags.batch_size, flags.epochs, ScheduleInterval::step);
  // Rejects a bad schedule name, parameter or length now, not after the finder and the sweep.
  try {
    final_schedule(flags, e.model->optimizer(), 0.01, final_steps);
  } catch (const InvalidArgument& error) {
    throw InvalidArgument(
        fmt::format("the final run ({} optimizer steps): {}", final_steps, error.what()));
  }
  const auto build = [&](double lr) { return make_model(flags, e.model_config, train, lr); };
  // make_experiment checked one model; the sweep trains up to this many more beside it.
  const int at_once =
      std::min(c.parallel > 0 ? c.parallel : e.config["threads"].get<int>(), c.sweep_points);
  check_memory({.model_spec = flags.model,
                .model_config = e.model_config,
                .optimizer_slots = e.optimizer_slots,
                .batch_size = std::min(flags.batch_size, train.size()),
                .runs = at_once + 1});
  range_test_steps(train.size(), flags.batch_size, c.finder_iters);

  const RunDirectory root = resumed ? *resumed : RunDirectory(c.out, "tune", c.overwrite);
  json config = e.config;
  config["command"] = "tune";
  config["tune"] = tune_settings(c);
  if (!resumed) {
    for (const char* stage : {"find-lr", "sweep", "final"})  // an overwritten run's stages
      std::filesystem::remove_all(root.file(stage));
    root.write_json("config.json", config);
    root.write_json("model.json", e.model_config);
  }
  if (!quiet)
    fmt::print(stderr,
               "Tuning η for {} on {} with {}; validation: the last {:g} ({} samples); "
               "run directory {}\n",
               flags.model, e.data.description, e.model->optimizer().name(), flags.validation_split,
               validation.size(), root.path().string());

  // 1. The range test, from the initial weights (once: a resumed run reads its suggestion back).
  const RunDirectory finder_dir = RunDirectory::stage(root.path() / "find-lr");
  std::optional<LrSuggestion> suggestion = saved_suggestion(finder_dir);
  if (suggestion) {
    if (!quiet) fmt::print(stderr, "1/3 Range test: done before\n");
  } else {
    if (!quiet) fmt::print(stderr, "1/3 Range test\n");
    LrFinderOptions finder{.iters = c.finder_iters,
                           .batch_size = flags.batch_size,
                           .suggest = c.suggest,
                           .verbose = quiet ? 0 : 1};
    std::unique_ptr<Model> probe = build(1e-3);
    const LrFinderResult found = find_lr(*probe, train, finder);
    json finder_config = e.config;
    finder_config["command"] = "find-lr";
    finder_config["find_lr"] = found.to_json()["options"];
    finder_dir.write_json("config.json", finder_config);
    finder_dir.write_json("lr_finder.json", found.to_json());
    found.write_csv(finder_dir.file("lr_finder.csv"));
    write_lr_finder_chart(found, finder_dir.path());
    finder_dir.write_json("results.json", {{"suggested", suggestion_json(found.suggested)}});
    suggestion = found.suggested;
  }
  const double suggested = suggestion->lr;
  if (!quiet)
    fmt::print(stderr, "Suggested η = {:.3g} ({}): {}\n", suggested, suggestion->rule,
               suggestion->reason);

  // 2. A short sweep from a tenth to three times the suggestion; when the range test's curve said
  // nothing (a flat or noisy curve: its fallback), over the five decades where the η of every
  // optimizer here lies instead.
  const bool unclear = suggestion->rule == "fallback";
  if (!quiet)
    fmt::print(stderr, "{}\n",
               unclear ? "2/3 No clear suggestion: sweep η from 1e-5 to 1" : "2/3 Sweep around it");
  // Each run is the final run in small: its schedule (a preset) compressed to the run's steps,
  // which are a tenth of the final run's (or --sweep-epochs epochs), so that the sweep compares
  // what the final run will do with each η. With successive halving (--sweep-rungs), rung 0 runs
  // a third of that, and each later rung three times the one before, on the best third.
  const SweepBudget base =
      c.sweep_epochs ? sweep_epochs_budget(train.size(), flags.batch_size, *c.sweep_epochs)
                     : sweep_budget(train.size(), flags.batch_size, final_steps);
  const auto rung_budget = [&](int rung) {
    return c.sweep_rungs == 1 ? base
                              : sweep_steps_budget(train.size(), flags.batch_size,
                                                   halving_rung_steps(base.steps, rung,
                                                                      c.sweep_rungs, final_steps));
  };
  // The final schedule over `steps`, or none (a constant η) where it is no preset, not wanted or
  // too short for the schedule.
  const auto sweep_schedule_for = [&](std::int64_t steps) {
    std::function<std::shared_ptr<Schedule>(double)> schedule;
    if (!c.sweep_schedule || !is_schedule_preset(flags.schedule)) return schedule;
    schedule = [&, steps](double lr) {
      return final_schedule(flags, e.model->optimizer(), lr, steps);
    };
    try {
      schedule(1.0);
    } catch (const InvalidArgument& error) {
      schedule = nullptr;
      if (!quiet)
        fmt::print(stderr, "The sweep runs ({} steps) train at a constant η: {}\n", steps,
                   error.what());
    }
    return schedule;
  };
  const RunDirectory sweep_dir = RunDirectory::stage(root.path() / "sweep");
  const auto rung_dir = [&](int rung) {
    return rung == 0 ? sweep_dir
                     : RunDirectory::stage(sweep_dir.path() / fmt::format("rung-{}", rung));
  };
  std::vector<SweepBudget> budgets;
  std::vector<bool> scheduled;  // per rung: whether its runs followed the final schedule
  WideningSweep widened;
  const std::vector<double> grid =
      unclear ? log_spaced(1e-5, 1.0, c.sweep_points)
              : log_spaced(suggested / 10.0, suggested * 3.0, c.sweep_points);
  const std::vector<SweepResult> rungs = run_successive_halving(
      grid, c.sweep_rungs, true, [&](int rung, const std::vector<double>& rung_lrs) {
        const SweepBudget budget = rung_budget(rung);
        budgets.push_back(budget);
        if (!quiet && c.sweep_rungs > 1)
          fmt::print(stderr, "Rung {} of {}: {} η × {} steps\n", rung + 1, c.sweep_rungs,
                     rung_lrs.size(), budget.steps);
        const std::optional<Dataset> part = sweep_training_part(train, budget, flags.data.seed);
        const auto schedule = sweep_schedule_for(budget.steps);
        scheduled.push_back(static_cast<bool>(schedule));
        const SweepRunStore store(rung_dir(rung).file("runs"));
        SweepOptions options{
            .epochs = budget.epochs,
            .batch_size = flags.batch_size,
            .validation = &validation,
            .schedule = schedule,
            .parallel = c.parallel,
            .verbose = quiet ? 0 : 1,
            .on_run_end = [&](std::size_t i, const SweepRun& run) { store.save(i, run); }};
        if (rung == 0) {
          widened = run_widening_sweep(
              build, part ? *part : train, rung_lrs, options, {.max_widenings = c.sweep_widenings},
              [&](const std::vector<double>& lrs) { return store.load(lrs); });
          return widened.result;
        }
        options.finished = store.load(rung_lrs);
        return run_sweep(build, part ? *part : train, rung_lrs, options);
      });
  std::vector<double> lrs;  // rung 0's, sorted, as the runs are
  for (const SweepRun& r : rungs.front().runs)
    lrs.push_back(r.lr);
  for (std::size_t rung = 0; rung < rungs.size(); ++rung) {
    const SweepResult& result = rungs[rung];
    const RunDirectory dir = rung_dir(static_cast<int>(rung));
    json sweep_config = e.config;
    sweep_config["command"] = "sweep";
    sweep_config["lrs"] = json::array();
    for (const SweepRun& r : result.runs)
      sweep_config["lrs"].push_back(r.lr);
    sweep_config["epochs"] = budgets[rung].epochs;
    sweep_config["steps"] = budgets[rung].steps;
    sweep_config["samples"] = budgets[rung].samples;
    sweep_config["schedule"] = scheduled[rung] ? json(flags.schedule) : json();
    sweep_config["optimizer"]["config"].erase("lr");
    dir.write_json("config.json", sweep_config);
    dir.write_json("sweep.json", result.to_json());
    write_sweep_csv(result, dir.file("sweep.csv"));
    write_sweep_steps_csv(result, dir.file("sweep_steps.csv"));
    if (rung == 0) write_sweep_charts(result, dir.path());
  }
  // The pick reads the last rung, whose runs trained longest (or the one before, when every run
  // of it diverged); its confidence the last rung with a spread to read (two runs or more).
  const PickedRung picked = rung_to_pick_from(rungs, true);
  const std::size_t last = picked.rung;
  const SweepResult& swept = picked.result;
  if (!swept.best_lr)
    throw Diverged(fmt::format(
        "every sweep run diverged (η from {:.3g} to {:.3g}): the range test's suggestion is too "
        "high for this model; see {}",
        lrs.front(), lrs.back(), sweep_dir.path().string()));
  std::size_t spread_rung = last;
  while (spread_rung > 0 && rungs[spread_rung].runs.size() < 2)
    --spread_rung;
  const SweepConfidence confidence =
      sweep_confidence(spread_rung == last ? swept : rungs[spread_rung], true);
  const SweepChoice choice = c.cautious_pick ? choose_from_sweep(swept, true)
                                             : SweepChoice{.lr = *swept.best_lr, .why = ""};
  const double chosen = choice.lr;
  const auto run_at = [&](double lr) {
    return std::find_if(swept.runs.begin(), swept.runs.end(),
                        [&](const SweepRun& r) { return r.lr == lr; });
  };
  const auto best = run_at(*swept.best_lr);
  const std::string widening_note =
      widened.widenings
          ? fmt::format(" (the grid widened {} time(s) past its edge)", widened.widenings)
          : "";
  std::string halving_note;
  for (std::size_t rung = 0; rung < rungs.size(); ++rung)
    halving_note += fmt::format("{}{} η × {} steps", rung ? " -> " : "", rungs[rung].runs.size(),
                                budgets[rung].steps);
  const std::string among =
      rungs.size() == 1
          ? fmt::format("among {} runs", lrs.size())
          : fmt::format("among the {} η of rung {} of a successive halving ({}{})",
                        swept.runs.size(), last + 1, halving_note,
                        last + 1 < rungs.size() ? "; every run of the later rungs diverged" : "");
  const std::string found = fmt::format(
      "the lowest validation loss ({:.4f}) after {} steps{} {} from {:.3g} to {:.3g}{} around the "
      "range test's suggestion {:.3g} ({} rule)",
      best->final_val_loss(), budgets[last].steps, scheduled[last] ? " of the final schedule" : "",
      among, lrs.front(), lrs.back(), widening_note, suggested, suggestion->rule);
  const std::string reason =
      choice.why.empty()
          ? fmt::format("η = {:.3g} had {}; its verdict: {}", chosen, found,
                        to_string(best->verdict))
          : fmt::format("η = {:.3g}: {}. η = {:.3g} had {}; η = {:.3g}'s verdict: {}", chosen,
                        choice.why, *swept.best_lr, found, chosen,
                        to_string(run_at(chosen)->verdict));
  if (!quiet) fmt::print(stderr, "Chosen: {}\nConfidence: {}\n", reason, confidence.summary);

  // 3. The final training with the chosen η and the schedule, checkpointed: a resumed run goes on
  // from its last checkpoint.
  if (!quiet) fmt::print(stderr, "3/3 Final training\n");
  std::unique_ptr<Model> model = build(chosen);
  FitOptions fit{.epochs = flags.epochs,
                 .batch_size = flags.batch_size,
                 .validation_data = &validation,
                 .verbose = quiet ? 0 : 1,
                 .schedule = final_schedule(flags, model->optimizer(), chosen, final_steps)};
  const RunDirectory final_dir = RunDirectory::stage(root.path() / "final");
  apply_checkpoint_flags(c.checkpoints, final_dir.path(), fit);
  const std::optional<LoadedCheckpoint> checkpoint =
      CheckpointStore(fit.checkpoint_dir, fit.checkpoint_keep).load_latest();
  if (checkpoint) fit.resume_from = &checkpoint->state;
  const History history = model->fit(train, fit);
  json final_config = e.config;
  final_config["command"] = "train";
  final_config["optimizer"]["config"] = model->optimizer().config();
  final_config["schedule"] = fit.schedule ? json{{"name", fit.schedule->name()},
                                                 {"config", fit.schedule->config()},
                                                 {"interval", "step"}}
                                          : json(nullptr);
  TrainingOutcome outcome =
      finish_training_run(final_dir, *model, final_config, e.model_config, history,
                          e.data.test ? &*e.data.test : nullptr, flags.batch_size,
                          e.data.vocabulary ? &*e.data.vocabulary : nullptr);

  config["finder_iters"] = c.finder_iters;
  config["suggest"] = c.suggest;
  config["sweep_lrs"] = lrs;
  config["sweep_epochs"] = budgets.front().epochs;
  config["sweep_steps"] = budgets.front().steps;
  config["final_schedule"] = flags.schedule;
  config["optimizer"]["config"].erase("lr");
  root.write_json("config.json", config);
  json results = {{"run_dir", root.path().string()},
                  {"chosen_lr", chosen},
                  {"reason", reason},
                  {"suggested", suggestion_json(*suggestion)},
                  {"sweep",
                   {{"lrs", lrs},
                    {"verdicts", json::array()},
                    {"best_lr", *swept.best_lr},
                    {"best_val_loss", json_number(best->final_val_loss())},
                    {"widenings", widened.widenings},
                    {"rungs", json::array()}}},
                  {"confidence", confidence.to_json()},
                  {"final", outcome.results},
                  {"report", (root.path() / "report.html").string()}};
  for (const SweepRun& r : rungs.front().runs)
    results["sweep"]["verdicts"].push_back(to_string(r.verdict));
  for (std::size_t rung = 0; rung < rungs.size(); ++rung) {
    json runs = json::array();
    for (const SweepRun& r : rungs[rung].runs)
      runs.push_back({{"lr", r.lr},
                      {"verdict", to_string(r.verdict)},
                      {"val_loss", json_number(r.final_val_loss())}});
    results["sweep"]["rungs"].push_back({{"steps", budgets[rung].steps}, {"runs", runs}});
  }
  root.write_json("results.json", results);
  write_html_report({root.path()}, root.file("report.html"),
                    fmt::format("descent tune: {} on {}", flags.model, e.data.description));

  std::string text = fmt::format("Suggested by the range test: η = {:.3g} ({} rule)\n", suggested,
                                 suggestion->rule);
  for (std::size_t rung = 0; rung < rungs.size(); ++rung) {
    if (rungs.size() > 1)
      text += fmt::format("Sweep rung {} of {} ({} steps a run):\n", rung + 1, rungs.size(),
                          budgets[rung].steps);
    for (const SweepRun& r : rungs[rung].runs)
      text += fmt::format("  sweep η = {:<10.3g} {:<9} val loss {:.4f}\n", r.lr,
                          to_string(r.verdict), r.final_val_loss());
  }
  text +=
      fmt::format("Chosen η = {:.3g}: {}\nConfidence: {}\n", chosen, reason, confidence.summary);
  text += fmt::format("Final training ({} epochs, {} schedule):\n{}", flags.epochs, flags.schedule,
                      outcome.text);
  text += fmt::format("Report: {}\n", root.file("report.html").string());
  text += fmt::format("Run directory: {}\n", root.path().string());
  print_result(c.output, results, text);
  return history.diverged ? kDiverged : kSuccess;
}

}  // namespace

void add_tune_command(CLI::App& app, int& exit_code) {
  auto command = std::make_shared<TuneCommand>();
  CLI::App* sub = app.add_subcommand(
      "tune", "Pick η (range test, then a sweep around it), train with it, write one report");
  add_training_flags(*sub, command->training);
  sub->remove_option(sub->get_option("--lr"));
  sub->get_option("--schedule")
      ->description(
          "final run's schedule: onecycle (default), cosine (warmup then cosine decay), "
          "constant, or any schedule name (docs/schedules.md)");
  sub->get_option("--validation-split")
      ->description("held-out fraction on which the sweep compares runs (default 0.1)");
  sub->add_option("--finder-iters", command->finder_iters, "steps of the range test")
      ->capture_default_str();
  sub->add_option("--suggest", command->suggest, "range-test rule: steep, minimum or valley")
      ->capture_default_str();
  sub->add_option("--sweep-points", command->sweep_points,
                  "learning rates in the sweep, log-spaced from a tenth to 3x the suggestion")
      ->capture_default_str();
  sub->add_option("--sweep-epochs", command->sweep_epochs,
                  "epochs of each sweep run (default: a tenth of the final run's steps, at least "
                  "30, on a random part of the data when that is less than an epoch)")
      ->capture_default_str();
  sub->add_option("--sweep-widen", command->sweep_widenings,
                  "times the sweep may add 2 η past its edge when its best η is the lowest or "
                  "highest tried (0: never)")
      ->capture_default_str();
  sub->add_option("--sweep-rungs", command->sweep_rungs,
                  "successive halving: rung 0 trains every η for a third of a sweep run's steps, "
                  "each later rung the best third for 3x the steps before; the pick reads the "
                  "last rung (1: every η once)")
      ->capture_default_str();
  sub->add_option("--parallel", command->parallel, "sweep runs at once (0: one per thread)")
      ->capture_default_str();
  add_checkpoint_flags(*sub, command->checkpoints);
  sub->add_option("--resume", command->resume,
                  "finish the tune run in RUN_DIR: finished stages and sweep runs are kept, the "
                  "final training goes on from its last checkpoint");
  add_run_directory_flags(*sub, command->out, command->overwrite);
  sub->add_flag("--json", command->output.json, "print one JSON object with the results");
  sub->add_flag("--quiet", command->output.quiet, "no progress output");
  sub->callback([command, sub, &exit_code] { exit_code = run_tune(*command, *sub); });
}

}  // namespace descent::cli
