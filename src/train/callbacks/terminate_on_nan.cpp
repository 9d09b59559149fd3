#include "train/callbacks/terminate_on_nan.h"

#include <cmath>

#include "train/model.h"

namespace descent {

void TerminateOnNaN::on_batch_end(Model& model, std::int64_t /*batch*/, const Logs& logs) {
  if (const auto loss = logs.get("loss"); loss && !std::isfinite(*loss)) model.stop_training = true;
}

}  // namespace descent
