#include "loss/losses.h"

#include <cmath>

#include <gtest/gtest.h>

#include "core/buffer_pool.h"
#include "core/error.h"
#include "core/ops/matmul.h"
#include "core/random.h"
#include "gradcheck.h"
#include "loss_fixture.h"

namespace descent {
namespace {

using testing::expect_close;
using testing::fixture_tensor;
using testing::loss_fixture;

std::unique_ptr<Loss> loss_for(const nlohmann::json& c) {
  const std::string name = c["loss"];
  const CrossentropyOptions options{.from_logits = c["from_logits"].get<bool>(),
                                    .label_smoothing = c["label_smoothing"].get<float>()};
  if (options.label_smoothing == 0.0f) return make_loss(name, options.from_logits);
  if (name == "binary_crossentropy") return std::make_unique<BinaryCrossentropy>(options);
  if (name == "categorical_crossentropy") return std::make_unique<CategoricalCrossentropy>(options);
  return std::make_unique<SparseCategoricalCrossentropy>(options);
}

TEST(Losses, MatchPyTorchValuesAndGradients) {
  ASSERT_EQ(loss_fixture().size(), 19u);
  for (const auto& c : loss_fixture()) {
    const std::string what = c["case"];
    const auto loss = loss_for(c);
    EXPECT_EQ(loss->name(), c["loss"].get<std::string>());
    EXPECT_EQ(loss->from_logits(), c["from_logits"].get<bool>());
    Variable pred(fixture_tensor(c, "pred_shape", "pred"), true);
    Variable value = (*loss)(pred, fixture_tensor(c, "true_shape", "true"));
    ASSERT_EQ(value.shape(), Shape{1}) << what;
    EXPECT_TRUE(std::isfinite(value.item())) << what;
    EXPECT_NEAR(value.item(), c["value"].get<double>(), 1e-5 * std::abs(c["value"].get<double>()))
        << what;
    value.backward();
    expect_close(pred.grad(), c["grad"].get<std::vector<double>>(), what);
  }
}

TEST(Losses, ValueWithoutGradientEqualsValueWithGradient) {
  for (const auto& c : loss_fixture()) {
    const auto loss = loss_for(c);
    const Tensor y_true = fixture_tensor(c, "true_shape", "true");
    Variable tracked(fixture_tensor(c, "pred_shape", "pred"), true);
    Variable plain(fixture_tensor(c, "pred_shape", "pred"));
    const float with_grad = (*loss)(tracked, y_true).item();
    NoGradGuard no_grad;
    Variable untracked = (*loss)(tracked, y_true);
    EXPECT_FALSE(untracked.requires_grad());
    EXPECT_EQ(untracked.item(), with_grad) << c["case"];
    EXPECT_EQ((*loss)(plain, y_true).item(), with_grad) << c["case"];
  }
}

Tensor uniform(Shape shape, double lo, double hi, Rng& rng) {
  Tensor t(std::move(shape));
  for (float& v : t.values())
    v = static_cast<float>(rng.uniform(lo, hi));
  return t;
}

// Finite differences through a matmul by the identity, so the loss sits on an interior node.
void expect_finite_differences(const Loss& loss, const Tensor& y_pred, const Tensor& y_true) {
  const std::int64_t outputs = y_pred.dim(-1);
  Tensor eye({outputs, outputs});
  for (std::int64_t i = 0; i < outputs; ++i)
    eye[i * outputs + i] = 1.0f;
  testing::expect_gradients_match(
      [&](std::vector<Variable>& in) { return loss(matmul(in[0], in[1]), y_true); },
      {Variable(y_pred, true), Variable(eye, true)}, 1e-3, 1e-2);
}

TEST(Losses, GradientsMatchFiniteDifferences) {
  Rng rng(7);
  const Tensor labels({4}, {0, 2, 1, 2});
  Tensor onehot({4, 3});
  for (int r = 0; r < 4; ++r)
    onehot[r * 3 + static_cast<int>(labels[r])] = 1.0f;
  Tensor binary({4, 3}, {1, 0, 1, 0, 0, 1, 1, 1, 0, 0.3f, 0, 1});
  const Tensor real = uniform({4, 3}, -1, 1, rng);
  // Away from the MAE kink and the probability clipping, where the loss is not smooth.
  Tensor away = real;
  for (std::int64_t i = 0; i < away.size(); ++i)
    away[i] = real[i] + (i % 2 ? 0.5f : -0.5f);
  expect_finite_differences(MeanSquaredError(), uniform({4, 3}, -1, 1, rng), real);
  expect_finite_differences(MeanAbsoluteError(), away, real);
  const Tensor probs = uniform({4, 3}, 0.1, 0.9, rng);
  const Tensor logits = uniform({4, 3}, -3, 3, rng);
  for (float s : {0.0f, 0.1f}) {
    expect_finite_differences(BinaryCrossentropy({.label_smoothing = s}), probs, binary);
    expect_finite_differences(BinaryCrossentropy({.from_logits = true, .label_smoothing = s}),
                              logits, binary);
    for (bool from_logits : {false, true}) {
      const Tensor& pred = from_logits ? logits : probs;
      expect_finite_differences(
          CategoricalCrossentropy({.from_logits = from_logits, .label_smoothing = s}), pred,
          onehot);
      expect_finite_differences(
          SparseCategoricalCrossentropy({.from_logits = from_logits, .label_smoothing = s}), pred,
          labels);
    }
  }
}

// A language model's loss: logits (batch, T, classes), a label per position, every token a row.
TEST(Losses, PerTokenGradientsMatchFiniteDifferences) {
  Rng rng(11);
  const Tensor labels({2, 3}, {0, 3, 1, 2, 2, 0});
  const Tensor logits = uniform({2, 3, 4}, -3, 3, rng);
  const Tensor probs = uniform({2, 3, 4}, 0.1, 0.9, rng);
  for (float s : {0.0f, 0.1f})
    for (bool from_logits : {false, true})
      expect_finite_differences(
          SparseCategoricalCrossentropy({.from_logits = from_logits, .label_smoothing = s}),
          from_logits ? logits : probs, labels);
}

TEST(Losses, BackwardScalesByUpstreamAndAccumulates) {
  const Tensor labels({2}, {1, 0});
  Variable x(Tensor({2, 2}, {0.5f, -0.5f, 2.0f, 1.0f}), true);
  SparseCategoricalCrossentropy loss({.from_logits = true});
  loss(x, labels).backward();
  const Tensor once = x.grad();
  loss(x, labels).backward(Tensor({1}, {3.0f}));
  for (std::int64_t i = 0; i < once.size(); ++i)
    EXPECT_FLOAT_EQ(x.grad()[i], 4.0f * once[i]);
}

TEST(Losses, StableAtExtremeLogits) {
  Variable x(Tensor({2, 3}, {1000, -1000, 0, -1000, 1000, 0}), true);
  Variable y =
      CategoricalCrossentropy({.from_logits = true})(x, Tensor({2, 3}, {1, 0, 0, 1, 0, 0}));
  EXPECT_NEAR(y.item(), 1000.0f, 1e-3);  // row 0 is right (loss ~0), row 1 is off by 2000
  y.backward();
  for (float g : x.grad().values())
    EXPECT_TRUE(std::isfinite(g));
  Variable z(Tensor({2}, {1000, -1000}), true);
  Variable b = BinaryCrossentropy({.from_logits = true})(z, Tensor({2}, {0, 0}));
  EXPECT_NEAR(b.item(), 500.0f, 1e-3);
}

TEST(Losses, KerasDocumentationExamples) {
  // keras.losses.SparseCategoricalCrossentropy docstring: 1.177.
  Variable p(Tensor({2, 3}, {0.05f, 0.95f, 0, 0.1f, 0.8f, 0.1f}));
  EXPECT_NEAR(SparseCategoricalCrossentropy()(p, Tensor({2}, {1, 2})).item(), 1.177, 1e-3);
  EXPECT_NEAR(CategoricalCrossentropy()(p, Tensor({2, 3}, {0, 1, 0, 0, 0, 1})).item(), 1.177, 1e-3);
  // keras.losses.BinaryCrossentropy docstring: 0.815; MSE 0.5; MAE 0.5.
  Variable q(Tensor({2, 2}, {0.6f, 0.4f, 0.4f, 0.6f}));
  const Tensor t({2, 2}, {0, 1, 0, 0});
  EXPECT_NEAR(BinaryCrossentropy()(q, t).item(), 0.815, 1e-3);
  EXPECT_NEAR(MeanSquaredError()(Variable(Tensor({2, 2}, {1, 1, 1, 0})), t).item(), 0.5, 1e-6);
  EXPECT_NEAR(MeanAbsoluteError()(Variable(Tensor({2, 2}, {1, 1, 1, 0})), t).item(), 0.5, 1e-6);
}

TEST(Losses, LargeBatchIsDeterministicAndMatchesSmallBatches) {
  // 4096 x 12 values: the parallel path. The mean of equal halves equals the mean of both.
  Rng rng(11);
  const std::int64_t batch = 4096, classes = 12;
  Tensor logits = uniform({batch, classes}, -4, 4, rng);
  Tensor labels({batch});
  for (std::int64_t r = 0; r < batch; ++r)
    labels[r] = static_cast<float>(r % classes);
  for (bool from_logits : {true, false}) {
    Tensor pred = logits;
    if (!from_logits)
      for (float& v : pred.values())
        v = 1.0f / (1.0f + std::exp(-v));
    SparseCategoricalCrossentropy loss({.from_logits = from_logits});
    Variable x(pred, true);
    Variable all = loss(x, labels);
    all.backward();
    const Tensor grad = x.grad();
    Variable again(pred, true);
    Variable repeat = loss(again, labels);
    repeat.backward();
    EXPECT_EQ(repeat.item(), all.item());
    for (std::int64_t i = 0; i < grad.size(); ++i)
      ASSERT_EQ(again.grad()[i], grad[i]);

    const std::int64_t half = batch / 2;
    Tensor first({half, classes}, std::span<const float>(pred.data(), half * classes));
    Tensor second({half, classes},
                  std::span<const float>(pred.data() + half * classes, half * classes));
    Tensor l1({half}, std::span<const float>(labels.data(), half));
    Tensor l2({half}, std::span<const float>(labels.data() + half, half));
    const double mean =
        0.5 * (loss(Variable(first), l1).item() + loss(Variable(second), l2).item());
    EXPECT_NEAR(all.item(), mean, 1e-6 * mean);
  }
}

TEST(Losses, SteadyStateStepsAllocateNothingNew) {
  for (const auto& c : loss_fixture()) {
    const auto loss = loss_for(c);
    const Tensor y_true = fixture_tensor(c, "true_shape", "true");
    Variable x(fixture_tensor(c, "pred_shape", "pred"), true);
    auto step = [&] {
      x.zero_grad();
      (*loss)(x, y_true).backward();
    };
    // From an empty pool the first step must allocate: the counter is seen to move.
    BufferPool::trim();
    const auto empty = BufferPool::fresh_allocations();
    step();
    ASSERT_GT(BufferPool::fresh_allocations(), empty) << c["case"];
    step();
    const auto before = BufferPool::fresh_allocations();
    for (int i = 0; i < 5; ++i)
      step();
    EXPECT_EQ(BufferPool::fresh_allocations(), before) << c["case"];
  }
}

TEST(Losses, MakeLossAcceptsKerasNamesAndAliases) {
  EXPECT_EQ(make_loss("mse")->name(), "mean_squared_error");
  EXPECT_EQ(make_loss("mean_squared_error")->name(), "mean_squared_error");
  EXPECT_EQ(make_loss("MAE")->name(), "mean_absolute_error");
  EXPECT_EQ(make_loss("bce")->name(), "binary_crossentropy");
  EXPECT_EQ(make_loss("binary_cross_entropy", true)->name(), "binary_crossentropy");
  EXPECT_TRUE(make_loss("cce", true)->from_logits());
  EXPECT_FALSE(make_loss("categorical_crossentropy")->from_logits());
  EXPECT_EQ(make_loss("scce")->name(), "sparse_categorical_crossentropy");
  EXPECT_EQ(make_loss("sparse_categorical_crossentropy", true)->name(),
            "sparse_categorical_crossentropy");
}

template <class F>
std::string error_message(F&& f) {
  try {
    f();
  } catch (const Error& e) {
    return e.what();
  }
  return "(no error)";
}

TEST(Losses, MakeLossRejectsUnknownNamesListingKnownOnes) {
  EXPECT_THROW(make_loss("hinge"), InvalidArgument);
  const std::string message = error_message([] { make_loss("hinge"); });
  EXPECT_NE(message.find("'hinge'"), std::string::npos) << message;
  EXPECT_NE(message.find("sparse_categorical_crossentropy"), std::string::npos) << message;
  EXPECT_THROW(make_loss("mse", true), InvalidArgument);
}

TEST(Losses, RejectsBadLabelSmoothing) {
  EXPECT_THROW(BinaryCrossentropy({.label_smoothing = -0.1f}), InvalidArgument);
  EXPECT_THROW(CategoricalCrossentropy({.label_smoothing = 1.5f}), InvalidArgument);
  EXPECT_THROW(SparseCategoricalCrossentropy({.label_smoothing = NAN}), InvalidArgument);
}

TEST(Losses, SparseLabelsOutOfRangeOrNotIntegerNameValueAndIndex) {
  Variable x(Tensor({3, 4}), true);
  SparseCategoricalCrossentropy loss;
  SparseCategoricalCrossentropy logits_loss({.from_logits = true});
  EXPECT_THROW(loss(x, Tensor({3}, {0, 4, 1})), DataError);
  EXPECT_THROW(logits_loss(x, Tensor({3}, {0, 1, -1})), DataError);
  EXPECT_EQ(error_message([&] {
              loss(x, Tensor({3}, {0, 1, 2.5f}));
            }),
            "label 2.5 at index 2 is not an integer class in [0, 4)");
  EXPECT_EQ(error_message([&] {
              logits_loss(x, Tensor({3}, {0, 7, 1}));
            }),
            "label 7 at index 1 is not an integer class in [0, 4)");
  EXPECT_THROW(loss(x, Tensor({3}, {0, NAN, 1})), DataError);
  // (batch, 1) labels are accepted, a wrong batch size is not.
  EXPECT_NO_THROW(loss(x, Tensor({3, 1}, {0, 3, 1})));
  EXPECT_THROW(loss(x, Tensor({2}, {0, 1})), InvalidArgument);
  EXPECT_THROW(loss(x, Tensor({3, 4})), InvalidArgument);
  EXPECT_THROW(loss(Variable(Tensor({4})), Tensor({4})), InvalidArgument);
}

TEST(Losses, TargetShapeAndRangeErrors) {
  Variable x(Tensor({3, 2}, 0.5f), true);
  EXPECT_THROW(MeanSquaredError()(x, Tensor({3, 3})), InvalidArgument);
  EXPECT_THROW(MeanAbsoluteError()(x, Tensor({2, 3})), InvalidArgument);
  EXPECT_NO_THROW(MeanSquaredError()(Variable(Tensor({3, 1})), Tensor({3})));
  EXPECT_THROW(CategoricalCrossentropy()(x, Tensor({3}, {0, 1, 1})), InvalidArgument);
  EXPECT_EQ(error_message([&] {
              BinaryCrossentropy()(x, Tensor({3, 2}, {0, 1, 1, 0, 3, 1}));
            }),
            "binary_crossentropy: target 3 at index 4 is outside [0, 1]");
  EXPECT_THROW(CategoricalCrossentropy()(x, Tensor({3, 2}, {0, 1, 1, 0, 0, 2})), DataError);
  EXPECT_THROW(MeanSquaredError()(Variable(Tensor({0, 2})), Tensor({0, 2})), InvalidArgument);
}

TEST(Losses, ValidateTargetsWorksOnAWholeDataset) {
  const auto loss = make_loss("sparse_categorical_crossentropy");
  EXPECT_NO_THROW(loss->validate_targets({5, 3}, Tensor({5}, {0, 1, 2, 2, 0})));
  EXPECT_THROW(loss->validate_targets({5, 3}, Tensor({5}, {0, 1, 3, 2, 0})), DataError);
}

TEST(Losses, PerTokenLabelsAreCheckedAtEveryPosition) {
  Variable x(Tensor({2, 3, 4}), true);
  SparseCategoricalCrossentropy logits_loss({.from_logits = true});
  EXPECT_NO_THROW(logits_loss(x, Tensor({2, 3}, {0, 1, 2, 3, 0, 1})));
  EXPECT_EQ(error_message([&] {
              logits_loss(x, Tensor({2, 3}, {0, 1, 2, 3, 0, 4}));
            }),
            "label 4 at index 5 is not an integer class in [0, 4)");
  EXPECT_EQ(error_message([&] {
              logits_loss(x, Tensor({2, 3, 1}));
            }),
            "sparse_categorical_crossentropy: labels of shape (2, 3, 1) for predictions of shape "
            "(2, 3, 4) (expected (2, 3), a label per position)");
  EXPECT_THROW(logits_loss(x, Tensor({2}, {0, 1})), InvalidArgument);
  const auto loss = make_loss("sparse_categorical_crossentropy", true);
  EXPECT_NO_THROW(loss->validate_targets({2, 3, 4}, Tensor({2, 3}, {0, 1, 2, 3, 0, 1})));
  EXPECT_THROW(loss->validate_targets({2, 3, 4}, Tensor({2, 3}, {0, 1, -1, 3, 0, 1})), DataError);
}

}  // namespace
}  // namespace descent
