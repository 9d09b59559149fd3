#include "train/fit_loop.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <utility>

#include <fmt/format.h>

#include "core/all_finite.h"
#include "core/ops/elementwise.h"
#include "train/progress_bar.h"

namespace descent {
namespace {

using Clock = std::chrono::steady_clock;

std::vector<std::shared_ptr<Callback>> with_progress_bar(const FitOptions& options) {
  std::vector<std::shared_ptr<Callback>> callbacks = options.callbacks;
  if (options.verbose > 0)
    callbacks.insert(callbacks.begin(), std::make_shared<ProgressBar>(options.verbose));
  return callbacks;
}

// The first parameter whose gradient holds NaN or ±inf, or null. A parameter that got no
// gradient this step has nothing to check (and the optimizer skips it).
const Parameter* non_finite_gradient(const std::vector<Parameter>& params) {
  for (const Parameter& p : params)
    if (p.variable.has_grad() && !all_finite_parallel(p.variable.grad().values())) return &p;
  return nullptr;
}

}  // namespace

FitLoop::FitLoop(Model& model, const Dataset& train, const Dataset* validation,
                 const FitOptions& options)
    : model_(model),
      optimizer_(model.optimizer()),
      train_(train),
      validation_(validation),
      options_(options),
      metrics_(make_metrics(model.metric_names(), model.loss())),
      callbacks_(with_progress_bar(options)),
      params_(model.parameters()),
      shuffle_rng_(model.rng().split()),
      order_(train.size(), options.batch_size, options.shuffle, shuffle_rng_),
      schedule_(options.schedule.get(), optimizer_),
      state_(model, schedule_, options.schedule.get(), metrics_, callbacks_,
             {train.size(), options.batch_size, options.shuffle}),
      checkpointer_(state_, options.checkpoint_dir, options.checkpoint_keep,
                    options.on_divergence.action == OnDivergence::rollback),
      x_(Tensor(), false) {
  p_.epoch_shuffle = shuffle_rng_.state();
  // Steps are taken from the training weights; a checkpoint restores its own weights and mode.
  optimizer_.use_train_weights();
  if (options.resume_from != nullptr) p_ = state_.restore(*options.resume_from);
  model_.stop_training = p_.finished;
  if (!p_.history.epochs.empty()) epoch_logs_ = p_.history.epochs.back();
}

History FitLoop::run() {
  const TrainParams params{options_.epochs, order_.num_batches(), train_.size(),
                           options_.batch_size};
  for (auto& c : callbacks_)
    c->on_train_begin(model_, params);
  if (options_.resume_from != nullptr) state_.restore_callbacks(*options_.resume_from);
  checkpointer_.hold(p_);
  while (p_.epoch < options_.epochs && !model_.stop_training && !p_.history.diverged)
    run_epoch();
  if (!p_.history.diverged && !p_.finished) {  // stopped early by a callback
    p_.finished = true;
    checkpointer_.save(p_);
  }
  // The trained model is the evaluation point (Schedule-Free's average).
  optimizer_.use_eval_weights();
  for (auto& c : callbacks_)
    c->on_train_end(model_, epoch_logs_);
  return std::move(p_.history);
}

// Runs the epoch p_.epoch from batch p_.batch (0, or where a checkpoint was taken). A callback's
// stop_training or a divergence ends it early, with its bookkeeping; a rollback leaves it at once,
// for the epoch of the restored state.
void FitLoop::run_epoch() {
  begin_epoch();
  while (p_.batch < order_.num_batches() && !model_.stop_training) {
    const std::int64_t b = p_.batch;
    if (skipped(b)) {
      ++p_.batch;
      continue;
    }
    if (!train_step(b)) {
      if (!model_.stop_training) return;  // rolled back
      break;                              // gave up: the epoch's bookkeeping still runs
    }
    if (options_.checkpoint_every > 0 && p_.step % options_.checkpoint_every == 0 &&
        p_.batch < order_.num_batches() && !checkpointer_.save(p_)) {
      const StepRecord& last = p_.history.steps.back();
      diverged("weights became non-finite", last.loss, last.lr);
      if (!model_.stop_training) return;
    }
  }
  end_epoch();
}

void FitLoop::begin_epoch() {
  epoch_start_ = Clock::now();
  for (auto& c : callbacks_)
    c->on_epoch_begin(model_, p_.epoch);
  if (p_.batch == 0) {
    if (options_.schedule_interval == ScheduleInterval::epoch) schedule_.apply(p_.epoch);
    for (auto& m : metrics_)
      m->reset();
    p_.loss_sum = 0.0;
    p_.seen = 0;
  }
  shuffle_rng_.set_state(p_.epoch_shuffle);
  order_.start_epoch();
}

bool FitLoop::train_step(std::int64_t b) {
  if (options_.schedule_interval == ScheduleInterval::step) schedule_.apply(p_.step);
  const auto indices = order_.batch(b);
  train_.gather(indices, x_.value(), y_);
  Variable prediction, loss;
  {
    // Nothing differentiates this step's gradient: the float32 kernels' raw backward suffices
    // (the callbacks below, a sharpness tracker among them, record rules again).
    const RawBackwardOnly raw_backward;
    prediction = model_.forward(x_, true);
    loss = model_.loss()(prediction, y_);
    if (const Variable penalty = model_.penalty(); penalty.defined()) loss = add(loss, penalty);
    loss.backward();
  }
  const double value = loss.item();
  const double lr = optimizer_.lr();
  std::string bad;
  if (!std::isfinite(value))
    bad = fmt::format("loss became {}", value);
  else if (const Parameter* param = non_finite_gradient(params_))
    bad = fmt::format("gradient of {} became non-finite", param->name);
  if (!bad.empty()) {
    optimizer_.zero_grad();
    diverged(bad, value, lr);
    return false;
  }
  optimizer_.step();
  optimizer_.zero_grad();
  ++p_.step;
  ++p_.batch;
  const auto k = static_cast<std::int64_t>(indices.size());
  p_.loss_sum += value * k;
  p_.seen += k;
  for (auto& m : metrics_)
    m->update(prediction.value(), y_);
  p_.history.steps.push_back({p_.step, p_.epoch + 1, value, lr});
  for (auto& c : callbacks_)
    c->on_step_end(model_, p_.history.steps.back());
  batch_logs_.set("loss", p_.loss_sum / p_.seen);
  for (auto& m : metrics_)
    batch_logs_.set(m->name(), m->result());
  batch_logs_.set("lr", lr);
  for (auto& c : callbacks_)
    c->on_batch_end(model_, b, batch_logs_);
  return true;
}

// The epoch's figures (Keras's column order: loss, metrics, validation, η, seconds), the schedule's
// observation and the callbacks, then the next epoch's starting point and a checkpoint.
void FitLoop::end_epoch() {
  epoch_logs_ = Logs();
  epoch_logs_.set("epoch", p_.epoch + 1);
  epoch_logs_.set("loss", p_.seen > 0 ? p_.loss_sum / p_.seen : std::nan(""));
  for (auto& m : metrics_)
    epoch_logs_.set(m->name(), m->result());
  History& history = p_.history;
  {
    // The epoch's model is the evaluation point: validation and the callbacks see it
    // (ModelCheckpoint saves it, EarlyStopping keeps and restores it); the checkpoint below holds
    // the training point, from which the next step goes on.
    const EvalWeights eval_weights(optimizer_);
    if (validation_ != nullptr && validation_->size() > 0 && !history.diverged) {
      const auto figures = model_.evaluate(*validation_, options_.batch_size);
      epoch_logs_.set("val_loss", figures.at("loss"));  // then the metrics
      for (const auto& [name, value] : figures)
        epoch_logs_.set("val_" + name, value);
    }
    if (options_.schedule) {
      const std::int64_t t =
          options_.schedule_interval == ScheduleInterval::step ? p_.step : p_.epoch + 1;
      if (const auto monitored = epoch_logs_.get(options_.schedule_monitor))
        options_.schedule->observe(t, *monitored);
      else if (const auto train_loss = epoch_logs_.get("loss"))
        options_.schedule->observe(t, *train_loss);
    }
    epoch_logs_.set("lr", optimizer_.lr());
    epoch_logs_.set("seconds", std::chrono::duration<double>(Clock::now() - epoch_start_).count());
    for (auto& c : callbacks_)
      c->on_epoch_end(model_, p_.epoch, epoch_logs_);
  }
  history.epochs.push_back(epoch_logs_);
  ++p_.epoch;
  p_.batch = 0;
  p_.epoch_shuffle = shuffle_rng_.state();
  if (history.diverged) return;
  p_.finished = p_.epoch == options_.epochs || model_.stop_training;  // a stopped run is over too
  if (!checkpointer_.save(p_))
    diverged("weights became non-finite", *epoch_logs_.get("loss"), optimizer_.lr());
}

void FitLoop::diverged(const std::string& what, double value, double lr) {
  const DivergencePolicy& policy = options_.on_divergence;
  History& history = p_.history;
  if (policy.action != OnDivergence::rollback ||
      static_cast<int>(history.recoveries.size()) >= policy.max_rollbacks) {
    give_up(policy.action == OnDivergence::rollback
                ? fmt::format("{} after {} rollbacks", what, history.recoveries.size())
                : what,
            value, lr);
    return;
  }
  // Back to the last good state with η lowered; the bad batch is skipped from then on. The
  // restored state holds its own history: the recoveries and skipped batches carry over.
  Recovery recovery{p_.step + 1, p_.epoch + 1, p_.batch, what, 0, lr, 0.0};
  auto recoveries = std::move(history.recoveries);
  auto skipped = std::move(p_.skipped);
  skipped.emplace_back(p_.epoch, p_.batch);
  p_ = state_.restore(checkpointer_.last_good());
  state_.restore_callbacks(checkpointer_.last_good());
  optimizer_.zero_grad();
  schedule_.scale_lr(policy.lr_factor);
  recovery.restored_step = p_.step;
  recovery.lr_after = optimizer_.lr();
  recoveries.push_back(recovery);
  p_.history.recoveries = std::move(recoveries);
  p_.skipped = std::move(skipped);
  if (options_.verbose > 0)
    fmt::print(stderr, "\n{} at step {}: rolled back to step {}, η {:g} -> {:g}\n", what,
               recovery.step, p_.step, lr, optimizer_.lr());
}

// Ends the run as diverged: the history says where and why; nothing bad is saved.
void FitLoop::give_up(const std::string& what, double value, double lr) {
  History& history = p_.history;
  history.diverged = true;
  history.divergence =
      fmt::format("{} at step {} (epoch {}, η = {:g})", what, p_.step + 1, p_.epoch + 1, lr);
  history.steps.push_back({p_.step + 1, p_.epoch + 1, value, lr});
  model_.stop_training = true;
}

bool FitLoop::skipped(std::int64_t b) const {
  return std::find(p_.skipped.begin(), p_.skipped.end(), std::pair{p_.epoch, b}) !=
         p_.skipped.end();
}

}  // namespace descent
