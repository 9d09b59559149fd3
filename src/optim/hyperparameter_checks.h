// Validation shared by the optimizers' constructors and setters. Each throws InvalidArgument
// with one line that names the optimizer, the hyperparameter and the rejected value.
#pragma once

#include <string_view>

namespace descent {

// lr finite and > 0: "adam: learning rate must be finite and > 0, got -1".
void check_learning_rate(std::string_view optimizer, double lr);
// value finite and >= 0 (eps, weight_decay, momentum, lr_decay, ...).
void check_non_negative(std::string_view optimizer, std::string_view key, double value);
// value finite and > 0 (d0, d_coef, reps_rel, init_eta).
void check_positive(std::string_view optimizer, std::string_view key, double value);
// value in [0, 1) (betas, alpha, rho, dampening).
void check_unit_interval(std::string_view optimizer, std::string_view key, double value);

}  // namespace descent
