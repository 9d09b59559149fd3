#include "lr/lanczos.h"

#include <algorithm>
#include <cmath>
#include <numeric>

#include <fmt/format.h>

#include "core/error.h"

namespace descent {
namespace {

double inner(std::span<const double> a, std::span<const double> b) {
  return std::inner_product(a.begin(), a.end(), b.begin(), 0.0);
}

}  // namespace

void symmetric_eigen(std::vector<double> a, std::int64_t n, std::vector<double>& values,
                     std::vector<double>& vectors) {
  const auto at = [n](std::int64_t i, std::int64_t j) {
    return static_cast<std::size_t>(i * n + j);
  };
  vectors.assign(static_cast<std::size_t>(n * n), 0.0);
  for (std::int64_t i = 0; i < n; ++i)
    vectors[at(i, i)] = 1.0;
  for (int sweep = 0; sweep < 100; ++sweep) {
    double off = 0.0, total = 0.0;
    for (std::int64_t i = 0; i < n; ++i)
      for (std::int64_t j = 0; j < n; ++j) {
        total += a[at(i, j)] * a[at(i, j)];
        if (i != j) off += a[at(i, j)] * a[at(i, j)];
      }
    if (off <= 1e-30 * total || off == 0.0) break;
    for (std::int64_t p = 0; p < n; ++p)
      for (std::int64_t q = p + 1; q < n; ++q) {
        if (a[at(p, q)] == 0.0) continue;
        // The rotation that zeroes a_pq (the stable form of the angle).
        const double theta = (a[at(q, q)] - a[at(p, p)]) / (2.0 * a[at(p, q)]);
        const double t =
            (theta >= 0 ? 1.0 : -1.0) / (std::abs(theta) + std::sqrt(theta * theta + 1.0));
        const double c = 1.0 / std::sqrt(t * t + 1.0), s = t * c;
        for (std::int64_t k = 0; k < n; ++k) {  // columns p and q
          const double akp = a[at(k, p)], akq = a[at(k, q)];
          a[at(k, p)] = c * akp - s * akq;
          a[at(k, q)] = s * akp + c * akq;
        }
        for (std::int64_t k = 0; k < n; ++k) {  // rows p and q
          const double apk = a[at(p, k)], aqk = a[at(q, k)];
          a[at(p, k)] = c * apk - s * aqk;
          a[at(q, k)] = s * apk + c * aqk;
        }
        for (std::int64_t k = 0; k < n; ++k) {
          const double vkp = vectors[at(k, p)], vkq = vectors[at(k, q)];
          vectors[at(k, p)] = c * vkp - s * vkq;
          vectors[at(k, q)] = s * vkp + c * vkq;
        }
      }
  }
  // Sort ascending, columns with them.
  std::vector<std::int64_t> order(static_cast<std::size_t>(n));
  std::iota(order.begin(), order.end(), std::int64_t{0});
  std::sort(order.begin(), order.end(),
            [&](std::int64_t x, std::int64_t y) { return a[at(x, x)] < a[at(y, y)]; });
  values.resize(static_cast<std::size_t>(n));
  std::vector<double> sorted(vectors.size());
  for (std::int64_t c = 0; c < n; ++c) {
    values[static_cast<std::size_t>(c)] = a[at(order[c], order[c])];
    for (std::int64_t r = 0; r < n; ++r)
      sorted[at(r, c)] = vectors[at(r, order[c])];
  }
  vectors = std::move(sorted);
}

LanczosResult lanczos_top_eigenvalues(const SymmetricProduct& product, std::int64_t size, int k,
                                      int max_products, double tol, std::vector<double> start) {
  if (k < 1 || k > size || k > max_products)
    throw InvalidArgument(fmt::format("lanczos: k = {} must be in [1, min(size {}, products {})]",
                                      k, size, max_products));
  const double start_norm = std::sqrt(inner(start, start));
  if (!(start_norm > 0.0)) throw InvalidArgument("lanczos: the start vector is zero");
  for (double& x : start)
    x /= start_norm;

  std::vector<std::vector<double>> q{std::move(start)};
  std::vector<double> alpha, beta, w, values, vectors;
  LanczosResult result;
  const auto steps = static_cast<int>(std::min<std::int64_t>(max_products, size));
  for (int j = 0; j < steps; ++j) {
    product(q[static_cast<std::size_t>(j)], w);
    alpha.push_back(inner(q[static_cast<std::size_t>(j)], w));
    // Full reorthogonalisation, twice ("twice is enough": Parlett).
    for (int pass = 0; pass < 2; ++pass)
      for (const std::vector<double>& qi : q) {
        const double c = inner(qi, w);
        for (std::size_t i = 0; i < w.size(); ++i)
          w[i] -= c * qi[i];
      }
    const double b = std::sqrt(inner(w, w));

    const auto m = static_cast<std::int64_t>(alpha.size());
    std::vector<double> t(static_cast<std::size_t>(m * m), 0.0);
    for (std::int64_t i = 0; i < m; ++i) {
      t[static_cast<std::size_t>(i * m + i)] = alpha[static_cast<std::size_t>(i)];
      if (i + 1 < m)
        t[static_cast<std::size_t>(i * m + i + 1)] = t[static_cast<std::size_t>((i + 1) * m + i)] =
            beta[static_cast<std::size_t>(i)];
    }
    symmetric_eigen(std::move(t), m, values, vectors);
    result.largest.push_back(values.back());

    const bool invariant = b <= 1e-12 * std::abs(values.back()) || b == 0.0;
    if (m >= k) {
      bool all = true;
      for (int i = 0; i < k; ++i) {
        const std::int64_t column = m - 1 - i;
        const double theta = values[static_cast<std::size_t>(column)];
        const double residual =
            b * std::abs(vectors[static_cast<std::size_t>((m - 1) * m + column)]);
        all = all && residual <= tol * std::max(std::abs(theta), 1e-12);
      }
      if (all || invariant) {
        result.converged = true;
        break;
      }
    }
    if (invariant) break;
    beta.push_back(b);
    for (double& x : w)
      x /= b;
    q.push_back(w);
  }
  const auto m = static_cast<std::int64_t>(values.size());
  for (int i = 0; i < k && i < m; ++i)
    result.eigenvalues.push_back(values[static_cast<std::size_t>(m - 1 - i)]);
  return result;
}

}  // namespace descent
