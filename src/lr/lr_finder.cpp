#include "lr/lr_finder.h"

#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <fstream>
#include <limits>
#include <memory>
#include <optional>

#include <fmt/format.h>

#include "core/ceil_div.h"
#include "core/error.h"
#include "core/non_finite.h"
#include "lr/smoothing.h"

namespace descent {
namespace {

nlohmann::json finite_or_null(double v) {
  return std::isfinite(v) ? nlohmann::json(v) : nlohmann::json();
}

void check_options(const LrFinderOptions& o) {
  if (!(std::isfinite(o.start) && o.start > 0))
    throw InvalidArgument(
        fmt::format("range test: start η must be finite and > 0, got {}", o.start));
  if (!(std::isfinite(o.end) && o.end > o.start))
    throw InvalidArgument(fmt::format(
        "range test: end η must be finite and above the start η {:g}, got {}", o.start, o.end));
  if (o.iters < 2)
    throw InvalidArgument(fmt::format("range test: iters must be >= 2, got {}", o.iters));
  if (!(o.beta >= 0 && o.beta < 1))
    throw InvalidArgument(fmt::format("range test: beta must be in [0, 1), got {}", o.beta));
  if (!(o.diverge_factor > 1 && std::isfinite(o.diverge_factor)))
    throw InvalidArgument(
        fmt::format("range test: diverge factor must be finite and > 1, got {}", o.diverge_factor));
  if (o.batch_size < 1)
    throw InvalidArgument(fmt::format("range test: batch size must be > 0, got {}", o.batch_size));
  const auto& rules = suggestion_rules();
  if (std::find(rules.begin(), rules.end(), o.suggest) == rules.end())
    throw InvalidArgument(fmt::format(
        "range test: unknown suggestion rule '{}' (known: steep, minimum, valley)", o.suggest));
  if (o.verbose < 0)
    throw InvalidArgument(fmt::format("range test: verbose must be >= 0, got {}", o.verbose));
}

// η of step k (0-based) out of n.
double lr_at(const LrFinderOptions& o, std::int64_t k, std::int64_t n) {
  const double t = static_cast<double>(k) / static_cast<double>(n - 1);
  return o.linear ? o.start + (o.end - o.start) * t : o.start * std::pow(o.end / o.start, t);
}

// Everything a fit changes that a later fit depends on; restored by the destructor, so an
// exception thrown mid-test leaves the model as it was too.
class SavedModelState {
 public:
  explicit SavedModelState(Model& model)
      : model_(model), weights_(model.weights()), optimizer_(model.optimizer().state_dict()) {
    for (const Rng* stream : model.random_streams())
      streams_.push_back(stream->state());
  }
  ~SavedModelState() {
    model_.set_weights(weights_);
    model_.optimizer().load_state_dict(optimizer_);
    const auto streams = model_.random_streams();
    for (std::size_t i = 0; i < streams.size(); ++i)
      streams[i]->set_state(streams_[i]);
    model_.stop_training = false;
  }
  SavedModelState(const SavedModelState&) = delete;
  SavedModelState& operator=(const SavedModelState&) = delete;

 private:
  Model& model_;
  StateDict weights_, optimizer_;
  std::vector<Rng::State> streams_;
};

// Sets η before each step, records the curve and ends the test.
class RangeTest : public Callback {
 public:
  RangeTest(const LrFinderOptions& options, std::int64_t steps, LrFinderResult& result)
      : options_(options), steps_(steps), result_(result), average_(options.beta) {}

  void on_train_begin(Model& model, const TrainParams& /*params*/) override {
    model.optimizer().set_lr(lr_at(options_, 0, steps_));
    started_ = Clock::now();
  }

  void on_step_end(Model& model, const StepRecord& step) override {
    record(step.loss, step.lr,
           options_.validation
               ? model.evaluate(*options_.validation, options_.batch_size).at("loss")
               : kNaN);
    const auto k = static_cast<std::int64_t>(result_.lr.size());
    if (!result_.stopped.empty() || k == steps_) {
      if (result_.stopped.empty())
        result_.stopped = fmt::format("reached the end η = {:g} after {} steps", step.lr, k);
      model.stop_training = true;
    } else {
      model.optimizer().set_lr(lr_at(options_, k, steps_));
    }
    show_progress(false);
  }

  // A non-finite loss ends fit() before on_step_end; this records that last step.
  void record_divergence(const StepRecord& step) {
    record(step.loss, step.lr, kNaN);
    show_progress(false);
  }

  void finish() { show_progress(true); }

