#include "lr/sharpness.h"

#include <chrono>
#include <cmath>
#include <fstream>
#include <limits>
#include <numeric>
#include <span>

#include <fmt/format.h>

#include "core/autograd.h"
#include "core/error.h"
#include "core/ops/elementwise.h"
#include "core/random.h"
#include "lr/lanczos.h"

namespace descent {
namespace {

// ε = step · max(‖w‖, 1). Differences of gradients (Hessian): truncation error grows as ε², float32
// round-off as 1/ε. Differences of outputs (Gauss-Newton): a ReLU switching inside ±ε adds an
// error that grows as ε, so a smaller step pays. docs/sharpness.md has the measurements.
constexpr double kHessianStep = 1e-3;
constexpr double kGaussNewtonStep = 1e-4;
// The step of the loss's own central difference in the outputs (Gauss-Newton), relative to the
// outputs' scale.
constexpr double kOutputStep = 3e-3;

double dot(std::span<const double> a, std::span<const double> b) {
  return std::inner_product(a.begin(), a.end(), b.begin(), 0.0);
}

// The model's trainable weights seen as one flat vector, in parameter order.
class FlatWeights {
 public:
  explicit FlatWeights(std::vector<Variable> params) : params_(std::move(params)) {
    for (const Variable& p : params_)
      size_ += p.value().size();
  }

  std::int64_t size() const { return size_; }
  const std::vector<Variable>& params() const { return params_; }

  // A flat vector cut into float32 tensors of the parameters' shapes.
  std::vector<Tensor> split(std::span<const double> v) const {
    std::vector<Tensor> parts;
    std::size_t at = 0;
    for (const Variable& p : params_) {
      Tensor part(p.shape());
      for (std::int64_t i = 0; i < part.size(); ++i)
        part[i] = static_cast<float>(v[at + static_cast<std::size_t>(i)]);
      at += static_cast<std::size_t>(part.size());
      parts.push_back(std::move(part));
    }
    return parts;
  }

  // out += scale · parts, parts in parameter order.
  static void add_scaled(const std::vector<Tensor>& parts, double scale, std::vector<double>& out) {
    std::size_t at = 0;
    for (const Tensor& part : parts)
      for (std::int64_t i = 0; i < part.size(); ++i)
        out[at++] += scale * part.at(i);
  }

  std::vector<float> read() const {
    std::vector<float> w;
    w.reserve(static_cast<std::size_t>(size_));
    for (const Variable& p : params_)
      w.insert(w.end(), p.value().data(), p.value().data() + p.value().size());
    return w;
  }

  void write(std::span<const float> w) {
    std::size_t at = 0;
    for (Variable& p : params_) {
      std::copy_n(w.begin() + static_cast<std::ptrdiff_t>(at), p.value().size(), p.value().data());
      at += static_cast<std::size_t>(p.value().size());
    }
  }

  // out += scale · (the gradients), then clears them for the next backward pass. A parameter
  // that the loss does not reach has no gradient, which adds nothing.
  void take_gradients(double scale, std::vector<double>& out) {
    std::size_t at = 0;
    for (Variable& p : params_) {
      if (p.has_grad()) {
        const Tensor& g = p.grad();
        for (std::int64_t i = 0; i < g.size(); ++i)
          out[at + static_cast<std::size_t>(i)] += scale * g[i];
      }
      at += static_cast<std::size_t>(p.value().size());
      p.zero_grad();
    }
  }

  void clear_gradients() {
    for (Variable& p : params_)
      p.zero_grad();
  }

 private:
  std::vector<Variable> params_;
  std::int64_t size_ = 0;
};

// Puts the weights back as they were (bitwise) and clears the gradients when it goes out of
// scope, also when an exception leaves estimate_sharpness.
class WeightRestorer {
 public:
  WeightRestorer(FlatWeights& weights, std::vector<float> saved)
      : weights_(weights), saved_(std::move(saved)) {}
  ~WeightRestorer() {
    weights_.write(saved_);
    weights_.clear_gradients();
  }
  WeightRestorer(const WeightRestorer&) = delete;
  WeightRestorer& operator=(const WeightRestorer&) = delete;

