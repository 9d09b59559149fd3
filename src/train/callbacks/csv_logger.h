// CSVLogger (Keras): appends one row per epoch (epoch, loss, metrics, validation figures, lr,
// seconds) to a CSV file, flushed as it goes so a crashed run keeps its rows.
#pragma once

#include <filesystem>
#include <fstream>
#include <vector>

#include "train/callback.h"

namespace descent {

class CSVLogger : public Callback {
 public:
  // append: add to an existing file instead of replacing it.
  explicit CSVLogger(std::filesystem::path path, bool append = false);

  void on_train_begin(Model& model, const TrainParams& params) override;
  void on_epoch_end(Model& model, int epoch, Logs& logs) override;

 private:
  std::filesystem::path path_;
  bool append_;
  std::ofstream out_;
  std::vector<std::string> columns_;
};

}  // namespace descent
