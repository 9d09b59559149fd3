#include "lr/sharpness.h"

#include <array>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iterator>
#include <limits>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "core/error.h"
#include "core/random.h"
#include "lr/sharpness_tracker.h"
#include "nn/dense.h"
#include "nn/dropout.h"
#include "optim/adam.h"
#include "optim/sgd.h"
#include "symmetric_eigenvalues.h"

namespace descent {
namespace {

using ::testing::HasSubstr;
using testing::largest_eigenvalue;
using testing::Matrix;
using testing::symmetric_eigenvalues;

TEST(Eigenvalues, KnownMatrix) {
  // [[2, 1], [1, 2]] has eigenvalues 1 and 3; the 3×3 one below 1, 3 and 4.
  EXPECT_NEAR(largest_eigenvalue({{2, 1}, {1, 2}}), 3.0, 1e-14);
  const auto v = symmetric_eigenvalues({{3, -1, 0}, {-1, 2, -1}, {0, -1, 3}});
  EXPECT_NEAR(*std::min_element(v.begin(), v.end()), 1.0, 1e-13);
  EXPECT_NEAR(*std::max_element(v.begin(), v.end()), 4.0, 1e-13);
}

// n samples of d correlated, off-centre features (so that XᵀX has a spread spectrum) and a
// random target.
Dataset regression_set(std::int64_t n, std::int64_t d, std::uint64_t seed) {
  Rng rng(seed);
  Dataset data;
  data.sample_shape = {d};
  data.target_width = 1;
  for (std::int64_t i = 0; i < n; ++i) {
    const double common = rng.normal();
    for (std::int64_t j = 0; j < d; ++j)
      data.values.push_back(
          static_cast<float>(0.3 * j + (1.0 + 0.5 * j) * rng.normal() + 0.8 * common));
    data.targets.push_back(static_cast<float>(2.0 * rng.normal() + 1.0));
  }
  return data;
}

// The exact Hessian of the mean squared error of a linear model over the first n samples, plus
// the L2 penalties' 2·l2 on the diagonal.
Matrix linear_mse_hessian(const Dataset& data, std::int64_t n, double kernel_l2 = 0,
                          double bias_l2 = 0) {
  const auto d = static_cast<std::size_t>(data.sample_size());
  Matrix h = testing::linear_least_squares_hessian(data.values, static_cast<std::size_t>(n), d);
  for (std::size_t a = 0; a < d; ++a)
    h[a][a] += 2.0 * kernel_l2;
  h[d][d] += 2.0 * bias_l2;
  return h;
}

Model linear_model(std::int64_t d, DenseOptions options = {}) {
  Model model(3);
  options.input_shape = {d};
  model.add(Dense(1, options));
  model.compile<SGD>({.lr = 0.01}, "mean_squared_error");
  return model;
}

double relative_error(double estimate, double exact) {
  return std::abs(estimate - exact) / std::abs(exact);
}

bool same_bits(const StateDict& a, const StateDict& b) {
  if (a.tensors.size() != b.tensors.size()) return false;
  for (const auto& [name, t] : a.tensors) {
    const Tensor& u = b.tensors.at(name);
    if (t.size() != u.size() ||
        std::memcmp(t.data(), u.data(), sizeof(float) * static_cast<std::size_t>(t.size())) != 0)
      return false;
  }
  return true;
}

TEST(Sharpness, LinearLeastSquaresMatchesTheExactEigenvalue) {
  const Dataset data = regression_set(500, 6, 1);
  Model model = linear_model(6);
  const StateDict before = model.weights();
  // Batches of 128 leave a partial last batch: the weighting by batch size must be right.
  const SharpnessResult r = estimate_sharpness(
      model, data, {.batch_size = 128, .max_iters = 300, .tol = 1e-9, .verbose = 0});
  const double exact = largest_eigenvalue(linear_mse_hessian(data, 500));
  EXPECT_LT(relative_error(r.lambda_max, exact), 1e-4) << r.lambda_max << " vs " << exact;
  EXPECT_TRUE(r.converged);
  EXPECT_EQ(r.samples, 500);
  EXPECT_EQ(r.estimates.back(), r.lambda_max);
  EXPECT_DOUBLE_EQ(r.lr_bound(), 2.0 / r.lambda_max);
  EXPECT_DOUBLE_EQ(r.lr_bound(0.9), 3.8 / r.lambda_max);
  EXPECT_TRUE(same_bits(before, model.weights()));
}

// With a preconditioner P, λmax is that of P⁻¹·H: here the top eigenvalue of D·H·D, D = P^-½,
// computed densely. Every method takes it (the products are scaled, not the method).
TEST(Sharpness, PreconditionedIsTheTopEigenvalueOfPInverseH) {
  const Dataset data = regression_set(300, 4, 6);
  Model model = linear_model(4);
  const std::vector<double> p = {0.5, 2.0, 4.0, 1.5, 0.25};  // 4 kernel values, then the bias
  Matrix scaled = linear_mse_hessian(data, 300);
  for (std::size_t a = 0; a < p.size(); ++a)
    for (std::size_t b = 0; b < p.size(); ++b)
      scaled[a][b] /= std::sqrt(p[a] * p[b]);
  const double exact = largest_eigenvalue(scaled);
  for (SharpnessCurvature c : {SharpnessCurvature::exact, SharpnessCurvature::finite_difference}) {
    const SharpnessResult r = estimate_sharpness(
        model, data,
        {.max_iters = 300, .tol = 1e-9, .verbose = 0, .curvature = c, .preconditioner = p});
    EXPECT_LT(relative_error(r.lambda_max, exact), 1e-4)
        << to_string(c) << ": " << r.lambda_max << " vs " << exact;
    EXPECT_THAT(r.method, HasSubstr("preconditioned"));
  }
  // Unpreconditioned it differs: the test can tell the two apart.
  EXPECT_GT(relative_error(largest_eigenvalue(linear_mse_hessian(data, 300)), exact), 0.1);
  EXPECT_THROW(estimate_sharpness(model, data, {.verbose = 0, .preconditioner = {1.0, 2.0}}),
               InvalidArgument);
  EXPECT_THROW(
      estimate_sharpness(model, data, {.verbose = 0, .preconditioner = {1.0, 2.0, 0.0, 1.0, 1.0}}),
      InvalidArgument);
}

// Adam's P after a step is (1 − β1^t)·(√(v/(1 − β2^t)) + ε) per weight, in the order of the
// parameters; SGD has none; and the threshold is (2 + 2β1)/((1 − β1)·η).
TEST(Sharpness, AdamsPreconditionerAndThreshold) {
  Variable w(Tensor({2}, {1.0f, -1.0f}), true);
  Variable b(Tensor({1}, {0.5f}), true);
  Adam adam({w, b}, {.lr = 0.01, .betas = {0.9, 0.99}, .eps = 1e-3});
  EXPECT_EQ(adam.preconditioner(), (std::vector<double>{1, 1, 1}));  // no step yet
  w.mutable_grad() = Tensor({2}, {0.2f, -0.4f});  // b gets no gradient: not stepped
  adam.step();
  const std::vector<double> p = adam.preconditioner();
  ASSERT_EQ(p.size(), 3u);
  const double bc1 = 0.1, bc2 = 1 - 0.99;
  EXPECT_NEAR(p[0], bc1 * (std::sqrt(0.01 * 0.04 / bc2) + 1e-3), 1e-8);
  EXPECT_NEAR(p[1], bc1 * (std::sqrt(0.01 * 0.16 / bc2) + 1e-3), 1e-8);
  EXPECT_EQ(p[2], 1.0);
  EXPECT_NEAR(stability_threshold(adam, 0.01), 3.8 / (0.1 * 0.01), 1e-9);
  EXPECT_EQ(stability_threshold_formula(adam), "(2+2β1)/((1−β1)η)");
  SGD sgd({w}, {.lr = 0.1, .momentum = 0.9});
  EXPECT_TRUE(sgd.preconditioner().empty());
  EXPECT_NEAR(stability_threshold(sgd, 0.1), 38.0, 1e-12);
  EXPECT_EQ(stability_threshold_formula(sgd), "2(1+μ)/η");
}

TEST(Sharpness, DefaultToleranceIsWellWithinOnePercent) {
  const Dataset data = regression_set(500, 6, 2);
  Model model = linear_model(6);
  const SharpnessResult r = estimate_sharpness(model, data, {.verbose = 0});
  const double exact = largest_eigenvalue(linear_mse_hessian(data, 500));
  EXPECT_LT(relative_error(r.lambda_max, exact), 1e-3) << r.lambda_max << " vs " << exact;
}

TEST(Sharpness, FirstSamplesOnly) {
  const Dataset data = regression_set(400, 4, 3);
  Model model = linear_model(4);
  const SharpnessResult r = estimate_sharpness(
      model, data, {.samples = 150, .max_iters = 300, .tol = 1e-9, .verbose = 0});
  EXPECT_EQ(r.samples, 150);
  EXPECT_LT(relative_error(r.lambda_max, largest_eigenvalue(linear_mse_hessian(data, 150))), 1e-4);
}

TEST(Sharpness, IncludesL2CurvatureAndNoL1Spike) {
  const Dataset data = regression_set(300, 4, 4);
  Model l2 = linear_model(4, {.kernel_regularizer = L2(0.3), .bias_regularizer = L2(0.05)});
  const SharpnessResult r =
      estimate_sharpness(l2, data, {.max_iters = 300, .tol = 1e-9, .verbose = 0});
  EXPECT_LT(
      relative_error(r.lambda_max, largest_eigenvalue(linear_mse_hessian(data, 300, 0.3, 0.05))),
      1e-4);

  // L1 adds no curvature, even for a weight at exactly 0, where its gradient jumps by 2·l1.
  Model l1 = linear_model(4, {.kernel_regularizer = L1(0.5)});
  StateDict w = l1.weights();
  w.tensors.at("dense/kernel")[1] = 0.0f;
  l1.set_weights(w);
  const SharpnessResult r1 =
      estimate_sharpness(l1, data, {.max_iters = 300, .tol = 1e-9, .verbose = 0});
  EXPECT_LT(relative_error(r1.lambda_max, largest_eigenvalue(linear_mse_hessian(data, 300))), 1e-4);
  EXPECT_TRUE(same_bits(w, l1.weights()));
}

// A one-hidden-layer network (tanh or relu) with a softmax cross-entropy over 2 classes, in
// double. Parameters in the model's order: W1 (in × hidden), b1, W2 (hidden × 2), b2.
struct SmallNet {
  std::int64_t in, hidden;
  bool relu = false;

