#include "train/callbacks/early_stopping.h"

#include <fmt/format.h>

#include "core/error.h"
#include "train/model.h"

namespace descent {

EarlyStopping::EarlyStopping(EarlyStoppingOptions options)
    : options_(std::move(options)), monitor_(options_.monitor, options_.mode, options_.min_delta) {
  if (options_.patience < 0)
    throw InvalidArgument(
        fmt::format("EarlyStopping: patience must be >= 0, got {}", options_.patience));
}

void EarlyStopping::on_train_begin(Model& /*model*/, const TrainParams& /*params*/) {
  best_ = monitor_.worst();
  best_epoch_ = 0;
  wait_ = 0;
  stopped_epoch_.reset();
  best_weights_.reset();
}

void EarlyStopping::on_epoch_end(Model& model, int epoch, Logs& logs) {
  const auto current = logs.get(options_.monitor);
  if (!current)
    throw InvalidArgument(fmt::format("EarlyStopping: the logs have no \"{}\"", options_.monitor));
  ++wait_;
  if (monitor_.improves(*current, best_)) {
    best_ = *current;
    best_epoch_ = epoch;
    if (options_.restore_best_weights) best_weights_ = model.weights();
    wait_ = 0;
    return;
  }
  if (wait_ >= options_.patience && epoch > 0) {
    stopped_epoch_ = epoch;
    model.stop_training = true;
    if (best_weights_) model.set_weights(*best_weights_);
  }
}

}  // namespace descent