 private:
  using Clock = std::chrono::steady_clock;

  void record(double loss, double lr, double val_loss) {
    const double smoothed = average_.add(loss);
    result_.lr.push_back(lr);
    result_.loss.push_back(loss);
    result_.smoothed.push_back(smoothed);
    if (options_.validation) result_.val_loss.push_back(val_loss);
    const std::size_t k = result_.lr.size();
    if (!std::isfinite(loss)) {
      result_.stopped = fmt::format("the loss became {} at step {} (η = {:g})", loss, k, lr);
    } else if (smoothed > options_.diverge_factor * lowest_) {
      result_.stopped = fmt::format(
          "the smoothed loss {:.4g} passed {:g} × its minimum {:.4g} at step {} "
          "(η = {:g})",
          smoothed, options_.diverge_factor, lowest_, k, lr);
    }
    lowest_ = std::min(lowest_, smoothed);
  }

  // One line on stderr: redrawn in place on a terminal, only the last one elsewhere.
  void show_progress(bool last) {
    if (options_.verbose == 0 || result_.lr.empty()) return;
    const auto now = Clock::now();
    if (!last && (!terminal_ || now - drawn_ < std::chrono::milliseconds(100))) return;
    drawn_ = now;
    fmt::print(stderr,
               "{}Range test {}/{} - η: {:.3g} - loss: {:.4f} - smoothed: {:.4f} - {:.1f}s{}",
               terminal_ ? "\r" : "", result_.lr.size(), steps_, result_.lr.back(),
               result_.loss.back(), result_.smoothed.back(),
               std::chrono::duration<double>(now - started_).count(), last ? "\n" : "\033[K");
    std::fflush(stderr);
  }

