// Metric: a number reported during training and evaluation, accumulated over the batches of an
// epoch (each batch weighs by its number of samples), and make_metric, which resolves a metric
// name once, the way Keras does, from the loss the model is compiled with.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "core/tensor.h"
#include "loss/loss.h"

namespace descent {

class Metric {
 public:
  virtual ~Metric() = default;
  // Forgets every batch seen so far (start of an epoch or of an evaluation).
  virtual void reset() = 0;
  // Adds one batch of predictions (the model's outputs) and their targets.
  virtual void update(const Tensor& y_pred, const Tensor& y_true) = 0;
  // The value over all batches since reset(); 0 before the first update.
  virtual double result() const = 0;
  // Name used in logs and history, e.g. "accuracy", "top_3_accuracy", "mae".
  virtual std::string name() const = 0;
  // The batches seen since reset(), for a checkpoint taken mid-epoch, and back.
  virtual nlohmann::json state() const = 0;
  virtual void load_state(const nlohmann::json& state) = 0;
};

// A metric that is a mean: each update adds a sum of per-sample (or per-value) scores and how many
// there were; result() = total / count.
class MeanMetric : public Metric {
 public:
  explicit MeanMetric(std::string name) : name_(std::move(name)) {}
  void reset() override;
  double result() const override;
  std::string name() const override { return name_; }
  nlohmann::json state() const override;
  void load_state(const nlohmann::json& state) override;

 protected:
  void accumulate(double total, double count);

 private:
  std::string name_;
  double total_ = 0.0;
  double count_ = 0.0;
};

// The metric named `name` (case-insensitive) for a model trained with `loss`:
//   "accuracy" / "acc"   sparse_categorical_accuracy for sparse_categorical_crossentropy,
//                        categorical_accuracy for categorical_crossentropy, binary_accuracy for
//                        binary_crossentropy (threshold 0.5 on probabilities, 0 on logits), and
//                        for other losses chosen from the shapes at each update (as Keras does)
//   "binary_accuracy", "categorical_accuracy", "sparse_categorical_accuracy"
//   "top_k_accuracy" (k = 5), "top5", "top_3_accuracy", "sparse_top_k_categorical_accuracy"...
//                        named "top_<k>_accuracy"
//   "mae" / "mean_absolute_error", "mse" / "mean_squared_error",
//   "rmse" / "root_mean_squared_error"
// The metric is named as given (lower-cased), except top-k metrics. Throws InvalidArgument for an
// unknown name, listing the known ones.
std::unique_ptr<Metric> make_metric(std::string_view name, const Loss& loss);
// make_metric for each name, in order.
std::vector<std::unique_ptr<Metric>> make_metrics(const std::vector<std::string>& names,
                                                  const Loss& loss);

}  // namespace descent
