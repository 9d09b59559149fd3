#include "train/model.h"

#include <chrono>
#include <cmath>

#include <fmt/format.h>

#include "core/error.h"
#include "data/batches.h"
#include "train/progress_bar.h"

namespace descent {
namespace {

using Clock = std::chrono::steady_clock;

double seconds_since(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

std::vector<std::unique_ptr<Metric>> make_metrics(const std::vector<std::string>& names,
                                                  const Loss& loss) {
  std::vector<std::unique_ptr<Metric>> metrics;
  for (const std::string& name : names)
    metrics.push_back(make_metric(name, loss));
  return metrics;
}

// Keeps the optimizer's η in step with a schedule. A change of η from outside while fit() runs
// (set_lr from a callback, say) rescales the schedule from then on: both compose by product.
class ScheduleDriver {
 public:
  ScheduleDriver(Schedule* schedule, Optimizer& optimizer)
      : schedule_(schedule), optimizer_(optimizer), written_(optimizer.lr()) {}

  void apply(std::int64_t t) {
    if (schedule_ == nullptr) return;
    if (optimizer_.lr() != written_) scale_ *= optimizer_.lr() / written_;
    written_ = schedule_->lr(t) * scale_;
    optimizer_.set_lr(written_);
    if (const auto momentum = schedule_->momentum(t)) optimizer_.set_momentum(*momentum);
  }

 private:
  Schedule* schedule_;
  Optimizer& optimizer_;
  double written_;
  double scale_ = 1.0;
};

}  // namespace

void Model::compile(std::unique_ptr<Optimizer> optimizer, std::unique_ptr<Loss> loss,
                    const std::vector<std::string>& metrics) {
  if (!optimizer || !loss) throw InvalidArgument("compile: an optimizer and a loss are required");
  if (!built())
    throw InvalidArgument("compile: the model is not built: give the first layer an input_shape");
  if (optimizer->params().size() != trainable_variables().size())
    throw InvalidArgument("compile: the optimizer must hold the model's trainable variables");
  make_metrics(metrics, *loss);  // rejects unknown metric names now, not at the first epoch
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
  if (options.epochs < 0)
    throw InvalidArgument(fmt::format("epochs must be >= 0, got {}", options.epochs));
  if (options.batch_size <= 0)
    throw InvalidArgument(fmt::format("batch size must be > 0, got {}", options.batch_size));
  Dataset held_out;
  const Dataset* train = &data;
  const Dataset* validation = options.validation_data;
  std::pair<Dataset, Dataset> parts;
  if (validation == nullptr && options.validation_split > 0.0) {
    parts = split_tail(data, options.validation_split);
    train = &parts.first;
    validation = &parts.second;
  }
  if (train->size() == 0) throw DataError("no training samples");
  build(train->sample_shape);
  Shape predictions{train->size()};
  predictions.insert(predictions.end(), output_shape().begin(), output_shape().end());
  loss_->validate_targets(predictions, train->target_tensor());

  auto metrics = make_metrics(metric_names_, *loss_);
  std::vector<std::shared_ptr<Callback>> callbacks = options.callbacks;
  if (options.verbose > 0)
    callbacks.insert(callbacks.begin(), std::make_shared<ProgressBar>(options.verbose));

  Rng shuffle_rng = rng().split();
  BatchOrder order(train->size(), options.batch_size, options.shuffle, shuffle_rng);
  ScheduleDriver schedule(options.schedule.get(), *optimizer_);
  Variable x(Tensor(), false);
  Tensor y;
  History history;
  stop_training = false;
  std::int64_t step = 0;
  Logs epoch_logs;

  const TrainParams params{options.epochs, order.num_batches(), train->size()};
  for (auto& c : callbacks)
    c->on_train_begin(*this, params);
  for (int epoch = 0; epoch < options.epochs && !stop_training; ++epoch) {
    const auto epoch_start = Clock::now();
    for (auto& c : callbacks)
      c->on_epoch_begin(*this, epoch);
    if (options.schedule_interval == ScheduleInterval::epoch) schedule.apply(epoch);
    order.start_epoch();
    for (auto& m : metrics)
      m->reset();
    double loss_sum = 0.0;
    std::int64_t seen = 0;
    Logs batch_logs;
    for (std::int64_t b = 0; b < order.num_batches() && !stop_training; ++b) {
      if (options.schedule_interval == ScheduleInterval::step) schedule.apply(step);
      const auto indices = order.batch(b);
      train->gather(indices, x.value(), y);
      Variable prediction = forward(x, true);
      Variable loss = (*loss_)(prediction, y);
      loss.backward();
      const double value = loss.item() + regularize(true);
      const double lr = optimizer_->lr();
      ++step;
      if (!std::isfinite(value)) {
        history.diverged = true;
        history.divergence = fmt::format("loss became {} at step {} (epoch {}, η = {:g})", value,
                                         step, epoch + 1, lr);
        history.steps.push_back({step, epoch + 1, value, lr});
        optimizer_->zero_grad();
        stop_training = true;
        break;
      }
      optimizer_->step();
      optimizer_->zero_grad();
      const auto k = static_cast<std::int64_t>(indices.size());
      loss_sum += value * k;
      seen += k;
      for (auto& m : metrics)
        m->update(prediction.value(), y);
      history.steps.push_back({step, epoch + 1, value, lr});
      for (auto& c : callbacks)
        c->on_step_end(*this, history.steps.back());
      batch_logs.set("loss", loss_sum / seen);
      for (auto& m : metrics)
        batch_logs.set(m->name(), m->result());
      batch_logs.set("lr", lr);
      for (auto& c : callbacks)
        c->on_batch_end(*this, b, batch_logs);
    }
    epoch_logs = Logs();
    epoch_logs.set("epoch", epoch + 1);
    epoch_logs.set("loss", seen > 0 ? loss_sum / seen : std::nan(""));
    for (auto& m : metrics)
      epoch_logs.set(m->name(), m->result());
    if (validation != nullptr && validation->size() > 0 && !history.diverged) {
      const auto figures = evaluate(*validation, options.batch_size);
      epoch_logs.set("val_loss", figures.at("loss"));  // then the metrics, in Keras's column order
      for (const auto& [name, value] : figures)
        epoch_logs.set("val_" + name, value);
    }
    if (options.schedule) {
      const std::int64_t t = options.schedule_interval == ScheduleInterval::step ? step : epoch + 1;
      if (const auto monitored = epoch_logs.get(options.schedule_monitor))
        options.schedule->observe(t, *monitored);
      else if (const auto train_loss = epoch_logs.get("loss"))
        options.schedule->observe(t, *train_loss);
    }
    epoch_logs.set("lr", optimizer_->lr());
    epoch_logs.set("seconds", seconds_since(epoch_start));
    for (auto& c : callbacks)
      c->on_epoch_end(*this, epoch, epoch_logs);
    history.epochs.push_back(epoch_logs);
  }
  for (auto& c : callbacks)
    c->on_train_end(*this, epoch_logs);
  return history;
}

std::map<std::string, double> Model::evaluate(const Dataset& data, std::int64_t batch_size) {
  check_compiled();
  if (batch_size <= 0)
    throw InvalidArgument(fmt::format("batch size must be > 0, got {}", batch_size));
  NoGradGuard no_grad;
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
  out["loss"] = (data.size() > 0 ? loss_sum / static_cast<double>(data.size()) : std::nan("")) +
                regularize(false);
  for (auto& m : metrics)
    out[m->name()] = m->result();
  return out;
}

Tensor Model::predict(const Tensor& x, std::int64_t batch_size) {
  if (batch_size <= 0)
    throw InvalidArgument(fmt::format("batch size must be > 0, got {}", batch_size));
  if (x.rank() < 2)
    throw InvalidArgument(
        fmt::format("predict: expected a batch, got shape {}", shape_string(x.shape())));
  NoGradGuard no_grad;
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
