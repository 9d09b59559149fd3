// Model: a network (Sequential or Functional, nn/network.h) that can be compiled and trained,
// Keras-style.
//
//   descent::Model model;
//   model.add(descent::Dense(16, {.activation = "relu", .input_shape = {1}}));
//   model.add(descent::Dense(2, {.activation = "sigmoid"}));
//   model.compile<descent::Adam>({.lr = 1e-4}, "sparse_categorical_crossentropy", {"accuracy"});
//   descent::History h = model.fit(x, y, {.epochs = 30, .batch_size = 10});
//   model.optimizer().set_lr(0.01);  // used from the next step on
//
// A functional model, from symbolic tensors (nn/input.h):
//
//   descent::SymbolicTensor x = descent::Input({8});
//   descent::SymbolicTensor h = descent::Dense(16, {.activation = "relu"})(x);
//   descent::Model model(x, descent::Dense(2)(descent::Add()({h, descent::Dense(16)(h)})));
//
// Training (fit, evaluate, predict) takes a network with one input and one output.
//
// One training step: gather a batch -> forward -> loss plus the weight penalties -> backward ->
// (clipping and) optimizer step with the η the schedule gives -> metrics, history, callbacks.
// The same seed and thread count give bitwise-identical weights.
#pragma once

#include <concepts>
#include <filesystem>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "data/dataset.h"
#include "loss/losses.h"
#include "loss/metric.h"
#include "nn/functional.h"
#include "nn/sequential.h"
#include "optim/optimizer.h"
#include "optim/schedule/schedule.h"
#include "train/callback.h"
#include "train/history.h"

namespace descent {

// What fit() does when a step's loss or a gradient is NaN or infinite (docs/checkpoints.md).
enum class OnDivergence {
  stop,      // end the run, history.diverged and the message set; nothing bad is ever stepped
  rollback,  // restore the last good checkpoint, multiply η by lr_factor, skip the bad batch, go on
};

struct DivergencePolicy {
  OnDivergence action = OnDivergence::stop;
  double lr_factor = 0.5;  // in (0, 1)
  int max_rollbacks = 3;   // then stop
};

struct FitOptions {
  int epochs = 1;
  std::int64_t batch_size = 32;
  // Fraction of the training data, taken from its end before shuffling (as Keras), held out for
  // validation. Ignored when validation_data is given.
  double validation_split = 0.0;
  const Dataset* validation_data = nullptr;
  bool shuffle = true;
  std::vector<std::shared_ptr<Callback>> callbacks = {};
  // 0 silent, 1 progress bar, 2 one line per epoch (Keras's meanings).
  int verbose = 1;
  // η schedule, evaluated every optimizer step or at the start of every epoch.
  std::shared_ptr<Schedule> schedule = nullptr;
  ScheduleInterval schedule_interval = ScheduleInterval::step;
  // Metric ReduceLROnPlateau-style schedules observe at each epoch's end.
  std::string schedule_monitor = "val_loss";
  // Checkpoints (train/checkpoint.h) into this directory, when not empty: at each epoch's end and,
  // when checkpoint_every > 0, after every checkpoint_every steps; the newest checkpoint_keep stay.
  std::filesystem::path checkpoint_dir = {};
  std::int64_t checkpoint_every = 0;
  int checkpoint_keep = 3;
  // A checkpoint (read_checkpoint) to continue from, exactly where it was taken; the model, the
  // optimizer, the schedule, the data and these options must be the ones it was taken with.
  const StateDict* resume_from = nullptr;
  DivergencePolicy on_divergence = {};
};

class Model {
 public:
  // A Sequential model, its layers add()ed.
  explicit Model(std::uint64_t seed = 42);
  // A model from a network built elsewhere (network_from_config, Sequential::from_config).
  explicit Model(std::unique_ptr<Network> network);
  explicit Model(Sequential&& network);
  // A functional model from its inputs and outputs (Keras's Model(inputs, outputs)).
  Model(const std::vector<SymbolicTensor>& inputs, const std::vector<SymbolicTensor>& outputs,
        std::uint64_t seed = 42);
  Model(const SymbolicTensor& input, const SymbolicTensor& output, std::uint64_t seed = 42);

  // Adds a layer to a Sequential model (InvalidArgument for a functional one).
  template <std::derived_from<Layer> L>
  L& add(L layer) {
    return sequential().add(std::move(layer));
  }
  Layer& add(std::unique_ptr<Layer> layer) { return sequential().add(std::move(layer)); }

