// The plumbing batch_norm and layer_norm share: which of (x, γ, β) a node recorded as inputs, and
// the gradient outputs its raw backward kernel writes.
#pragma once

#include <cstddef>
#include <optional>

#include "core/variable.h"

namespace descent::detail {

// x, then γ and β where defined: an undefined one is left out of the node's inputs.
struct NormInputs {
  bool gamma = false, beta = false;
  std::size_t gamma_index() const { return 1; }
  std::size_t beta_index() const { return gamma ? 2 : 1; }
};

// γ's value and the gradients a raw backward writes, null where there is no γ or no gradient is
// wanted. Points into itself: built in place, never copied.
class NormGrads {
 public:
  NormGrads(Node& self, const NormInputs& in) {
    Node& x = *self.inputs[0];
    Node* gamma_node = in.gamma ? self.inputs[in.gamma_index()].get() : nullptr;
    Node* beta_node = in.beta ? self.inputs[in.beta_index()].get() : nullptr;
    if (gamma_node) gamma = &gamma_node->value;
    if (x.requires_grad) dx = &dx_.emplace(x.grad_out());
    if (gamma_node && gamma_node->requires_grad) dgamma = &dgamma_.emplace(gamma_node->grad_out());
    if (beta_node && beta_node->requires_grad) dbeta = &dbeta_.emplace(beta_node->grad_out());
  }
  NormGrads(const NormGrads&) = delete;
  NormGrads& operator=(const NormGrads&) = delete;

  const Tensor* gamma = nullptr;
  GradOut* dx = nullptr;
  GradOut* dgamma = nullptr;
  GradOut* dbeta = nullptr;

 private:
  std::optional<GradOut> dx_, dgamma_, dbeta_;
};

}  // namespace descent::detail
