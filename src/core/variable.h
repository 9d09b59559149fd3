// Reverse-mode automatic differentiation on a dynamic graph.
//
// A Variable is a handle to a Node: a value, its gradient, the inputs it was computed from and the
// backward rules that the operation wrote beside its forward. backward() walks the graph in reverse
// topological order with an explicit stack (no recursion) and then frees it, so intermediate
// buffers go back to the pool for the next step.
//
// Each operation gives its gradient twice. `backward` is the fast rule on raw float32 buffers that
// training uses. `grad_rule` is the same derivative written with operations on Variables, so that
// the gradient is itself a graph that can be differentiated again (core/autograd.h: grad with
// create_graph, Hessian-vector products); float64 nodes have only this one.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <span>
#include <vector>

#include "core/backend/grad_out.h"
#include "core/tensor.h"

namespace descent {

class Variable;
struct Node;

// The gradients of an operation's inputs (in the order of Node::inputs; an undefined Variable for
// an input that gets none) given its output `self` and the gradient `grad` of its output.
using GradRule = std::function<std::vector<Variable>(const Variable& self, const Variable& grad)>;

struct Node {
  Tensor value;
  Tensor grad;
  // False until something writes the gradient in this pass: the first writer assigns instead of
  // accumulating, so no buffer has to be zeroed first.
  bool grad_written = false;
  bool requires_grad = false;
  // The backward pass that last visited this node (its walk marks nodes instead of hashing them).
  std::uint64_t visited_by = 0;
  const char* op = "leaf";
  std::vector<std::shared_ptr<Node>> inputs;
  // Reads this node's grad and adds its contribution to the inputs' grads.
  std::function<void(Node& self)> backward;
  // The same derivative with differentiable operations (see above).
  GradRule grad_rule;

  bool is_leaf() const { return inputs.empty(); }
  // Gradient buffer to write into; `accumulate` tells whether to add (true) or assign (false).
  Tensor& grad_for_write(bool& accumulate);
  // The same as a backward kernel takes it (core/backend/grad_out.h).
  GradOut grad_out();
};

// Adds `contribution` (the node's shape and dtype) into its gradient, or assigns it on the first
// write of a pass.
void add_into_grad(Node& node, const Tensor& contribution);

// Whether operations record their GradRule beside a raw backward: on by default; a
// RawBackwardOnly scope turns it off (thread-local, like grad mode).
bool grad_rules_recorded();
class RawBackwardOnly {
 public:
  RawBackwardOnly();
  ~RawBackwardOnly();
  RawBackwardOnly(const RawBackwardOnly&) = delete;
  RawBackwardOnly& operator=(const RawBackwardOnly&) = delete;

 private:
  bool previous_;
};

class Variable {
 public:
  Variable() = default;
  explicit Variable(Tensor value, bool requires_grad = false);
  // A handle to an existing node (an operation's input, in a GradRule).
  explicit Variable(std::shared_ptr<Node> node) : node_(std::move(node)) {}

  // A fresh result node of an operation: records `inputs` and `op` when gradients are needed.
  // Its value has the inputs' dtype (all defined inputs must share one, else InvalidArgument).
  // The operation then fills value() and, if needs_grad(), sets the backward rules.
  static Variable result(const Shape& shape, std::initializer_list<Variable> inputs,
                         const char* op);
  // The same for a number of inputs known at run time (concat).
  static Variable result(const Shape& shape, std::span<const Variable> inputs, const char* op);

  // The same for a view operation (core/ops/view.h): the result's value is `view`, which shares
  // the input's storage; nothing is computed.
  static Variable view_result(Tensor view, const Variable& input, const char* op);

  bool defined() const { return node_ != nullptr; }
  // The value, dense. A strided view is made contiguous here, in place and once, the first time
  // it is read: this is the one place where kernels' need for dense values is met.
  Tensor& value() {
    if (!node_->value.is_contiguous()) [[unlikely]]
      make_contiguous();
    return node_->value;
  }
  const Tensor& value() const {
    if (!node_->value.is_contiguous()) [[unlikely]]
      make_contiguous();
    return node_->value;
  }
  // The value as it is stored, possibly a strided view: view operations read it to compose
  // views without copying.
  const Tensor& stored_value() const { return node_->value; }
  const Shape& shape() const { return node_->value.shape(); }
  DType dtype() const { return node_->value.dtype(); }
  float item() const { return node_->value.item(); }
  bool requires_grad() const { return node_ && node_->requires_grad; }
  // True when this result takes part in a backward pass (set by result()).
  bool needs_grad() const { return requires_grad(); }
  const char* op() const { return node_->op; }

  // Whether a gradient was written since the last zero_grad(): PyTorch's `p.grad is not None`.
  // A value that the last backward pass did not reach has none (not zeros), and the optimizers
  // skip it. Reading has no side effect.
  bool has_grad() const { return node_->grad_written; }
  // The gradient written since the last zero_grad(). Throws InvalidArgument when there is none,
  // as arithmetic on PyTorch's None raises: check has_grad() first where it may be missing.
  const Tensor& grad() const;
  // The gradient to change in place or add into (clipping, a weight penalty, a test that sets
  // one), as torch's mutable_grad(). When none was written it becomes zeros of the value's shape
  // and dtype first, and has_grad() is true from then on.
  Tensor& mutable_grad();
  // Marks the gradient as not written (nothing is zeroed or freed: the next writer assigns).
  void zero_grad();
  void set_backward(std::function<void(Node& self)> backward);
  // Records the differentiable rule, except for a float32 node that has its raw backward while
  // grad_rules_recorded() is off (a training step: nothing differentiates its gradient, and a
  // rule's closure costs an allocation per node). Set the raw backward first.
  template <class Rule>
  void set_grad_rule(Rule&& rule) {
    if (node_->backward && !grad_rules_recorded()) return;
    node_->grad_rule = std::forward<Rule>(rule);
  }
  // Input i of the operation that made this value (see Node::inputs).
  Variable input(std::size_t i) const { return Variable(node_->inputs.at(i)); }

  // Seeds d(this)/d(this) = 1 (this must hold one value), runs backward and frees the graph.
  void backward();
  // Same with an explicit seed of this variable's shape.
  void backward(const Tensor& seed);

  Node* node() const { return node_.get(); }
  const std::shared_ptr<Node>& shared_node() const { return node_; }

 private:
  void make_contiguous() const;

  std::shared_ptr<Node> node_;
};

// Gradient recording is on by default; a NoGradGuard turns it off in its scope (evaluation,
// prediction, optimizer updates). Thread-local, so parallel runs do not interfere.
bool grad_enabled();
class NoGradGuard {
 public:
  NoGradGuard();
  ~NoGradGuard();
  NoGradGuard(const NoGradGuard&) = delete;
  NoGradGuard& operator=(const NoGradGuard&) = delete;

 private:
  bool previous_;
};

}  // namespace descent
