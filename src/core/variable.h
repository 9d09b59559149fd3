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
};

// Adds `contribution` (the node's shape and dtype) into its gradient, or assigns it on the first
// write of a pass.
void add_into_grad(Node& node, const Tensor& contribution);

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

  bool defined() const { return node_ != nullptr; }
  Tensor& value() { return node_->value; }
  const Tensor& value() const { return node_->value; }
  const Shape& shape() const { return node_->value.shape(); }
  DType dtype() const { return node_->value.dtype(); }
  float item() const { return node_->value.item(); }
  bool requires_grad() const { return node_ && node_->requires_grad; }
  // True when this result takes part in a backward pass (set by result()).
  bool needs_grad() const { return requires_grad(); }
  const char* op() const { return node_->op; }

  // The gradient; zeros if nothing has been written since the last zero_grad().
  Tensor& grad();
  void zero_grad();
  void set_backward(std::function<void(Node& self)> backward);
  void set_grad_rule(GradRule rule);
  // Input i of the operation that made this value (see Node::inputs).
  Variable input(std::size_t i) const { return Variable(node_->inputs.at(i)); }

  // Seeds d(this)/d(this) = 1 (this must hold one value), runs backward and frees the graph.
  void backward();
  // Same with an explicit seed of this variable's shape.
  void backward(const Tensor& seed);

  Node* node() const { return node_.get(); }
  const std::shared_ptr<Node>& shared_node() const { return node_; }

 private:
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
