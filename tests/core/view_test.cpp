#include "core/ops/view.h"

#include <gtest/gtest.h>

#include "core/buffer_pool.h"
#include "core/error.h"
#include "core/ops/elementwise.h"
#include "core/ops/reduce.h"
#include "gradcheck.h"
#include "ops_fixture.h"

namespace descent {
namespace {

using testing::expect_gradients_match;
using testing::expect_matches_torch;
using testing::NamedInputs;
using testing::random_tensor;
using testing::weighted_sum;

TEST(Reshape, MatchesTorch) {
  expect_matches_torch("reshape", [](NamedInputs& in, const nlohmann::json& p) {
    return reshape(in.at("x"), p.at("shape").get<Shape>());
  });
  expect_matches_torch("flatten",
                       [](NamedInputs& in, const nlohmann::json&) { return flatten(in.at("x")); });
}

TEST(Reshape, InfersMinusOneAndFlattensKeepingBatch) {
  Variable x(Tensor({2, 3, 4}));
  EXPECT_EQ(reshape(x, {-1, 6}).shape(), (Shape{4, 6}));
  EXPECT_EQ(reshape(x, {24}).shape(), (Shape{24}));
  EXPECT_EQ(flatten(x).shape(), (Shape{2, 12}));
  EXPECT_EQ(flatten(Variable(Tensor({5}))).shape(), (Shape{5, 1}));
}

TEST(Reshape, RejectsBadShapes) {
  Variable x(Tensor({2, 3, 4}));
  EXPECT_THROW(reshape(x, {5, -1}), InvalidArgument);
  EXPECT_THROW(reshape(x, {-1, -1}), InvalidArgument);
  EXPECT_THROW(reshape(x, {-2, 12}), InvalidArgument);
  EXPECT_THROW(reshape(x, {4, 5}), InvalidArgument);
  EXPECT_THROW(flatten(Variable(Tensor(Shape{}, {1.0f}))), InvalidArgument);
  try {
    reshape(x, {7, 3});
    FAIL() << "expected InvalidArgument";
  } catch (const InvalidArgument& e) {
    EXPECT_STREQ(e.what(), "reshape: cannot reshape (2, 3, 4) into (7, 3)");
  }
}

TEST(Reshape, GradientsMatchFiniteDifferences) {
  Rng rng(41);
  const Tensor w = random_tensor({3, 8}, rng);
  expect_gradients_match(
      [&](std::vector<Variable>& in) {
        return weighted_sum(reshape(in[0], {3, -1}), w);
      },
      {Variable(random_tensor({2, 3, 4}, rng), true)});
  expect_gradients_match([&](std::vector<Variable>& in) { return weighted_sum(flatten(in[0]), w); },
                         {Variable(random_tensor({3, 2, 2, 2}, rng), true)});
}

// A tensor holding 0, 1, 2, ... in row-major order, for reading views by index.
Tensor counting(const Shape& shape) {
  Tensor t(shape);
  for (std::int64_t i = 0; i < t.size(); ++i)
    t[i] = static_cast<float>(i);
  return t;
}

std::vector<double> values_of(const Tensor& t) {
  std::vector<double> out;
  for (std::int64_t i = 0; i < t.size(); ++i)
    out.push_back(t.at(i));
  return out;
}

TEST(TensorViews, ShareStorageAndAllocateNothing) {
  Tensor base = counting({2, 3, 4});
  const std::uint64_t before = BufferPool::fresh_allocations();
  const Tensor views[] = {base.permute({2, 0, 1}),   base.transpose(),  base.narrow(2, 1, 2),
                          base.expand({5, 2, 3, 4}), base.view({6, 4}), base.contiguous()};
  EXPECT_EQ(BufferPool::fresh_allocations(), before);
  for (const Tensor& v : views)
    EXPECT_TRUE(v.shares_storage_with(base));
  // Writing through a view writes the original.
  Tensor corner = base.narrow(0, 1, 1);
  corner.fill(-1.0);
  EXPECT_EQ(base.at(11), 11.0f);
  EXPECT_EQ(base.at(12), -1.0f);
  EXPECT_EQ(base.at(23), -1.0f);
}

TEST(TensorViews, ReadInRowMajorOrderOfTheirShape) {
  const Tensor t = counting({2, 3});
  EXPECT_EQ(t.transpose().shape(), (Shape{3, 2}));
  EXPECT_EQ(values_of(t.transpose()), (std::vector<double>{0, 3, 1, 4, 2, 5}));
  EXPECT_EQ(t.transpose().strides(), (Strides{1, 3}));
  EXPECT_EQ(values_of(t.narrow(1, 1, 2)), (std::vector<double>{1, 2, 4, 5}));
  EXPECT_EQ(values_of(t.narrow(1, 1, 2).transpose()), (std::vector<double>{1, 4, 2, 5}));
  EXPECT_EQ(values_of(Tensor({3}, {7, 8, 9}).expand({2, 3})),
            (std::vector<double>{7, 8, 9, 7, 8, 9}));
  EXPECT_EQ(Tensor({3}, {7, 8, 9}).expand({2, 3}).strides(), (Strides{0, 1}));
  EXPECT_EQ(values_of(Tensor({2, 1}, {7, 8}).expand({2, 3})),
            (std::vector<double>{7, 7, 7, 8, 8, 8}));
  const Tensor p = counting({2, 3, 4}).permute({2, 0, 1});
  EXPECT_EQ(p.shape(), (Shape{4, 2, 3}));
  EXPECT_EQ(p.at(1 * 6 + 1 * 3 + 2), 1 * 12 + 2 * 4 + 1);  // p[1][1][2] is t[1][2][1]
}

TEST(TensorViews, OnlyStridedOnesAreNotContiguous) {
  const Tensor t = counting({4, 3});
  EXPECT_TRUE(t.narrow(0, 1, 2).is_contiguous());  // whole rows
  EXPECT_FALSE(t.narrow(1, 1, 2).is_contiguous());
  EXPECT_FALSE(t.transpose().is_contiguous());
  EXPECT_TRUE(t.transpose().transpose().is_contiguous());
  EXPECT_TRUE(t.view({2, 6}).is_contiguous());
  EXPECT_FALSE(Tensor({3}).expand({2, 3}).is_contiguous());
  EXPECT_TRUE(Tensor({1, 3}).expand({1, 3}).is_contiguous());
}

TEST(TensorViews, CopiesAreDenseAndIndependent) {
  Tensor base = counting({2, 3});
  const Tensor view = base.transpose();
  const Tensor copy = view;  // a Tensor's copy is deep
  EXPECT_TRUE(copy.is_contiguous());
  EXPECT_FALSE(copy.shares_storage_with(base));
  EXPECT_EQ(values_of(copy), values_of(view));
  const Tensor dense = view.contiguous();
  EXPECT_FALSE(dense.shares_storage_with(base));
  EXPECT_EQ(values_of(dense), (std::vector<double>{0, 3, 1, 4, 2, 5}));
  EXPECT_EQ(values_of(view.to(DType::f64)), values_of(view));
  base.fill(9.0);  // the view follows its original; the copies do not
  EXPECT_EQ(view.at(1), 9.0);
  EXPECT_EQ(copy.at(1), 3.0);
}

TEST(TensorViews, ResizingNeverWritesStorageAViewStillReads) {
  Tensor base = counting({2, 3});
  const Tensor row = base.narrow(0, 1, 1);
  base.resize({2, 3});  // same size: storage would be reused if no view held it
  base.fill(-5.0);
  EXPECT_EQ(values_of(row), (std::vector<double>{3, 4, 5}));
  Tensor view = counting({2, 3}).narrow(0, 0, 1);
  view = counting({1, 3});  // assigned, not written through
  EXPECT_TRUE(view.is_contiguous());
}

TEST(TensorViews, DenseReadsOfAStridedViewAreRefused) {
  const Tensor t = counting({2, 3}).transpose();
  try {
    (void)t.data();
    FAIL() << "a strided view was read as dense";
  } catch (const InvalidArgument& e) {
    EXPECT_STREQ(e.what(),
                 "a strided view of shape (3, 2) read as dense values (make it contiguous() "
                 "first)");
  }
}

TEST(TensorViews, BadArgumentsAreRefusedByName) {
  const Tensor t = counting({2, 3});
  const auto message = [](auto f) {
    try {
      f();
    } catch (const InvalidArgument& e) {
      return std::string(e.what());
    }
    return std::string("no error");
  };
  EXPECT_EQ(message([&] {
              t.permute({0, 0});
            }),
            "permute: (0, 0) is not an order of the 2 axes of shape (2, 3)");
  EXPECT_EQ(message([&] { t.permute({0}); }),
            "permute: (0) is not an order of the 2 axes of shape (2, 3)");
  EXPECT_EQ(message([&] { t.narrow(1, 2, 2); }),
            "narrow: [2, 4) is not within axis 1 of shape (2, 3)");
  EXPECT_EQ(message([&] { t.narrow(2, 0, 1); }), "narrow: no axis 2 in shape (2, 3)");
  EXPECT_EQ(message([&] { t.expand({3, 3}); }), "expand: cannot broadcast shape (2, 3) to (3, 3)");
  EXPECT_EQ(message([&] { t.expand({3}); }), "expand: cannot broadcast shape (2, 3) to (3,)");
  EXPECT_EQ(message([&] { t.transpose().view({6}); }),
            "view: a strided view of shape (3, 2) has no (6,) view (use reshape, which copies)");
  EXPECT_EQ(message([&] { t.transpose(0, 2); }), "transpose: axes 0 and 2 of shape (2, 3)");
}

TEST(ViewOps, ComputeNothingUntilAnOperationReadsThem) {
  const Variable x(counting({2, 3}), true);
  const Variable t = transpose(x);
  EXPECT_TRUE(t.stored_value().shares_storage_with(x.value()));
  EXPECT_FALSE(t.stored_value().is_contiguous());
  const Variable y = mul(t, 2.0);  // reads t dense: made contiguous once, in place
  EXPECT_TRUE(t.stored_value().is_contiguous());
  EXPECT_FALSE(t.value().shares_storage_with(x.value()));
  EXPECT_EQ(values_of(y.value()), (std::vector<double>{0, 6, 2, 8, 4, 10}));
  EXPECT_EQ(values_of(x.value()), (std::vector<double>{0, 1, 2, 3, 4, 5}));
  // A reshape of dense values is a view too: flatten between layers copies nothing.
  EXPECT_TRUE(reshape(x, {3, 2}).stored_value().shares_storage_with(x.value()));
}

TEST(ViewOps, GradientsGoBackThroughTheViews) {
  const Variable x(counting({2, 3}), true);
  // Distinct weights on a strided window of x: each value of x gets its weight or zero.
  const Variable v = narrow(transpose(x), 0, 1, 2);  // (2, 2): x[:, 1:3]ᵀ
  const Variable y = sum(mul(v, Variable(Tensor({2, 2}, {1, 2, 3, 4}))));
  Variable(y).backward();
  EXPECT_EQ(values_of(x.grad()), (std::vector<double>{0, 1, 3, 0, 2, 4}));
  const Variable e(Tensor({2, 1}, {1, 2}), true);
  Variable(sum(mul(expand(e, {2, 3}), Variable(counting({2, 3}))))).backward();
  EXPECT_EQ(values_of(e.grad()), (std::vector<double>{3, 12}));
}

}  // namespace
}  // namespace descent