  const LrFinderOptions& options_;
  std::int64_t steps_;
  LrFinderResult& result_;
  BiasCorrectedAverage average_;
  double lowest_ = std::numeric_limits<double>::infinity();
  bool terminal_ = isatty(fileno(stderr)) != 0;
  Clock::time_point started_, drawn_;
};

// Whether the curve says anything: its smoothed loss must fall by at least kClearFall of its
// level (from its highest point before its minimum to the minimum). Returns the reason when not.
constexpr double kClearFall = 0.01;

std::optional<std::string> unclear_curve(const LrFinderResult& r, std::size_t skip) {
  std::size_t end = skip;
  while (end < r.smoothed.size() && std::isfinite(r.smoothed[end]))
    ++end;
  if (end <= skip + 1) return std::nullopt;  // too short to judge: the rules decide
  const auto first = r.smoothed.begin() + static_cast<std::ptrdiff_t>(skip);
  const auto lowest =
      std::min_element(first, r.smoothed.begin() + static_cast<std::ptrdiff_t>(end));
  const double high = *std::max_element(first, lowest + 1), fall = high - *lowest;
  if (fall < kClearFall * std::abs(high))
    return fmt::format("the smoothed loss fell by only {:.2g}% of its level ({:.4g} to {:.4g})",
                       100 * fall / std::abs(high), high, *lowest);
  return std::nullopt;
}

}  // namespace

std::int64_t range_test_steps(std::int64_t samples, std::int64_t /*batch_size*/,
                              std::int64_t iters) {
  if (samples < 2)
    throw InvalidArgument(fmt::format(
        "range test: the data has {} sample(s); a range test needs at least 2", samples));
  return iters;
}

std::int64_t range_test_epochs(std::int64_t samples, std::int64_t batch_size, std::int64_t steps) {
  return ceil_div(steps, ceil_div(samples, std::min(batch_size, samples)));
}

LrFinderResult find_lr(Model& model, const Dataset& data, const LrFinderOptions& options) {
  check_options(options);
  if (!model.compiled())
    throw InvalidArgument("range test: the model must be compiled before training");
  const std::int64_t steps = range_test_steps(data.size(), options.batch_size, options.iters);

  const double given_lr = model.optimizer().lr();  // the fallback of a curve that says nothing
  LrFinderResult result;
  result.options = options;
  result.options.iters = static_cast<int>(steps);
  result.epochs = range_test_epochs(data.size(), options.batch_size, steps);
  auto test = std::make_shared<RangeTest>(result.options, steps, result);
  {
    const SavedModelState saved(model);
    FitOptions fit;
    // Small data: as many epochs as the steps need (fastai's lr_find does the same), each one
    // reshuffled; the test ends after its last step.
    fit.epochs = static_cast<int>(range_test_epochs(data.size(), options.batch_size, steps));
    fit.batch_size = options.batch_size;
    fit.verbose = 0;
    fit.callbacks = {test};
    const History history = model.fit(data, fit);
    if (history.diverged && history.steps.size() > result.lr.size())
      test->record_divergence(history.steps.back());
    test->finish();
  }

  // Skip the first tenth (at least 2 steps): those averages rest on a handful of batches.
  const SuggestionSettings settings{.skip = std::max<std::size_t>(2, steps / 10),
                                    .window = std::max<std::size_t>(2, steps / 20)};
  result.suggestions = suggest_lrs(result.lr, result.smoothed, settings);
  if (result.suggestions.empty())
    throw Diverged(fmt::format("range test: no η to suggest: {} (lower the start η {:g})",
                               result.stopped, options.start));
  const auto by_rule = [&](const std::string& rule) {
    return std::find_if(result.suggestions.begin(), result.suggestions.end(),
                        [&](const LrSuggestion& s) { return s.rule == rule; });
  };
  if (const auto unclear = unclear_curve(result, settings.skip)) {
    result.clear = false;
    const auto nearest =
        std::min_element(result.lr.begin(), result.lr.end(), [&](double a, double b) {
          return std::abs(std::log(a / given_lr)) < std::abs(std::log(b / given_lr));
        });
    result.suggested = {"fallback", given_lr,
                        result.smoothed[static_cast<std::size_t>(nearest - result.lr.begin())],
                        fmt::format("no clear suggestion: {}; falling back to the optimizer's "
                                    "η = {:g} (--lr, or its default)",
                                    *unclear, given_lr)};
  } else if (const auto picked = by_rule(options.suggest); picked != result.suggestions.end()) {
    result.suggested = *picked;
  } else {
    // steep and valley need a falling stretch; the minimum rule is the fallback.
    const auto minimum = by_rule("minimum");
    result.suggested = minimum != result.suggestions.end() ? *minimum : result.suggestions.front();
    result.suggested.reason = fmt::format("no {} suggestion (the loss never fell steadily); {}",
                                          options.suggest, result.suggested.reason);
  }
  return result;
}

nlohmann::json LrFinderResult::to_json() const {
  nlohmann::json curve = {{"step", nlohmann::json::array()},
                          {"lr", nlohmann::json::array()},
                          {"loss", nlohmann::json::array()},
                          {"smoothed", nlohmann::json::array()}};
  for (std::size_t i = 0; i < lr.size(); ++i) {
    curve["step"].push_back(i + 1);
    curve["lr"].push_back(lr[i]);
    curve["loss"].push_back(finite_or_null(loss[i]));
    curve["smoothed"].push_back(finite_or_null(smoothed[i]));
  }
  if (!val_loss.empty()) {
    curve["val_loss"] = nlohmann::json::array();
    for (double v : val_loss)
      curve["val_loss"].push_back(finite_or_null(v));
  }
  nlohmann::json rules = nlohmann::json::object();
  for (const LrSuggestion& s : suggestions)
    rules[s.rule] = {{"lr", s.lr}, {"loss", finite_or_null(s.loss)}, {"reason", s.reason}};
  return {{"clear", clear},
          {"options",
           {{"start", options.start},
            {"end", options.end},
            {"iters", options.iters},
            {"epochs", epochs},
            {"mode", options.linear ? "linear" : "exp"},
            {"beta", options.beta},
            {"diverge_factor", options.diverge_factor},
            {"batch_size", options.batch_size},
            {"validation", options.validation != nullptr},
            {"suggest", options.suggest}}},
          {"curve", curve},
          {"stopped", stopped},
          {"suggestions", rules},
          {"suggested",
           {{"rule", suggested.rule},
            {"lr", suggested.lr},
            {"loss", finite_or_null(suggested.loss)},
            {"reason", suggested.reason}}}};
}

void LrFinderResult::write_csv(const std::filesystem::path& path) const {
  std::ofstream out(path);
  if (!out) throw IoError(fmt::format("cannot write {}", path.string()));
  const auto cell = [](double v) { return std::isfinite(v) ? fmt::format("{}", v) : ""; };
  out << "step,lr,loss,smoothed" << (val_loss.empty() ? "" : ",val_loss") << "\n";
  for (std::size_t i = 0; i < lr.size(); ++i) {
    out << i + 1 << "," << cell(lr[i]) << "," << cell(loss[i]) << "," << cell(smoothed[i]);
    if (!val_loss.empty()) out << "," << cell(val_loss[i]);
    out << "\n";
  }
  if (!out) throw IoError(fmt::format("cannot write {}", path.string()));
}

}  // namespace descent
