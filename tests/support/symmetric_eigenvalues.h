// Eigenvalues of a small symmetric matrix in double, by cyclic Jacobi rotations (Golub & Van Loan,
// Matrix Computations, 8.5): an outside truth for the sharpness tests, independent of power
// iteration.
#pragma once

#include <algorithm>
#include <cmath>
#include <vector>

namespace descent::testing {

using Matrix = std::vector<std::vector<double>>;

inline std::vector<double> symmetric_eigenvalues(Matrix a) {
  const std::size_t n = a.size();
  for (int sweep = 0; sweep < 100; ++sweep) {
    double off = 0.0, all = 0.0;
    for (std::size_t i = 0; i < n; ++i)
      for (std::size_t j = 0; j < n; ++j) {
        all += a[i][j] * a[i][j];
        if (i != j) off += a[i][j] * a[i][j];
      }
    if (off <= 1e-30 * all) break;
    for (std::size_t p = 0; p + 1 < n; ++p)
      for (std::size_t q = p + 1; q < n; ++q) {
        if (a[p][q] == 0.0) continue;
        // The rotation in the (p, q) plane that zeroes a[p][q].
        const double theta = (a[q][q] - a[p][p]) / (2.0 * a[p][q]);
        const double t =
            (theta >= 0 ? 1.0 : -1.0) / (std::abs(theta) + std::sqrt(theta * theta + 1.0));
        const double c = 1.0 / std::sqrt(t * t + 1.0), s = t * c;
        for (std::size_t k = 0; k < n; ++k) {
          const double kp = a[k][p], kq = a[k][q];
          a[k][p] = c * kp - s * kq;
          a[k][q] = s * kp + c * kq;
        }
        for (std::size_t k = 0; k < n; ++k) {
          const double pk = a[p][k], qk = a[q][k];
          a[p][k] = c * pk - s * qk;
          a[q][k] = s * pk + c * qk;
        }
      }
  }
  std::vector<double> out;
  for (std::size_t i = 0; i < n; ++i)
    out.push_back(a[i][i]);
  return out;
}

inline double largest_eigenvalue(const Matrix& a) {
  const std::vector<double> values = symmetric_eigenvalues(a);
  return *std::max_element(values.begin(), values.end());
}

// The exact Hessian of the mean squared error of a linear model y = xᵀw + b over n samples of d
// features (row-major in `x`): (2/n) Σ ẋẋᵀ with ẋ = (x, 1).
inline Matrix linear_least_squares_hessian(const std::vector<float>& x, std::size_t n,
                                           std::size_t d) {
  Matrix h(d + 1, std::vector<double>(d + 1, 0.0));
  std::vector<double> row(d + 1, 1.0);
  for (std::size_t i = 0; i < n; ++i) {
    for (std::size_t j = 0; j < d; ++j)
      row[j] = x[i * d + j];
    for (std::size_t a = 0; a <= d; ++a)
      for (std::size_t b = 0; b <= d; ++b)
        h[a][b] += 2.0 * row[a] * row[b] / static_cast<double>(n);
  }
  return h;
}

}  // namespace descent::testing
