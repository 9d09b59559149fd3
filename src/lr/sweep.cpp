#include "lr/sweep.h"

#include <omp.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <exception>
#include <fstream>
#include <limits>
#include <mutex>

#include <fmt/format.h>

#include "core/error.h"
#include "core/non_finite.h"
#include "core/parallel.h"
#include "lr/divergence_guard.h"
#include "lr/sweep_progress.h"
#include "optim/schedule/schedule.h"

namespace descent {
namespace {

using nlohmann::json;

json number_or_null(double v) {
  return std::isfinite(v) ? json(v) : json();
}

std::string csv_number(double v) {
  return std::isfinite(v) ? fmt::format("{}", v) : "";
}

// A CSV field in double quotes, inner quotes doubled (RFC 4180): reasons hold commas.
std::string csv_text(const std::string& text) {
  std::string out = "\"";
  for (char c : text)
    out += c == '"' ? std::string("\"\"") : std::string(1, c);
  return out + "\"";
}

std::ofstream open_for_writing(const std::filesystem::path& path) {
  std::ofstream out(path);
  if (!out) throw IoError(fmt::format("cannot write {}", path.string()));
  return out;
}

void check_options(const std::vector<double>& lrs, const SweepOptions& options) {
  if (lrs.empty()) throw InvalidArgument("sweep: no learning rates given");
  for (double lr : lrs)
    if (!(std::isfinite(lr) && lr > 0))
      throw InvalidArgument(fmt::format("sweep: learning rate must be finite and > 0, got {}", lr));
  if (options.epochs < 1)
    throw InvalidArgument(fmt::format("sweep: epochs must be >= 1, got {}", options.epochs));
  if (options.batch_size < 1)
    throw InvalidArgument(
        fmt::format("sweep: batch size must be >= 1, got {}", options.batch_size));
  if (options.parallel < 0)
    throw InvalidArgument(fmt::format("sweep: parallel must be >= 0, got {}", options.parallel));
  options.rules.validate();
}

}  // namespace

double SweepRun::final_loss() const {
  return history.epochs.empty() ? kNaN : history.epochs.back().get("loss").value_or(kNaN);
}

double SweepRun::final_val_loss() const {
  return history.epochs.empty() ? kNaN : history.epochs.back().get("val_loss").value_or(kNaN);
}

std::optional<MetricValue> SweepRun::best_val_metric() const {
  if (history.epochs.empty()) return std::nullopt;
  std::string name;
  for (const auto& [key, value] : history.epochs.front().items())
    if (key.starts_with("val_") && key != "val_loss") {
      name = key;
      break;
    }
  if (name.empty()) return std::nullopt;
  const bool higher_is_better = name.find("accuracy") != std::string::npos;
  std::optional<double> best;
  for (double v : history.column(name))
    if (std::isfinite(v) && (!best || (higher_is_better ? v > *best : v < *best))) best = v;
  if (!best) return std::nullopt;
  return MetricValue{name, *best};
}

json SweepResult::to_json() const {
  json out = {{"runs", json::array()}, {"best_lr", best_lr ? json(*best_lr) : json()}};
  for (const SweepRun& run : runs) {
    const auto metric = run.best_val_metric();
    out["runs"].push_back(
        {{"lr", run.lr},
         {"verdict", to_string(run.verdict)},
         {"reason", run.reason},
         {"seconds", run.seconds},
         {"final_loss", number_or_null(run.final_loss())},
         {"final_val_loss", number_or_null(run.final_val_loss())},
         {"best_val_metric",
          metric ? json{{"name", metric->name}, {"value", number_or_null(metric->value)}} : json()},
         {"history", run.history.to_json()}});
  }
  return out;
}

SweepResult run_sweep(const std::function<std::unique_ptr<Model>(double lr)>& make_model,
                      const Dataset& train, const std::vector<double>& lrs,
                      const SweepOptions& options) {
  check_options(lrs, options);
  const auto count = static_cast<int>(lrs.size());
  const int at_once = std::min(options.parallel > 0 ? options.parallel : num_threads(), count);
  const std::int64_t steps_per_run =
      schedule_length(train.size(), options.batch_size, options.epochs, ScheduleInterval::step);
  SweepProgress progress(lrs.size(), steps_per_run, options.verbose > 0);

  SweepResult result;
  result.runs.resize(lrs.size());
  std::mutex build_mutex, saved_mutex;
  const auto train_one = [&](std::size_t i) {
    if (i < options.finished.size() && options.finished[i]) {
      result.runs[i] = *options.finished[i];
      progress.run_finished(lrs[i], result.runs[i].history, result.runs[i].seconds);
      return;
    }
    std::unique_ptr<Model> model;
    {
      std::lock_guard lock(build_mutex);
      model = make_model(lrs[i]);
    }
    auto guard = std::make_shared<DivergenceGuard>(options.rules);
    FitOptions fit;
    fit.epochs = options.epochs;
    fit.batch_size = options.batch_size;
    fit.validation_data = options.validation;
    fit.verbose = 0;
    fit.callbacks = {guard, progress.step_counter()};
    if (options.schedule) fit.schedule = options.schedule(lrs[i]);
    fit.schedule_interval = options.schedule_interval;
    const auto start = std::chrono::steady_clock::now();
    History history = model->fit(train, fit);
    const double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    if (guard->reason() && !history.diverged) {
      history.diverged = true;
      history.divergence = *guard->reason();
    }
    progress.run_finished(lrs[i], history, seconds);
    result.runs[i] = SweepRun{lrs[i], std::move(history), Verdict::good, "", seconds};
    if (options.on_run_end) {
      std::lock_guard lock(saved_mutex);
      options.on_run_end(i, result.runs[i]);
    }
  };

  std::exception_ptr failure;
  if (at_once == 1) {
    try {
      for (std::size_t i = 0; i < lrs.size(); ++i)
        train_one(i);
    } catch (...) {
      failure = std::current_exception();
    }
  } else {
    std::atomic<bool> failed = false;
    std::mutex failure_mutex;
#pragma omp parallel for schedule(dynamic, 1) num_threads(at_once)
    for (int i = 0; i < count; ++i) {
      if (failed) continue;
      try {
        // Every core trains its own run: loops and BLAS inside it stay on this thread.
        omp_set_num_threads(1);
        enable_flush_denormals();
        train_one(static_cast<std::size_t>(i));
      } catch (...) {
        std::lock_guard lock(failure_mutex);
        if (!failure) failure = std::current_exception();
        failed = true;
      }
    }
  }
  progress.finish();
  if (failure) std::rethrow_exception(failure);

  std::vector<std::vector<double>> losses;
  std::vector<double> val_losses;
  for (const SweepRun& run : result.runs) {
    losses.emplace_back();
    for (const StepRecord& s : run.history.steps)
      losses.back().push_back(s.loss);
    if (options.validation) val_losses.push_back(run.final_val_loss());
  }
  const auto judgements = judge_runs(lrs, losses, options.rules, val_losses);
  double best_loss = INFINITY;
  for (std::size_t i = 0; i < lrs.size(); ++i) {
    SweepRun& run = result.runs[i];
    run.verdict = judgements[i].verdict;
    run.reason = judgements[i].reason;
    const double loss = run.compared_loss(options.validation != nullptr);
    if (run.verdict != Verdict::diverged && std::isfinite(loss) && loss < best_loss) {
      best_loss = loss;
      result.best_lr = run.lr;
    }
  }
  return result;
}

std::vector<double> log_spaced(double low, double high, int count) {
  if (!(std::isfinite(low) && std::isfinite(high) && low > 0 && low < high))
    throw InvalidArgument(
        fmt::format("log_spaced needs finite 0 < low < high, got {} and {}", low, high));
  if (count < 2) throw InvalidArgument(fmt::format("log_spaced needs count >= 2, got {}", count));
  // Powers of ten stay exact: 1e-4:1:5 gives 0.001, not 0.0010000000000000002.
  const double a = std::log10(low), step = (std::log10(high) - a) / (count - 1);
  std::vector<double> out;
  for (int i = 0; i < count; ++i)
    out.push_back(std::pow(10.0, a + step * i));
  out.front() = low;
  out.back() = high;
  return out;
}

void write_sweep_csv(const SweepResult& result, const std::filesystem::path& path) {
  std::string metric = "metric";
  for (const SweepRun& run : result.runs)
    if (const auto m = run.best_val_metric()) {
      metric = m->name.substr(4);
      break;
    }
  std::ofstream out = open_for_writing(path);
  out << "lr,verdict,final_loss,final_val_loss,best_val_" << metric << ",seconds,reason\n";
  for (const SweepRun& run : result.runs) {
    const auto m = run.best_val_metric();
    out << fmt::format("{},{},{},{},{},{},{}\n", run.lr, to_string(run.verdict),
                       csv_number(run.final_loss()), csv_number(run.final_val_loss()),
                       m ? csv_number(m->value) : "", run.seconds, csv_text(run.reason));
  }
  if (!out) throw IoError(fmt::format("cannot write {}", path.string()));
}

void write_sweep_steps_csv(const SweepResult& result, const std::filesystem::path& path) {
  std::ofstream out = open_for_writing(path);
  out << "lr,step,epoch,loss\n";
  for (const SweepRun& run : result.runs)
    for (const StepRecord& s : run.history.steps)
      out << fmt::format("{},{},{},{}\n", run.lr, s.step, s.epoch, s.loss);
  if (!out) throw IoError(fmt::format("cannot write {}", path.string()));
}

}  // namespace descent
