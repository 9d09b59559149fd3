#include "train/model.h"

#include <cmath>
#include <optional>

#include <fmt/format.h>

#include "core/error.h"
#include "data/batches.h"
#include "optim/schedule/schedule.h"
#include "train/fit_loop.h"

namespace descent {
namespace {

void check_options(const FitOptions& options) {
  if (options.epochs < 0)
    throw InvalidArgument(fmt::format("epochs must be >= 0, got {}", options.epochs));
  if (options.batch_size <= 0)
    throw InvalidArgument(fmt::format("batch size must be > 0, got {}", options.batch_size));
  if (options.checkpoint_every < 0)
    throw InvalidArgument(
        fmt::format("checkpoint interval must be >= 0 steps, got {}", options.checkpoint_every));
  const DivergencePolicy& d = options.on_divergence;
  if (!(d.lr_factor > 0.0 && d.lr_factor < 1.0))
    throw InvalidArgument(
        fmt::format("the rollback's η factor must be in (0, 1), got {}", d.lr_factor));
  if (d.max_rollbacks < 0)
    throw InvalidArgument(fmt::format("max rollbacks must be >= 0, got {}", d.max_rollbacks));
}

}  // namespace

Model::Model(std::uint64_t seed) : network_(std::make_unique<Sequential>(seed)) {}

Model::Model(std::unique_ptr<Network> network) : network_(std::move(network)) {
  if (!network_) throw InvalidArgument("Model: the network is null");
}

Model::Model(Sequential&& network) : network_(std::make_unique<Sequential>(std::move(network))) {}

Model::Model(const std::vector<SymbolicTensor>& inputs, const std::vector<SymbolicTensor>& outputs,
             std::uint64_t seed)
    : network_(std::make_unique<Functional>(inputs, outputs, seed)) {}

Model::Model(const SymbolicTensor& input, const SymbolicTensor& output, std::uint64_t seed)
    : Model(std::vector<SymbolicTensor>{input}, std::vector<SymbolicTensor>{output}, seed) {}

Sequential& Model::sequential() {
  auto* sequential = dynamic_cast<Sequential*>(network_.get());
  if (!sequential)
    throw InvalidArgument("add: the model is functional; call layers on its symbolic tensors");
  return *sequential;
}

void Model::compile(std::unique_ptr<Optimizer> optimizer, std::unique_ptr<Loss> loss,
                    const std::vector<std::string>& metrics) {
  if (!optimizer || !loss) throw InvalidArgument("compile: an optimizer and a loss are required");
  if (!built())
    throw InvalidArgument("compile: the model is not built: give the first layer an input_shape");
  if (optimizer->params().size() != trainable_variables().size())
    throw InvalidArgument("compile: the optimizer must hold the model's trainable variables");
  make_metrics(metrics, *loss);  // rejects unknown metric names now, not at the first epoch
  optimizer->exclude_low_rank_from_weight_decay();
  optimizer_ = std::move(optimizer);
  loss_ = std::move(loss);
  metric_names_ = metrics;
}

void Model::check_compiled() const {
  if (!optimizer_)
    throw InvalidArgument("the model must be compiled before training or evaluation");
}

Optimizer& Model::optimizer() {
  check_compiled();
  return *optimizer_;
}

const Loss& Model::loss() const {
  check_compiled();
  return *loss_;
}

History Model::fit(const Tensor& x, const Tensor& y, const FitOptions& options) {
  return fit(dataset_from_tensors(x, y), options);
}

History Model::fit(const Dataset& data, const FitOptions& options) {
  check_compiled();
  network_->check_one_input_and_output("fit");
  check_options(options);
  const Dataset* train = &data;
  const Dataset* validation = options.validation_data;
  std::pair<Dataset, Dataset> parts;
  if (validation == nullptr && options.validation_split > 0.0) {
    parts = split_tail(data, options.validation_split);
    train = &parts.first;
    validation = &parts.second;
  }
  if (train->size() == 0) throw DataError("no training samples");
  if (options.schedule)
    check_schedule_length(*options.schedule,
                          schedule_length(train->size(), options.batch_size, options.epochs,
                                          options.schedule_interval));
  build(train->sample_shape);
  Shape predictions{train->size()};
  predictions.insert(predictions.end(), output_shape().begin(), output_shape().end());
  loss_->validate_targets(predictions, train->target_tensor());
  return FitLoop(*this, *train, validation, options).run();
}

std::map<std::string, double> Model::evaluate(const Dataset& data, std::int64_t batch_size) {
  check_compiled();
  network_->check_one_input_and_output("evaluate");
  if (batch_size <= 0)
    throw InvalidArgument(fmt::format("batch size must be > 0, got {}", batch_size));
  NoGradGuard no_grad;
  const EvalWeights eval_weights(*optimizer_);
  auto metrics = make_metrics(metric_names_, *loss_);
  Rng unused;
  BatchOrder order(data.size(), batch_size, false, unused);
  Variable x(Tensor(), false);
  Tensor y;
  double loss_sum = 0.0;
  for (std::int64_t b = 0; b < order.num_batches(); ++b) {
    const auto indices = order.batch(b);
    data.gather(indices, x.value(), y);
    Variable prediction = forward(x, false);
    loss_sum += (*loss_)(prediction, y).item() * static_cast<double>(indices.size());
    for (auto& m : metrics)
      m->update(prediction.value(), y);
  }
  std::map<std::string, double> out;
  const Variable penalty = this->penalty();
  out["loss"] = (data.size() > 0 ? loss_sum / static_cast<double>(data.size()) : std::nan("")) +
                (penalty.defined() ? penalty.item() : 0.0);
  for (auto& m : metrics)
    out[m->name()] = m->result();
  return out;
}

Tensor Model::predict(const Tensor& x, std::int64_t batch_size) {
  network_->check_one_input_and_output("predict");
  if (batch_size <= 0)
    throw InvalidArgument(fmt::format("batch size must be > 0, got {}", batch_size));
  if (x.rank() < 2)
    throw InvalidArgument(
        fmt::format("predict: expected a batch, got shape {}", shape_string(x.shape())));
  NoGradGuard no_grad;
  std::optional<EvalWeights> eval_weights;
  if (optimizer_) eval_weights.emplace(*optimizer_);
  const std::int64_t n = x.dim(0), width = x.size() / std::max<std::int64_t>(1, n);
  Shape out_shape{n};
  Tensor out;
  Variable batch(Tensor(), false);
  for (std::int64_t start = 0; start < n; start += batch_size) {
    const std::int64_t k = std::min(batch_size, n - start);
    Shape shape = x.shape();
    shape[0] = k;
    batch.value().resize(shape);
    std::copy_n(x.data() + start * width, k * width, batch.value().data());
    const Variable y = forward(batch, false);
    if (out.empty()) {
      Shape full = y.shape();
      full[0] = n;
      out.resize(full);
    }
    const std::int64_t out_width = y.value().size() / k;
    std::copy_n(y.value().data(), k * out_width, out.data() + start * out_width);
  }
  return out;
}

Dataset dataset_from_tensors(const Tensor& x, const Tensor& y) {
  if (x.rank() < 2)
    throw InvalidArgument(
        fmt::format("x must be (samples, features...), got {}", shape_string(x.shape())));
  if (y.rank() < 1 || y.dim(0) != x.dim(0))
    throw InvalidArgument(
        fmt::format("x has {} samples but y has shape {}", x.dim(0), shape_string(y.shape())));
  Dataset data;
  data.sample_shape = Shape(x.shape().begin() + 1, x.shape().end());
  data.values.assign(x.data(), x.data() + x.size());
  bool labels = y.rank() == 1;
  for (float v : y.values())
    labels = labels && v >= 0 && v == std::floor(v) && v < 1e7f;
  if (labels) {
    std::int32_t classes = 0;
    for (float v : y.values()) {
      data.labels.push_back(static_cast<std::int32_t>(v));
      classes = std::max(classes, static_cast<std::int32_t>(v) + 1);
    }
    data.num_classes = classes;
  } else {
    data.targets.assign(y.data(), y.data() + y.size());
    data.target_width = y.size() / y.dim(0);
  }
  data.validate("fit data");
  return data;
}

}  // namespace descent