  std::array<double, 2> logits(const std::vector<double>& w, const Dataset& data,
                               std::int64_t s) const {
    const double* w1 = w.data();
    const double* b1 = w1 + in * hidden;
    const double* w2 = b1 + hidden;
    const double* b2 = w2 + hidden * 2;
    std::array<double, 2> out{b2[0], b2[1]};
    for (std::int64_t j = 0; j < hidden; ++j) {
      double z = b1[j];
      for (std::int64_t i = 0; i < in; ++i)
        z += double(data.values[s * in + i]) * w1[i * hidden + j];
      const double h = relu ? std::max(z, 0.0) : std::tanh(z);
      for (int k = 0; k < 2; ++k)
        out[k] += h * w2[j * 2 + k];
    }
    return out;
  }

  double loss(const std::vector<double>& w, const Dataset& data) const {
    double total = 0.0;
    for (std::int64_t s = 0; s < data.size(); ++s) {
      const auto z = logits(w, data, s);
      const double top = std::max(z[0], z[1]);
      total += top + std::log(std::exp(z[0] - top) + std::exp(z[1] - top)) - z[data.labels[s]];
    }
    return total / static_cast<double>(data.size());
  }

  // The Gauss-Newton matrix (1/n) Σ Jᵀ (diag p − ppᵀ) J, J the logits' Jacobian in the weights
  // by central differences in double (step 1e-7: a ReLU switches inside it almost never).
  Matrix gauss_newton(std::vector<double> w, const Dataset& data) const {
    const std::size_t p = w.size();
    const double h = 1e-7;
    Matrix g(p, std::vector<double>(p, 0.0));
    for (std::int64_t s = 0; s < data.size(); ++s) {
      std::vector<std::array<double, 2>> jacobian(p);
      for (std::size_t i = 0; i < p; ++i) {
        w[i] += h;
        const auto up = logits(w, data, s);
        w[i] -= 2 * h;
        const auto down = logits(w, data, s);
        w[i] += h;
        for (int k = 0; k < 2; ++k)
          jacobian[i][k] = (up[k] - down[k]) / (2 * h);
      }
      const auto z = logits(w, data, s);
      const double p1 = 1.0 / (1.0 + std::exp(z[0] - z[1]));
      const double c = p1 * (1.0 - p1);  // diag p − ppᵀ = c·[[1, −1], [−1, 1]] for 2 classes
      for (std::size_t a = 0; a < p; ++a)
        for (std::size_t b = 0; b < p; ++b)
          g[a][b] += c * (jacobian[a][0] - jacobian[a][1]) * (jacobian[b][0] - jacobian[b][1]) /
                     static_cast<double>(data.size());
    }
    return g;
  }
};

// The Hessian of f at w by central second differences in double (step 1e-4: truncation and
// round-off both about 1e-8 relative).
Matrix finite_difference_hessian(const std::function<double(const std::vector<double>&)>& f,
                                 std::vector<double> w) {
  const double h = 1e-4;
  const std::size_t n = w.size();
  Matrix out(n, std::vector<double>(n));
  const auto at = [&](std::size_t i, double di, std::size_t j, double dj) {
    w[i] += di;
    w[j] += dj;
    const double value = f(w);
    w[i] -= di;
    w[j] -= dj;
    return value;
  };
  for (std::size_t i = 0; i < n; ++i)
    for (std::size_t j = 0; j <= i; ++j) {
      out[i][j] = out[j][i] =
          (at(i, h, j, h) - at(i, h, j, -h) - at(i, -h, j, h) + at(i, -h, j, -h)) / (4 * h * h);
    }
  return out;
}

std::vector<double> flat_weights(const Model& model) {
  std::vector<double> w;
  for (const Variable& v : model.trainable_variables())
    w.insert(w.end(), v.value().values().begin(), v.value().values().end());
  return w;
}

Dataset two_class_set(std::int64_t n, std::uint64_t seed) {
  Rng rng(seed);
  Dataset data;
  data.sample_shape = {2};
  data.num_classes = 2;
  for (std::int64_t i = 0; i < n; ++i) {
    const int label = static_cast<int>(rng.below(2));
    data.values.push_back(static_cast<float>(rng.normal() + (label ? 1.0 : -0.5)));
    data.values.push_back(static_cast<float>(rng.normal() - (label ? 0.7 : 0.0)));
    data.labels.push_back(label);
  }
  return data;
}

Model small_network(const std::string& activation) {
  Model model(11);
  model.add(Dense(4, {.activation = activation,
                      .bias_initializer = {Initializer::Kind::torch_uniform},
                      .input_shape = {2}}));
  model.add(Dense(2, {.bias_initializer = {Initializer::Kind::torch_uniform}}));
  model.compile(std::make_unique<SGD>(model.trainable_variables(), SGDOptions{.lr = 0.1}),
                make_loss("sparse_categorical_crossentropy", true));
  return model;
}

TEST(Sharpness, SoftmaxNetworkMatchesFiniteDifferenceHessianInDouble) {
  const Dataset data = two_class_set(200, 5);
  Model model = small_network("tanh");
  const SmallNet net{2, 4};
  const Matrix h = finite_difference_hessian(
      [&](const std::vector<double>& w) { return net.loss(w, data); }, flat_weights(model));
  const double exact = largest_eigenvalue(h);
  const SharpnessResult by_differences =
      estimate_sharpness(model, data,
                         {.max_iters = 300,
                          .tol = 1e-9,
                          .verbose = 0,
                          .curvature = SharpnessCurvature::finite_difference});
  EXPECT_LT(relative_error(by_differences.lambda_max, exact), 1e-4);
  const SharpnessResult r =
      estimate_sharpness(model, data, {.max_iters = 300, .tol = 1e-9, .verbose = 0});
  EXPECT_LT(relative_error(r.lambda_max, exact), 1e-6) << r.lambda_max << " vs " << exact;
  EXPECT_EQ(r.curvature, SharpnessCurvature::exact);
  EXPECT_THAT(r.method, HasSubstr("exact Hessian-vector products"));
  // At these weights the most negative eigenvalue is larger in magnitude than λmax: the shifted
  // second phase must have run.
  const std::vector<double> all = symmetric_eigenvalues(h);
  if (-*std::min_element(all.begin(), all.end()) > exact) {
    EXPECT_THAT(r.method, HasSubstr("negative"));
  }
}

TEST(Sharpness, GaussNewtonMatchesItsDoublePrecisionMatrix) {
  const Dataset data = two_class_set(200, 5);
  for (const bool relu : {false, true}) {
    SCOPED_TRACE(relu ? "relu" : "tanh");
    Model model = small_network(relu ? "relu" : "tanh");
    const double exact =
        largest_eigenvalue(SmallNet{2, 4, relu}.gauss_newton(flat_weights(model), data));
    const SharpnessResult r = estimate_sharpness(model, data,
                                                 {.max_iters = 300,
                                                  .tol = 1e-9,
                                                  .verbose = 0,
                                                  .curvature = SharpnessCurvature::gauss_newton});
    EXPECT_LT(relative_error(r.lambda_max, exact), 1e-4) << r.lambda_max << " vs " << exact;
    EXPECT_EQ(r.curvature, SharpnessCurvature::gauss_newton);
    EXPECT_THAT(r.method, HasSubstr("Gauss-Newton"));
  }
}

TEST(Sharpness, GaussNewtonIsTheHessianForLinearModels) {
  const Dataset data = regression_set(300, 5, 12);
  Model model = linear_model(5);
  const SharpnessResult r = estimate_sharpness(
      model, data,
      {.max_iters = 300, .tol = 1e-9, .verbose = 0, .curvature = SharpnessCurvature::gauss_newton});
  EXPECT_LT(relative_error(r.lambda_max, largest_eigenvalue(linear_mse_hessian(data, 300))), 1e-4);
}

TEST(Sharpness, ExactIsTheDefaultAndEachMethodHasAName) {
  for (const auto c : {SharpnessCurvature::exact, SharpnessCurvature::finite_difference,
                       SharpnessCurvature::gauss_newton})
    EXPECT_EQ(parse_sharpness_method(to_string(c)), c);
  EXPECT_EQ(to_string(SharpnessCurvature::finite_difference), "finite-difference");
  EXPECT_FALSE(parse_sharpness_method("hessian").has_value());
  Model relu = small_network("relu");
  const SharpnessResult r =
      estimate_sharpness(relu, two_class_set(50, 13), {.max_iters = 3, .verbose = 0});
  EXPECT_EQ(r.curvature, SharpnessCurvature::exact);
  EXPECT_EQ(r.to_json()["curvature"], "exact");
}

// Where ReLU switches the gradient jumps and differences of it are noisy; the exact products are
// not, and match the Hessian of the same function in double (no switch lies within its step).
TEST(Sharpness, ExactOnAReluNetworkMatchesTheHessianInDouble) {
  const Dataset data = two_class_set(200, 5);
  Model model = small_network("relu");
  const SmallNet net{2, 4, true};
  const double expected = largest_eigenvalue(finite_difference_hessian(
      [&](const std::vector<double>& w) { return net.loss(w, data); }, flat_weights(model)));
  const SharpnessResult r =
      estimate_sharpness(model, data, {.max_iters = 300, .tol = 1e-9, .verbose = 0});
  EXPECT_LT(relative_error(r.lambda_max, expected), 1e-5) << r.lambda_max << " vs " << expected;
}

TEST(Sharpness, NegativeDominantEigenvalueIsShiftedAway) {
  // One sample x = (1, 1), target 10, through tanh at z = xᵀw = −0.5: the squared error's
  // curvature along x is strongly negative (about −28), and 0 across x; an L2 penalty of 0.5 adds
  // 1 everywhere. The dominant eigenvalue is about −27, the top one exactly 1.
  Dataset data;
  data.sample_shape = {2};
  data.values = {1.0f, 1.0f};
  data.target_width = 1;
  data.targets = {10.0f};
  Model model(1);
  model.add(Dense(1, {.activation = "tanh",
                      .use_bias = false,
                      .kernel_regularizer = L2(0.5),
                      .input_shape = {2}}));
  model.compile<SGD>({.lr = 0.01}, "mean_squared_error");
  StateDict w = model.weights();
  w.tensors.at("dense/kernel") = Tensor({2, 1}, {-0.3f, -0.2f});
  model.set_weights(w);
  const SharpnessResult r = estimate_sharpness(model, data, {.tol = 1e-6, .verbose = 0});
  EXPECT_LT(*std::min_element(r.estimates.begin(), r.estimates.end()), -20.0);
  EXPECT_NEAR(r.lambda_max, 1.0, 1e-4);

  EXPECT_TRUE(r.converged);
  EXPECT_THAT(r.method, HasSubstr("negative"));
  EXPECT_DOUBLE_EQ(r.lr_bound(), 2.0 / r.lambda_max);
}

TEST(Sharpness, DropoutIsOff) {
  const Dataset data = two_class_set(100, 6);
  const auto build = [](bool dropout) {
    Model model(5);
    model.add(Dense(8, {.activation = "tanh", .input_shape = {2}}));
    if (dropout) model.add(Dropout(0.5f));
    model.add(Dense(2));
    model.compile<SGD>({.lr = 0.1}, "sparse_categorical_crossentropy");
    return model;
  };
  Model with = build(true), without = build(false);
  without.set_weights(with.weights());
  const SharpnessOptions options{.max_iters = 20, .verbose = 0};
  const SharpnessResult a = estimate_sharpness(with, data, options);
  const SharpnessResult b = estimate_sharpness(without, data, options);
  EXPECT_EQ(a.estimates, b.estimates);
  EXPECT_EQ(estimate_sharpness(with, data, options).estimates, a.estimates);  // deterministic
}

TEST(Sharpness, LaterTrainingIsUnaffected) {
  const Dataset data = two_class_set(120, 7);
  const auto build = [] {
    Model model(9);
    model.add(Dense(6, {.activation = "relu", .input_shape = {2}}));
    model.add(Dense(2));
    model.compile<SGD>({.lr = 0.05, .momentum = 0.9}, "sparse_categorical_crossentropy");
    return model;
  };
  Model probed = build(), untouched = build();
  estimate_sharpness(probed, data, {.max_iters = 5, .verbose = 0});
  const FitOptions fit{.epochs = 2, .batch_size = 16, .verbose = 0};
  probed.fit(data, fit);
  untouched.fit(data, fit);
  EXPECT_TRUE(same_bits(probed.weights(), untouched.weights()));
}

TEST(Sharpness, RejectsBadOptions) {
  const Dataset data = regression_set(50, 2, 8);
  Model model = linear_model(2);
  const StateDict before = model.weights();
  EXPECT_THROW(estimate_sharpness(model, data, {.samples = -1}), InvalidArgument);
  EXPECT_THROW(estimate_sharpness(model, data, {.samples = 51}), InvalidArgument);
  EXPECT_THROW(estimate_sharpness(model, data, {.batch_size = 0}), InvalidArgument);
  EXPECT_THROW(estimate_sharpness(model, data, {.max_iters = 0}), InvalidArgument);
  EXPECT_THROW(estimate_sharpness(model, data, {.tol = -1}), InvalidArgument);
  EXPECT_THROW(estimate_sharpness(model, data, {.tol = std::nan("")}), InvalidArgument);
  EXPECT_THROW(estimate_sharpness(model, Dataset{}, {}), InvalidArgument);
  Model uncompiled(1);
  uncompiled.add(Dense(1, {.input_shape = {2}}));
  EXPECT_THROW(estimate_sharpness(uncompiled, data, {}), InvalidArgument);
  EXPECT_TRUE(same_bits(before, model.weights()));
}

TEST(Sharpness, NonFiniteLossThrowsAndRestoresWeights) {
  Dataset data = regression_set(20, 2, 9);
  Model model = linear_model(2);
  StateDict w = model.weights();
  w.tensors.at("dense/kernel")[0] = 3e38f;  // (x·w − y)² overflows float
  model.set_weights(w);
  EXPECT_THROW(estimate_sharpness(model, data, {.verbose = 0}), Diverged);
  EXPECT_TRUE(same_bits(w, model.weights()));
}

TEST(SharpnessResult, BoundAndJson) {
  SharpnessResult r;
  r.lambda_max = 4.0;
  r.estimates = {3.0, 3.9, 4.0};
  r.converged = true;
  r.samples = 10;
  r.method = "test";
  EXPECT_DOUBLE_EQ(r.lr_bound(), 0.5);
  EXPECT_DOUBLE_EQ(r.lr_bound(0.5), 0.75);
  EXPECT_THROW(r.lr_bound(1.0), InvalidArgument);
  EXPECT_THROW(r.lr_bound(-0.1), InvalidArgument);
  EXPECT_THROW(r.lr_bound(std::nan("")), InvalidArgument);
  const nlohmann::json j = r.to_json(0.9);
  EXPECT_DOUBLE_EQ(j["lambda_max"].get<double>(), 4.0);
  EXPECT_DOUBLE_EQ(j["lr_bound"].get<double>(), 0.5);
  EXPECT_DOUBLE_EQ(j["momentum"].get<double>(), 0.9);
  EXPECT_DOUBLE_EQ(j["lr_bound_momentum"].get<double>(), 0.95);
  EXPECT_EQ(j["estimates"].size(), 3u);
  EXPECT_EQ(j["converged"], true);
  EXPECT_EQ(j["samples"], 10);
  EXPECT_EQ(j["method"], "test");
  EXPECT_EQ(j["curvature"], "exact");
  r.lambda_max = -1.0;  // no curvature limit: an infinite bound, written as null
  EXPECT_TRUE(std::isinf(r.lr_bound()));
  EXPECT_TRUE(r.to_json()["lr_bound"].is_null());
}

TEST(SharpnessResult, Csv) {
  SharpnessResult r;
  r.estimates = {1.5, 2.25};
  const auto path = std::filesystem::temp_directory_path() / "descent_sharpness_test.csv";
  write_sharpness_csv(r, path);
  std::ifstream in(path);
  const std::string text{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
  EXPECT_EQ(text, "iteration,lambda_max\n1,1.5\n2,2.25\n");
  EXPECT_THROW(write_sharpness_csv(r, "/nonexistent-dir/x.csv"), IoError);
}

}  // namespace
}  // namespace descent

namespace descent {
namespace {

// Only SGD's momentum is the heavy-ball μ of the bound; Adam's β1 is not.
TEST(HeavyBallMomentum, IsSgdsMomentumAndZeroForOtherOptimizers) {
  Model model(1);
  model.add(Dense(1, {.input_shape = {2}}));
  model.build({2});
  const SGD sgd(model.trainable_variables(), SGDOptions{.lr = 0.1, .momentum = 0.9});
  EXPECT_EQ(heavy_ball_momentum(sgd), 0.9);
  const Adam adam(model.trainable_variables(), AdamOptions{.lr = 0.1});
  EXPECT_EQ(heavy_ball_momentum(adam), 0.0);
}

}  // namespace
}  // namespace descent
