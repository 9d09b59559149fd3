// Synthetic data sets with a known answer, for tests, examples and learning-rate experiments.
// Every set is generated from `seed` alone (descent's Rng, not <random>), so a seed gives the
// same samples on every platform. Features are floats; samples come in random order (not
// grouped by class), so split_tail gives a representative validation set.
// noise is the standard deviation of Gaussian noise added to each feature (or to the target,
// for linear_regression); n < 0 or noise < 0 throws InvalidArgument.
#pragma once

#include <cstdint>
#include <span>

#include "data/dataset.h"

namespace descent {

// Two interleaved spirals in the unit disk, classes 0 and 1 (n - n/2 and n/2 samples). A sample
// of class k at t = sqrt(u), u ~ U[0, 1), lies at radius t and angle 3*pi*t + k*pi: 1.5 turns
// each. sample_shape {2}.
Dataset two_spirals(std::int64_t n, double noise, std::uint64_t seed);

// scikit-learn's make_moons: class 0 is the upper half circle (cos t, sin t), class 1 the lower
// one (1 - cos t, 0.5 - sin t), t evenly spaced in [0, pi]; n/2 samples in class 0, the rest
// in class 1. sample_shape {2}.
Dataset moons(std::int64_t n, double noise, std::uint64_t seed);

// XOR: points uniform in [-1, 1)^2, class 1 where exactly one coordinate is positive, else 0
// (labels are taken before the noise is added). sample_shape {2}.
Dataset xor_set(std::int64_t n, double noise, std::uint64_t seed);

// Regression with known coefficients: x ~ N(0, I) of dimension coefficients.size() (>= 1),
// y = coefficients . x + bias + noise * N(0, 1). sample_shape {d}, target_width 1.
Dataset linear_regression(std::int64_t n, std::span<const double> coefficients, double bias,
                          double noise, std::uint64_t seed);

// The 1-D, two-class set of deeplizard's "Keras with TensorFlow" course (data processing for
// neural network training): an experimental drug tried on 2,100 people aged 13 to 100. Of
// 1,050 younger people (ages 13-64, uniform integers) 50 had side effects (class 1) and 1,000
// did not (class 0); of 1,050 older people (65-100) 1,000 had side effects and 50 did not.
// The age is scaled to [0, 1] as (age - 13) / 87, the MinMax scaling of the tutorial over its
// full range. sample_shape {1}, num_classes 2, class names "no side effects", "side effects".
Dataset tutorial_two_class(std::uint64_t seed);

}  // namespace descent
