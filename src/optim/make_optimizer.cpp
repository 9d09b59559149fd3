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
  // Whether its weight decay can be decoupled (then it takes decay_all).
  bool can_decouple;
};

// The registry: one line per optimizer, in the order optimizer_names() lists them.
template <std::floating_point T>
const Entry<T> kOptimizers[] = {
    {"sgd", build<SGDOptions, BasicSGD, T>, hyperparameter_keys<SGDOptions>, true},
    {"adagrad", build<AdagradOptions, BasicAdagrad, T>, hyperparameter_keys<AdagradOptions>, true},
    {"adadelta", build<AdadeltaOptions, BasicAdadelta, T>, hyperparameter_keys<AdadeltaOptions>,
     true},
    {"rmsprop", build<RMSpropOptions, BasicRMSprop, T>, hyperparameter_keys<RMSpropOptions>, true},
    {"adam", build<AdamOptions, BasicAdam, T>, hyperparameter_keys<AdamOptions>, true},
    {"adamw", build<AdamWOptions, BasicAdamW, T>, hyperparameter_keys<AdamWOptions>, true},
    {"adamax", build<AdamaxOptions, BasicAdamax, T>, hyperparameter_keys<AdamaxOptions>, true},
    {"nadam", build<NAdamOptions, BasicNAdam, T>, hyperparameter_keys<NAdamOptions>, true},
    {"lion", build<LionOptions, BasicLion, T>, hyperparameter_keys<LionOptions>, true},
    {"dog", build<DoGOptions, BasicDoG, T>, hyperparameter_keys<DoGOptions>, false},
    {"prodigy", build<ProdigyOptions, BasicProdigy, T>, hyperparameter_keys<ProdigyOptions>, true},
    {"dadapt_sgd", build<DAdaptSGDOptions, BasicDAdaptSGD, T>,
     hyperparameter_keys<DAdaptSGDOptions>, false},
    {"dadapt_adam", build<DAdaptAdamOptions, BasicDAdaptAdam, T>,
     hyperparameter_keys<DAdaptAdamOptions>, true},
    {"sgd_schedule_free", build<SGDScheduleFreeOptions, BasicSGDScheduleFree, T>,
     hyperparameter_keys<SGDScheduleFreeOptions>, false},
    {"adamw_schedule_free", build<AdamWScheduleFreeOptions, BasicAdamWScheduleFree, T>,
     hyperparameter_keys<AdamWScheduleFreeOptions>, true},
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
    if (entry.name == name) {
      std::vector<std::string_view> keys = entry.keys();
      if (entry.can_decouple) keys.push_back("decay_all");
      return keys;
    }
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
  // decay_all belongs to the Optimizer's grouping, not to the rule's options.
  bool decay_all = false;
  json rule_hyperparameters = hyperparameters;
  if (hyperparameters.is_object() && hyperparameters.contains("decay_all")) {
    const json given = json::object({{"decay_all", hyperparameters["decay_all"]}});
    OptionsReader reader(name, "hyperparameter", given);
    reader.read("decay_all", decay_all);
    reader.finish();
    rule_hyperparameters.erase("decay_all");
  }
  auto rule = make_basic_optimizer<float>(name, rule_hyperparameters);
  if (decay_all && !rule->decouples_weight_decay())
    throw InvalidArgument(fmt::format(
        "{}: hyperparameter 'decay_all' is for decoupled weight decay; {}'s weight decay is L2 "
        "here, which decays every parameter",
        name, name));
  auto optimizer = std::make_unique<Optimizer>(std::move(params), std::move(rule));
  optimizer->set_decay_all(decay_all);
  return optimizer;
}

}  // namespace descent
