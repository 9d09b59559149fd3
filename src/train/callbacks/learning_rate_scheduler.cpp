#include "train/callbacks/learning_rate_scheduler.h"

#include "train/model.h"

namespace descent {

void LearningRateScheduler::on_epoch_begin(Model& model, int epoch) {
  Optimizer& optimizer = model.optimizer();
  optimizer.set_lr(
      schedule_(epoch, optimizer.lr()));  // set_lr rejects a non-finite or non-positive η
}

}  // namespace descent