 private:
  FlatWeights& weights_;
  std::vector<float> saved_;
};

// Puts the running statistics (buffers) back as they were when it goes out of scope: a
// training-mode forward moves them.
class BufferRestorer {
 public:
  explicit BufferRestorer(const Model& model) : buffers_(model.buffers()) {
    for (const Buffer& b : buffers_)
      saved_.push_back(b.variable.value());  // a deep copy
  }
  ~BufferRestorer() {
    for (std::size_t i = 0; i < buffers_.size(); ++i)
      buffers_[i].variable.value() = saved_[i];
  }
  BufferRestorer(const BufferRestorer&) = delete;
  BufferRestorer& operator=(const BufferRestorer&) = delete;

 private:
  std::vector<Buffer> buffers_;
  std::vector<Tensor> saved_;
};

// Products C·u of the curvature C (the Hessian of the mean loss over the first n samples, or its
// Gauss-Newton part) with a direction u. `exact`: u = v, and each batch's H·v by automatic
// differentiation (core/autograd.h: the gradient of ∇L · v). The others by central differences
// around the weights w, with the direction float32 can realise near the requested unit vector v:
// u = (fl(w + εv) − fl(w − εv)) / 2ε, exact in double, so that rounding the perturbed weights
// changes the direction slightly instead of corrupting the product. Sums over batches are taken
// in double, each batch's mean weighted by its share of the n samples; dropout is off. The weight
// penalties' curvature is added exactly in every method, from their terms of the graph.
class CurvatureProduct {
 public:
  CurvatureProduct(Model& model, FlatWeights& weights, const Dataset& data, std::int64_t n,
                   std::int64_t batch_size, SharpnessCurvature kind, bool batch_statistics,
                   std::vector<float> w)
      : model_(model),
        weights_(weights),
        data_(data),
        indices_(static_cast<std::size_t>(n)),
        batch_size_(batch_size),
        kind_(kind),
        training_(batch_statistics),
        w_(std::move(w)),
        plus_(w_.size()),
        minus_(w_.size()) {
    std::iota(indices_.begin(), indices_.end(), std::int64_t{0});
    double norm2 = 0.0;
    for (float x : w_)
      norm2 += double(x) * x;
    epsilon_ = (kind == SharpnessCurvature::finite_difference ? kHessianStep : kGaussNewtonStep) *
               std::max(std::sqrt(norm2), 1.0);
  }

  double epsilon() const { return epsilon_; }

  // The preconditioner's P^-½ (empty: none): products become P^-½·C·P^-½·v.
  void precondition(std::span<const double> diagonal) {
    scale_.resize(diagonal.size());
    for (std::size_t i = 0; i < diagonal.size(); ++i)
      scale_[i] = 1.0 / std::sqrt(diagonal[i]);
  }

  // Writes the realised direction u (close to the unit vector v) and C·u (P^-½·C·P^-½ with a
  // preconditioner); leaves the model at w.
  void operator()(std::span<const double> v, std::vector<double>& u, std::vector<double>& cu) {
    if (scale_.empty()) return product(v, u, cu);
    scaled_.resize(v.size());
    for (std::size_t i = 0; i < v.size(); ++i)
      scaled_[i] = scale_[i] * v[i];
    product(scaled_, u, cu);
    for (std::size_t i = 0; i < v.size(); ++i) {
      u[i] /= scale_[i];
      cu[i] *= scale_[i];
    }
  }

 private:
  void product(std::span<const double> v, std::vector<double>& u, std::vector<double>& cu) {
    const std::size_t p = w_.size();
    if (kind_ == SharpnessCurvature::exact) {
      u.assign(v.begin(), v.end());
      exact_product(u, cu);
      add_penalty_product(u, cu);
      return;
    }
    u.resize(p);
    for (std::size_t i = 0; i < p; ++i) {
      plus_[i] = static_cast<float>(w_[i] + epsilon_ * v[i]);
      minus_[i] = static_cast<float>(w_[i] - epsilon_ * v[i]);
      u[i] = (double(plus_[i]) - double(minus_[i])) / (2.0 * epsilon_);
    }
    if (kind_ == SharpnessCurvature::finite_difference) {
      gradient(plus_, g_plus_);
      gradient(minus_, g_minus_);
      cu.resize(p);
      for (std::size_t i = 0; i < p; ++i)
        cu[i] = (g_plus_[i] - g_minus_[i]) / (2.0 * epsilon_);
    } else {
      gauss_newton_product(cu);
    }
    weights_.write(w_);
    add_penalty_product(u, cu);
  }

