// Weight initializers with Keras's names and definitions (fan_in/fan_out as Keras computes them:
// for a Dense kernel (in, out); for a Conv2D kernel (out, in, kh, kw), fan_in = in·kh·kw and
// fan_out = out·kh·kw).
//   glorot_uniform  U(-l, l), l = sqrt(6 / (fan_in + fan_out))        (Glorot & Bengio 2010)
//   glorot_normal   truncated N(0, s²), s = sqrt(2 / (fan_in + fan_out))
//   he_uniform      U(-l, l), l = sqrt(6 / fan_in)                     (He et al. 2015)
//   he_normal       truncated N(0, s²), s = sqrt(2 / fan_in)
//   lecun_uniform   U(-l, l), l = sqrt(3 / fan_in)                     (LeCun et al. 1998)
//   lecun_normal    truncated N(0, s²), s = sqrt(1 / fan_in)
//   torch_uniform   U(-l, l), l = 1 / sqrt(fan_in): PyTorch's default for Linear and Conv2d
//                   weights (kaiming_uniform with a = √5) and biases (with the kernel's fan_in)
//   uniform         U(-0.05, 0.05): Keras's RandomUniform default, its Embedding's initializer
//   torch_normal    N(0, 1): PyTorch's Embedding default
//   normal(stddev)  N(0, stddev²), not truncated: GPT-2's (and nanoGPT's) N(0, 0.02²)
//   zeros, ones, constant(value)
// Keras's truncated normals redraw values beyond two standard deviations and divide the stddev by
// 0.87962566103423978 so the truncated distribution keeps the intended variance; so does descent.
#pragma once

#include <string>
#include <string_view>

#include "core/random.h"
#include "core/tensor.h"

namespace descent {

struct Initializer {
  enum class Kind {
    glorot_uniform,
    glorot_normal,
    he_uniform,
    he_normal,
    lecun_uniform,
    lecun_normal,
    torch_uniform,
    uniform,
    torch_normal,
    normal,
    zeros,
    ones,
    constant
  };
  Kind kind = Kind::glorot_uniform;
  float value = 0.0f;  // for constant; the standard deviation for normal

  // Parses a Keras name ("glorot_uniform", "he_normal", "zeros", "constant:0.1", ...) or
  // "normal:STDDEV" (STDDEV finite and > 0).
  static Initializer parse(std::string_view name);
  std::string name() const;
  // Fills `weights`, whose shape gives fan_in and fan_out as described above; a bias passes the
  // shape of its layer's kernel as `fan_shape`.
  void fill(Tensor& weights, Rng& rng) const { fill(weights, rng, weights.shape()); }
  void fill(Tensor& weights, Rng& rng, const Shape& fan_shape) const;
};

inline Initializer constant(float value) {
  return {Initializer::Kind::constant, value};
}

inline Initializer normal(float stddev) {
  return {Initializer::Kind::normal, stddev};
}

}  // namespace descent
