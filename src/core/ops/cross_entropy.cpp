#include "core/ops/cross_entropy.h"

#include <cmath>

#include <fmt/format.h>

#include "core/backend/backend.h"
#include "core/error.h"
#include "core/ops/elementwise.h"
#include "core/ops/loss_node.h"
#include "core/ops/softmax.h"

namespace descent {
namespace {

void check_logits(const Variable& logits, const char* op) {
  if (logits.shape().size() != 2 || logits.shape()[0] == 0 || logits.shape()[1] == 0)
    throw InvalidArgument(fmt::format("{}: logits must have shape (batch, classes), got {}", op,
                                      shape_string(logits.shape())));
}

void check_smoothing(float label_smoothing, const char* op) {
  if (!(label_smoothing >= 0.0f && label_smoothing <= 1.0f))
    throw InvalidArgument(
        fmt::format("{}: label_smoothing must be in [0, 1], got {}", op, label_smoothing));
}

// d loss / d logits = (softmax(x) · Σ_j t'_j - t') / batch, with softmax a graph operation so the
// gradient can be differentiated again (its Hessian is softmax's Jacobian).
LossGradient cross_entropy_gradient(double smoothing, Tensor labels, Tensor targets) {
  return [smoothing, labels = std::move(labels), targets = std::move(targets)](const Variable& x) {
    const CrossEntropyTargets t{labels.size() > 0 ? &labels : nullptr,
                                targets.size() > 0 ? &targets : nullptr, smoothing};
    Tensor weights = Tensor::zeros_like(x.value()), row_total = Tensor::zeros_like(x.value());
    backend_of(weights).loss.cross_entropy_weights(t, weights, row_total);
    return mul(sub(mul(softmax(x), Variable(std::move(row_total))), Variable(std::move(weights))),
               1.0 / static_cast<double>(x.shape()[0]));
  };
}

// The loss node of a softmax cross-entropy, with the gradient computed in the same pass when a
// float32 backward will need it.
Variable cross_entropy_node(const Variable& logits, const CrossEntropyTargets& targets,
                            const char* op, LossGradient gradient) {
  Tensor dlogits;
  if (loss_needs_grad(logits)) dlogits.resize(logits.shape(), DType::f32, logits.value().device());
  const double mean = backend_of(logits.value())
                          .loss.softmax_cross_entropy(logits.value(), targets,
                                                      dlogits.size() > 0 ? &dlogits : nullptr);
  return loss_node(logits, mean, std::move(dlogits), op, std::move(gradient));
}

}  // namespace

void check_class_labels(const Tensor& labels, std::int64_t batch, std::int64_t classes) {
  const bool shape_ok = (labels.rank() == 1 && labels.dim(0) == batch) ||
                        (labels.rank() == 2 && labels.dim(0) == batch && labels.dim(1) == 1);
  if (!shape_ok)
    throw InvalidArgument(fmt::format("labels of shape {} for a batch of {} rows (expected ({},))",
                                      shape_string(labels.shape()), batch, batch));
  for (std::int64_t i = 0; i < batch; ++i) {
    const auto v = static_cast<float>(labels.at(i));
    if (!(v >= 0.0f && v < static_cast<float>(classes) && v == std::floor(v)))
      throw DataError(
          fmt::format("label {} at index {} is not an integer class in [0, {})", v, i, classes));
  }
}

Variable sparse_softmax_cross_entropy(const Variable& logits, const Tensor& labels,
                                      float label_smoothing) {
  constexpr const char* kOp = "sparse_softmax_cross_entropy";
  check_logits(logits, kOp);
  check_smoothing(label_smoothing, kOp);
  const std::int64_t batch = logits.shape()[0], classes = logits.shape()[1];
  check_class_labels(labels, batch, classes);
  LossGradient gradient;
  if (loss_needs_gradient_graph(logits))
    gradient = cross_entropy_gradient(label_smoothing, labels.to(DType::f32), Tensor());
  return cross_entropy_node(logits, {&labels, nullptr, label_smoothing}, kOp, std::move(gradient));
}

Variable softmax_cross_entropy(const Variable& logits, const Tensor& targets,
                               float label_smoothing) {
  constexpr const char* kOp = "softmax_cross_entropy";
  check_logits(logits, kOp);
  check_smoothing(label_smoothing, kOp);
  if (targets.shape() != logits.shape())
    throw InvalidArgument(fmt::format("{}: targets of shape {} for logits of shape {}", kOp,
                                      shape_string(targets.shape()), shape_string(logits.shape())));
  LossGradient gradient;
  if (loss_needs_gradient_graph(logits))
    gradient = cross_entropy_gradient(label_smoothing, Tensor(), targets.to(DType::f64));
  return cross_entropy_node(logits, {nullptr, &targets, label_smoothing}, kOp, std::move(gradient));
}

}  // namespace descent
