// LearningRateScheduler (Keras): at the start of each epoch, sets η to schedule(epoch, η), where
// epoch is 0-based and η is the optimizer's current learning rate.
#pragma once

#include <functional>

#include "train/callback.h"

namespace descent {

class LearningRateScheduler : public Callback {
 public:
  using Function = std::function<double(int epoch, double lr)>;
  explicit LearningRateScheduler(Function schedule) : schedule_(std::move(schedule)) {}

  void on_epoch_begin(Model& model, int epoch) override;

 private:
  Function schedule_;
};

}  // namespace descent