  Network& network() { return *network_; }
  const Network& network() const { return *network_; }

  // The network's interface (nn/network.h).
  void build(const Shape& input_shape) { network_->build(input_shape); }
  bool built() const { return network_->built(); }
  const Shape& input_shape() const { return network_->input_shape(); }
  const Shape& output_shape() const { return network_->output_shape(); }
  Variable forward(const Variable& x, bool training = false) {
    return network_->forward(x, training);
  }
  std::vector<Variable> forward_all(const std::vector<Variable>& inputs, bool training = false) {
    return network_->forward_all(inputs, training);
  }
  std::vector<Parameter> parameters() const { return network_->parameters(); }
  std::vector<Buffer> buffers() const { return network_->buffers(); }
  std::vector<Variable> trainable_variables() const { return network_->trainable_variables(); }
  std::int64_t count_params() const { return network_->count_params(); }
  std::int64_t count_trainable_params() const { return network_->count_trainable_params(); }
  std::int64_t count_non_trainable_params() const { return network_->count_non_trainable_params(); }
  std::vector<Variable> penalties() const { return network_->penalties(); }
  Variable penalty() const { return network_->penalty(); }
  std::string summary() const { return network_->summary(); }
  nlohmann::json config() const { return network_->config(); }
  StateDict weights() const { return network_->weights(); }
  void set_weights(const StateDict& weights) { network_->set_weights(weights); }
  void check_weights(const StateDict& weights) const { network_->check_weights(weights); }
  const std::vector<std::unique_ptr<Layer>>& layers() const { return network_->layers(); }
  Rng& rng() { return network_->rng(); }
  std::vector<Rng*> random_streams() { return network_->random_streams(); }

  // Creates an optimizer of type O over the model's weights, with a loss and metrics by name:
  //   model.compile<Adam>({.lr = 1e-4}, "sparse_categorical_crossentropy", {"accuracy"});
  template <std::derived_from<Optimizer> O>
  void compile(const typename O::Options& options, std::string_view loss,
               const std::vector<std::string>& metrics = {}) {
    compile(std::make_unique<O>(trainable_variables(), options), make_loss(loss), metrics);
  }
  // `optimizer` must hold this model's trainable_variables(). Its parameters of rank < 2 (biases,
  // normalization scales and shifts) get no weight decay when the rule decouples it
  // (Optimizer::exclude_low_rank_from_weight_decay()).
  void compile(std::unique_ptr<Optimizer> optimizer, std::unique_ptr<Loss> loss,
               const std::vector<std::string>& metrics = {});
  bool compiled() const { return optimizer_ != nullptr; }

  // Trains on the optimizer's training weights and returns with its evaluation weights in
  // (Optimizer::use_eval_weights(): they differ for Schedule-Free only, whose model is the average
  // x), so that what follows (evaluate, predict, weights(), saving) sees the trained model. At
  // each epoch's end, validation and the callbacks' on_epoch_end see the evaluation weights too;
  // steps, on_step_end / on_batch_end and checkpoints see the training weights.
  History fit(const Dataset& train, const FitOptions& options = {});
  // Keras's fit(x, y): x (n, features...), y (n,) class labels or (n, width) targets.
  History fit(const Tensor& x, const Tensor& y, const FitOptions& options = {});

  // Loss (with weight penalties, as Keras reports it) and metrics over `data`, by name, with the
  // optimizer's evaluation weights (switched in for the call if need be).
  std::map<std::string, double> evaluate(const Dataset& data, std::int64_t batch_size = 32);
  // Outputs for every sample, in batches, without recording a graph; with the evaluation weights
  // once compiled.
  Tensor predict(const Tensor& x, std::int64_t batch_size = 32);

  Optimizer& optimizer();
  const Loss& loss() const;
  // The metrics compile() was given, by name (Keras's metrics_names, less the loss).
  const std::vector<std::string>& metric_names() const { return metric_names_; }
  // Set by a callback to end training after the current step.
  bool stop_training = false;

 private:
  void check_compiled() const;
  Sequential& sequential();

  std::unique_ptr<Network> network_;
  std::unique_ptr<Optimizer> optimizer_;
  std::unique_ptr<Loss> loss_;
  std::vector<std::string> metric_names_;
};

// Wraps tensors as a Dataset: y of rank 1 holding non-negative integers becomes class labels.
Dataset dataset_from_tensors(const Tensor& x, const Tensor& y);

}  // namespace descent
