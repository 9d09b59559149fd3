#include "optim/make_optimizer.h"

#include <set>
#include <string>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "core/error.h"
#include "optim/adadelta.h"
#include "optim/adagrad.h"
#include "optim/adam.h"
#include "optim/adamax.h"
#include "optim/adamw.h"
#include "optim/lion.h"
#include "optim/nadam.h"
#include "optim/rmsprop.h"
#include "optim/sgd.h"

namespace descent {
namespace {

// Reads keys from the hyperparameter object, remembering which ones it knows, so that finish()
// can name any key left over.
class Reader {
 public:
  Reader(std::string_view optimizer, const nlohmann::json& j) : optimizer_(optimizer), j_(j) {
    if (!j.is_object() && !j.is_null())
      throw InvalidArgument(
          fmt::format("{}: hyperparameters must be a JSON object, got {}", optimizer, j.dump()));
  }

  void number(const char* key, double& out) {
    if (const nlohmann::json* v = find(key)) {
      if (!v->is_number()) throw type_error(key, "a number", *v);
      out = v->get<double>();
    }
  }
  void optional_number(const char* key, std::optional<double>& out) {
    if (const nlohmann::json* v = find(key)) {
      if (v->is_null()) {
        out.reset();
        return;
      }
      if (!v->is_number()) throw type_error(key, "a number", *v);
      out = v->get<double>();
    }
  }
  void boolean(const char* key, bool& out) {
    if (const nlohmann::json* v = find(key)) {
      if (!v->is_boolean()) throw type_error(key, "true or false", *v);
      out = v->get<bool>();
    }
  }
  void pair(const char* key, std::array<double, 2>& out) {
    if (const nlohmann::json* v = find(key)) {
      if (!v->is_array() || v->size() != 2 || !(*v)[0].is_number() || !(*v)[1].is_number())
        throw type_error(key, "an array of two numbers", *v);
      out = {(*v)[0].get<double>(), (*v)[1].get<double>()};
    }
  }
  void clip(ClipOptions& clip) {
    optional_number("clipnorm", clip.clipnorm);
    optional_number("clipvalue", clip.clipvalue);
    optional_number("global_clipnorm", clip.global_clipnorm);
  }
  // The convention key, read first: true when it asks for Keras.
  bool keras() {
    const nlohmann::json* v = find("convention");
    if (!v) return false;
    if (*v == "keras") return true;
    if (*v == "pytorch") return false;
    throw type_error("convention", "\"pytorch\" or \"keras\"", *v);
  }

  void finish() const {
    if (!j_.is_object()) return;
    for (const auto& [key, value] : j_.items())
      if (!known_.contains(key))
        throw InvalidArgument(fmt::format("{}: unknown hyperparameter '{}' (known: {})", optimizer_,
                                          key, fmt::join(known_, ", ")));
  }

 private:
  const nlohmann::json* find(const char* key) {
    known_.insert(key);
    if (!j_.is_object()) return nullptr;
    auto it = j_.find(key);
    return it == j_.end() ? nullptr : &*it;
  }
  InvalidArgument type_error(const char* key, const char* expected, const nlohmann::json& v) const {
    return InvalidArgument(fmt::format("{}: hyperparameter '{}' must be {}, got {}", optimizer_,
                                       key, expected, v.dump()));
  }

