// One case per operation (and per distinct path through it: broadcasting, axes, transposes,
// strides), with float64 inputs chosen away from kinks and ties. The derivative checks
// (autograd_test.cpp) and the backend comparison (backend_test.cpp) both run every case, so an
// operation added here is checked by both.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "autograd_checks.h"
#include "core/ops.h"

namespace descent::op_cases {

using autograd_checks::Function;
using autograd_checks::random_tensor;

struct OpCase {
  std::string name;
  Function f;
  std::vector<Tensor> inputs;  // float64 values
  bool second_order = true;    // on the Hessian-vector path
  bool view = false;           // computes nothing: its result shares the input's storage
};

inline Tensor uniform(const Shape& shape, std::uint64_t seed, double low = -1, double high = 1) {
  return random_tensor(shape, DType::f64, seed, low, high);
}

// Values in [-1, 1] at least 0.1 from 0, so finite differences do not straddle a kink at 0.
inline Tensor away_from_zero(const Shape& shape, std::uint64_t seed) {
  Tensor t = uniform(shape, seed, 0.1, 1.0);
  double* v = t.data<double>();
  for (std::int64_t i = 0; i < t.size(); ++i)
    if (i % 2) v[i] = -v[i];
  return t;
}

inline Tensor labels(std::vector<double> values) {
  const auto n = static_cast<std::int64_t>(values.size());
  return Tensor({n}, values).to(DType::f32);
}

// Values with no two equal, so that no maximum or minimum ties within a finite difference.
inline Tensor distinct(const Shape& shape) {
  Tensor t(shape, DType::f64);
  for (std::int64_t i = 0; i < t.size(); ++i)
    t.data<double>()[i] = 0.1 * static_cast<double>((i * 7) % t.size()) - 1.0;
  return t;
}

// The operations over axes and indices: broadcasting both operands, reductions, softmax over an
// inner axis, batched products, gather and scatter, joins, selection by a mask.
inline void axis_op_cases(std::vector<OpCase>& c) {
  using V = const std::vector<Variable>&;
  c.push_back({"add_both_broadcast",
               [](V x) { return add(x[0], x[1]); },
               {uniform({3, 1}, 40), uniform({2, 1, 4}, 41)}});
  c.push_back({"sub_column",
               [](V x) { return sub(x[0], x[1]); },
               {uniform({3, 4}, 42), uniform({3, 1}, 43)}});
  c.push_back({"mul_smaller_first",
               [](V x) { return mul(x[0], x[1]); },
               {uniform({4}, 44), uniform({2, 3, 4}, 45)}});
  c.push_back({"div_both_broadcast",
               [](V x) { return div(x[0], x[1]); },
               {uniform({2, 1, 4}, 46), uniform({3, 1}, 47, 0.5, 2.0)}});
  c.push_back({"sum_axes", [](V x) { return sum(x[0], {0, 2}); }, {uniform({2, 3, 4}, 48)}});
  c.push_back(
      {"sum_keepdims", [](V x) { return sum(x[0], {-1}, true); }, {uniform({2, 3, 4}, 49)}});
  c.push_back({"mean_axes", [](V x) { return mean(x[0], {1}); }, {uniform({2, 3, 4}, 50)}});
  c.push_back({"mean_keepdims",
               [](V x) {
                 return mean(x[0], {0, -1}, true);
               },
               {uniform({2, 3, 4}, 51)}});
  c.push_back({"max_axes", [](V x) { return max(x[0], {1}); }, {distinct({2, 3, 4})}});
  c.push_back({"min_keepdims", [](V x) { return min(x[0], {0, 2}, true); }, {distinct({2, 3, 4})}});
  c.push_back(
      {"variance_unbiased", [](V x) { return variance(x[0], {-1}); }, {uniform({2, 3, 4}, 52)}});
  c.push_back({"variance_biased_keepdims",
               [](V x) {
                 return variance(x[0], {0, 2}, {.correction = 0, .keepdims = true});
               },
               {uniform({2, 3, 4}, 53)}});
  c.push_back({"logsumexp_axis",
               [](V x) { return logsumexp(x[0], {1}); },
               {uniform({2, 3, 4}, 54, -2, 2)}});
  c.push_back({"logsumexp_all_keepdims",
               [](V x) {
                 return logsumexp(x[0], {0, 1, 2}, true);
               },
               {uniform({2, 3, 4}, 55, -2, 2)}});
  c.push_back(
      {"softmax_axis0", [](V x) { return softmax(x[0], 0); }, {uniform({3, 4, 2}, 56, -2, 2)}});
  c.push_back({"log_softmax_axis1",
               [](V x) { return log_softmax(x[0], -2); },
               {uniform({3, 4, 2}, 57, -2, 2)}});
  c.push_back({"causal_softmax",
               [](V x) { return causal_softmax(x[0]); },
               {uniform({2, 4, 4}, 91, -2, 2)}});
  c.push_back({"causal_softmax_more_queries_than_keys",
               [](V x) { return causal_softmax(x[0]); },
               {uniform({2, 5, 3}, 92, -2, 2)}});
  c.push_back({"causal_softmax_more_keys_than_queries",
               [](V x) { return causal_softmax(x[0]); },
               {uniform({3, 5}, 93, -2, 2)}});
  c.push_back({"matmul_batched",
               [](V x) { return matmul(x[0], x[1]); },
               {uniform({2, 3, 4}, 58), uniform({2, 4, 5}, 59)}});
  c.push_back({"matmul_broadcast_batch",
               [](V x) { return matmul(x[0], x[1]); },
               {uniform({2, 1, 3, 4}, 60), uniform({3, 4, 2}, 61)}});
  c.push_back({"matmul_batched_nt",
               [](V x) { return matmul(x[0], x[1], false, true); },
               {uniform({2, 3, 4}, 62), uniform({2, 5, 4}, 63)}});
  c.push_back({"matmul_batched_tn_shared_b",
               [](V x) { return matmul(x[0], x[1], true, false); },
               {uniform({2, 4, 3}, 64), uniform({1, 4, 2}, 65)}});
  c.push_back({"matmul_stack_times_matrix",
               [](V x) { return matmul(x[0], x[1]); },
               {uniform({2, 3, 4}, 66), uniform({4, 5}, 67)}});
  c.push_back({"matmul_matrix_times_stack",
               [](V x) { return matmul(x[0], x[1], false, true); },
               {uniform({3, 4}, 68), uniform({2, 5, 4}, 69)}});
  c.push_back({"index_select_rows",
               [](V x) {
                 return index_select(x[0], Tensor({2, 3}, {4, 0, 4, 1, 1, 2}), 0);
               },
               {uniform({5, 3}, 70)}});
  c.push_back({"index_select_axis1",
               [](V x) {
                 return index_select(x[0], Tensor({3}, {3, 0, 3}), -2);
               },
               {uniform({2, 4, 3}, 71)}});
  c.push_back({"scatter_add",
               [](V x) {
                 return scatter_add(x[0], Tensor({3}, {1, 0, 1}), 1, 4);
               },
               {uniform({2, 3, 2}, 72)}});
  c.push_back({"concat",
               [](V x) {
                 return concat({x[0], x[1], x[2]}, 1);
               },
               {uniform({2, 1}, 73), uniform({2, 3}, 74), uniform({2, 2}, 75)}});
  c.push_back(
      {"narrow", [](V x) { return narrow(x[0], -1, 1, 3); }, {uniform({3, 5}, 76)}, true, true});
  c.push_back({"narrow_rows",
               [](V x) { return narrow(x[0], 0, 1, 2); },
               {uniform({4, 3}, 78)},
               true,
               true});
  c.push_back({"permute",
               [](V x) {
                 return permute(x[0], {2, 0, 1});
               },
               {uniform({2, 3, 4}, 79)},
               true,
               true});
  c.push_back(
      {"transpose", [](V x) { return transpose(x[0]); }, {uniform({2, 3, 4}, 80)}, true, true});
  c.push_back({"expand",
               [](V x) {
                 return expand(x[0], {2, 3, 4});
               },
               {uniform({3, 1}, 81)},
               true,
               true});
  // Strided views into a computing op, which reads them dense, and a reshape that must copy.
  c.push_back({"views_into_mul",
               [](V x) {
                 return mul(narrow(transpose(x[0]), 0, 1, 2), expand(x[1], {2, 3}));
               },
               {uniform({3, 4}, 82), uniform({3}, 83)}});
  c.push_back({"reshape_of_transpose",
               [](V x) { return reshape(transpose(x[0]), {-1}); },
               {uniform({3, 4}, 84)}});
  c.push_back({"split",
               [](V x) {
                 const std::vector<Variable> pieces = split(x[0], {2, 3, 1}, 1);
                 return concat({pieces[2], pieces[0]}, 1);
               },
               {uniform({2, 6}, 77)}});
  c.push_back({"stack",
               [](V x) {
                 return stack({x[0], x[1]}, -1);
               },
               {uniform({2, 3}, 78), uniform({2, 3}, 79)}});
  c.push_back({"where",
               [](V x) { return where(lower_triangular_mask(3, 4), x[0], x[1]); },
               {uniform({3, 4}, 80), uniform({4}, 81)}});
  c.push_back({"masked_fill",
               [](V x) {
                 return masked_fill(x[0], Tensor({1, 4}, {0, 1, 1, 0}), 0.5);
               },
               {uniform({3, 4}, 82)}});
}

inline std::vector<OpCase> cases() {
  const Shape m{3, 4};
  std::vector<OpCase> c;
  auto unary = [&](std::string name, Variable (*op)(const Variable&), Tensor in, bool second) {
    c.push_back(
        {std::move(name), [op](const auto& x) { return op(x[0]); }, {std::move(in)}, second});
  };
  c.push_back(
      {"add", [](const auto& x) { return add(x[0], x[1]); }, {uniform(m, 1), uniform(m, 2)}});
  c.push_back(
      {"add_row", [](const auto& x) { return add(x[0], x[1]); }, {uniform(m, 1), uniform({4}, 2)}});
  c.push_back({"sub_single",
               [](const auto& x) { return sub(x[0], x[1]); },
               {uniform(m, 1), uniform({1}, 2)}});
  c.push_back(
      {"mul_row", [](const auto& x) { return mul(x[0], x[1]); }, {uniform(m, 1), uniform({4}, 2)}});
  c.push_back({"div_row",
               [](const auto& x) { return div(x[0], x[1]); },
               {uniform(m, 1), uniform({4}, 2, 0.5, 2.0)}});
  c.push_back({"add_scalar", [](const auto& x) { return add(x[0], 0.3); }, {uniform(m, 3)}});
  c.push_back({"mul_scalar", [](const auto& x) { return mul(x[0], -1.7); }, {uniform(m, 3)}});
  unary("exp", exp, uniform(m, 4), true);
  unary("log", log, uniform(m, 4, 0.5, 2.0), true);
  unary("square", square, uniform(m, 5), true);
  unary("abs", abs, away_from_zero(m, 6), true);
  unary("relu", relu, away_from_zero(m, 7), true);
  unary("sigmoid", sigmoid, uniform(m, 8, -3, 3), true);
  unary("tanh", tanh, uniform(m, 9, -2, 2), true);
  unary("softplus", softplus, uniform(m, 10, -3, 3), true);
  unary("erf", erf, uniform(m, 90, -2, 2), true);
  unary(
      "gelu", [](const Variable& x) { return gelu(x); }, uniform(m, 91, -3, 3), true);
  unary(
      "gelu_tanh", [](const Variable& x) { return gelu(x, GeluApproximation::tanh); },
      uniform(m, 92, -3, 3), true);
  unary("silu", silu, uniform(m, 93, -4, 4), true);
  c.push_back({"leaky_relu",
               [](const auto& x) { return leaky_relu(x[0], 0.2f); },
               {away_from_zero(m, 11)}});
  c.push_back({"clip",
               [](const auto& x) { return clip(x[0], -0.5f, 0.5f); },
               {uniform(m, 12, -0.45, 0.45)}});
  for (int ta = 0; ta < 2; ++ta)
    for (int tb = 0; tb < 2; ++tb)
      c.push_back({"matmul_" + std::to_string(ta) + std::to_string(tb),
                   [ta, tb](const auto& x) { return matmul(x[0], x[1], ta, tb); },
                   {uniform(ta ? Shape{4, 3} : Shape{3, 4}, 13),
                    uniform(tb ? Shape{2, 4} : Shape{4, 2}, 14)}});
  c.push_back({"dense",
               [](const auto& x) { return dense(x[0], x[1], x[2]); },
               {uniform({3, 4}, 15), uniform({4, 2}, 16), uniform({2}, 17)}});
  c.push_back({"sum", [](const auto& x) { return sum(x[0]); }, {uniform(m, 18)}});
  c.push_back({"mean", [](const auto& x) { return mean(x[0]); }, {uniform(m, 19)}});
  c.push_back({"reshape",
               [](const auto& x) {
                 return reshape(x[0], {2, 6});
               },
               {uniform(m, 20)},
               true,
               true});
  c.push_back({"flatten",
               [](const auto& x) { return flatten(x[0]); },
               {uniform({2, 2, 3}, 21)},
               true,
               true});
  c.push_back({"softmax", [](const auto& x) { return softmax(x[0]); }, {uniform(m, 22, -2, 2)}});
  c.push_back(
      {"log_softmax", [](const auto& x) { return log_softmax(x[0]); }, {uniform(m, 23, -2, 2)}});
  c.push_back({"sparse_softmax_cross_entropy",
               [](const auto& x) {
                 return sparse_softmax_cross_entropy(x[0], labels({1, 0, 3}), 0.1f);
               },
               {uniform(m, 24, -2, 2)}});
  c.push_back({"softmax_cross_entropy",
               [](const auto& x) {
                 return softmax_cross_entropy(x[0], random_tensor({3, 4}, DType::f32, 25, 0, 1));
               },
               {uniform(m, 26, -2, 2)}});
  c.push_back({"broadcast_to",
               [](const auto& x) {
                 return broadcast_to(x[0], {2, 3, 4});
               },
               {uniform({3, 1}, 27)}});
  c.push_back({"sum_to",
               [](const auto& x) {
                 return sum_to(x[0], {3, 1});
               },
               {uniform({2, 3, 4}, 28)}});
  for (int stride = 1; stride <= 2; ++stride)
    c.push_back({"conv2d_stride" + std::to_string(stride),
                 [stride](const auto& x) {
                   return conv2d(x[0], x[1], x[2], {stride, 1});
                 },
                 {uniform({2, 2, 5, 5}, 29), uniform({3, 2, 3, 3}, 30), uniform({3}, 31)}});
  // Keras's "same" padding at stride 2 and an even kernel: more zeros after than before.
  c.push_back({"conv2d_asymmetric_pads",
               [](const auto& x) {
                 return conv2d(x[0], x[1], x[2], {.stride = 2, .pads = Conv2dPads{0, 1, 1, 2}});
               },
               {uniform({2, 2, 6, 5}, 37), uniform({3, 2, 2, 2}, 38), uniform({3}, 39)}});
  // Layer normalization over the last axis, with both parameters, γ alone and none.
  c.push_back({"layer_norm",
               [](const auto& x) { return layer_norm(x[0], x[1], x[2], 1e-3); },
               {uniform({3, 2, 5}, 96, -2, 2), away_from_zero({5}, 97), uniform({5}, 98)}});
  c.push_back({"layer_norm_gamma_only",
               [](const auto& x) { return layer_norm(x[0], x[1], Variable(), 1e-5); },
               {uniform({4, 3}, 99, -2, 2), away_from_zero({3}, 100)}});
  c.push_back({"layer_norm_without_parameters",
               [](const auto& x) { return layer_norm(x[0], Variable(), Variable(), 1e-3); },
               {uniform({2, 6}, 101, -2, 2)}});
  // Batch normalization on odd sizes (7 samples, 3 channels, 5x5), images and matrices; with
  // γ alone and β alone, so that the node's inputs are found whichever is missing.
  c.push_back({"batch_norm_images",
               [](const auto& x) { return batch_norm(x[0], x[1], x[2], 1e-3).y; },
               {uniform({7, 3, 5, 5}, 86, -2, 2), away_from_zero({3}, 87), uniform({3}, 88)}});
  c.push_back({"batch_norm_matrix",
               [](const auto& x) { return batch_norm(x[0], x[1], x[2], 1e-3).y; },
               {uniform({7, 3}, 89, -2, 2), away_from_zero({3}, 90), uniform({3}, 91)}});
  c.push_back({"batch_norm_gamma_only",
               [](const auto& x) { return batch_norm(x[0], x[1], Variable(), 1e-3).y; },
               {uniform({7, 3, 2, 1}, 92, -2, 2), away_from_zero({3}, 93)}});
  c.push_back({"batch_norm_beta_only",
               [](const auto& x) { return batch_norm(x[0], Variable(), x[1], 1e-3).y; },
               {uniform({7, 3}, 94, -2, 2), uniform({3}, 95)}});
  c.push_back({"channel_affine_images",
               [](const auto& x) { return channel_affine(x[0], x[1], x[2]); },
               {uniform({7, 3, 5, 5}, 96), uniform({3}, 97), uniform({3}, 98)}});
  c.push_back({"channel_affine_matrix",
               [](const auto& x) { return channel_affine(x[0], x[1], x[2]); },
               {uniform({7, 3}, 99), uniform({3}, 100), uniform({3}, 101)}});
  // One image, no bias, stride 2 and each side its own padding (a swap of before and after, on
  // either axis, changes the result).
  c.push_back(
      {"conv2d_batch1_asymmetric_pads_nobias",
       [](const auto& x) {
         return conv2d(x[0], x[1], Variable(), {.stride = 2, .pads = Conv2dPads{1, 2, 0, 1}});
       },
       {uniform({1, 3, 7, 6}, 102), uniform({4, 3, 3, 3}, 103)}});
  // The residual network's shortcut: a 1x1 kernel at stride 2, no bias.
  c.push_back({"conv2d_1x1_stride2_nobias",
               [](const auto& x) { return conv2d(x[0], x[1], Variable(), {.stride = 2}); },
               {uniform({2, 4, 5, 5}, 104), uniform({3, 4, 1, 1}, 105)}});
  // The input, kernel and bias each feed two convolutions, so the second backward adds onto the
  // gradients the first wrote.
  c.push_back({"conv2d_shared_operands",
               [](const auto& x) {
                 return add(conv2d(x[0], x[1], x[2], {.padding = 1}),
                            conv2d(x[0], x[1], x[2], {.pads = Conv2dPads{2, 0, 0, 2}}));
               },
               {uniform({2, 2, 4, 5}, 106), uniform({3, 2, 3, 3}, 107), uniform({3}, 108)}});
  // Distinct values, so no two in a window tie within the finite difference.
  Tensor pooled = uniform({2, 1, 4, 4}, 32);
  for (std::int64_t i = 0; i < pooled.size(); ++i)
    pooled.data<double>()[i] = 0.1 * static_cast<double>((i * 7) % 32) - 1.5;
  c.push_back({"max_pool2d", [](const auto& x) { return max_pool2d(x[0], 2); }, {pooled}});
  c.push_back({"avg_pool2d",
               [](const auto& x) { return avg_pool2d(x[0], 2); },
               {uniform({2, 2, 5, 4}, 34)}});
  // Overlapping windows (stride 1) and a stride that skips a row and a column.
  c.push_back({"avg_pool2d_3_stride1",
               [](const auto& x) { return avg_pool2d(x[0], 3, 1); },
               {uniform({1, 2, 5, 5}, 35)}});
  c.push_back({"avg_pool2d_2_stride3",
               [](const auto& x) { return avg_pool2d(x[0], 2, 3); },
               {uniform({1, 1, 7, 8}, 36)}});
  c.push_back({"dropout",
               [](const auto& x) {
                 Rng rng(5);
                 return dropout(x[0], 0.4f, true, rng);
               },
               {uniform(m, 33)}});
  axis_op_cases(c);
  return c;
}

}  // namespace descent::op_cases
