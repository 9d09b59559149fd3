// Rng: a small, fast, portable random stream (xoshiro256**, seeded through splitmix64).
// Its distributions are written here rather than taken from <random>, whose normal and uniform
// distributions differ between standard libraries: a seed must give the same run everywhere.
// The state is four words, saved and restored exactly.
#pragma once

#include <array>
#include <cstdint>

namespace descent {

class Rng {
 public:
  explicit Rng(std::uint64_t seed = 0);

  std::uint64_t next();
  // Uniform in [0, 1).
  double uniform();
  // Uniform in [low, high).
  double uniform(double low, double high) { return low + (high - low) * uniform(); }
  // Standard normal (Box-Muller, no cached second value, so the state is just the four words).
  double normal();
  // Uniform integer in [0, n), without modulo bias.
  std::uint64_t below(std::uint64_t n);
  // An independent stream derived from this one (for per-layer or per-run streams).
  Rng split();

  using State = std::array<std::uint64_t, 4>;
  const State& state() const { return s_; }
  void set_state(const State& state) { s_ = state; }

 private:
  State s_{};
};

}  // namespace descent
