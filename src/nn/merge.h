// Merge layers: join the outputs of several layers of a functional model (Keras's Add, Multiply,
// Concatenate). They take two or more inputs and have no weights; in a Sequential model, which
// gives one, they refuse to build, naming the layer.
#pragma once

#include "core/error.h"
#include "nn/layer.h"

namespace descent {

class Merge : public Layer {
 public:
  Shape build(const Shape& input_shape, Rng& rng) override;
  Variable forward(const Variable& x, bool training) override;
  LayerPlan plan_inbound(const std::vector<Shape>& inputs) const override;
  Shape build_inbound(const std::vector<Shape>& inputs, Rng& rng) override;
  Variable forward_inbound(const std::vector<Variable>& inputs, bool training) override;

 protected:
  // The output shape for inputs of these shapes (two or more); throws InvalidArgument where the
  // shapes do not merge.
  virtual Shape merged_shape(const std::vector<Shape>& inputs) const = 0;
  virtual Variable merge(const std::vector<Variable>& inputs) const = 0;

 private:
  InvalidArgument single_input() const;
};

// Element-wise merges need inputs of one shape (no broadcasting, as Keras).
class ElementwiseMerge : public Merge {
 protected:
  Shape merged_shape(const std::vector<Shape>& inputs) const override;
};

// The inputs' sum.
class Add : public ElementwiseMerge {
 public:
  std::string type() const override { return "Add"; }
  nlohmann::json config() const override;

 protected:
  Variable merge(const std::vector<Variable>& inputs) const override;
};

// The inputs' element-wise product.
class Multiply : public ElementwiseMerge {
 public:
  std::string type() const override { return "Multiply"; }
  nlohmann::json config() const override;

 protected:
  Variable merge(const std::vector<Variable>& inputs) const override;
};

// The inputs joined along `axis`, counted as Keras counts it: on the batch (axis 0 is the batch
// and is refused), negative from the end (-1, the default, is the last).
class Concatenate : public Merge {
 public:
  explicit Concatenate(int axis = -1);
  std::string type() const override { return "Concatenate"; }
  nlohmann::json config() const override;

 protected:
  Shape merged_shape(const std::vector<Shape>& inputs) const override;
  Variable merge(const std::vector<Variable>& inputs) const override;

 private:
  int axis_;
};

}  // namespace descent
