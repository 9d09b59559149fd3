// make_optimizer: builds an optimizer from its name and a JSON object of hyperparameters, for the
// CLI and for configuration files. Names: sgd, adagrad, adadelta, rmsprop, adam, adamw, adamax,
// nadam, lion, dog, prodigy, dadapt_sgd, dadapt_adam, sgd_schedule_free, adamw_schedule_free.
// Keys are the options' field names (lr, momentum, betas as a two-number array, eps, ...), plus
// clipnorm, clipvalue, global_clipnorm and (except for lion, the learning-rate-free four and the
// Schedule-Free two) convention ("pytorch" or "keras"). "convention": "keras" starts from Keras's
// defaults (XOptions::keras()); lion also takes it, for Keras's default η, and the rest, which
// Keras lacks, take it and change nothing. Missing keys keep their defaults;
// Optimizer::config() gives back an object that rebuilds the same optimizer.
#pragma once

#include <memory>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/variable.h"
#include "optim/basic_optimizer.h"
#include "optim/optimizer.h"

namespace descent {

// Throws InvalidArgument for an unknown name (listing the known ones), a key the optimizer does
// not take (naming it), a value of the wrong type, or a value out of its domain.
std::unique_ptr<Optimizer> make_optimizer(std::string_view name, std::vector<Variable> params,
                                          const nlohmann::json& hyperparameters);

// The same for the rule alone over scalar type T (float or double), e.g. to run an optimizer on
// a plain function: make_basic_optimizer<double>("adam", {{"lr", 0.1}}).
template <std::floating_point T>
std::unique_ptr<BasicOptimizer<T>> make_basic_optimizer(std::string_view name,
                                                        const nlohmann::json& hyperparameters);

// The names make_optimizer() accepts, in the order above.
const std::vector<std::string_view>& optimizer_names();
// The hyperparameter keys the optimizer `name` takes (its options' declared fields, and
// "convention"), for help text; throws InvalidArgument for an unknown name.
std::vector<std::string_view> optimizer_hyperparameter_names(std::string_view name);

}  // namespace descent
