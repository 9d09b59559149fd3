// The learning-rate range test (Smith, "Cyclical learning rates for training neural networks",
// 2015; fastai's lr_find): train from the model's current weights while η grows every
// mini-batch from `start` to `end`, record each step's loss, and read a good η off the curve.
//
//   η_k = start · (end/start)^(k/(n−1))      exponential growth (default), k = 0 … n−1
//   η_k = start + (end − start) · k/(n−1)    linear growth
//
// n = options.iters steps. When one epoch of the data gives fewer batches, the test runs over as
// many epochs as it needs (fastai's lr_find does the same), reshuffled each time: a range test of
// 15 steps on a small set reads its suggestion off too few points. Each step's loss is smoothed
// with a bias-corrected exponential moving average (lr/smoothing.h, β = options.beta); the test
// stops early when the smoothed loss exceeds diverge_factor × its minimum so far, or when the loss
// becomes NaN or infinite. The rules that turn the curve into a suggested η (steep, minimum,
// valley) are defined in lr/lr_suggestions.h; find_lr runs them with skip = max(2, n/10) and window
// = max(2, n/20). When the picked rule gives none, `suggested` is the minimum rule's (else the
// first rule's that gave one), its reason saying so. A flat curve gets no rule's number: when the
// smoothed loss falls by less than 1% of its level, `clear` is false and `suggested` is rule
// "fallback", the optimizer's η as given (--lr, or its default), its reason saying why (fastai's
// and Lightning's finders return a number from any curve).
//
// The model is left exactly as it was: weights, optimizer state (moments, step counts, η,
// momentum), and the random streams of the model and its dropout layers (which decide the next
// fit's batch order and dropout masks). A fit after find_lr is bitwise identical to a fit without
// it (the failure of fastai issue 3013 cannot happen).
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "data/dataset.h"
#include "lr/lr_suggestions.h"
#include "train/model.h"

namespace descent {

struct LrFinderOptions {
  double start = 1e-7, end = 10.0;
  int iters = 100;            // steps, over several epochs when the data is small
  bool linear = false;        // exponential growth by default
  double beta = 0.98;         // bias-corrected EMA of the loss
  double diverge_factor = 4;  // stop when smoothed > factor × min smoothed, or non-finite
  std::int64_t batch_size = 128;
  const Dataset* validation = nullptr;  // when set: validation loss at every step
  std::string suggest = "valley";       // steep | minimum | valley
  int verbose = 1;                      // 0 silent, 1 one progress line on stderr
};

struct LrFinderResult {
  std::vector<double> lr, loss, smoothed, val_loss;  // one per step (val_loss empty w/o validation)
  std::string stopped;                               // why the test ended, for a person
  std::vector<LrSuggestion> suggestions;             // every rule that could give one
  LrSuggestion suggested;                            // the one options.suggest picks, or the
                                                     // fallback (below)
  bool clear = true;        // false: the curve is flat, and `suggested` is the fallback
  LrFinderOptions options;  // as run
  std::int64_t epochs = 1;  // epochs of the data the steps spanned

  // {"clear", "options": {...}, "curve": {"step", "lr", "loss", "smoothed"[, "val_loss"]},
  // "stopped",
  //  "suggestions": {rule: {"lr", "loss", "reason"}}, "suggested": {"rule", "lr", "loss",
  //  "reason"}}; NaN and infinity as null. A rule that gave no suggestion is absent.
  nlohmann::json to_json() const;
  // step,lr,loss,smoothed[,val_loss], one row per step (empty cells for NaN). IoError when the
  // file cannot be written.
  void write_csv(const std::filesystem::path& path) const;
};

// Throws InvalidArgument for options out of range (start not finite and > 0, end not finite and
// above start, iters < 2, beta outside [0, 1), diverge_factor not finite and > 1, batch_size < 1,
// an unknown suggest rule, verbose < 0), for an uncompiled model, and when the data gives fewer
// than 2 batches; Diverged when no rule gives a suggestion (the loss blew up within the skipped
// first steps, or it only rose: start lower). The model is restored in every case.
LrFinderResult find_lr(Model& model, const Dataset& data, const LrFinderOptions& options);

// The steps the range test takes on `samples` samples (iters); throws InvalidArgument when the
// data has fewer than 2 samples. Commands call it before they write anything.
std::int64_t range_test_steps(std::int64_t samples, std::int64_t batch_size, std::int64_t iters);
// The epochs of `samples` samples in batches of `batch_size` that `steps` steps span.
std::int64_t range_test_epochs(std::int64_t samples, std::int64_t batch_size, std::int64_t steps);

}  // namespace descent
