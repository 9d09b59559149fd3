#include "train/model.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <optional>

#include <fmt/format.h>

#include "core/all_finite.h"
#include "core/error.h"
#include "data/batches.h"
#include "train/checkpoint.h"
#include "train/progress_bar.h"
#include "train/schedule_driver.h"
#include "train/training_state.h"

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

// The first parameter whose gradient holds NaN or ±inf, or null.
const Parameter* non_finite_gradient(const std::vector<Parameter>& params) {
  for (const Parameter& p : params) {
    Variable v = p.variable;
    if (!all_finite_parallel(v.grad().values())) return &p;
  }
  return nullptr;
}

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
  const TrainingState state(*this, schedule, options.schedule.get(), metrics, callbacks,
                            {train->size(), options.batch_size, options.shuffle});
  const std::vector<Parameter> params = parameters();
  std::optional<CheckpointStore> store;
  if (!options.checkpoint_dir.empty())
    store.emplace(options.checkpoint_dir, options.checkpoint_keep);

  FitProgress p;
  p.epoch_shuffle = shuffle_rng.state();
  if (options.resume_from != nullptr) p = state.restore(*options.resume_from);
  stop_training = p.finished;
  History& history = p.history;
  const DivergencePolicy& policy = options.on_divergence;
  const bool rollback = policy.action == OnDivergence::rollback;
  // The last state known to be good: what a rollback returns to.
  std::optional<StateDict> last_good;
  std::int64_t last_saved_step = -1;

  // Ends the run as diverged: the history says where and why; nothing bad is saved.
  const auto give_up = [&](const std::string& what, double value, double lr) {
    history.diverged = true;
    history.divergence =
        fmt::format("{} at step {} (epoch {}, η = {:g})", what, p.step + 1, p.epoch + 1, lr);
    history.steps.push_back({p.step + 1, p.epoch + 1, value, lr});
    stop_training = true;
  };
  // A good state to go back to, kept in memory for a rollback and written when checkpointing.
  // Returns false when the weights themselves are no longer finite.
  const auto checkpoint = [&]() {
    if (!store && !rollback) return true;
    StateDict snapshot = state.capture(p);
    if (const std::string bad = first_non_finite(snapshot); !bad.empty()) return false;
    if (store && p.step != last_saved_step) store->save(p.step, snapshot);
    last_saved_step = p.step;
    if (rollback) last_good = std::move(snapshot);
    return true;
  };
  // Back to the last good state with η lowered; the bad batch is skipped from then on.
  const auto roll_back = [&](const std::string& what, double value, double lr) {
    if (!rollback || static_cast<int>(history.recoveries.size()) >= policy.max_rollbacks) {
      give_up(
          rollback ? fmt::format("{} after {} rollbacks", what, history.recoveries.size()) : what,
          value, lr);
      return;
    }
    const Recovery recovery{p.step + 1, p.epoch + 1, p.batch, what, 0, lr, 0.0};
    auto recoveries = std::move(history.recoveries);
    auto skipped = std::move(p.skipped);
    skipped.emplace_back(p.epoch, p.batch);
    p = state.restore(*last_good);
    state.restore_callbacks(*last_good);
    optimizer_->zero_grad();
    schedule.scale_lr(policy.lr_factor);
    recoveries.push_back(recovery);
    recoveries.back().restored_step = p.step;
    recoveries.back().lr_after = optimizer_->lr();
    history.recoveries = std::move(recoveries);
    p.skipped = std::move(skipped);
    if (options.verbose > 0)
      fmt::print(stderr, "\n{} at step {}: rolled back to step {}, η {:g} -> {:g}\n", what,
                 recovery.step, p.step, lr, optimizer_->lr());
  };
  const auto is_skipped = [&](std::int64_t b) {
    return std::find(p.skipped.begin(), p.skipped.end(), std::pair{p.epoch, b}) != p.skipped.end();
  };

  Variable x(Tensor(), false);
  Tensor y;
  Logs epoch_logs = history.epochs.empty() ? Logs() : history.epochs.back();
  const TrainParams train_params{options.epochs, order.num_batches(), train->size()};
  for (auto& c : callbacks)
    c->on_train_begin(*this, train_params);
  if (options.resume_from != nullptr) state.restore_callbacks(*options.resume_from);
  if (rollback) last_good = state.capture(p);
  bool epoch_open = false;
  auto epoch_start = Clock::now();
  Logs batch_logs;
  // A callback's stop_training or a divergence ends the epoch early; its bookkeeping still runs.
  while (p.epoch < options.epochs && (epoch_open || !stop_training)) {
    if (!epoch_open) {  // entering epoch p.epoch at batch p.batch (0, or where a checkpoint was)
      epoch_start = Clock::now();
      for (auto& c : callbacks)
        c->on_epoch_begin(*this, p.epoch);
      if (p.batch == 0) {
        if (options.schedule_interval == ScheduleInterval::epoch) schedule.apply(p.epoch);
        for (auto& m : metrics)
          m->reset();
        p.loss_sum = 0.0;
        p.seen = 0;
      }
      shuffle_rng.set_state(p.epoch_shuffle);
      order.start_epoch();
      epoch_open = true;
    }
    if (p.batch < order.num_batches() && !stop_training) {
      const std::int64_t b = p.batch;
      if (is_skipped(b)) {
        ++p.batch;
        continue;
      }
      if (options.schedule_interval == ScheduleInterval::step) schedule.apply(p.step);
      const auto indices = order.batch(b);
      train->gather(indices, x.value(), y);
      Variable prediction = forward(x, true);
      Variable loss = (*loss_)(prediction, y);
      loss.backward();
      const double value = loss.item() + regularize(true);
      const double lr = optimizer_->lr();
      std::string bad;
      if (!std::isfinite(value))
        bad = fmt::format("loss became {}", value);
      else if (const Parameter* param = non_finite_gradient(params))
        bad = fmt::format("gradient of {} became non-finite", param->name);
      if (!bad.empty()) {
        optimizer_->zero_grad();
        roll_back(bad, value, lr);
        epoch_open = stop_training;
        continue;
      }
      optimizer_->step();
      optimizer_->zero_grad();
      ++p.step;
      ++p.batch;
      const auto k = static_cast<std::int64_t>(indices.size());
      p.loss_sum += value * k;
      p.seen += k;
      for (auto& m : metrics)
        m->update(prediction.value(), y);
      history.steps.push_back({p.step, p.epoch + 1, value, lr});
      for (auto& c : callbacks)
        c->on_step_end(*this, history.steps.back());
      batch_logs.set("loss", p.loss_sum / p.seen);
      for (auto& m : metrics)
        batch_logs.set(m->name(), m->result());
      batch_logs.set("lr", lr);
      for (auto& c : callbacks)
        c->on_batch_end(*this, b, batch_logs);
      if (options.checkpoint_every > 0 && p.step % options.checkpoint_every == 0 &&
          p.batch < order.num_batches() && !checkpoint()) {
        roll_back("weights became non-finite", value, lr);
        epoch_open = stop_training;
      }
      continue;
    }
    epoch_logs = Logs();
    epoch_logs.set("epoch", p.epoch + 1);
    epoch_logs.set("loss", p.seen > 0 ? p.loss_sum / p.seen : std::nan(""));
    for (auto& m : metrics)
      epoch_logs.set(m->name(), m->result());
    if (validation != nullptr && validation->size() > 0 && !history.diverged) {
      const auto figures = evaluate(*validation, options.batch_size);
      epoch_logs.set("val_loss", figures.at("loss"));  // then the metrics, in Keras's column order
      for (const auto& [name, value] : figures)
        epoch_logs.set("val_" + name, value);
    }
    if (options.schedule) {
      const std::int64_t t =
          options.schedule_interval == ScheduleInterval::step ? p.step : p.epoch + 1;
      if (const auto monitored = epoch_logs.get(options.schedule_monitor))
        options.schedule->observe(t, *monitored);
      else if (const auto train_loss = epoch_logs.get("loss"))
        options.schedule->observe(t, *train_loss);
    }
    epoch_logs.set("lr", optimizer_->lr());
    epoch_logs.set("seconds", seconds_since(epoch_start));
    for (auto& c : callbacks)
      c->on_epoch_end(*this, p.epoch, epoch_logs);
    history.epochs.push_back(epoch_logs);
    ++p.epoch;
    p.batch = 0;
    p.epoch_shuffle = shuffle_rng.state();
    epoch_open = false;
    if (history.diverged) break;
    p.finished = p.epoch == options.epochs || stop_training;  // a stopped run is over too
    if (!checkpoint())
      roll_back("weights became non-finite", *epoch_logs.get("loss"), optimizer_->lr());
  }
  if (!history.diverged && !p.finished) {  // stopped early by a callback
    p.finished = true;
    checkpoint();
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
