// SweepRunStore: each finished run of a sweep saved as DIR/run-<i>.json ({"lr", "seconds",
// "history"}), written atomically the moment it ends, so that a sweep killed part-way and resumed
// (`descent sweep --resume`, `descent tune --resume`) trains only the runs it lost.
#pragma once

#include <cstddef>
#include <filesystem>
#include <optional>
#include <vector>

#include "lr/sweep.h"

namespace descent {

class SweepRunStore {
 public:
  // Creates `dir` if needed.
  explicit SweepRunStore(std::filesystem::path dir);

  void save(std::size_t index, const SweepRun& run) const;
  // The saved runs for `lrs`, by index, ready for SweepOptions::finished. A file that does not
  // read back, or was saved for another η, counts as not finished: that run is trained again.
  std::vector<std::optional<SweepRun>> load(const std::vector<double>& lrs) const;

 private:
  std::filesystem::path file(std::size_t index) const;
  std::filesystem::path dir_;
};

}  // namespace descent
