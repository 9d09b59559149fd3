// TerminateOnNaN (Keras): stops training as soon as the running loss is NaN or infinite.
// fit() itself already stops a diverging run before a non-finite step reaches the weights; this
// callback is kept so Keras code ports as it is.
#pragma once

#include "train/callback.h"

namespace descent {

class TerminateOnNaN : public Callback {
 public:
  void on_batch_end(Model& model, std::int64_t batch, const Logs& logs) override;
};

}  // namespace descent
