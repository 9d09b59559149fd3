// Checkpoint semantics, beyond the container that fuzz_weights_file covers: the input, with its
// trailing CRC-32 recomputed, is read with read_checkpoint and resumed by fit() into a small fixed
// run (the public resume path: TrainingState::restore, then training on to the end). Resuming
// rather than only restoring also catches values restore accepts but the next step cannot use
// (a step counter about to overflow, a batch index past the epoch). The model, optimizer and
// schedule are rebuilt for every input, so a restore that failed halfway cannot leak into the
// next. A checkpoint that records callback state is resumed into the run with callbacks, any
// other into the run without. A descent::Error is the expected rejection; anything else is a
// finding.
#include <cstddef>
#include <cstdint>
#include <vector>

#include "core/error.h"
#include "fuzz_checkpoint_run.h"
#include "fuzz_input_file.h"
#include "recomputed_crc.h"
#include "train/checkpoint.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::vector<std::uint8_t> bytes = descent::fuzz::with_recomputed_crc(data, size);
  static const auto file = descent::fuzz::input_file("checkpoint.bin");
  static const descent::Dataset train = descent::fuzz::checkpoint_run_data();
  descent::fuzz::write_input(file, bytes.data(), bytes.size());
  try {
    const descent::StateDict state = descent::read_checkpoint(file);
    descent::fuzz::CheckpointRun run(
        !state.meta.value("callbacks", nlohmann::json::array()).empty());
    descent::FitOptions options = run.fit_options();
    options.resume_from = &state;
    run.model.fit(train, options);
  } catch (const descent::Error&) {
  }
  return 0;
}