  // Calls f(x, y, share) for each batch of the n samples, share = batch size / n.
  template <typename F>
  void for_each_batch(F&& f) {
    const auto n = static_cast<std::int64_t>(indices_.size());
    for (std::int64_t start = 0; start < n; start += batch_size_) {
      const std::int64_t k = std::min(batch_size_, n - start);
      data_.gather(
          std::span(indices_).subspan(static_cast<std::size_t>(start), static_cast<std::size_t>(k)),
          x_.value(), y_);
      f(static_cast<double>(k) / static_cast<double>(n));
    }
  }

  Variable loss_of(const Variable& prediction) {
    Variable loss = model_.loss()(prediction, y_);
    if (const double value = loss.item(); !std::isfinite(value))
      throw Diverged(
          fmt::format("sharpness: the training loss is {} next to these weights", value));
    return loss;
  }

  // H·v over the batches: per batch, the gradient with create_graph, then its product with v.
  void exact_product(std::span<const double> v, std::vector<double>& hv) {
    const std::vector<Tensor> parts = weights_.split(v);
    hv.assign(w_.size(), 0.0);
    for_each_batch([&](double share) {
      const Variable loss = loss_of(model_.forward(x_, training_));
      FlatWeights::add_scaled(hvp(loss, weights_.params(), parts), share, hv);
    });
  }

  // cu += (the penalties' Hessian)·u, exactly: 2·l2 on L2-penalised weights, 0 for L1 (also at a
  // weight of exactly 0, where a difference of its gradient sign(w) would spike by l1/ε).
  void add_penalty_product(std::span<const double> u, std::vector<double>& cu) {
    const Variable total = model_.penalty();
    if (!total.defined()) return;
    FlatWeights::add_scaled(hvp(total, weights_.params(), weights_.split(u)), 1.0, cu);
  }

  // g = ∇L(w), the gradient of the mean loss.
  void gradient(std::span<const float> w, std::vector<double>& g) {
    weights_.write(w);
    weights_.clear_gradients();
    g.assign(w_.size(), 0.0);
    for_each_batch([&](double share) {
      loss_of(model_.forward(x_, training_)).backward();
      weights_.take_gradients(share, g);
    });
  }

  // G·u = Jᵀ H_ℓ J u (J: the outputs' Jacobian, H_ℓ: the loss's Hessian in the outputs): J·u from
  // central differences of the outputs, which are continuous even where ReLU or max-pooling
  // switch; H_ℓ·(J·u) from central differences of the loss gradient in the outputs; Jᵀ by a
  // backward pass seeded with it.
  void gauss_newton_product(std::vector<double>& gu) {
    weights_.clear_gradients();
    gu.assign(w_.size(), 0.0);
    for_each_batch([&](double share) {
      {
        const NoGradGuard no_grad;
        weights_.write(plus_);
        outputs_plus_ = model_.forward(x_, training_).value();
        weights_.write(minus_);
        outputs_minus_ = model_.forward(x_, training_).value();
      }
      weights_.write(w_);
      Variable outputs = model_.forward(x_, training_);
      loss_of(outputs);
      Tensor& ju = outputs_plus_;
      for (std::int64_t i = 0; i < ju.size(); ++i)
        ju[i] = static_cast<float>((double(ju[i]) - outputs_minus_[i]) / (2.0 * epsilon_));
      outputs.backward(loss_hessian_product(outputs.value(), ju));
      weights_.take_gradients(share, gu);
    });
  }

