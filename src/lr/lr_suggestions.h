// Suggestion rules of the learning-rate range test: each reads a good η off the curve of the
// smoothed loss s_i against η_i (lr/lr_finder.h) and says why, in one line.
//
// Every rule works on the smoothed curve only, from point `skip` on (the first points of a
// bias-corrected average rest on a handful of batches, and their noise would decide the
// answer), up to the last point with a finite smoothed loss. x_i = log10 η_i. The curve's
// "fall" is from its highest point before its minimum down to the minimum; the tolerance is 5%
// of that fall. Where a rule reads η at a level of the loss, it interpolates linearly in x
// between the two points around the crossing, so the answer moves smoothly with the curve
// instead of jumping by whole steps.
//
//   steep    the slope of s against x at each point is the least-squares slope over the points
//            within `window` steps on either side (an average over a stretch of log η, so that
//            one noisy step cannot make the steepest point). The steep part is every point
//            before the minimum of s whose slope is at least half the steepest (a fall that a
//            noisy batch interrupts still counts as one); steep is η at its centre, the average
//            of x weighted by the slope. None when no slope is negative.
//   minimum  η where s first comes within the tolerance of its lowest value (the start of the
//            bottom: a later dip of about the same depth just before the blow-up cannot move
//            it by a factor of two), divided by 10: the loss is lowest just before training
//            becomes unstable, and a tenth of that is safely below. None when the first point
//            is already within the tolerance (the loss never fell).
//   valley   the curve is cut into stretches of decreasing loss: a stretch goes on while s stays
//            within the tolerance of the lowest value it has reached (so the wiggles of a flat
//            start do not cut it); a rise above that ends it, and the next stretch starts
//            there. The valley is the longest stretch, counted in steps from its first point to
//            its lowest; valley is η where s has come down 2/3 of the way from the stretch's
//            highest value to its lowest. None when no stretch falls by more than the
//            tolerance over at least `window` steps.
//
// These definitions are in docs/find-lr.md too.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <vector>

namespace descent {

struct LrSuggestion {
  std::string rule;    // "steep", "minimum" or "valley"
  double lr;           // the suggested η
  double loss;         // the smoothed loss at the curve point nearest the suggested η
  std::string reason;  // one line for a person
};

// The names of the rules, in the order suggest_lrs() tries them.
const std::vector<std::string>& suggestion_rules();

struct SuggestionSettings {
  std::size_t skip = 0;    // leading points ignored
  std::size_t window = 5;  // steep: half-width of the slope window, in steps (0 counts as 1);
                           // valley: the shortest stretch that counts
};

std::optional<LrSuggestion> suggest_steep(const std::vector<double>& lr,
                                          const std::vector<double>& smoothed,
                                          const SuggestionSettings& settings);
std::optional<LrSuggestion> suggest_minimum(const std::vector<double>& lr,
                                            const std::vector<double>& smoothed,
                                            const SuggestionSettings& settings);
std::optional<LrSuggestion> suggest_valley(const std::vector<double>& lr,
                                           const std::vector<double>& smoothed,
                                           const SuggestionSettings& settings);

// Every rule that gives a suggestion, in suggestion_rules() order. `lr` and `smoothed` must have
// equal sizes and every η must be finite and > 0, else InvalidArgument.
std::vector<LrSuggestion> suggest_lrs(const std::vector<double>& lr,
                                      const std::vector<double>& smoothed,
                                      const SuggestionSettings& settings);

}  // namespace descent
