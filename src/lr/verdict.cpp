#include "lr/verdict.h"

#include <algorithm>
#include <cmath>
#include <cstddef>

#include <fmt/format.h>

#include "core/error.h"
#include "lr/smoothing.h"

namespace descent {
namespace {

// What a run that did not diverge did, in the figures the rules compare.
struct Course {
  double initial = 0;      // ℓ_1
  double final = 0;        // S_n
  double best = 0;         // S_min
  double progress = 0;     // ℓ_1 − S_n
  double limit = 0;        // θ
  double half_rise = 0;    // largest rise of S within the second half
  double rise_from = 0;    // where that rise started
  std::string limit_text;  // how θ was reached
};

Course course_of(const std::vector<double>& losses, const VerdictRules& rules) {
  const std::vector<double> s = smooth(losses, rules.smoothing);
  Course c;
  c.initial = losses.front();
  c.final = s.back();
  c.best = *std::min_element(s.begin(), s.end());
  c.progress = c.initial - c.final;
  const double of_fall = rules.rise_of_progress * (c.initial - c.best);
  const double of_best = rules.rise_of_best * c.best;
  c.limit = std::max(of_fall, of_best);
  c.limit_text = of_fall >= of_best
                     ? fmt::format("{:.0f}% of its fall {:.3g}", 100 * rules.rise_of_progress,
                                   c.initial - c.best)
                     : fmt::format("{:.0f}% of its best {:.3g}", 100 * rules.rise_of_best, c.best);
  const std::size_t half = s.size() / 2;
  double low = INFINITY;
  for (std::size_t t = half; t < s.size(); ++t) {
    low = std::min(low, s[t]);
    if (s[t] - low > c.half_rise) {
      c.half_rise = s[t] - low;
      c.rise_from = low;
    }
  }
  return c;
}

std::optional<std::string> instability(const Course& c) {
  const double end_rise = c.final - c.best;
  if (end_rise > c.limit && end_rise >= c.half_rise)
    return fmt::format(
        "the smoothed loss ended at {:.3g}, {:.3g} above its best {:.3g} (limit {:.3g}: {})",
        c.final, end_rise, c.best, c.limit, c.limit_text);
  if (c.half_rise > c.limit)
    return fmt::format(
        "the smoothed loss rose {:.3g} ({:.3g} → {:.3g}) in the second half of the run (limit "
        "{:.3g}: {})",
        c.half_rise, c.rise_from, c.rise_from + c.half_rise, c.limit, c.limit_text);
  return std::nullopt;
}

// A run that the training loss calls good, but whose validation loss is more than
// val_loss_factor times the sweep's best, is not: judged against the η of that best run.
void judge_validation(const std::vector<double>& lrs, const std::vector<double>& val_losses,
                      const VerdictRules& rules, std::vector<RunJudgement>& out) {
  std::optional<std::size_t> best;
  for (std::size_t i = 0; i < lrs.size(); ++i)
    if (out[i].verdict != Verdict::diverged && std::isfinite(val_losses[i]) &&
        (!best || val_losses[i] < val_losses[*best]))
      best = i;
  if (!best) return;
  const double lowest = val_losses[*best];
  for (std::size_t i = 0; i < lrs.size(); ++i) {
    const double v = val_losses[i];
    if (out[i].verdict != Verdict::good || v <= rules.val_loss_factor * lowest) continue;
    const std::string compared =
        std::isfinite(v) ? fmt::format(
                               "its validation loss {:.3g} is {:.1f}× the sweep's best, "
                               "{:.3g} at η = {:g} (limit {:g}×)",
                               v, v / lowest, lowest, lrs[*best], rules.val_loss_factor)
                         : fmt::format(
                               "its validation loss is {}; the sweep's best is {:.3g} at "
                               "η = {:g}",
                               v, lowest, lrs[*best]);
    out[i] = lrs[i] < lrs[*best]
                 ? RunJudgement{Verdict::too_low,
                                fmt::format("{}; but {}, a larger η", out[i].reason, compared)}
                 : RunJudgement{Verdict::too_high,
                                fmt::format("{}; but {}, a smaller η", out[i].reason, compared)};
  }
}

// `rules`, once checked (before any member is built from them).
const VerdictRules& validated(const VerdictRules& rules) {
  rules.validate();
  return rules;
}

}  // namespace

std::string to_string(Verdict verdict) {
  switch (verdict) {
    case Verdict::good:
      return "good";
    case Verdict::too_high:
      return "too high";
    case Verdict::too_low:
      return "too low";
    case Verdict::diverged:
      return "diverged";
  }
  return "unknown";
}

void VerdictRules::validate() const {
  const auto check = [](bool ok, const char* what, double value) {
    if (!ok) throw InvalidArgument(fmt::format("verdict rules: {}, got {}", what, value));
  };
  check(start_steps >= 1, "start_steps must be >= 1", start_steps);
  check(smoothing >= 0 && smoothing < 1, "smoothing must be in [0, 1)", smoothing);
  check(diverge_factor > 1 && std::isfinite(diverge_factor), "diverge_factor must be > 1",
        diverge_factor);
  check(rise_of_progress >= 0 && std::isfinite(rise_of_progress), "rise_of_progress must be >= 0",
        rise_of_progress);
  check(rise_of_best >= 0 && std::isfinite(rise_of_best), "rise_of_best must be >= 0",
        rise_of_best);
  check(too_low_fraction >= 0 && too_low_fraction <= 1, "too_low_fraction must be in [0, 1]",
        too_low_fraction);
  check(val_loss_factor > 1 && std::isfinite(val_loss_factor), "val_loss_factor must be > 1",
        val_loss_factor);
}

DivergenceCheck::DivergenceCheck(const VerdictRules& rules)
    : rules_(validated(rules)), average_(rules.smoothing) {}

std::optional<std::string> DivergenceCheck::add(double loss) {
  if (diverged_) return diverged_;
  ++step_;
  if (!std::isfinite(loss)) {
    diverged_ = fmt::format("step {}: loss {}", step_, loss);
    return diverged_;
  }
  const double smoothed_loss = average_.add(loss);
  if (step_ >= 2) {
    const long k = std::min<long>(step_ - 1, rules_.start_steps);
    const double start = start_sum_ / static_cast<double>(k);
    if (start > 0 && smoothed_loss > rules_.diverge_factor * start)
      diverged_ = fmt::format("step {}: loss {:.3g}, smoothed {:.3g} > {:g} × start {:.3g}", step_,
                              loss, smoothed_loss, rules_.diverge_factor, start);
  }
  if (step_ <= rules_.start_steps) start_sum_ += loss;
  return diverged_;
}

std::vector<RunJudgement> judge_runs(const std::vector<double>& lrs,
                                     const std::vector<std::vector<double>>& step_losses,
                                     const VerdictRules& rules,
                                     const std::vector<double>& final_val_losses) {
  rules.validate();
  if (lrs.size() != step_losses.size())
    throw InvalidArgument(
        fmt::format("judge_runs: {} learning rates but {} runs", lrs.size(), step_losses.size()));
  if (!final_val_losses.empty() && final_val_losses.size() != lrs.size())
    throw InvalidArgument(fmt::format("judge_runs: {} learning rates but {} validation losses",
                                      lrs.size(), final_val_losses.size()));
  const std::size_t runs = lrs.size();
  std::vector<RunJudgement> out(runs);
  std::vector<std::optional<Course>> courses(runs);  // the runs that did not diverge
  std::vector<bool> stable(runs, false);
  for (std::size_t i = 0; i < runs; ++i) {
    if (step_losses[i].empty())
      throw InvalidArgument(fmt::format("judge_runs: the run with η = {:g} has no steps", lrs[i]));
    DivergenceCheck check(rules);
    std::optional<std::string> diverged;
    for (double loss : step_losses[i])
      diverged = check.add(loss);
    if (diverged) {
      out[i] = {Verdict::diverged, *diverged};
      continue;
    }
    courses[i] = course_of(step_losses[i], rules);
    if (const auto unstable = instability(*courses[i]))
      out[i] = {Verdict::too_high, *unstable};
    else
      stable[i] = true;
  }

  // The yardstick: the largest fall of any run that did not diverge, an unstable one included
  // (it still shows how far a larger η gets).
  std::optional<std::size_t> best;
  for (std::size_t i = 0; i < runs; ++i)
    if (courses[i] && (!best || courses[i]->progress > courses[*best]->progress)) best = i;
  if (!best) return out;  // every run diverged
  const Course& b = *courses[*best];
  for (std::size_t i = 0; i < runs; ++i) {
    if (!stable[i]) continue;
    const Course& c = *courses[i];
    const std::string fall =
        fmt::format("{} {:.3g} ({:.3g} → {:.3g})", c.progress >= 0 ? "fell" : "rose",
                    std::abs(c.progress), c.initial, c.final);
    if (b.progress <= 0) {
      out[i] = {Verdict::too_low,
                fmt::format("no run reduced the loss; this one went {:.3g} → {:.3g}", c.initial,
                            c.final)};
    } else if (i == *best) {
      out[i] = {Verdict::good,
                fmt::format("the largest fall of the sweep: the loss {}, steady", fall)};
    } else {
      const double share = c.progress / b.progress;
      const std::string compared =
          fmt::format("{:.0f}% of the sweep's largest fall, {:.3g} at η = {:g}", 100 * share,
                      b.progress, lrs[*best]);
      if (share >= rules.too_low_fraction)
        out[i] = {Verdict::good, fmt::format("the loss {}: {}, steady", fall, compared)};
      else if (lrs[i] < lrs[*best])
        out[i] = {Verdict::too_low, fmt::format("the loss only {}: {}, a larger η (limit {:.0f}%)",
                                                fall, compared, 100 * rules.too_low_fraction)};
      else
        out[i] = {Verdict::too_high,
                  fmt::format("the loss only {}: {}, a smaller η (limit {:.0f}%)", fall, compared,
                              100 * rules.too_low_fraction)};
    }
  }
  if (!final_val_losses.empty()) judge_validation(lrs, final_val_losses, rules, out);
  return out;
}

}  // namespace descent
