// The node of a loss written as one fused operation: it holds the mean loss and the gradient
// w.r.t. the predictions, computed during the forward pass, so that backward is one scaled copy
// into the predictions' gradient. The fused cross-entropy ops and the losses of the loss layer
// all end in it. For second derivatives it also takes that gradient as a function of the
// predictions written with operations (`dpred_graph`).
#pragma once

#include <functional>

#include "core/tensor.h"
#include "core/variable.h"

namespace descent {

// True when a float32 loss of y_pred will take part in a backward pass (so its gradient must be
// computed); float64 losses differentiate `dpred_graph` instead.
bool loss_needs_grad(const Variable& y_pred);

// True when a loss of y_pred must also give its gradient as a graph (`dpred_graph` below): in a
// backward pass of float64, or of float32 while grad_rules_recorded() (not in a training step).
bool loss_needs_gradient_graph(const Variable& y_pred);

// d mean / d y_pred as a differentiable function of y_pred.
using LossGradient = std::function<Variable(const Variable& y_pred)>;

// The loss node: value `mean` (shape (1,), y_pred's dtype). When `dpred` is not empty (float32,
// see loss_needs_grad) it is d mean / d y_pred and backward adds upstream · dpred into y_pred's
// gradient; `dpred_graph` gives the same derivative as a graph. Without it (a loss whose second
// derivative is not written out), a float64 backward or a differentiable gradient throws
// InvalidArgument naming the loss.
Variable loss_node(const Variable& y_pred, double mean, Tensor dpred, const char* op,
                   LossGradient dpred_graph = nullptr);

}  // namespace descent
