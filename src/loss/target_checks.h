// Shape and value checks shared by the losses and metrics. `who` names the loss or metric in the
// message, e.g. "binary_crossentropy: target 3 at index 5 is outside [0, 1]".
#pragma once

#include "core/tensor.h"

namespace descent {

// Predictions must have a batch dimension and at least one value.
void check_predictions(const char* who, const Shape& y_pred);
// Predictions of shape (batch, classes) with classes >= 1.
void check_class_scores(const char* who, const Shape& y_pred);
// The (rows, classes) that class scores are read as. Predictions (batch, classes) are their own
// rows. Sequence predictions (batch, T..., classes) with one label per position, y_true of shape
// (batch, T...), are batch·T... rows, every position scored alone and all of them averaged as
// torch's F.cross_entropy(x.view(-1, C), t.view(-1)) does; InvalidArgument when y_true's shape is
// not the predictions' without the class axis.
Shape class_rows(const char* who, const Shape& y_pred, const Tensor& y_true);
// y_true holds one value per prediction and has the same batch size, e.g. the shape of y_pred,
// or (batch,) for y_pred (batch, 1).
void check_same_size(const char* who, const Shape& y_pred, const Tensor& y_true);
// Every value of y_true lies in [0, 1] (binary and categorical targets); DataError otherwise.
void check_unit_interval(const char* who, const Tensor& y_true);

}  // namespace descent
