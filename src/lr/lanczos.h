// The largest eigenvalues of a symmetric linear operator known only through products H·v (a
// Hessian, by Hessian-vector products), by the Lanczos iteration with full reorthogonalisation
// (Golub & Van Loan, "Matrix Computations", 4th ed., §10.1): after j products, the eigenvalues of
// the j×j tridiagonal matrix T_j (the Ritz values) approximate H's extreme eigenvalues, the
// largest first. Reorthogonalising each new vector against all earlier ones keeps the Ritz values
// from repeating (the "ghost" copies of plain Lanczos in floating point), at the price of keeping
// the j vectors.
#pragma once

#include <cstdint>
#include <functional>
#include <span>
#include <vector>

namespace descent {

// out = H·v for a vector of the operator's size.
using SymmetricProduct = std::function<void(std::span<const double> v, std::vector<double>& out)>;

struct LanczosResult {
  std::vector<double> eigenvalues;  // the k largest Ritz values, largest first
  std::vector<double> largest;      // the largest Ritz value after each product
  bool converged = false;           // every one of the k met the residual test
};

// The k largest eigenvalues of the size×size operator, with at most max_products products,
// starting from `start` (any non-zero vector of the size). It stops when each of the k Ritz
// values θ has the residual bound |β_j · s_j| ≤ tol · max(|θ|, 1e-12) (s_j the last entry of
// its eigenvector of T_j), or when the Krylov space is invariant. k is at most size and
// max_products (else InvalidArgument).
LanczosResult lanczos_top_eigenvalues(const SymmetricProduct& product, std::int64_t size, int k,
                                      int max_products, double tol, std::vector<double> start);

// Eigenvalues (ascending) and eigenvectors (columns of `vectors`, row-major n×n) of a symmetric
// n×n matrix by cyclic Jacobi rotations; for the small matrices T_j above.
void symmetric_eigen(std::vector<double> matrix, std::int64_t n, std::vector<double>& values,
                     std::vector<double>& vectors);

}  // namespace descent
