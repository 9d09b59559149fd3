// Weight penalties (Keras semantics): penalty = l1·Σ|w| + l2·Σw², a term of the training loss in
// the graph (Keras's layer.losses), so autograd gives its gradient l1·sign(w) + 2·l2·w and its
// curvature.
#pragma once

#include <string>
#include <string_view>

#include "core/variable.h"

namespace descent {

struct Regularizer {
  double l1 = 0.0;
  double l2 = 0.0;

  bool active() const { return l1 != 0.0 || l2 != 0.0; }
  // The penalty of `weights` as a term of the graph (curvature 2·l2 per weight; L1's is 0
  // wherever it is differentiable).
  Variable penalty(const Variable& weights) const;
  // "l2:0.01", "l1:1e-3", "l1l2:0.01,0.01" (validated: finite, >= 0).
  static Regularizer parse(std::string_view text);
  std::string name() const;
};

inline Regularizer L1(double l1 = 0.01) {
  return {l1, 0.0};
}
inline Regularizer L2(double l2 = 0.01) {
  return {0.0, l2};
}
inline Regularizer L1L2(double l1 = 0.0, double l2 = 0.0) {
  return {l1, l2};
}

}  // namespace descent
