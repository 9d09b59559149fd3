#include "optim/make_optimizer.h"

#include <algorithm>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "core/error.h"
#include "core/options_reader.h"
#include "optim/adadelta.h"
#include "optim/adagrad.h"
#include "optim/adam.h"
#include "optim/adamax.h"
#include "optim/adamw.h"
#include "optim/adamw_schedule_free.h"
#include "optim/dadapt_adam.h"
#include "optim/dadapt_sgd.h"
#include "optim/dog.h"
#include "optim/lion.h"
#include "optim/nadam.h"
#include "optim/prodigy.h"
#include "optim/rmsprop.h"
#include "optim/sgd.h"
#include "optim/sgd_schedule_free.h"

namespace descent {
namespace {

using nlohmann::json;

// Reads Options for the rule named `name`: "convention": "keras" first picks Keras's defaults
// (XOptions::keras()); lion takes the key for that alone, the others also keep it as a field.
template <class Options>
Options read_hyperparameters(std::string_view name, const json& hyperparameters) {
  OptionsReader reader(name, "hyperparameter", hyperparameters);
  Convention convention = Convention::pytorch;
  reader.read("convention", convention);
  Options options = convention == Convention::keras ? Options::keras() : Options{};
  reader.read_fields(options);
  reader.finish();
  return options;
}

template <std::floating_point T>
using Builder = std::unique_ptr<BasicOptimizer<T>> (*)(std::string_view, const json&);

template <class Options, template <class> class Rule, std::floating_point T>
std::unique_ptr<BasicOptimizer<T>> build(std::string_view name, const json& hyperparameters) {
  return std::make_unique<Rule<T>>(read_hyperparameters<Options>(name, hyperparameters));
}

// The keys read_hyperparameters<Options>() takes, for help text.
template <class Options>
std::vector<std::string_view> hyperparameter_keys() {
  std::vector<std::string_view> keys = field_names<Options>();
  if (std::find(keys.begin(), keys.end(), "convention") == keys.end())
    keys.insert(keys.begin(), "convention");
  return keys;
}

template <std::floating_point T>
struct Entry {
  std::string_view name;
  Builder<T> build;
  std::vector<std::string_view> (*keys)();
};

// The registry: one line per optimizer, in the order optimizer_names() lists them.
template <std::floating_point T>
const Entry<T> kOptimizers[] = {
    {"sgd", build<SGDOptions, BasicSGD, T>, hyperparameter_keys<SGDOptions>},
    {"adagrad", build<AdagradOptions, BasicAdagrad, T>, hyperparameter_keys<AdagradOptions>},
    {"adadelta", build<AdadeltaOptions, BasicAdadelta, T>, hyperparameter_keys<AdadeltaOptions>},
    {"rmsprop", build<RMSpropOptions, BasicRMSprop, T>, hyperparameter_keys<RMSpropOptions>},
    {"adam", build<AdamOptions, BasicAdam, T>, hyperparameter_keys<AdamOptions>},
    {"adamw", build<AdamWOptions, BasicAdamW, T>, hyperparameter_keys<AdamWOptions>},
    {"adamax", build<AdamaxOptions, BasicAdamax, T>, hyperparameter_keys<AdamaxOptions>},
    {"nadam", build<NAdamOptions, BasicNAdam, T>, hyperparameter_keys<NAdamOptions>},
    {"lion", build<LionOptions, BasicLion, T>, hyperparameter_keys<LionOptions>},
    {"dog", build<DoGOptions, BasicDoG, T>, hyperparameter_keys<DoGOptions>},
    {"prodigy", build<ProdigyOptions, BasicProdigy, T>, hyperparameter_keys<ProdigyOptions>},
    {"dadapt_sgd", build<DAdaptSGDOptions, BasicDAdaptSGD, T>,
     hyperparameter_keys<DAdaptSGDOptions>},
    {"dadapt_adam", build<DAdaptAdamOptions, BasicDAdaptAdam, T>,
     hyperparameter_keys<DAdaptAdamOptions>},
    {"sgd_schedule_free", build<SGDScheduleFreeOptions, BasicSGDScheduleFree, T>,
     hyperparameter_keys<SGDScheduleFreeOptions>},
    {"adamw_schedule_free", build<AdamWScheduleFreeOptions, BasicAdamWScheduleFree, T>,
     hyperparameter_keys<AdamWScheduleFreeOptions>},
};

InvalidArgument unknown_optimizer(std::string_view name) {
  return InvalidArgument(
      fmt::format("unknown optimizer '{}' (known: {})", name, fmt::join(optimizer_names(), ", ")));
}

}  // namespace

const std::vector<std::string_view>& optimizer_names() {
  static const std::vector<std::string_view> names = [] {
    std::vector<std::string_view> out;
    for (const auto& entry : kOptimizers<float>)
      out.push_back(entry.name);
    return out;
  }();
  return names;
}

std::vector<std::string_view> optimizer_hyperparameter_names(std::string_view name) {
  for (const auto& entry : kOptimizers<float>)
    if (entry.name == name) return entry.keys();
  throw unknown_optimizer(name);
}

template <std::floating_point T>
std::unique_ptr<BasicOptimizer<T>> make_basic_optimizer(std::string_view name,
                                                        const nlohmann::json& hyperparameters) {
  for (const auto& entry : kOptimizers<T>)
    if (entry.name == name) return entry.build(entry.name, hyperparameters);
  throw unknown_optimizer(name);
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