  std::string_view optimizer_;
  const nlohmann::json& j_;
  std::set<std::string> known_;
};

template <class Options>
Options start(Reader& r) {
  return r.keras() ? Options::keras() : Options{};
}

template <std::floating_point T>
std::unique_ptr<BasicOptimizer<T>> build(std::string_view name, Reader& r) {
  if (name == "sgd") {
    auto o = start<SGDOptions>(r);
    r.number("lr", o.lr);
    r.number("momentum", o.momentum);
    r.number("dampening", o.dampening);
    r.number("weight_decay", o.weight_decay);
    r.boolean("nesterov", o.nesterov);
    r.clip(o.clip);
    r.finish();
    return std::make_unique<BasicSGD<T>>(o);
  }
  if (name == "adagrad") {
    auto o = start<AdagradOptions>(r);
    r.number("lr", o.lr);
    r.number("lr_decay", o.lr_decay);
    r.number("weight_decay", o.weight_decay);
    r.number("initial_accumulator_value", o.initial_accumulator_value);
    r.number("eps", o.eps);
    r.clip(o.clip);
    r.finish();
    return std::make_unique<BasicAdagrad<T>>(o);
  }
  if (name == "adadelta") {
    auto o = start<AdadeltaOptions>(r);
    r.number("lr", o.lr);
    r.number("rho", o.rho);
    r.number("eps", o.eps);
    r.number("weight_decay", o.weight_decay);
    r.clip(o.clip);
    r.finish();
    return std::make_unique<BasicAdadelta<T>>(o);
  }
  if (name == "rmsprop") {
    auto o = start<RMSpropOptions>(r);
    r.number("lr", o.lr);
    r.number("alpha", o.alpha);
    r.number("eps", o.eps);
    r.number("weight_decay", o.weight_decay);
    r.number("momentum", o.momentum);
    r.boolean("centered", o.centered);
    r.clip(o.clip);
    r.finish();
    return std::make_unique<BasicRMSprop<T>>(o);
  }
  if (name == "adam") {
    auto o = start<AdamOptions>(r);
    r.number("lr", o.lr);
    r.pair("betas", o.betas);
    r.number("eps", o.eps);
    r.number("weight_decay", o.weight_decay);
    r.boolean("amsgrad", o.amsgrad);
    r.clip(o.clip);
    r.finish();
    return std::make_unique<BasicAdam<T>>(o);
  }
  if (name == "adamw") {
    auto o = start<AdamWOptions>(r);
    r.number("lr", o.lr);
    r.pair("betas", o.betas);
    r.number("eps", o.eps);
    r.number("weight_decay", o.weight_decay);
    r.boolean("amsgrad", o.amsgrad);
    r.clip(o.clip);
    r.finish();
    return std::make_unique<BasicAdamW<T>>(o);
  }
  if (name == "adamax") {
    auto o = start<AdamaxOptions>(r);
    r.number("lr", o.lr);
    r.pair("betas", o.betas);
    r.number("eps", o.eps);
    r.number("weight_decay", o.weight_decay);
    r.clip(o.clip);
    r.finish();
    return std::make_unique<BasicAdamax<T>>(o);
  }
  if (name == "nadam") {
    auto o = start<NAdamOptions>(r);
    r.number("lr", o.lr);
    r.pair("betas", o.betas);
    r.number("eps", o.eps);
    r.number("weight_decay", o.weight_decay);
    r.number("momentum_decay", o.momentum_decay);
    r.clip(o.clip);
    r.finish();
    return std::make_unique<BasicNAdam<T>>(o);
  }
  if (name == "lion") {
    auto o = start<LionOptions>(r);
    r.number("lr", o.lr);
    r.pair("betas", o.betas);
    r.number("weight_decay", o.weight_decay);
    r.clip(o.clip);
    r.finish();
    return std::make_unique<BasicLion<T>>(o);
  }
  throw InvalidArgument(
      fmt::format("unknown optimizer '{}' (known: {})", name, fmt::join(optimizer_names(), ", ")));
}

}  // namespace

const std::vector<std::string_view>& optimizer_names() {
  static const std::vector<std::string_view> names = {
      "sgd", "adagrad", "adadelta", "rmsprop", "adam", "adamw", "adamax", "nadam", "lion"};
  return names;
}

template <std::floating_point T>
std::unique_ptr<BasicOptimizer<T>> make_basic_optimizer(std::string_view name,
                                                        const nlohmann::json& hyperparameters) {
  Reader reader(name, hyperparameters);
  return build<T>(name, reader);
}

template std::unique_ptr<BasicOptimizer<float>> make_basic_optimizer(std::string_view,
                                                                     const nlohmann::json&);
template std::unique_ptr<BasicOptimizer<double>> make_basic_optimizer(std::string_view,
                                                                      const nlohmann::json&);

std::unique_ptr<Optimizer> make_optimizer(std::string_view name, std::vector<Variable> params,
                                          const nlohmann::json& hyperparameters) {
  return std::make_unique<Optimizer>(std::move(params),
                                     make_basic_optimizer<float>(name, hyperparameters));
}

}  // namespace descent