  // H_ℓ·d at the outputs f, by central differences of the loss gradient in the outputs with a
  // step that moves the largest output by kOutputStep · max(1, |f|∞).
  Tensor loss_hessian_product(const Tensor& f, const Tensor& d) {
    float f_max = 1.0f, d_max = 0.0f;
    for (std::int64_t i = 0; i < f.size(); ++i) {
      f_max = std::max(f_max, std::abs(f[i]));
      d_max = std::max(d_max, std::abs(d[i]));
    }
    Tensor out(f.shape(), 0.0f);
    if (d_max == 0.0f) return out;
    const double delta = kOutputStep * f_max / d_max;
    const auto gradient_at = [&](double sign) {
      Variable moved(f, true);
      for (std::int64_t i = 0; i < f.size(); ++i)
        moved.value()[i] = static_cast<float>(f[i] + sign * delta * d[i]);
      loss_of(moved).backward();
      return moved.grad();
    };
    const Tensor plus = gradient_at(1.0), minus = gradient_at(-1.0);
    for (std::int64_t i = 0; i < f.size(); ++i)
      out[i] = static_cast<float>((double(plus[i]) - minus[i]) / (2.0 * delta));
    return out;
  }

  Model& model_;
  FlatWeights& weights_;
  const Dataset& data_;
  std::vector<std::int64_t> indices_;
  std::int64_t batch_size_;
  SharpnessCurvature kind_;
  // Training-mode forward: BatchNormalization on the batch's statistics (dropout was refused).
  bool training_;
  std::vector<float> w_;
  double epsilon_ = 0.0;
  std::vector<float> plus_, minus_;
  std::vector<double> g_plus_, g_minus_;
  std::vector<double> scale_, scaled_;
  Variable x_{Tensor(), false};
  Tensor y_, outputs_plus_, outputs_minus_;
};

struct PhaseResult {
  double estimate = 0.0;  // Rayleigh quotient of H + shift·I at the last iteration
  bool converged = false;
};

// Power iteration on H + shift·I from a random start; appends each λ estimate (the Rayleigh
// quotient minus the shift) to `estimates`. The relative change is measured on the shifted
// quotient, which stays away from 0 when λmax itself is near 0.
PhaseResult power_iteration(CurvatureProduct& product, std::int64_t size, double shift, Rng& rng,
                            const SharpnessOptions& options, std::vector<double>& estimates) {
  std::vector<double> v(static_cast<std::size_t>(size)), u, hu;
  for (double& x : v)
    x = rng.normal();
  double norm = std::sqrt(dot(v, v));
  for (double& x : v)
    x /= norm;
  const auto start = std::chrono::steady_clock::now();
  PhaseResult result;
  for (int k = 1; k <= options.max_iters; ++k) {
    product(v, u, hu);
    for (std::size_t i = 0; i < hu.size(); ++i)
      hu[i] += shift * u[i];
    const double quotient = dot(u, hu) / dot(u, u);
    const double change =
        k == 1 ? std::numeric_limits<double>::infinity()
               : std::abs(quotient - result.estimate) / std::max(std::abs(quotient), 1e-300);
    result.estimate = quotient;
    estimates.push_back(quotient - shift);
    if (options.verbose > 0)
      fmt::print(
          stderr,
          "sharpness: iteration {:>3}/{}{}: λmax ≈ {:.6g}, relative change {:.2e}, {:.1f} s\n", k,
          options.max_iters,
          shift != 0.0 ? fmt::format(" (shifted by {:.4g})", shift) : std::string(),
          quotient - shift, change,
          std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
    norm = std::sqrt(dot(hu, hu));
    if (change < options.tol || norm == 0.0) {
      result.converged = true;
      break;
    }
    for (std::size_t i = 0; i < v.size(); ++i)
      v[i] = hu[i] / norm;
  }
  return result;
}

std::string batch_statistics_note(std::int64_t batch_size) {
  return fmt::format("; BatchNormalization on the statistics of each batch of {}", batch_size);
}

void check_options(const SharpnessOptions& o, const Dataset& data) {
  if (data.size() == 0) throw InvalidArgument("sharpness: the data set has no samples");
  if (o.samples < 0 || o.samples > data.size())
    throw InvalidArgument(fmt::format(
        "sharpness: samples must be in [0, {}] (0: all of them), got {}", data.size(), o.samples));
  if (o.batch_size < 1)
    throw InvalidArgument(fmt::format("sharpness: batch size must be >= 1, got {}", o.batch_size));
  if (o.max_iters < 1)
    throw InvalidArgument(fmt::format("sharpness: iterations must be >= 1, got {}", o.max_iters));
  if (!(std::isfinite(o.tol) && o.tol >= 0.0))
    throw InvalidArgument(fmt::format("sharpness: tol must be finite and >= 0, got {}", o.tol));
  for (double p : o.preconditioner)
    if (!(std::isfinite(p) && p > 0.0))
      throw InvalidArgument(
          fmt::format("sharpness: a preconditioner value must be finite and > 0, got {}", p));
  if (o.top < 1 || o.top > o.max_iters)
    throw InvalidArgument(
        fmt::format("sharpness: top must be in [1, iterations {}], got {}", o.max_iters, o.top));
}

// The top eigenvalues by Lanczos on the curvature products (their realised direction u is v up to
// float32 rounding of the perturbed weights, which Lanczos tolerates like any small error).
void lanczos_phase(CurvatureProduct& product, std::int64_t size, Rng& rng,
                   const SharpnessOptions& options, SharpnessResult& result) {
  std::vector<double> start(static_cast<std::size_t>(size)), u;
  for (double& x : start)
    x = rng.normal();
  const auto begin = std::chrono::steady_clock::now();
  int products = 0;
  const LanczosResult lanczos = lanczos_top_eigenvalues(
      [&](std::span<const double> v, std::vector<double>& hv) {
        product(v, u, hv);
        if (options.verbose > 0)
          fmt::print(
              stderr, "sharpness: Lanczos product {:>3}/{}, {:.1f} s\n", ++products,
              options.max_iters,
              std::chrono::duration<double>(std::chrono::steady_clock::now() - begin).count());
      },
      size, options.top, options.max_iters, options.tol, std::move(start));
  result.top = lanczos.eigenvalues;
  result.estimates = lanczos.largest;
  result.lambda_max = lanczos.eigenvalues.front();
  result.converged = lanczos.converged;
}

}  // namespace

std::string to_string(SharpnessCurvature curvature) {
  switch (curvature) {
    case SharpnessCurvature::exact:
      return "exact";
    case SharpnessCurvature::finite_difference:
      return "finite-difference";
    case SharpnessCurvature::gauss_newton:
      return "gauss-newton";
  }
  return {};
}

std::optional<SharpnessCurvature> parse_sharpness_method(std::string_view name) {
  for (SharpnessCurvature c : {SharpnessCurvature::exact, SharpnessCurvature::finite_difference,
                               SharpnessCurvature::gauss_newton})
    if (to_string(c) == name) return c;
  return std::nullopt;
}

double heavy_ball_momentum(const Optimizer& optimizer) {
  return optimizer.name() == "sgd" ? optimizer.momentum().value_or(0.0) : 0.0;
}

double SharpnessResult::lr_bound(double momentum) const {
  if (!(momentum >= 0.0 && momentum < 1.0))
    throw InvalidArgument(fmt::format("momentum must be in [0, 1), got {}", momentum));
  if (lambda_max <= 0.0) return std::numeric_limits<double>::infinity();
  return 2.0 * (1.0 + momentum) / lambda_max;
}

nlohmann::json SharpnessResult::to_json(double momentum) const {
  const auto number = [](double x) {
    return std::isfinite(x) ? nlohmann::json(x) : nlohmann::json();
  };
  nlohmann::json curve = nlohmann::json::array();
  for (double e : estimates)
    curve.push_back(number(e));
  nlohmann::json top_values = nlohmann::json::array();
  for (double e : top)
    top_values.push_back(number(e));
  return {{"lambda_max", number(lambda_max)},
          {"top_eigenvalues", top_values},
          {"lr_bound", number(lr_bound())},
          {"momentum", momentum},
          {"lr_bound_momentum", number(lr_bound(momentum))},
          {"estimates", curve},
          {"converged", converged},
          {"samples", samples},
          {"method", method},
          {"curvature", to_string(curvature)}};
}

SharpnessResult estimate_sharpness(Model& model, const Dataset& data,
                                   const SharpnessOptions& options) {
  check_options(options, data);
  model.loss();  // throws when the model is not compiled
  model.build(data.sample_shape);
  FlatWeights weights(model.trainable_variables());
  if (weights.size() == 0) throw InvalidArgument("sharpness: the model has no trainable weights");
  if (!options.preconditioner.empty() &&
      static_cast<std::int64_t>(options.preconditioner.size()) != weights.size())
    throw InvalidArgument(fmt::format("sharpness: a preconditioner of {} values for {} weights",
                                      options.preconditioner.size(), weights.size()));
  if (options.top > weights.size())
    throw InvalidArgument(
        fmt::format("sharpness: top {} is more than the {} weights", options.top, weights.size()));
  if (options.batch_statistics)
    for (const auto& layer : model.layers())
      if (layer->random_stream())
        throw InvalidArgument(fmt::format(
            "sharpness: batch statistics need the training-mode forward, where layer '{}' draws "
            "random numbers; remove it or use the running statistics",
            layer->name()));
  const std::vector<float> w = weights.read();
  const WeightRestorer restorer(weights, w);
  const BufferRestorer buffer_restorer(model);

  SharpnessResult result;
  result.samples = options.samples == 0 ? data.size() : options.samples;
  result.curvature = options.curvature;
  CurvatureProduct product(model, weights, data, result.samples, options.batch_size,
                           result.curvature, options.batch_statistics, w);
  if (!options.preconditioner.empty()) product.precondition(options.preconditioner);
  Rng rng(options.seed);
  if (options.top > 1) {
    lanczos_phase(product, weights.size(), rng, options, result);
    result.method = fmt::format(
        "the {} largest eigenvalues by Lanczos (full reorthogonalisation) on {}", options.top,
        to_string(result.curvature) == "exact" ? "exact Hessian-vector products"
                                               : to_string(result.curvature) + " products");
    result.method += fmt::format(", {} samples, dropout off", result.samples);
    if (options.batch_statistics) result.method += batch_statistics_note(options.batch_size);
    return result;
  }

  PhaseResult phase = power_iteration(product, weights.size(), 0.0, rng, options, result.estimates);
  result.method =
      result.curvature == SharpnessCurvature::exact
          ? fmt::format(
                "power iteration on exact Hessian-vector products (automatic "
                "differentiation of the gradient), {} samples, dropout off",
                result.samples)
          : fmt::format(
                "power iteration on {} from central differences (ε = {:.3g}), {} samples, "
                "dropout off",
                result.curvature == SharpnessCurvature::finite_difference
                    ? "Hessian-vector products of full-set gradients"
                    : "Gauss-Newton-vector products (outputs' Jacobian, loss Hessian)",
                product.epsilon(), result.samples);
  if (phase.estimate < 0.0) {
    const double shift = -phase.estimate;
    result.method += fmt::format(
        "; the dominant eigenvalue was negative ({:.4g}), so λmax came from a second iteration "
        "shifted by +{:.4g}",
        phase.estimate, shift);
    phase = power_iteration(product, weights.size(), shift, rng, options, result.estimates);
    phase.estimate -= shift;
  }
  if (!options.preconditioner.empty())
    result.method += "; of the preconditioned curvature P^-½·H·P^-½ (the optimizer's P)";
  if (options.batch_statistics) result.method += batch_statistics_note(options.batch_size);
  result.lambda_max = phase.estimate;
  result.top = {phase.estimate};
  result.converged = phase.converged;
  return result;
}

void write_sharpness_csv(const SharpnessResult& result, const std::filesystem::path& path) {
  std::ofstream out(path);
  out << "iteration,lambda_max\n";
  for (std::size_t i = 0; i < result.estimates.size(); ++i)
    out << fmt::format("{},{}\n", i + 1, result.estimates[i]);
  if (!out) throw IoError(fmt::format("cannot write {}", path.string()));
}

}  // namespace descent
