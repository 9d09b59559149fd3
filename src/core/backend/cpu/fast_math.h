// exp and erfc for the cpu kernels' float32 loops. glibc's expf and erfcf are calls the compiler
// cannot vectorize (its vector variants need -ffast-math), and in a transformer they are a fifth
// of the step: GELU's erfc and softmax's exp. These are branch-free arithmetic that GCC turns into
// AVX-512 loops, exp within 2 ulp of glibc; float64 keeps the standard functions, which
// the gradient checks compare against.
#pragma once

#include <bit>
#include <cmath>
#include <cstdint>

#include "core/backend/cpu/select.h"

namespace descent::cpu {

// eˣ = 2ⁿ · eʳ with n = round(x / ln 2) and |r| <= ln 2 / 2, as Cephes' expf computes it (ln 2
// in two parts so that r is exact, eʳ = 1 + r + r² P(r) with P of degree 5), and 2ⁿ as two powers
// of two written straight into exponent bits, so that every n from -150 (denormal results, as
// glibc's) to 128 (the last finite values) is representable. x is clamped to [-104, 88.8] first:
// beyond, the product rounds to 0 or overflows to infinity by itself. NaN stays NaN.
inline float exp(float x) {
  constexpr float kRound = 12582912.0f;  // 1.5 · 2²³: adding it rounds to an integer, to even
  const float number = select(x != x, 0.0f, x);  // NaN would make the conversion to int below UB
  const float clamped = select(number < -104.0f, -104.0f, select(number > 88.8f, 88.8f, number));
  const float n = (clamped * 1.44269504089f + kRound) - kRound;
  const float r = (clamped - n * 0.693359375f) - n * -2.12194440e-4f;
  float p = 1.9875691500e-4f;
  p = p * r + 1.3981999507e-3f;
  p = p * r + 8.3334519073e-3f;
  p = p * r + 4.1665795894e-2f;
  p = p * r + 1.6666665459e-1f;
  p = p * r + 5.0000001201e-1f;
  const float y = p * (r * r) + r + 1.0f;
  const std::int32_t k = static_cast<std::int32_t>(n), half = k >> 1;
  const float scale_a = std::bit_cast<float>((half + 127) << 23);
  const float scale_b = std::bit_cast<float>((k - half + 127) << 23);
  return select(x != x, x, y * scale_a * scale_b);
}
inline double exp(double x) {
  return std::exp(x);
}

// erfc(z) = t · exp(-z² + P(t)), t = 1 / (1 + |z|/2), for z >= 0, and 2 - erfc(-z) below: the
// Chebyshev fit of Numerical Recipes' erfcc (relative error under 1.2e-7), so GELU's
// Φ(x) = erfc(-x/√2)/2 keeps its relative precision in the left tail. In float32 the exponent
// -z² + P(t) rounds at z²'s magnitude: the relative error is under 1.5e-6 for |z| < 4 and grows to
// 1e-5 at z = 9, where erfc is below 1e-35.
inline float erfc(float z) {
  const float a = std::fabs(z);
  const float t = 1.0f / (1.0f + 0.5f * a);
  float p = 0.17087277f;
  p = p * t - 0.82215223f;
  p = p * t + 1.48851587f;
  p = p * t - 1.13520398f;
  p = p * t + 0.27886807f;
  p = p * t - 0.18628806f;
  p = p * t + 0.09678418f;
  p = p * t + 0.37409196f;
  p = p * t + 1.00002368f;
  p = p * t - 1.26551223f;
  const float tail = t * exp(p - a * a);
  return select(z >= 0.0f, tail, 2.0f - tail);  // NaN in, NaN out
}
inline double erfc(double z) {
  return std::erfc(z);
}

}  // namespace descent::cpu
