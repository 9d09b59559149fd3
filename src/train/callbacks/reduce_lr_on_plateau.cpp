#include "train/callbacks/reduce_lr_on_plateau.h"

#include <algorithm>
#include <cmath>

#include <fmt/format.h>

#include "core/error.h"
#include "core/json_integer.h"
#include "train/model.h"

namespace descent {

ReduceLROnPlateauCallback::ReduceLROnPlateauCallback(ReduceLROnPlateauCallbackOptions options)
    : options_(std::move(options)), monitor_(options_.monitor, options_.mode, options_.min_delta) {
  if (!(options_.factor > 0.0 && options_.factor < 1.0))
    throw InvalidArgument(
        fmt::format("ReduceLROnPlateau: factor must be in (0, 1), got {}", options_.factor));
  if (options_.patience < 0 || options_.cooldown < 0 || !(options_.min_lr >= 0.0))
    throw InvalidArgument("ReduceLROnPlateau: patience, cooldown and min_lr must be >= 0");
}

void ReduceLROnPlateauCallback::on_train_begin(Model& /*model*/, const TrainParams& /*params*/) {
  best_ = monitor_.worst();
  wait_ = 0;
  cooldown_left_ = 0;
}

void ReduceLROnPlateauCallback::on_epoch_end(Model& model, int /*epoch*/, Logs& logs) {
  const auto current = logs.get(options_.monitor);
  if (!current)
    throw InvalidArgument(
        fmt::format("ReduceLROnPlateau: the logs have no \"{}\"", options_.monitor));
  const bool cooling = cooldown_left_ > 0;
  if (cooling) {
    --cooldown_left_;
    wait_ = 0;
  }
  if (monitor_.improves(*current, best_)) {
    best_ = *current;
    wait_ = 0;
  } else if (!cooling && ++wait_ >= options_.patience) {
    Optimizer& optimizer = model.optimizer();
    if (optimizer.lr() > options_.min_lr) {
      optimizer.set_lr(std::max(optimizer.lr() * options_.factor, options_.min_lr));
      logs.set("lr", optimizer.lr());
      cooldown_left_ = options_.cooldown;
      wait_ = 0;
    }
  }
}

std::optional<StateDict> ReduceLROnPlateauCallback::state_dict() const {
  StateDict out;
  out.meta = {{"callback", "ReduceLROnPlateau"},
              {"monitor", monitor_.state(best_)},
              {"wait", wait_},
              {"cooldown_left", cooldown_left_}};
  return out;
}

void ReduceLROnPlateauCallback::load_state_dict(const Model& /*model*/, const StateDict& state) {
  best_ = monitor_.load_state(state.meta.at("monitor"));
  wait_ = json_integer<int>(state.meta.at("wait"), "ReduceLROnPlateau's wait");
  cooldown_left_ =
      json_integer<int>(state.meta.at("cooldown_left"), "ReduceLROnPlateau's cooldown");
}

}  // namespace descent
