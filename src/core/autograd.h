// Gradients as values of the graph, for derivatives of derivatives.
//
// grad() is torch.autograd.grad: it walks the graph of `output` backwards through each operation's
// GradRule (core/variable.h) and returns the gradients instead of storing them in the leaves, so
// it has no side effect on them. With create_graph the gradients are recorded as graphs of their
// own, and differentiating them again gives second derivatives. hvp() is the exact
// Hessian-vector product that way (Pearlmutter, "Fast Exact Multiplication by the Hessian", 1994):
// H·v = ∇(∇L · v), two backward passes, no finite difference.
#pragma once

#include <vector>

#include "core/variable.h"

namespace descent {

// d output / d inputs for an output of one value. An input that the output does not depend on
// gets an undefined Variable (PyTorch's None). With create_graph the results require gradients
// where they depend on a value that does, and the graph of `output` is kept for them; without, it
// is left as it was (not freed: call it again, or backward()). An operation whose derivative has
// no rule throws InvalidArgument naming it.
std::vector<Variable> grad(const Variable& output, const std::vector<Variable>& inputs,
                           bool create_graph = false);

// H·v, H the Hessian of `loss` (one value) in `params`, v one tensor per parameter (its shape and
// dtype). `gradients` are grad(loss, params, /*create_graph=*/true), computed once for any number
// of products.
std::vector<Tensor> hvp(const std::vector<Variable>& gradients, const std::vector<Variable>& params,
                        const std::vector<Tensor>& v);
// The same from the loss: one gradient with create_graph, then the product.
std::vector<Tensor> hvp(const Variable& loss, const std::vector<Variable>& params,
                        const std::vector<Tensor>& v);

}  // namespace descent
