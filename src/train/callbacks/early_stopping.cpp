#include "train/callbacks/early_stopping.h"

#include <fmt/format.h>

#include "core/error.h"
#include "core/json_integer.h"
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

std::optional<StateDict> EarlyStopping::state_dict() const {
  StateDict out;
  if (best_weights_) out.tensors = best_weights_->tensors;
  out.meta = {{"callback", "EarlyStopping"},
              {"monitor", monitor_.state(best_)},
              {"best_epoch", best_epoch_},
              {"wait", wait_},
              {"stopped_epoch", stopped_epoch_ ? nlohmann::json(*stopped_epoch_) : nullptr},
              {"has_best_weights", best_weights_.has_value()}};
  return out;
}

void EarlyStopping::load_state_dict(const Model& model, const StateDict& state) {
  const nlohmann::json& meta = state.meta;
  best_ = monitor_.load_state(meta.at("monitor"));
  best_epoch_ = json_integer<int>(meta.at("best_epoch"), "EarlyStopping's best epoch");
  wait_ = json_integer<int>(meta.at("wait"), "EarlyStopping's wait");
  stopped_epoch_.reset();
  if (!meta.at("stopped_epoch").is_null())
    stopped_epoch_ = json_integer<int>(meta.at("stopped_epoch"), "EarlyStopping's stopped epoch");
  best_weights_.reset();
  if (meta.at("has_best_weights").get<bool>()) {
    StateDict weights;
    weights.tensors = state.tensors;
    try {
      model.check_weights(weights);
    } catch (const InvalidArgument& e) {
      throw DataError(fmt::format("the checkpoint's EarlyStopping best {}", e.what()));
    }
    best_weights_ = std::move(weights);
  } else if (!state.tensors.empty()) {
    throw DataError("the checkpoint holds best weights for an EarlyStopping that kept none");
  }
}

}  // namespace descent
