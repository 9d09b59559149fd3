#include "core/backend/cpu/gemm.h"

#include <cmath>
#include <cstdint>
#include <vector>

#include <gtest/gtest.h>

#include "core/parallel.h"
#include "core/random.h"

namespace descent {
namespace {

struct Case {
  std::int64_t m, n, k;
  const char* path;
};

// One shape on each of gemm's paths: OpenBLAS (under 2^14 multiply-adds), one oneDNN call on the
// calling thread (under 2^20), and the per-thread split by rows of C and by columns (C at least 4×
// wider than tall, as a convolution's W · col).
const Case kCases[] = {{10, 32, 16, "OpenBLAS"},
                       {128, 10, 128, "oneDNN, one call"},
                       {128, 256, 96, "split by rows"},
                       {16, 4099, 33, "split by columns"}};

// C = op(A)·op(B) + beta·C in double, with each element's sum of |terms| for the tolerance.
void reference(bool ta, bool tb, const Case& s, const std::vector<float>& a,
               const std::vector<float>& b, float beta, const std::vector<float>& c0,
               std::vector<double>& c, std::vector<double>& magnitude) {
  for (std::int64_t i = 0; i < s.m; ++i)
    for (std::int64_t j = 0; j < s.n; ++j) {
      double sum = double(beta) * c0[i * s.n + j], mag = std::abs(sum);
      for (std::int64_t p = 0; p < s.k; ++p) {
        const double term =
            double(ta ? a[p * s.m + i] : a[i * s.k + p]) * (tb ? b[j * s.k + p] : b[p * s.n + j]);
        sum += term;
        mag += std::abs(term);
      }
      c[i * s.n + j] = sum;
      magnitude[i * s.n + j] = mag;
    }
}

TEST(Gemm, EveryPathEveryTransposeAndBetaMatchesTheProductOnAnyThreadCount) {
  const int threads = num_threads();
  Rng rng(61);
  for (const Case& s : kCases) {
    std::vector<float> a(s.m * s.k), b(s.k * s.n), c0(s.m * s.n);
    for (float& v : a)
      v = static_cast<float>(rng.uniform(-1.0, 1.0));
    for (float& v : b)
      v = static_cast<float>(rng.uniform(-1.0, 1.0));
    for (float& v : c0)
      v = static_cast<float>(rng.uniform(-1.0, 1.0));
    std::vector<double> expected(c0.size()), magnitude(c0.size());
    for (const bool ta : {false, true})
      for (const bool tb : {false, true})
        for (const float beta : {0.0f, 1.0f}) {
          reference(ta, tb, s, a, b, beta, c0, expected, magnitude);
          for (const int t : {1, 2}) {
            set_num_threads(t);
            std::vector<float> c = c0;
            cpu::gemm(ta, tb, s.m, s.n, s.k, a.data(), b.data(), beta, c.data());
            for (std::size_t i = 0; i < c.size(); ++i)
              ASSERT_NEAR(c[i], expected[i], 1e-6 + 0x1p-22 * magnitude[i])
                  << s.path << ", " << (ta ? "Aᵀ" : "A") << "·" << (tb ? "Bᵀ" : "B") << ", beta "
                  << beta << ", " << t << " threads, element " << i;
          }
        }
  }
  set_num_threads(threads);
}

}  // namespace
}  // namespace descent
