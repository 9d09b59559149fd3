// All losses, and make_loss: a loss from its Keras name or a short alias, resolved once.
//
//   mean_squared_error (mse)                     MeanSquaredError
//   mean_absolute_error (mae)                    MeanAbsoluteError
//   binary_crossentropy (bce)                    BinaryCrossentropy
//   categorical_crossentropy (cce)               CategoricalCrossentropy
//   sparse_categorical_crossentropy (scce)       SparseCategoricalCrossentropy
#pragma once

#include <memory>
#include <string_view>

#include "loss/binary_crossentropy.h"
#include "loss/categorical_crossentropy.h"
#include "loss/loss.h"
#include "loss/mean_absolute_error.h"
#include "loss/mean_squared_error.h"
#include "loss/sparse_categorical_crossentropy.h"

namespace descent {

// The loss named `name` (case-insensitive; "_cross_entropy" spellings accepted). Throws
// InvalidArgument for an unknown name, listing the known ones, and for from_logits with a loss
// that has no logits form (mse, mae).
std::unique_ptr<Loss> make_loss(std::string_view name, bool from_logits = false);

}  // namespace descent
