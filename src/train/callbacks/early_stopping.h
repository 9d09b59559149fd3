// EarlyStopping (Keras): stops training when the monitored figure has not improved by more than
// min_delta for `patience` epochs; with restore_best_weights, puts back the weights of the best
// epoch when it stops.
#pragma once

#include <optional>

#include "core/state_dict.h"
#include "train/callback.h"
#include "train/callbacks/monitor.h"

namespace descent {

struct EarlyStoppingOptions {
  std::string monitor = "val_loss";
  double min_delta = 0.0;
  int patience = 0;
  std::string mode = "auto";
  bool restore_best_weights = false;
};

class EarlyStopping : public Callback {
 public:
  explicit EarlyStopping(EarlyStoppingOptions options = {});

  void on_train_begin(Model& model, const TrainParams& params) override;
  void on_epoch_end(Model& model, int epoch, Logs& logs) override;
  std::optional<StateDict> state_dict() const override;
  void load_state_dict(const Model& model, const StateDict& state) override;

  // 0-based epoch at which training was stopped, if it was.
  std::optional<int> stopped_epoch() const { return stopped_epoch_; }
  int best_epoch() const { return best_epoch_; }

 private:
  EarlyStoppingOptions options_;
  Monitor monitor_;
  double best_ = 0.0;
  int best_epoch_ = 0;
  int wait_ = 0;
  std::optional<int> stopped_epoch_;
  std::optional<StateDict> best_weights_;
};

}  // namespace descent
