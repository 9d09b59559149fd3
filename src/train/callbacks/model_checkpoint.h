// ModelCheckpoint (Keras): writes the model's weights at the end of each epoch, or only when the
// monitored figure improves (save_best_only). "{epoch}" in the path is replaced by the 1-based
// epoch number. Files are written atomically (see train/weights_file.h).
#pragma once

#include <filesystem>

#include "train/callback.h"
#include "train/callbacks/monitor.h"

namespace descent {

struct ModelCheckpointOptions {
  std::string monitor = "val_loss";
  bool save_best_only = false;
  std::string mode = "auto";
};

class ModelCheckpoint : public Callback {
 public:
  explicit ModelCheckpoint(std::filesystem::path path, ModelCheckpointOptions options = {});

  void on_train_begin(Model& model, const TrainParams& params) override;
  void on_epoch_end(Model& model, int epoch, Logs& logs) override;
  std::optional<StateDict> state_dict() const override;
  void load_state_dict(const Model& model, const StateDict& state) override;

 private:
  std::filesystem::path path_;
  ModelCheckpointOptions options_;
  Monitor monitor_;
  double best_ = 0.0;
};

}  // namespace descent
