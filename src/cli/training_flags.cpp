#include "cli/training_flags.h"

#include <cmath>

#include <fmt/format.h>

#include "cli/flag_limits.h"
#include "cli/gpt_model.h"
#include "cli/memory_check.h"
#include "cli/model_spec.h"
#include "cli/thread_flag.h"
#include "core/error.h"
#include "core/parallel.h"
#include "loss/losses.h"
#include "optim/make_optimizer.h"
#include "optim/schedule/make_schedule.h"
#include "train/schedule_driver.h"

namespace descent::cli {
namespace {

using nlohmann::json;

// The number of output units the data asks for.
std::int64_t outputs_of(const Dataset& data) {
  return data.is_classification() ? data.num_classes : data.target_width;
}

std::string default_loss(const Dataset& data) {
  return data.is_classification() ? "sparse_categorical_crossentropy" : "mean_squared_error";
}

json optimizer_hyperparameters(const TrainingFlags& f, std::optional<double> lr) {
  json h = parse_key_values(f.optimizer_params, "--opt");
  const auto put = [&h](const char* key, const std::optional<double>& v) {
    if (v) h[key] = *v;
  };
  if (lr)
    h["lr"] = *lr;
  else
    put("lr", f.lr);
  put("momentum", f.momentum);
  put("dampening", f.dampening);
  put("weight_decay", f.weight_decay);
  put("eps", f.eps);
  put("rho", f.rho);
  put("alpha", f.alpha);
  put("clipnorm", f.clipnorm);
  put("clipvalue", f.clipvalue);
  put("global_clipnorm", f.global_clipnorm);
  if (f.nesterov) h["nesterov"] = true;
  if (f.amsgrad) h["amsgrad"] = true;
  if (f.centered) h["centered"] = true;
  if (!f.convention.empty()) h["convention"] = f.convention;
  if (f.beta1 || f.beta2) {
    // Fill the β not given from the optimizer's default.
    const json defaults = make_optimizer(f.optimizer, {}, json::object())->config();
    if (!defaults.contains("betas"))
      throw InvalidArgument(
          fmt::format("optimizer {} has no betas (--beta1/--beta2)", f.optimizer));
    h["betas"] = {f.beta1.value_or(defaults["betas"][0].get<double>()),
                  f.beta2.value_or(defaults["betas"][1].get<double>())};
  }
  return h;
}

}  // namespace

json parse_key_values(const std::vector<std::string>& pairs, const std::string& what) {
  json out = json::object();
  for (const std::string& pair : pairs) {
    const auto equals = pair.find('=');
    if (equals == std::string::npos || equals == 0)
      throw InvalidArgument(fmt::format("{} expects KEY=VALUE, got '{}'", what, pair));
    const std::string key = pair.substr(0, equals), text = pair.substr(equals + 1);
    json value = json::parse(text, nullptr, false);
    out[key] = value.is_discarded() ? json(text) : value;
  }
  return out;
}

void add_training_flags(CLI::App& c, TrainingFlags& f) {
  c.add_option("--data", f.data.source,
               "fashion-mnist, a directory of IDX files, a CSV file, an .npy features file, "
               "moons|spirals|xor|tutorial|linear, or text:FILE (characters of a UTF-8 file; "
               "text alone: Debian's fortunes) for --model gpt (docs/text.md)")
      ->capture_default_str();
  c.add_option("--label", f.data.label,
               "CSV target column, by name or 0-based index (default: the last); for .npy "
               "data, the labels .npy file");
  c.add_option("--test", f.data.test_path, "CSV test set (same columns as --data)");
  c.add_option("--scale", f.data.scale,
               "feature scaling of CSV, .npy and synthetic data, fitted on the training split: "
               "standard (mean 0, std 1), minmax ([0, 1]) or none")
      ->capture_default_str();
  c.add_option("--model", f.model,
               "linear, mlp:W1,W2,..., cnn, resnet[:W1,W2,...[:blocks=N]] (images), "
               "gpt:layers=4,heads=4,dim=128,context=128,dropout=0 (a character-level "
               "transformer for text data, every key optional; docs/text.md), or a model JSON "
               "file (docs/model-format.md)")
      ->capture_default_str();
  c.add_option("--loss", f.loss,
               "loss (default: sparse_categorical_crossentropy for class labels, "
               "mean_squared_error otherwise)");
  c.add_option("--optimizer", f.optimizer,
               "sgd, adagrad, adadelta, rmsprop, adam, adamw, adamax, nadam, lion, the "
               "learning-rate-free dog, prodigy, dadapt_sgd, dadapt_adam (--lr: a multiplier of "
               "their own step size), and the Schedule-Free sgd_schedule_free, "
               "adamw_schedule_free (--lr: their η; evaluated and saved at their average; "
               "--opt warmup_steps=N)")
      ->capture_default_str();
  c.add_option("--lr", f.lr, "learning rate η (default: the optimizer's own)");
  c.add_option("--momentum", f.momentum, "momentum (sgd, rmsprop, sgd_schedule_free)");
  c.add_option("--dampening", f.dampening, "momentum dampening (sgd)");
  c.add_flag("--nesterov", f.nesterov, "Nesterov momentum (sgd)");
  c.add_option("--weight-decay", f.weight_decay, "weight decay λ");
  c.add_option("--beta1", f.beta1, "β1 (adam family, lion)");
  c.add_option("--beta2", f.beta2, "β2 (adam family, lion)");
  c.add_option("--eps", f.eps, "ε");
  c.add_option("--rho", f.rho, "ρ (adadelta)");
  c.add_option("--alpha", f.alpha, "α, the squared-gradient average's decay (rmsprop)");
  c.add_flag("--amsgrad", f.amsgrad, "AMSGrad variant (adam, adamw)");
  c.add_flag("--centered", f.centered, "centered RMSprop");
  c.add_option("--convention", f.convention,
               "pytorch (default) or keras formulas (docs/optimizers.md)");
  c.add_option("--clipnorm", f.clipnorm, "clip each gradient tensor to this norm (Keras clipnorm)");
  c.add_option("--clipvalue", f.clipvalue, "clip each gradient value to [-v, v]");
  c.add_option("--global-clipnorm", f.global_clipnorm, "clip all gradients together to this norm");
  c.add_option("--opt", f.optimizer_params,
               "other optimizer hyperparameter, KEY=VALUE (repeatable)");
  c.add_option("--schedule", f.schedule,
               "learning-rate schedule, e.g. StepLR, OneCycleLR, CosineDecay (docs/schedules.md)");
  c.add_option("--schedule-param", f.schedule_params, "schedule parameter, KEY=VALUE (repeatable)");
  c.add_option("--schedule-interval", f.schedule_interval,
               "step or epoch: what the schedule's t counts")
      ->capture_default_str();
  c.add_option("--epochs", f.epochs, "epochs")->capture_default_str();
  c.add_option("--batch-size", f.batch_size, "mini-batch size")->capture_default_str();
  c.add_option("--validation-split", f.validation_split,
               "fraction of the training data held out for validation")
      ->capture_default_str();
  c.add_option("--seed", f.data.seed, "seed for weights, shuffling and synthetic data")
      ->capture_default_str();
  c.add_option("--threads", f.threads, "threads (0: all cores)")->capture_default_str();
}

namespace {

// The optional numeric flags, by their JSON names (null when not given).
std::vector<std::pair<const char*, std::optional<double> TrainingFlags::*>> optional_numbers() {
  return {{"lr", &TrainingFlags::lr},
          {"momentum", &TrainingFlags::momentum},
          {"dampening", &TrainingFlags::dampening},
          {"weight_decay", &TrainingFlags::weight_decay},
          {"beta1", &TrainingFlags::beta1},
          {"beta2", &TrainingFlags::beta2},
          {"eps", &TrainingFlags::eps},
          {"rho", &TrainingFlags::rho},
          {"alpha", &TrainingFlags::alpha},
          {"clipnorm", &TrainingFlags::clipnorm},
          {"clipvalue", &TrainingFlags::clipvalue},
          {"global_clipnorm", &TrainingFlags::global_clipnorm}};
}

}  // namespace

json to_json(const TrainingFlags& f) {
  json out = {{"data", to_json(f.data)},
              {"model", f.model},
              {"loss", f.loss},
              {"optimizer", f.optimizer},
              {"nesterov", f.nesterov},
              {"amsgrad", f.amsgrad},
              {"centered", f.centered},
              {"convention", f.convention},
              {"opt", f.optimizer_params},
              {"schedule", f.schedule},
              {"schedule_param", f.schedule_params},
              {"schedule_interval", f.schedule_interval},
              {"epochs", f.epochs},
              {"batch_size", f.batch_size},
              {"validation_split", f.validation_split},
              {"threads", f.threads}};
  for (const auto& [name, member] : optional_numbers())
    out[name] = (f.*member) ? json(*(f.*member)) : json(nullptr);
  return out;
}

TrainingFlags training_flags_from_json(const json& j) {
  TrainingFlags f;
  f.data = data_spec_from_json(j.at("data"));
  f.model = j.at("model").get<std::string>();
  f.loss = j.at("loss").get<std::string>();
  f.optimizer = j.at("optimizer").get<std::string>();
  f.nesterov = j.at("nesterov").get<bool>();
  f.amsgrad = j.at("amsgrad").get<bool>();
  f.centered = j.at("centered").get<bool>();
  f.convention = j.at("convention").get<std::string>();
  f.optimizer_params = j.at("opt").get<std::vector<std::string>>();
  f.schedule = j.at("schedule").get<std::string>();
  f.schedule_params = j.at("schedule_param").get<std::vector<std::string>>();
  f.schedule_interval = j.at("schedule_interval").get<std::string>();
  f.epochs = j.at("epochs").get<int>();
  f.batch_size = j.at("batch_size").get<std::int64_t>();
  f.validation_split = j.at("validation_split").get<double>();
  f.threads = j.at("threads").get<int>();
  for (const auto& [name, member] : optional_numbers())
    if (!j.at(name).is_null()) f.*member = j.at(name).get<double>();
  return f;
}

std::unique_ptr<Model> make_model(const TrainingFlags& f, const json& model_config,
                                  const Dataset& train, std::optional<double> lr) {
  auto model = std::make_unique<Model>(network_from_config(model_config, f.data.seed));
  const std::string loss_name = f.loss.empty() ? default_loss(train) : f.loss;
  const bool crossentropy = loss_name.find("crossentropy") != std::string::npos ||
                            loss_name.find("cross_entropy") != std::string::npos ||
                            loss_name == "bce" || loss_name == "cce" || loss_name == "scce";
  auto loss = make_loss(loss_name, crossentropy && outputs_logits(model_config));
  auto optimizer =
      make_optimizer(f.optimizer, model->trainable_variables(), optimizer_hyperparameters(f, lr));
  const std::vector<std::string> metrics = {train.is_classification() ? "accuracy" : "mae"};
  model->compile(std::move(optimizer), std::move(loss), metrics);
  return model;
}

// Text is cut into windows of the model's context: a gpt model's, or the one a run recorded.
DataSpec with_text_context(const TrainingFlags& f) {
  DataSpec data = f.data;
  if (is_text_data(data.source) && data.context == 0) {
    if (!is_gpt_model(f.model))
      throw InvalidArgument(fmt::format(
          "--data {} trains a language model: give --model gpt:KEY=VALUE,... (its context is "
          "the window length)",
          data.source));
    data.context = parse_gpt_spec(f.model).context;
  }
  return data;
}

Experiment make_experiment(const TrainingFlags& given, std::optional<double> lr) {
  TrainingFlags f = given;
  if (f.epochs <= 0) throw InvalidArgument(fmt::format("--epochs must be > 0, got {}", f.epochs));
  check_at_most("--epochs", f.epochs, kMaxEpochs);
  if (f.batch_size <= 0)
    throw InvalidArgument(fmt::format("--batch-size must be > 0, got {}", f.batch_size));
  if (!(f.validation_split >= 0.0 && f.validation_split < 1.0))
    throw InvalidArgument(
        fmt::format("--validation-split must be in [0, 1), got {}", f.validation_split));
  if (lr && !(std::isfinite(*lr) && *lr > 0))
    throw InvalidArgument(fmt::format("learning rate must be finite and > 0, got {}", *lr));
  apply_thread_flag(f.threads);

  Experiment e;
  f.data = with_text_context(f);
  e.data = load_data(f.data, f.validation_split);
  DataSpec fitted = f.data;  // config.json's data: the fitted scaler too, for every later reader
  fitted.scaler = e.data.scaler;
  Shape sample_shape = e.data.train.sample_shape;
  if (f.model == "cnn" && sample_shape.size() == 1) {
    const auto side = static_cast<std::int64_t>(std::lround(std::sqrt(double(sample_shape[0]))));
    if (side * side != sample_shape[0])
      throw InvalidArgument(
          fmt::format("model 'cnn' needs square images, got {} features", sample_shape[0]));
    sample_shape = {1, side, side};
    e.data.train.sample_shape = sample_shape;
    if (e.data.test) e.data.test->sample_shape = sample_shape;
  }
  const std::int64_t outputs = outputs_of(e.data.train);
  e.model_config = model_config(f.model, sample_shape, outputs);
  e.optimizer_slots =
      make_optimizer(f.optimizer, {}, optimizer_hyperparameters(f, lr))->rule().slot_names().size();
  check_memory({.model_spec = f.model,
                .model_config = e.model_config,
                .optimizer_slots = e.optimizer_slots,
                .batch_size = std::min(f.batch_size, e.data.train.size())});
  e.model = make_model(f, e.model_config, e.data.train, lr);
  conform_to_input(e.data.train, e.model->input_shape(), f.data.source);
  if (e.data.test) conform_to_input(*e.data.test, e.model->input_shape(), f.data.source);
  const std::int64_t model_outputs = shape_size(e.model->output_shape());
  if (!e.data.train.label_shape.empty()) {
    Shape expected = e.data.train.label_shape;
    expected.push_back(outputs);
    if (e.model->output_shape() != expected)
      throw DataError(fmt::format(
          "the model's outputs have shape {} but {} needs {} (scores of {} "
          "classes at every position)",
          shape_string(e.model->output_shape()), f.data.source, shape_string(expected), outputs));
  } else if (e.data.train.is_classification() ? model_outputs < outputs && model_outputs != 1
                                              : model_outputs != outputs)
    throw DataError(
        fmt::format("the model has {} outputs but {} has {} {}", model_outputs, f.data.source,
                    outputs, e.data.train.is_classification() ? "classes" : "targets per sample"));

  const double initial_lr = e.model->optimizer().lr();
  e.interval = parse_schedule_interval(f.schedule_interval);
  const std::int64_t train_samples = split_point(e.data.train.size(), f.validation_split);
  const std::int64_t total = schedule_length(train_samples, f.batch_size, f.epochs, e.interval);
  if (!f.schedule.empty()) {
    e.schedule = make_schedule(f.schedule, parse_key_values(f.schedule_params, "--schedule-param"),
                               initial_lr, total);
    // Before any run directory exists, not at the step where the run would fail.
    check_cycled_momentum(*e.schedule, e.model->optimizer());
    check_schedule_length(*e.schedule, total);
  }

  json flags = to_json(f);
  flags["threads"] = num_threads();  // a resumed run must use as many threads to match bitwise
  e.config = {{"flags", flags},
              {"data", to_json(fitted)},
              {"model", e.model_config},
              {"loss", e.model->loss().name()},
              {"from_logits", e.model->loss().from_logits()},
              {"optimizer",
               {{"name", e.model->optimizer().name()}, {"config", e.model->optimizer().config()}}},
              {"schedule", e.schedule ? json{{"name", e.schedule->name()},
                                             {"config", e.schedule->config()},
                                             {"interval", std::string(to_string(e.interval))}}
                                      : json(nullptr)},
              {"epochs", f.epochs},
              {"batch_size", f.batch_size},
              {"validation_split", f.validation_split},
              {"seed", f.data.seed},
              {"threads", num_threads()}};
  return e;
}

}  // namespace descent::cli
