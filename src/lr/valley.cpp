#include "lr/valley.h"

#include <algorithm>
#include <cmath>
#include <fstream>
#include <limits>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "core/error.h"
#include "optim/make_optimizer.h"

namespace descent {
namespace {

double norm(std::span<const double> v) {
  double s = 0.0;
  for (double e : v)
    s += e * e;
  return std::sqrt(s);
}

double distance(std::span<const double> a, std::span<const double> b) {
  double s = 0.0;
  for (std::size_t i = 0; i < a.size(); ++i)
    s += (a[i] - b[i]) * (a[i] - b[i]);
  return std::sqrt(s);
}

bool all_finite(std::span<const double> v) {
  return std::all_of(v.begin(), v.end(), [](double e) { return std::isfinite(e); });
}

double blowup_limit(double f0) {
  return 1e6 * (std::abs(f0) + 1.0);
}

}  // namespace

const std::vector<std::string_view>& valley_function_names() {
  static const std::vector<std::string_view> names = {
      "quadratic", "quartic", "double-well", "elongated", "rosenbrock", "beale", "himmelblau"};
  return names;
}

ValleyFunction::ValleyFunction(std::string_view name, double a, double b) : a_(a), b_(b) {
  const auto& names = valley_function_names();
  const auto it = std::find(names.begin(), names.end(), name);
  if (it == names.end())
    throw InvalidArgument(
        fmt::format("unknown function '{}' (known: {})", name, fmt::join(names, ", ")));
  kind_ = static_cast<ValleyFunctionKind>(it - names.begin());
  if (!(std::isfinite(a) && a > 0.0))
    throw InvalidArgument(fmt::format("curvature a must be finite and > 0, got {}", a));
  if (!(std::isfinite(b) && b > 0.0))
    throw InvalidArgument(fmt::format("curvature b must be finite and > 0, got {}", b));
}

std::string ValleyFunction::name() const {
  return std::string(valley_function_names()[static_cast<std::size_t>(kind_)]);
}

std::string ValleyFunction::formula() const {
  switch (kind_) {
    case ValleyFunctionKind::quadratic:
      return fmt::format("({:g}/2)x²", a_);
    case ValleyFunctionKind::quartic:
      return "x⁴/4";
    case ValleyFunctionKind::double_well:
      return "(x² − 1)²";
    case ValleyFunctionKind::elongated:
      return fmt::format("({:g}/2)x² + ({:g}/2)y²", a_, b_);
    case ValleyFunctionKind::rosenbrock:
      return "(1 − x)² + 100(y − x²)²";
    case ValleyFunctionKind::beale:
      return "Beale";
    case ValleyFunctionKind::himmelblau:
      return "(x² + y − 11)² + (x + y² − 7)²";
  }
  return {};
}

std::size_t ValleyFunction::dims() const {
  switch (kind_) {
    case ValleyFunctionKind::quadratic:
    case ValleyFunctionKind::quartic:
    case ValleyFunctionKind::double_well:
      return 1;
    default:
      return 2;
  }
}

double ValleyFunction::value(std::span<const double> p) const {
  const double x = p[0];
  const double y = p.size() > 1 ? p[1] : 0.0;
  switch (kind_) {
    case ValleyFunctionKind::quadratic:
      return 0.5 * a_ * x * x;
    case ValleyFunctionKind::quartic:
      return 0.25 * x * x * x * x;
    case ValleyFunctionKind::double_well:
      return (x * x - 1.0) * (x * x - 1.0);
    case ValleyFunctionKind::elongated:
      return 0.5 * a_ * x * x + 0.5 * b_ * y * y;
    case ValleyFunctionKind::rosenbrock:
      return (1.0 - x) * (1.0 - x) + 100.0 * (y - x * x) * (y - x * x);
    case ValleyFunctionKind::beale: {
      const double t1 = 1.5 - x + x * y, t2 = 2.25 - x + x * y * y, t3 = 2.625 - x + x * y * y * y;
      return t1 * t1 + t2 * t2 + t3 * t3;
    }
    case ValleyFunctionKind::himmelblau: {
      const double u = x * x + y - 11.0, v = x + y * y - 7.0;
      return u * u + v * v;
    }
  }
  return 0.0;
}

void ValleyFunction::gradient(std::span<const double> p, std::span<double> g) const {
  const double x = p[0];
  const double y = p.size() > 1 ? p[1] : 0.0;
  switch (kind_) {
    case ValleyFunctionKind::quadratic:
      g[0] = a_ * x;
      return;
    case ValleyFunctionKind::quartic:
      g[0] = x * x * x;
      return;
    case ValleyFunctionKind::double_well:
      g[0] = 4.0 * x * (x * x - 1.0);
      return;
    case ValleyFunctionKind::elongated:
      g[0] = a_ * x;
      g[1] = b_ * y;
      return;
    case ValleyFunctionKind::rosenbrock:
      g[0] = -2.0 * (1.0 - x) - 400.0 * x * (y - x * x);
      g[1] = 200.0 * (y - x * x);
      return;
    case ValleyFunctionKind::beale: {
      const double t1 = 1.5 - x + x * y, t2 = 2.25 - x + x * y * y, t3 = 2.625 - x + x * y * y * y;
      g[0] = 2.0 * (t1 * (y - 1.0) + t2 * (y * y - 1.0) + t3 * (y * y * y - 1.0));
      g[1] = 2.0 * (t1 * x + t2 * 2.0 * x * y + t3 * 3.0 * x * y * y);
      return;
    }
    case ValleyFunctionKind::himmelblau: {
      const double u = x * x + y - 11.0, v = x + y * y - 7.0;
      g[0] = 4.0 * x * u + 2.0 * v;
      g[1] = 2.0 * u + 4.0 * y * v;
      return;
    }
  }
}

std::vector<std::vector<double>> ValleyFunction::minima() const {
  switch (kind_) {
    case ValleyFunctionKind::quadratic:
    case ValleyFunctionKind::quartic:
      return {{0.0}};
    case ValleyFunctionKind::double_well:
      return {{-1.0}, {1.0}};
    case ValleyFunctionKind::elongated:
      return {{0.0, 0.0}};
    case ValleyFunctionKind::rosenbrock:
      return {{1.0, 1.0}};
    case ValleyFunctionKind::beale:
      return {{3.0, 0.5}};
    case ValleyFunctionKind::himmelblau:
      return {{3.0, 2.0},
              {-2.805118086952745, 3.131312518250573},
              {-3.779310253377747, -3.283185991286170},
              {3.584428340330492, -1.848126526964404}};
  }
  return {};
}

std::vector<double> ValleyFunction::nearest_minimum(std::span<const double> x) const {
  std::vector<double> best;
  double best_distance = std::numeric_limits<double>::infinity();
  for (auto& m : minima()) {
    const double d = distance(x, m);
    if (best.empty() || d < best_distance) {
      best_distance = d;
      best = m;
    }
  }
  return best;
}

std::vector<double> ValleyFunction::default_start() const {
  switch (kind_) {
    case ValleyFunctionKind::double_well:
      return {2.0};
    case ValleyFunctionKind::elongated:
      return {1.0, 1.0};
    case ValleyFunctionKind::rosenbrock:
      return {-1.5, 2.0};
    case ValleyFunctionKind::beale:
      return {1.0, 1.0};
    case ValleyFunctionKind::himmelblau:
      return {0.0, 0.0};
    default:
      return {1.0};
  }
}

std::optional<double> ValleyFunction::max_curvature() const {
  if (kind_ == ValleyFunctionKind::quadratic) return a_;
  if (kind_ == ValleyFunctionKind::elongated) return std::max(a_, b_);
  return std::nullopt;
}

std::optional<double> stable_lr_bound(const ValleyFunction& f, std::string_view optimizer,
                                      const nlohmann::json& config) {
  const auto curvature = f.max_curvature();
  if (!curvature || optimizer != "sgd") return std::nullopt;
  const nlohmann::json empty = nlohmann::json::object();
  const nlohmann::json& c = config.is_object() ? config : empty;
  const double mu = c.value("momentum", 0.0);
  const double tau = c.value("dampening", 0.0);
  const double lambda = c.value("weight_decay", 0.0);
  const bool nesterov = c.value("nesterov", false);
  const double L = *curvature + lambda;
  double bound = 2.0 * (1.0 + mu) / (L * (1.0 - tau));
  if (nesterov) bound /= 1.0 + 2.0 * mu;
  return bound;
}

std::string to_string(ValleyLabel label) {
  switch (label) {
    case ValleyLabel::converged:
      return "converged";
    case ValleyLabel::oscillating:
      return "oscillating";
    case ValleyLabel::diverged:
      return "diverged";
    case ValleyLabel::barely_moved:
      return "barely moved";
    case ValleyLabel::slow:
      return "slow";
  }
  return {};
}

ValleyRun run_valley(const ValleyFunction& f, std::span<const double> start, int steps,
                     std::string_view optimizer, const nlohmann::json& hyperparameters, double lr) {
  if (start.size() != f.dims())
    throw InvalidArgument(fmt::format("{} takes a start of {} coordinate(s), got {}", f.name(),
                                      f.dims(), start.size()));
  if (!all_finite(start)) throw InvalidArgument("the start must be finite");
  if (!(std::isfinite(lr) && lr > 0.0))
    throw InvalidArgument(fmt::format("learning rate must be finite and > 0, got {}", lr));
  if (steps < 1) throw InvalidArgument(fmt::format("steps must be >= 1, got {}", steps));
  nlohmann::json h = hyperparameters.is_null() ? nlohmann::json::object() : hyperparameters;
  h["lr"] = lr;
  auto opt = make_basic_optimizer<double>(optimizer, h);

  ValleyRun run;
  run.lr = lr;
  std::vector<double> x(start.begin(), start.end()), g(x.size());
  f.gradient(x, g);
  const double f0 = f.value(x);
  // Nothing can be learned (or drawn) from a start where f overflows: 1e308 for the quadratic.
  if (!std::isfinite(f0))
    throw InvalidArgument(fmt::format("{} is not finite at the start ({}): start nearer a minimum",
                                      f.name(), fmt::join(start, ",")));
  run.points.push_back({0, x, f0, norm(g)});
  for (int k = 1; k <= steps; ++k) {
    opt->step(std::span<double>(x), std::span<double>(g));
    const double fx = f.value(x);
    f.gradient(x, g);
    run.points.push_back({k, x, fx, norm(g)});
    if (!all_finite(x) || !std::isfinite(fx) || fx > blowup_limit(f0)) break;
  }
  run.label = label_valley_run(f, run.points);
  return run;
}

ValleyLabel label_valley_run(const ValleyFunction& f, const std::vector<ValleyPoint>& points) {
  const ValleyPoint& first = points.front();
  const ValleyPoint& last = points.back();
  const double f0 = first.f;
  for (const auto& p : points)
    if (!all_finite(p.x) || !std::isfinite(p.f) || p.f > blowup_limit(f0))
      return ValleyLabel::diverged;
  if (last.f > f0) return ValleyLabel::diverged;

  const std::vector<double> target = f.nearest_minimum(first.x);
  const double start_distance = distance(first.x, target);
  const double significant = 1e-9 * (start_distance + 1e-12);
  bool reversed = false;
  for (std::size_t k = 2; k < points.size() && !reversed; ++k) {
    double dot = 0.0, before = 0.0, after = 0.0;
    for (std::size_t i = 0; i < first.x.size(); ++i) {
      const double d1 = points[k - 1].x[i] - points[k - 2].x[i];
      const double d2 = points[k].x[i] - points[k - 1].x[i];
      dot += d1 * d2;
      before += d1 * d1;
      after += d2 * d2;
    }
    reversed = dot < 0.0 && std::sqrt(before) > significant && std::sqrt(after) > significant;
  }
  const double end_distance = distance(last.x, f.nearest_minimum(last.x));
  if (reversed && end_distance < start_distance) return ValleyLabel::oscillating;

  if (last.grad_norm < 1e-3 * (first.grad_norm + 1e-12) || last.f <= 1e-6 * (f0 + 1e-12))
    return ValleyLabel::converged;
  if (distance(last.x, first.x) < 1e-3 * start_distance) return ValleyLabel::barely_moved;
  return ValleyLabel::slow;
}

void write_valley_csv(const ValleyFunction& f, const std::vector<ValleyRun>& runs,
                      const std::filesystem::path& path) {
  std::ofstream out(path);
  if (!out) throw IoError(fmt::format("cannot write {}", path.string()));
  out << (f.dims() == 1 ? "step,x,f,grad_norm,lr\n" : "step,x,y,f,grad_norm,lr\n");
  for (const auto& run : runs)
    for (const auto& p : run.points) {
      out << p.step;
      for (double c : p.x)
        out << fmt::format(",{:.17g}", c);
      out << fmt::format(",{:.17g},{:.17g},{:.17g}\n", p.f, p.grad_norm, run.lr);
    }
  if (!out) throw IoError(fmt::format("cannot write {}", path.string()));
}

}  // namespace descent
