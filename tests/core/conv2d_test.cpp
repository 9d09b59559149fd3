#include "core/ops/conv2d.h"

#include <omp.h>

#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "core/error.h"
#include "core/parallel.h"
#include "gradcheck.h"
#include "ops_fixture.h"

namespace descent {
namespace {

using testing::expect_gradients_match;
using testing::expect_matches_torch;
using testing::NamedInputs;
using testing::random_tensor;
using testing::weighted_sum;

// The naive reference: the convolution sum written out, in double, with its three gradients.
struct NaiveConv {
  std::int64_t n, c, h, w, o, kh, kw, oh, ow, stride, pad;
  NaiveConv(const Shape& xs, const Shape& ws, int stride_, int pad_)
      : n(xs[0]),
        c(xs[1]),
        h(xs[2]),
        w(xs[3]),
        o(ws[0]),
        kh(ws[2]),
        kw(ws[3]),
        oh((xs[2] + 2 * pad_ - ws[2]) / stride_ + 1),
        ow((xs[3] + 2 * pad_ - ws[3]) / stride_ + 1),
        stride(stride_),
        pad(pad_) {}

  // Calls f(y index, x index, w index) for every product term of the sum.
  template <class F>
  void each_term(F f) const {
    for (std::int64_t b = 0; b < n; ++b)
      for (std::int64_t oc = 0; oc < o; ++oc)
        for (std::int64_t y = 0; y < oh; ++y)
          for (std::int64_t x = 0; x < ow; ++x)
            for (std::int64_t ic = 0; ic < c; ++ic)
              for (std::int64_t i = 0; i < kh; ++i)
                for (std::int64_t j = 0; j < kw; ++j) {
                  const std::int64_t iy = y * stride - pad + i, ix = x * stride - pad + j;
                  if (iy < 0 || iy >= h || ix < 0 || ix >= w) continue;
                  f(((b * o + oc) * oh + y) * ow + x, ((b * c + ic) * h + iy) * w + ix,
                    ((oc * c + ic) * kh + i) * kw + j, oc);
                }
  }
};

// `magnitude` holds each element's sum of |term|: a float sum of many terms is only as exact as a
// couple of units of float rounding (2^-24) of that, whatever order the matrix product adds them
// in.
void expect_near_all(const Tensor& actual, const std::vector<double>& expected,
                     const std::vector<double>& magnitude, const std::string& what) {
  ASSERT_EQ(actual.size(), static_cast<std::int64_t>(expected.size())) << what;
  for (std::size_t i = 0; i < expected.size(); ++i)
    ASSERT_NEAR(actual.at(static_cast<std::int64_t>(i)), expected[i],
                1e-4 * std::max(1.0, std::abs(expected[i])) + 0x1p-23 * magnitude[i])
        << what << " element " << i << " (sum of |terms| " << magnitude[i] << ")";
}

// Runs conv2d forward and backward in `dtype` and compares all of it with NaiveConv. (float32 runs
// on oneDNN's convolutions, float64 on im2col + GEMM.)
void expect_matches_naive(const Shape& xs, const Shape& ws, Conv2dGeometry geometry, Rng& rng,
                          DType dtype = DType::f32) {
  Variable x(random_tensor(xs, rng).to(dtype), true), w(random_tensor(ws, rng).to(dtype), true);
  Variable b(random_tensor({ws[0]}, rng).to(dtype), true);
  Variable y = conv2d(x, w, b, geometry);
  const NaiveConv ref(xs, ws, geometry.stride, geometry.padding);
  ASSERT_EQ(y.shape(), (Shape{ref.n, ref.o, ref.oh, ref.ow}));
  const Tensor seed = random_tensor(y.shape(), rng).to(dtype);
  y.backward(seed);

  std::vector<double> out(y.value().size()), dx(x.value().size()), dw(w.value().size()),
      db(ws[0], 0.0);
  std::vector<double> out_mag(out.size()), dx_mag(dx.size()), dw_mag(dw.size()), db_mag(db.size());
  for (std::int64_t i = 0; i < y.value().size(); ++i) {
    out[i] = b.value().at((i / (ref.oh * ref.ow)) % ref.o);
    out_mag[i] = std::abs(out[i]);
    db[(i / (ref.oh * ref.ow)) % ref.o] += seed.at(i);
    db_mag[(i / (ref.oh * ref.ow)) % ref.o] += std::abs(seed.at(i));
  }
  ref.each_term([&](std::int64_t yi, std::int64_t xi, std::int64_t wi, std::int64_t) {
    const double xw = double(x.value().at(xi)) * w.value().at(wi);
    const double sw = double(seed.at(yi)) * w.value().at(wi);
    const double sx = double(seed.at(yi)) * x.value().at(xi);
    out[yi] += xw;
    dx[xi] += sw;
    dw[wi] += sx;
    out_mag[yi] += std::abs(xw);
    dx_mag[xi] += std::abs(sw);
    dw_mag[wi] += std::abs(sx);
  });
  expect_near_all(y.value(), out, out_mag, "output");
  expect_near_all(x.grad(), dx, dx_mag, "dx");
  expect_near_all(w.grad(), dw, dw_mag, "dw");
  expect_near_all(b.grad(), db, db_mag, "db");
}

TEST(Conv2d, MatchesTorch) {
  for (const char* name : {"conv2d_basic", "conv2d_stride2", "conv2d_pad1",
                           "conv2d_stride2_pad1_nobias", "conv2d_rect_kernel", "conv2d_1x1"})
    expect_matches_torch(name, [](NamedInputs& in, const nlohmann::json& p) {
      const Variable b = in.count("b") ? in.at("b") : Variable();
      return conv2d(in.at("x"), in.at("w"), b,
                    {.stride = p.at("stride").get<int>(), .padding = p.at("padding").get<int>()});
    });
}

// Keras's padding "same" at odd and even kernels, strides 1 to 3, against PyTorch convolving an
// input padded explicitly with F.pad the same way.
TEST(Conv2d, SamePaddingMatchesTorchPaddedExplicitly) {
  for (const char* name :
       {"conv_same_k3_s1", "conv_same_k2_s1", "conv_same_k3_s2_even", "conv_same_k4_s2",
        "conv_same_k1_s2", "conv_same_k5_s3", "conv_valid_k3_s2_nobias"})
    expect_matches_torch(
        name,
        [](NamedInputs& in, const nlohmann::json& p) {
          const Variable b = in.count("b") ? in.at("b") : Variable();
          const Shape& xs = in.at("x").shape();
          const int k = p.at("kernel_size").get<int>(), stride = p.at("strides").get<int>();
          const auto pads = p.at("pads").get<std::vector<int>>();
          const Conv2dPads same = same_padding(xs[2], xs[3], k, k, stride);
          if (p.at("padding") == "same") {
            EXPECT_EQ(std::vector<int>({same.top, same.bottom, same.left, same.right}), pads);
            return conv2d(in.at("x"), in.at("w"), b, {.stride = stride, .pads = same});
          }
          return conv2d(in.at("x"), in.at("w"), b, {.stride = stride});
        },
        1e-5, testing::pool_conv_fixture());
}

TEST(Conv2d, SamePaddingPutsTheOddZeroAfter) {
  // 8 rows, kernel 3, stride 2: 4 outputs need 6 + 3 - 8 = 1 zero, after; 7 columns need 2, one
  // each side.
  const Conv2dPads p = same_padding(8, 7, 3, 3, 2);
  EXPECT_EQ(std::vector<int>({p.top, p.bottom, p.left, p.right}), std::vector<int>({0, 1, 1, 1}));
  // Stride 1: k - 1 zeros, the odd one after for an even kernel.
  const Conv2dPads q = same_padding(5, 5, 4, 4, 1);
  EXPECT_EQ(std::vector<int>({q.top, q.bottom, q.left, q.right}), std::vector<int>({1, 2, 1, 2}));
  // A stride that skips more than the kernel needs no padding.
  const Conv2dPads r = same_padding(6, 6, 1, 1, 2);
  EXPECT_EQ(std::vector<int>({r.top, r.bottom, r.left, r.right}), std::vector<int>({0, 0, 0, 0}));
}

TEST(Conv2d, AsymmetricPadsHandComputed) {
  // A 1x1 kernel of ones copies the input into its padded frame: one zero row on top, two zero
  // columns on the right.
  Variable x(Tensor({1, 1, 2, 2}, {1, 2, 3, 4}));
  Variable w(Tensor({1, 1, 1, 1}, 1.0f));
  const Tensor y =
      conv2d(x, w, Variable(), {.pads = Conv2dPads{.top = 1, .bottom = 0, .left = 0, .right = 2}})
          .value();
  ASSERT_EQ(y.shape(), (Shape{1, 1, 3, 4}));
  const std::vector<float> expected = {0, 0, 0, 0, 1, 2, 0, 0, 3, 4, 0, 0};
  for (std::size_t i = 0; i < expected.size(); ++i)
    EXPECT_EQ(y[static_cast<std::int64_t>(i)], expected[i]) << i;
}

TEST(Conv2d, HandComputedValues) {
  // 1 image, 1 channel, 3x3 input, 2x2 kernel of ones: sums of each 2x2 window, plus bias.
  Variable x(Tensor({1, 1, 3, 3}, {1, 2, 3, 4, 5, 6, 7, 8, 9}));
  Variable w(Tensor({1, 1, 2, 2}, 1.0f)), b(Tensor({1}, {0.5f}));
  const Tensor y = conv2d(x, w, b).value();
  ASSERT_EQ(y.shape(), (Shape{1, 1, 2, 2}));
  EXPECT_EQ(y[0], 12.5f);
  EXPECT_EQ(y[3], 28.5f);
  // Padding 1, stride 2: windows at the corners see one, two or four values.
  const Tensor z = conv2d(x, w, Variable(), {.stride = 2, .padding = 1}).value();
  ASSERT_EQ(z.shape(), (Shape{1, 1, 2, 2}));
  EXPECT_EQ(z[0], 1.0f);
  EXPECT_EQ(z[1], 5.0f);
  EXPECT_EQ(z[3], 28.0f);
}

TEST(Conv2d, GradientsMatchFiniteDifferences) {
  Rng rng(51);
  for (const Conv2dGeometry geometry : {Conv2dGeometry{1, 0}, Conv2dGeometry{2, 1}}) {
    Variable x(random_tensor({2, 2, 5, 5}, rng), true), w(random_tensor({3, 2, 3, 3}, rng), true);
    Variable b(random_tensor({3}, rng), true);
    const Tensor weight = random_tensor(conv2d(x, w, b, geometry).shape(), rng);
    expect_gradients_match(
        [&](std::vector<Variable>& in) {
          return weighted_sum(conv2d(in[0], in[1], in[2], geometry), weight);
        },
        {x, w, b});
    expect_gradients_match(
        [&](std::vector<Variable>& in) {
          return weighted_sum(conv2d(in[0], in[1], Variable(), geometry), weight);
        },
        {x, w});
  }
}

TEST(Conv2d, LargeBatchMatchesNaiveReference) {
  Rng rng(52);
  ASSERT_GT(8 * 27 * 16 * 16, kParallelGrain);  // im2col and col2im run on several threads
  expect_matches_naive({8, 3, 16, 16}, {4, 3, 3, 3}, {.stride = 1, .padding = 1}, rng);
  expect_matches_naive({6, 2, 15, 13}, {5, 2, 4, 3}, {.stride = 2, .padding = 2}, rng);
}

// float64, whose convolutions run on im2col.
TEST(Conv2d, BatchLargerThanTheColumnBudgetGoesInChunks) {
  // One image's columns: 144 rows × 242² pixels > 2^24 / 2 floats, so each image is its own chunk.
  Rng rng(53);
  expect_matches_naive({2, 16, 244, 244}, {1, 16, 3, 3}, {.stride = 1, .padding = 0}, rng,
                       DType::f64);
}

// A parallel sweep trains runs side by side, each on one thread (lr/sweep.cpp): the same cached
// convolution primitives then run on several threads at once, and each run must get the result it
// gets alone.
TEST(Conv2d, RunsOnSeveralThreadsAtOnceAsAlone) {
  constexpr int kRuns = 8;
  // Each run its own values, so a buffer shared between runs by mistake shows.
  const auto gradients = [](int run) {
    Rng rng(static_cast<std::uint64_t>(60 + run));
    Variable x(random_tensor({32, 16, 28, 28}, rng), true),
        w(random_tensor({32, 16, 3, 3}, rng), true);
    conv2d(x, w, Variable(), {.stride = 2, .padding = 1})
        .backward(random_tensor({32, 32, 14, 14}, rng));
    return std::vector<Tensor>{x.grad(), w.grad()};
  };
  const int threads = num_threads();
  set_num_threads(1);
  std::vector<std::vector<Tensor>> alone;
  for (int i = 0; i < kRuns; ++i)
    alone.push_back(gradients(i));
  set_num_threads(threads);
  std::vector<std::vector<Tensor>> together(kRuns);
#pragma omp parallel for schedule(dynamic, 1) num_threads(4)
  for (int i = 0; i < kRuns; ++i) {
    omp_set_num_threads(1);
    together[i] = gradients(i);
  }
  for (int i = 0; i < kRuns; ++i)
    for (std::size_t k = 0; k < alone[i].size(); ++k)
      for (std::int64_t j = 0; j < alone[i][k].size(); ++j)
        ASSERT_EQ(together[i][k][j], alone[i][k][j])
            << "run " << i << " gradient " << k << "[" << j << "]";
}

TEST(Conv2d, InputWithoutGradientStillGivesKernelGradient) {
  Rng rng(54);
  Variable x(random_tensor({2, 1, 4, 4}, rng)), w(random_tensor({2, 1, 3, 3}, rng), true);
  sum(conv2d(x, w, Variable())).backward();
  // d/dw of the sum: the sum of the inputs each kernel tap sees.
  float tap00 = 0.0f;
  for (int b = 0; b < 2; ++b)
    for (int i = 0; i < 2; ++i)
      for (int j = 0; j < 2; ++j)
        tap00 += x.value()[b * 16 + i * 4 + j];
  EXPECT_NEAR(w.grad()[0], tap00, 1e-5);
  EXPECT_NEAR(w.grad()[9], tap00, 1e-5);
}

TEST(Conv2d, EmptyBatchGivesEmptyOutput) {
  Variable x(Tensor({0, 2, 5, 5}), true), w(Tensor({3, 2, 3, 3}, 1.0f), true);
  Variable y = conv2d(x, w, Variable());
  EXPECT_EQ(y.shape(), (Shape{0, 3, 3, 3}));
  y.backward(Tensor(y.shape()));
  EXPECT_EQ(w.grad()[0], 0.0f);
}

TEST(Conv2d, RejectsBadShapesWithClearMessages) {
  Variable x(Tensor({2, 3, 5, 5})), w(Tensor({4, 3, 3, 3}));
  auto message = [](auto f) -> std::string {
    try {
      f();
    } catch (const InvalidArgument& e) {
      return e.what();
    }
    return "no error";
  };
  EXPECT_EQ(message([&] {
              conv2d(Variable(Tensor({3, 5, 5})), w, Variable());
            }),
            "conv2d: input must be (batch, channels, height, width), got shape (3, 5, 5)");
  EXPECT_EQ(message([&] {
              conv2d(x, Variable(Tensor({4, 2, 3, 3})), Variable());
            }),
            "conv2d: kernel (4, 2, 3, 3) expects 2 input channels, input (2, 3, 5, 5) has 3");
  EXPECT_EQ(message([&] { conv2d(x, w, Variable(Tensor({3}))); }),
            "conv2d: bias of shape (3,) for 4 output channels");
  EXPECT_EQ(message([&] {
              conv2d(x, Variable(Tensor({4, 3, 7, 7})), Variable());
            }),
            "conv2d: kernel 7x7 does not fit input (2, 3, 5, 5) with padding 0");
  EXPECT_EQ(message([&] { conv2d(x, w, Variable(), {.stride = 0}); }),
            "conv2d: stride must be >= 1, got 0");
  EXPECT_EQ(message([&] { conv2d(x, w, Variable(), {.padding = -1}); }),
            "conv2d: padding must be >= 0, got -1");
  EXPECT_EQ(message([&] { conv2d(x, w, Variable(), {.padding = 1, .pads = Conv2dPads{}}); }),
            "conv2d: give padding or pads, not both");
  EXPECT_EQ(message([&] { conv2d(x, w, Variable(), {.pads = Conv2dPads{.top = -1}}); }),
            "conv2d: pads must be >= 0, got top -1 bottom 0 left 0 right 0");
  EXPECT_EQ(message([&] {
              conv2d(x, Variable(Tensor({4, 3, 7, 7})), Variable(),
                     {.pads = Conv2dPads{.top = 1, .bottom = 0, .left = 1, .right = 0}});
            }),
            "conv2d: kernel 7x7 does not fit input (2, 3, 5, 5) with padding (top 1, bottom 0, "
            "left 1, right 0)");
  EXPECT_THROW(conv2d(x, Variable(Tensor({4, 3, 3})), Variable()), InvalidArgument);
}

}  // namespace
}  // namespace descent
