#include "lr/lr_suggestions.h"

#include <algorithm>
#include <cmath>

#include <fmt/format.h>

#include "core/error.h"

namespace descent {
namespace {

constexpr double kTolerance = 0.05;  // of the curve's whole fall
constexpr double kSteepShare = 0.5;  // of the steepest slope
constexpr double kValleyDepth = 2.0 / 3.0;

// The points the rules read: [begin, end), from `skip` to the last finite smoothed loss (a
// non-finite loss ends the test, so only the last point can be one).
struct Range {
  std::size_t begin, end;
  bool empty() const { return begin >= end; }
};

Range usable(const std::vector<double>& smoothed, std::size_t skip) {
  std::size_t end = skip;
  while (end < smoothed.size() && std::isfinite(smoothed[end]))
    ++end;
  return {skip, std::max(skip, end)};
}

std::size_t argmin(const std::vector<double>& s, std::size_t begin, std::size_t end) {
  return static_cast<std::size_t>(std::min_element(s.begin() + begin, s.begin() + end) - s.begin());
}

// The lowest point of the usable range and the highest point before it: the curve's whole fall.
struct Fall {
  std::size_t lowest;
  double top, bottom;
  double tolerance() const { return kTolerance * (top - bottom); }
};

Fall whole_fall(const std::vector<double>& s, const Range& range) {
  const std::size_t lowest = argmin(s, range.begin, range.end);
  return {lowest, *std::max_element(s.begin() + range.begin, s.begin() + lowest + 1), s[lowest]};
}

// The smoothed loss at the point of `range` whose η is nearest `lr` on a log scale.
double loss_near(const std::vector<double>& lr, const std::vector<double>& s, Range range,
                 double target) {
  std::size_t best = range.begin;
  for (std::size_t i = range.begin; i < range.end; ++i)
    if (std::abs(std::log(lr[i] / target)) < std::abs(std::log(lr[best] / target))) best = i;
  return s[best];
}

// Least-squares slope of s against log10 η over the points [lo, hi]; NaN when η does not vary.
double slope(const std::vector<double>& lr, const std::vector<double>& s, std::size_t lo,
             std::size_t hi) {
  const double n = static_cast<double>(hi - lo + 1);
  double mean_x = 0, mean_y = 0;
  for (std::size_t j = lo; j <= hi; ++j) {
    mean_x += std::log10(lr[j]) / n;
    mean_y += s[j] / n;
  }
  double sxy = 0, sxx = 0;
  for (std::size_t j = lo; j <= hi; ++j) {
    const double dx = std::log10(lr[j]) - mean_x;
    sxy += dx * (s[j] - mean_y);
    sxx += dx * dx;
  }
  return sxx > 0 ? sxy / sxx : std::nan("");
}

// log10 η where s first comes down to `level` within [from, to] (s[to] <= level): the first
// point at or below it, moved back along the line from the point before to where that line
// crosses the level, so the answer moves smoothly with the curve instead of by whole steps.
double crossing_log_lr(const std::vector<double>& lr, const std::vector<double>& s,
                       std::size_t from, std::size_t to, double level) {
  std::size_t p = from;
  while (p < to && s[p] > level)
    ++p;
  const double x = std::log10(lr[p]);
  if (p == from) return x;
  const double before = std::log10(lr[p - 1]);
  return before + (s[p - 1] - level) / (s[p - 1] - s[p]) * (x - before);
}

}  // namespace

const std::vector<std::string>& suggestion_rules() {
  static const std::vector<std::string> rules = {"steep", "minimum", "valley"};
  return rules;
}

std::optional<LrSuggestion> suggest_steep(const std::vector<double>& lr,
                                          const std::vector<double>& smoothed,
                                          const SuggestionSettings& settings) {
  const Range range = usable(smoothed, settings.skip);
  if (range.empty()) return std::nullopt;
  const std::size_t lowest = argmin(smoothed, range.begin, range.end);
  const std::size_t w = std::max<std::size_t>(1, settings.window);
  std::vector<double> slopes(smoothed.size(), std::nan(""));
  std::optional<std::size_t> steepest;
  for (std::size_t i = range.begin; i <= lowest; ++i) {
    const std::size_t lo = i >= range.begin + w ? i - w : range.begin;
    const std::size_t hi = std::min(range.end - 1, i + w);
    if (hi - lo < 2) continue;  // a slope needs three points to average anything
    slopes[i] = slope(lr, smoothed, lo, hi);
    if (slopes[i] < 0 && (!steepest || slopes[i] < slopes[*steepest])) steepest = i;
  }
  if (!steepest) return std::nullopt;
  // The steep part: every point before the minimum with at least half the steepest slope (a
  // fall interrupted by one noisy batch still counts as one).
  const double steep_enough = kSteepShare * slopes[*steepest];
  double weighted = 0, weights = 0;
  for (std::size_t i = range.begin; i <= lowest; ++i)
    if (slopes[i] <= steep_enough) {
      weighted += slopes[i] * std::log10(lr[i]);
      weights += slopes[i];
    }
  const double suggested = std::pow(10.0, weighted / weights);
  return LrSuggestion{
      "steep", suggested, loss_near(lr, smoothed, range, suggested),
      fmt::format("centre of the steepest fall of the smoothed loss ({:.3g} per decade of η at "
                  "η = {:.3g})",
                  slopes[*steepest], lr[*steepest])};
}

std::optional<LrSuggestion> suggest_minimum(const std::vector<double>& lr,
                                            const std::vector<double>& smoothed,
                                            const SuggestionSettings& settings) {
  const Range range = usable(smoothed, settings.skip);
  if (range.empty()) return std::nullopt;
  const std::vector<double>& s = smoothed;
  const Fall fall = whole_fall(s, range);
  const std::size_t lowest = fall.lowest;
  const double level = fall.bottom + fall.tolerance();
  if (!(s[range.begin] > level)) return std::nullopt;  // already at the bottom: it never fell
  const double at = std::pow(10.0, crossing_log_lr(lr, s, range.begin, lowest, level));
  const double suggested = at / 10;
  return LrSuggestion{"minimum", suggested, loss_near(lr, s, range, suggested),
                      fmt::format("a tenth of η = {:.3g}, where the smoothed loss reaches its "
                                  "lowest ({:.4g}, within 5% of its fall)",
                                  at, s[lowest])};
}

std::optional<LrSuggestion> suggest_valley(const std::vector<double>& lr,
                                           const std::vector<double>& smoothed,
                                           const SuggestionSettings& settings) {
  const Range range = usable(smoothed, settings.skip);
  if (range.empty()) return std::nullopt;
  const std::vector<double>& s = smoothed;
  const double tolerance = whole_fall(s, range).tolerance();

  // Stretches [first, low]: first point, lowest point.
  struct Stretch {
    std::size_t first, low;
  };
  std::optional<Stretch> valley;
  Stretch current{range.begin, range.begin};
  auto close = [&](const Stretch& stretch) {
    if (!valley || stretch.low - stretch.first > valley->low - valley->first) valley = stretch;
  };
  for (std::size_t i = range.begin + 1; i < range.end; ++i) {
    if (s[i] < s[current.low]) {
      current.low = i;
    } else if (s[i] > s[current.low] + tolerance) {
      close(current);
      current = {i, i};
    }
  }
  close(current);

  const double high = *std::max_element(s.begin() + valley->first, s.begin() + valley->low + 1);
  const double fall = high - s[valley->low];
  if (valley->low - valley->first < std::max<std::size_t>(1, settings.window) || !(fall > 0) ||
      fall <= tolerance)
    return std::nullopt;
  const double target = high - kValleyDepth * fall;
  const double log_lr = crossing_log_lr(lr, s, valley->first, valley->low, target);
  return LrSuggestion{
      "valley", std::pow(10.0, log_lr), target,
      fmt::format("2/3 of the way down the longest fall of the smoothed loss ({:.4g} to {:.4g} "
                  "over η {:.3g} to {:.3g})",
                  high, s[valley->low], lr[valley->first], lr[valley->low])};
}

std::vector<LrSuggestion> suggest_lrs(const std::vector<double>& lr,
                                      const std::vector<double>& smoothed,
                                      const SuggestionSettings& settings) {
  if (lr.size() != smoothed.size())
    throw InvalidArgument(
        fmt::format("suggest_lrs: {} learning rates but {} losses", lr.size(), smoothed.size()));
  for (double v : lr)
    if (!(std::isfinite(v) && v > 0))
      throw InvalidArgument(fmt::format("suggest_lrs: η must be finite and > 0, got {}", v));
  std::vector<LrSuggestion> out;
  for (auto rule : {suggest_steep, suggest_minimum, suggest_valley})
    if (auto suggestion = rule(lr, smoothed, settings)) out.push_back(std::move(*suggestion));
  return out;
}

}  // namespace descent
