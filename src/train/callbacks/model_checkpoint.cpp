#include "train/callbacks/model_checkpoint.h"

#include <fmt/format.h>

#include "core/error.h"
#include "train/model.h"
#include "train/weights_file.h"

namespace descent {

ModelCheckpoint::ModelCheckpoint(std::filesystem::path path, ModelCheckpointOptions options)
    : path_(std::move(path)),
      options_(std::move(options)),
      monitor_(options_.monitor, options_.mode, 0.0) {}

void ModelCheckpoint::on_train_begin(Model& /*model*/, const TrainParams& /*params*/) {
  best_ = monitor_.worst();
}

void ModelCheckpoint::on_epoch_end(Model& model, int epoch, Logs& logs) {
  if (options_.save_best_only) {
    const auto current = logs.get(options_.monitor);
    if (!current)
      throw InvalidArgument(
          fmt::format("ModelCheckpoint: the logs have no \"{}\"", options_.monitor));
    if (!monitor_.improves(*current, best_)) return;
    best_ = *current;
  }
  std::string path = path_.string();
  for (auto at = path.find("{epoch}"); at != std::string::npos; at = path.find("{epoch}"))
    path.replace(at, 7, std::to_string(epoch + 1));
  StateDict weights = model.weights();
  weights.meta = {{"model", model.config()}, {"epoch", epoch + 1}};
  write_weights_file(path, weights);
}

std::optional<StateDict> ModelCheckpoint::state_dict() const {
  StateDict out;
  out.meta = {{"callback", "ModelCheckpoint"}, {"monitor", monitor_.state(best_)}};
  return out;
}

void ModelCheckpoint::load_state_dict(const Model& /*model*/, const StateDict& state) {
  best_ = monitor_.load_state(state.meta.at("monitor"));
}

}  // namespace descent
