#include "report/chart.h"

#include <algorithm>
#include <cmath>
#include <fstream>
#include <limits>
#include <memory>
#include <numbers>

#include <cairo-pdf.h>
#include <cairo-svg.h>
#include <cairo.h>
#include <fmt/format.h>

#include "core/error.h"
#include "core/non_finite.h"

namespace descent {
namespace {

constexpr double kMax = std::numeric_limits<double>::max();
constexpr int kMinSide = 100;
constexpr int kMaxSide = 16384;  // well inside cairo's 32767-pixel limit

// 10^d computed as one correctly rounded operation, so 10^-3 is the double nearest 0.001.
double pow10(double d) {
  return d >= 0 ? std::pow(10.0, d) : 1.0 / std::pow(10.0, -d);
}
double times_pow10(double m, double d) {
  return d >= 0 ? m * std::pow(10.0, d) : m / std::pow(10.0, -d);
}

bool is_decade(double v) {
  if (!(v > 0)) return false;
  const double l = std::log10(v);
  return std::abs(l - std::round(l)) < 1e-9;
}

// m * 10^d with m an integer in 1..9.
bool is_decade_multiple(double v) {
  if (!(v > 0)) return false;
  const double m = v / pow10(std::floor(std::log10(v) + 1e-12));
  return std::abs(m - std::round(m)) < 1e-9 * m;
}

// Drops the "+" and leading zeros of a printf exponent: "2e-05" -> "2e-5", "1.5e+06" -> "1.5e6".
std::string tidy_exponent(std::string s) {
  const auto e = s.find('e');
  if (e == std::string::npos) return s;
  std::string mantissa = s.substr(0, e), exponent = s.substr(e + 1);
  std::string sign;
  if (!exponent.empty() && (exponent[0] == '+' || exponent[0] == '-')) {
    if (exponent[0] == '-') sign = "-";
    exponent.erase(0, 1);
  }
  exponent.erase(0, std::min(exponent.find_first_not_of('0'), exponent.size() - 1));
  return mantissa + "e" + sign + exponent;
}

// Shortest readable form with at most 6 significant digits ("0.002", "5", "2e-5").
std::string compact(double v) {
  return tidy_exponent(fmt::format("{:.6g}", v));
}

// Smallest number of decimals (<= 12) that writes every value within `tolerance`.
int decimals_for(const std::vector<double>& values, double tolerance) {
  int best = 0;
  for (double v : values) {
    int d = 0;
    while (d < 12 &&
           std::abs(std::round(v * std::pow(10.0, d)) / std::pow(10.0, d) - v) > tolerance)
      ++d;
    best = std::max(best, d);
  }
  return best;
}

std::string superscript(long long n) {
  static const char* const digits[] = {"⁰", "¹", "²", "³", "⁴", "⁵", "⁶", "⁷", "⁸", "⁹"};
  std::string s = n < 0 ? "⁻" : "";
  for (char c : std::to_string(n < 0 ? -n : n))
    s += digits[c - '0'];
  return s;
}

std::vector<double> linear_ticks(double lo, double hi, int target) {
  const double half_span = 0.5 * hi - 0.5 * lo;  // halves: hi - lo may overflow
  const double raw = half_span / target * 2.0;
  const double base = pow10(std::floor(std::log10(raw)));
  const double m = raw / base;
  const double step = (m < 1.5 ? 1.0 : m < 3.0 ? 2.0 : m < 7.0 ? 5.0 : 10.0) * base;
  // The tolerance keeps ends such as 2.9 / 0.1 = 28.999999999999996 as ticks.
  const double first = std::ceil(lo / step - 1e-9), last = std::floor(hi / step + 1e-9);
  if (!std::isfinite(step) || !(step > 0) || !std::isfinite(first) || !std::isfinite(last) ||
      last - first > 1000)
    return {lo, hi};
  std::vector<double> ticks;
  for (double k = first; k <= last; k += 1.0) {
    double t = k * step;
    if (std::abs(t) < step * 1e-9) t = 0.0;
    if (ticks.empty() || t > ticks.back()) ticks.push_back(t);
  }
  return ticks;
}

// Multiples m * 10^d (m in `mantissas`) inside [lo, hi].
std::vector<double> decade_multiples(double lo, double hi, const std::vector<double>& mantissas) {
  std::vector<double> ticks;
  const double d0 = std::floor(std::log10(lo)), d1 = std::floor(std::log10(hi));
  for (double d = d0; d <= d1; d += 1.0)
    for (double m : mantissas) {
      const double t = times_pow10(m, d);
      if (t >= lo * (1 - 1e-12) && t <= hi * (1 + 1e-12)) ticks.push_back(t);
    }
  return ticks;
}

std::vector<double> log_ticks(double lo, double hi, int target) {
  const double d0 = std::ceil(std::log10(lo) - 1e-9), d1 = std::floor(std::log10(hi) + 1e-9);
  const double decades = d1 - d0 + 1;
  std::vector<double> decade_ticks;
  if (decades >= 2) {
    // Every k-th decade: the smallest k giving at most `target` ticks.
    static constexpr double kSteps[] = {1, 2, 3, 5, 10, 20, 30, 50, 100, 200, 300, 500, 1000};
    double k = 1;
    for (double step : kSteps) {
      k = step;
      if (std::floor(d1 / k) - std::ceil(d0 / k) + 1 <= target) break;
    }
    for (double j = std::ceil(d0 / k); j <= std::floor(d1 / k); j += 1.0)
      decade_ticks.push_back(pow10(j * k));
  }
  if (decade_ticks.size() >= 3) return decade_ticks;
  // Two decades or fewer: 1-2-5 multiples label the axis better than one or two decades.
  const std::size_t most = static_cast<std::size_t>(target) + 2;
  std::vector<double> t125 = decade_multiples(lo, hi, {1, 2, 5});
  if (t125.size() >= 3 && t125.size() <= most) return t125;
  if (decade_ticks.size() >= 2) return decade_ticks;
  std::vector<double> t19 = decade_multiples(lo, hi, {1, 2, 3, 4, 5, 6, 7, 8, 9});
  if (t19.size() >= 2 && t19.size() <= most) return t19;
  if (t125.size() >= 2) return t125;
  return linear_ticks(lo, hi, target);
}

// ---------------------------------------------------------------------------------------------
// Drawing.

using SurfacePtr = std::unique_ptr<cairo_surface_t, decltype(&cairo_surface_destroy)>;
using ContextPtr = std::unique_ptr<cairo_t, decltype(&cairo_destroy)>;

void set_color(cairo_t* cr, const Color& c) {
  cairo_set_source_rgba(cr, c.r, c.g, c.b, c.a);
}

struct Axis {
  double lo, hi;
  Scale scale;
  // Position of v along the axis, 0 at lo and 1 at hi; NaN where v cannot be drawn.
  double fraction(double v) const {
    if (!std::isfinite(v)) return kNaN;
    if (scale == Scale::log) {
      if (!(v > 0)) return kNaN;
      return (std::log10(v) - std::log10(lo)) / (std::log10(hi) - std::log10(lo));
    }
    return (0.5 * v - 0.5 * lo) / (0.5 * hi - 0.5 * lo);
  }
};

bool drawable(double v, Scale scale) {
  return std::isfinite(v) && (scale == Scale::linear || v > 0);
}

void check_range(const std::optional<std::pair<double, double>>& range, Scale scale,
                 const char* axis) {
  if (!range) return;
  const auto [lo, hi] = *range;
  if (!std::isfinite(lo) || !std::isfinite(hi) || !(lo < hi) || (scale == Scale::log && lo <= 0))
    throw InvalidArgument(fmt::format("chart {} range [{}, {}] must be finite with lo < hi{}", axis,
                                      lo, hi, scale == Scale::log ? " and lo > 0 (log axis)" : ""));
}

void check_spec(const ChartSpec& spec) {
  if (spec.width < kMinSide || spec.height < kMinSide || spec.width > kMaxSide ||
      spec.height > kMaxSide)
    throw InvalidArgument(fmt::format("chart size {}x{} must be within {}..{} pixels a side",
                                      spec.width, spec.height, kMinSide, kMaxSide));
  check_range(spec.x_range, spec.x_scale, "x");
  check_range(spec.y_range, spec.y_scale, "y");
}

// The data's extent with a 5% margin; a padded range around constant data; a default when empty.
std::pair<double, double> fit_range(const std::vector<double>& values, Scale scale) {
  if (values.empty()) return scale == Scale::log ? std::pair{1.0, 10.0} : std::pair{0.0, 1.0};
  const auto [min_it, max_it] = std::minmax_element(values.begin(), values.end());
  const double lo = *min_it, hi = *max_it;
  if (scale == Scale::log) {
    double l0 = std::log10(lo), l1 = std::log10(hi);
    const double pad = l0 == l1 ? 0.5 : 0.05 * (l1 - l0);
    return {std::max(pow10(l0 - pad), std::numeric_limits<double>::min()),
            std::min(pow10(l1 + pad), kMax)};
  }
  if (lo == hi) {
    const double pad = lo == 0 ? 1.0 : 0.1 * std::abs(lo);
    return {std::max(lo - pad, -kMax), std::min(hi + pad, kMax)};
  }
  const double pad = 0.1 * (0.5 * hi - 0.5 * lo);
  return {std::max(lo - pad, -kMax), std::min(hi + pad, kMax)};
}

struct Fonts {
  double title, label, tick, legend;
};

struct TextBox {
  double width, ascent, descent;
};

TextBox measure(cairo_t* cr, const std::string& text) {
  cairo_text_extents_t te;
  cairo_font_extents_t fe;
  cairo_text_extents(cr, text.c_str(), &te);
  cairo_font_extents(cr, &fe);
  return {te.x_advance, fe.ascent, fe.descent};
}

void use_font(cairo_t* cr, double size, bool bold = false) {
  cairo_select_font_face(cr, "sans-serif", CAIRO_FONT_SLANT_NORMAL,
                         bold ? CAIRO_FONT_WEIGHT_BOLD : CAIRO_FONT_WEIGHT_NORMAL);
  cairo_set_font_size(cr, size);
}

// Draws text with its anchor at (x, y): halign 0 left, 0.5 centre, 1 right; vertically centred on
// the font's cap height.
void draw_text(cairo_t* cr, const std::string& text, double x, double y, double halign) {
  const TextBox box = measure(cr, text);
  cairo_move_to(cr, x - halign * box.width, y + 0.5 * (box.ascent - box.descent) * 0.85);
  cairo_show_text(cr, text.c_str());
}

double widest(cairo_t* cr, const std::vector<std::string>& texts) {
  double w = 0;
  for (const auto& t : texts)
    w = std::max(w, measure(cr, t).width);
  return w;
}

std::vector<std::string> labels_of(const std::vector<double>& ticks, Scale scale) {
  std::vector<std::string> out;
  for (double t : ticks)
    out.push_back(tick_label(t, ticks, scale));
  return out;
}

// Clips the segment a-b (in axis fractions) to the square [-m, 1+m]^2 (Liang-Barsky). Returns
// false when nothing is left; `a_cut` / `b_cut` say whether an end moved.
bool clip_segment(double& ax, double& ay, double& bx, double& by, bool& a_cut, bool& b_cut) {
  constexpr double m = 0.02;
  double t0 = 0, t1 = 1;
  const double dx = bx - ax, dy = by - ay;
  const double p[4] = {-dx, dx, -dy, dy};
  const double q[4] = {ax + m, 1 + m - ax, ay + m, 1 + m - ay};
  for (int i = 0; i < 4; ++i) {
    if (p[i] == 0) {
      if (q[i] < 0) return false;
      continue;
    }
    const double r = q[i] / p[i];
    if (p[i] < 0)
      t0 = std::max(t0, r);
    else
      t1 = std::min(t1, r);
  }
  if (t0 > t1) return false;
  a_cut = t0 > 0;
  b_cut = t1 < 1;
  const double nax = ax + t0 * dx, nay = ay + t0 * dy;
  bx = ax + t1 * dx;
  by = ay + t1 * dy;
  ax = nax;
  ay = nay;
  return true;
}

// Within the axis, allowing for rounding at its ends.
bool on_axis(double f) {
  return f >= -1e-9 && f <= 1 + 1e-9;
}
bool inside(double u, double v) {
  return u >= -1e-9 && u <= 1 + 1e-9 && v >= -1e-9 && v <= 1 + 1e-9;
}

void set_style(cairo_t* cr, LineStyle style, double width) {
  cairo_set_line_width(cr, width);
  cairo_set_line_join(cr, CAIRO_LINE_JOIN_ROUND);
  if (style == LineStyle::dashed) {
    const double dash[] = {5.0 * width, 3.0 * width};
    cairo_set_dash(cr, dash, 2, 0);
    cairo_set_line_cap(cr, CAIRO_LINE_CAP_BUTT);
  } else if (style == LineStyle::dotted) {
    const double dash[] = {0.0, 2.5 * width};
    cairo_set_dash(cr, dash, 2, 0);
    cairo_set_line_cap(cr, CAIRO_LINE_CAP_ROUND);
  } else {
    cairo_set_dash(cr, nullptr, 0, 0);
    cairo_set_line_cap(cr, CAIRO_LINE_CAP_ROUND);
  }
}

void dot(cairo_t* cr, double x, double y, double r) {
  cairo_new_sub_path(cr);
  cairo_arc(cr, x, y, r, 0, 2 * std::numbers::pi);
}

struct LegendEntry {
  enum class Kind { line, vertical, point } kind;
  std::string label;
  Color color;
  LineStyle style;
  bool markers;
  double width;
};

class ChartPainter {
 public:
  ChartPainter(cairo_t* cr, const ChartSpec& spec, double ox, double oy)
      : cr_(cr), spec_(spec), ox_(ox), oy_(oy) {}

  void paint() {
    fit_axes();
    const double s = std::clamp(std::min(spec_.width / 900.0, spec_.height / 540.0), 0.8, 2.0);
    fonts_ = {15 * s, 13 * s, 11.5 * s, 11.5 * s};
    layout();
    draw_grid_and_axes();
    cairo_save(cr_);
    cairo_rectangle(cr_, left_, top_, plot_w_, plot_h_);
    cairo_clip(cr_);
    draw_verticals();
    for (std::size_t i = 0; i < spec_.series.size(); ++i)
      draw_series(spec_.series[i], series_color(i));
    draw_arrows();
    draw_points();
    cairo_restore(cr_);
    draw_frame();
    draw_titles();
    if (spec_.legend) draw_legend();
  }

 private:
  Color series_color(std::size_t i) const {
    return spec_.series[i].color.value_or(palette_color(i));
  }

  void fit_axes() {
    std::vector<double> xs, ys;
    auto add = [&](double x, double y) {
      if (drawable(x, spec_.x_scale)) xs.push_back(x);
      if (drawable(y, spec_.y_scale)) ys.push_back(y);
    };
    for (const Series& s : spec_.series)
      for (std::size_t i = 0; i < std::min(s.x.size(), s.y.size()); ++i)
        add(s.x[i], s.y[i]);
    for (const VerticalMarker& v : spec_.verticals)
      if (drawable(v.x, spec_.x_scale)) xs.push_back(v.x);
    for (const PointMarker& p : spec_.points)
      add(p.x, p.y);
    for (const Arrow& a : spec_.arrows) {
      add(a.x0, a.y0);
      add(a.x1, a.y1);
    }
    const auto [x0, x1] = spec_.x_range.value_or(fit_range(xs, spec_.x_scale));
    const auto [y0, y1] = spec_.y_range.value_or(fit_range(ys, spec_.y_scale));
    x_ = {x0, x1, spec_.x_scale};
    y_ = {y0, y1, spec_.y_scale};
  }

  // Margins from the text that goes around the plot; tick counts from the room there is.
  void layout() {
    const double pad = 10;
    top_ = pad + (spec_.title.empty() ? 6 : fonts_.title * 1.8);
    const double bottom =
        pad + fonts_.tick * 1.9 + (spec_.x_label.empty() ? 0 : fonts_.label * 1.7);
    plot_h_ = spec_.height - top_ - bottom;
    use_font(cr_, fonts_.tick);
    y_ticks_ = nice_ticks(y_.lo, y_.hi, y_.scale,
                          std::clamp(static_cast<int>(plot_h_ / (fonts_.tick * 4.5)), 2, 8));
    y_labels_ = labels_of(y_ticks_, y_.scale);
    left_ = pad + widest(cr_, y_labels_) + 10 + (spec_.y_label.empty() ? 0 : fonts_.label * 1.8);
    // Room for half of the last x label past the plot's right edge.
    double right = pad + 12;
    plot_w_ = spec_.width - left_ - right;
    for (int target = std::clamp(static_cast<int>(plot_w_ / 80), 2, 10);; --target) {
      x_ticks_ = nice_ticks(x_.lo, x_.hi, x_.scale, target);
      x_labels_ = labels_of(x_ticks_, x_.scale);
      const double room = plot_w_ / std::max<double>(1.0, x_ticks_.size());
      if (widest(cr_, x_labels_) + fonts_.tick * 1.5 <= room || target <= 2) break;
    }
    if (!x_labels_.empty()) {
      const double overhang =
          measure(cr_, x_labels_.back()).width / 2 - (1 - x_.fraction(x_ticks_.back())) * plot_w_;
      if (overhang + 4 > right) plot_w_ -= overhang + 4 - right;
    }
    x_minor_ = minor_ticks(x_.lo, x_.hi, x_.scale, x_ticks_);
    y_minor_ = minor_ticks(y_.lo, y_.hi, y_.scale, y_ticks_);
    left_ += ox_;
    top_ += oy_;
  }

  double px(double u) const { return left_ + u * plot_w_; }
  double py(double v) const { return top_ + (1 - v) * plot_h_; }

  void draw_grid_and_axes() {
    cairo_set_antialias(cr_, CAIRO_ANTIALIAS_DEFAULT);
    cairo_set_source_rgb(cr_, 1, 1, 1);
    cairo_rectangle(cr_, left_, top_, plot_w_, plot_h_);
    cairo_fill(cr_);
    set_style(cr_, LineStyle::solid, 1.0);
    cairo_set_line_cap(cr_, CAIRO_LINE_CAP_BUTT);
    auto grid = [&](const std::vector<double>& ticks, const Axis& axis, bool vertical,
                    double shade) {
      cairo_set_source_rgb(cr_, shade, shade, shade);
      for (double t : ticks) {
        const double f = axis.fraction(t);
        if (!on_axis(f)) continue;
        if (vertical) {
          const double x = std::round(px(f)) + 0.5;
          cairo_move_to(cr_, x, top_);
          cairo_line_to(cr_, x, top_ + plot_h_);
        } else {
          const double y = std::round(py(f)) + 0.5;
          cairo_move_to(cr_, left_, y);
          cairo_line_to(cr_, left_ + plot_w_, y);
        }
      }
      cairo_stroke(cr_);
    };
    if (x_.scale == Scale::log) grid(x_minor_, x_, true, 0.95);
    if (y_.scale == Scale::log) grid(y_minor_, y_, false, 0.95);
    grid(x_ticks_, x_, true, 0.87);
    grid(y_ticks_, y_, false, 0.87);
  }

  void draw_frame() {
    set_style(cr_, LineStyle::solid, 1.0);
    cairo_set_line_cap(cr_, CAIRO_LINE_CAP_BUTT);
    cairo_set_source_rgb(cr_, 0.25, 0.25, 0.25);
    cairo_rectangle(cr_, std::round(left_) + 0.5, std::round(top_) + 0.5, std::round(plot_w_),
                    std::round(plot_h_));
    cairo_stroke(cr_);
    auto marks = [&](const std::vector<double>& ticks, const Axis& axis, bool x_axis, double len) {
      for (double t : ticks) {
        const double f = axis.fraction(t);
        if (!on_axis(f)) continue;
        if (x_axis) {
          const double x = std::round(px(f)) + 0.5, y = std::round(top_ + plot_h_) + 0.5;
          cairo_move_to(cr_, x, y);
          cairo_line_to(cr_, x, y + len);
        } else {
          const double x = std::round(left_) + 0.5, y = std::round(py(f)) + 0.5;
          cairo_move_to(cr_, x, y);
          cairo_line_to(cr_, x - len, y);
        }
      }
      cairo_stroke(cr_);
    };
    marks(x_ticks_, x_, true, 5);
    marks(y_ticks_, y_, false, 5);
    marks(x_minor_, x_, true, 2.5);
    marks(y_minor_, y_, false, 2.5);

    use_font(cr_, fonts_.tick);
    cairo_set_source_rgb(cr_, 0.15, 0.15, 0.15);
    for (std::size_t i = 0; i < x_ticks_.size(); ++i) {
      const double f = x_.fraction(x_ticks_[i]);
      if (on_axis(f))
        draw_text(cr_, x_labels_[i], px(f), top_ + plot_h_ + 7 + fonts_.tick * 0.6, 0.5);
    }
    for (std::size_t i = 0; i < y_ticks_.size(); ++i) {
      const double f = y_.fraction(y_ticks_[i]);
      if (on_axis(f)) draw_text(cr_, y_labels_[i], left_ - 8, py(f), 1.0);
    }
  }

  void draw_titles() {
    cairo_set_source_rgb(cr_, 0.1, 0.1, 0.1);
    if (!spec_.title.empty()) {
      use_font(cr_, fonts_.title, true);
      draw_text(cr_, spec_.title, left_ + plot_w_ / 2, oy_ + 10 + fonts_.title * 0.7, 0.5);
    }
    use_font(cr_, fonts_.label);
    if (!spec_.x_label.empty())
      draw_text(cr_, spec_.x_label, left_ + plot_w_ / 2,
                top_ + plot_h_ + 7 + fonts_.tick * 1.2 + fonts_.label * 1.1, 0.5);
    if (!spec_.y_label.empty()) {
      cairo_save(cr_);
      cairo_translate(cr_, ox_ + 10 + fonts_.label * 0.6, top_ + plot_h_ / 2);
      cairo_rotate(cr_, -std::numbers::pi / 2);
      draw_text(cr_, spec_.y_label, 0, 0, 0.5);
      cairo_restore(cr_);
    }
  }

  // Keeps, of each run of consecutive points in one pixel column, the first, lowest, highest and
  // last: the same picture from a few points a column (a long run's per-step loss stays small in
  // SVG). Undrawable points stay, as breaks.
  void decimate(std::vector<double>& u, std::vector<double>& v) const {
    std::size_t out = 0;
    auto column = [&](std::size_t i) { return std::floor(u[i] * plot_w_); };
    for (std::size_t i = 0; i < u.size();) {
      if (!std::isfinite(u[i]) || !std::isfinite(v[i])) {
        u[out] = u[i];
        v[out++] = v[i++];
        continue;
      }
      std::size_t end = i + 1, lo = i, hi = i;
      while (end < u.size() && std::isfinite(u[end]) && std::isfinite(v[end]) &&
             column(end) == column(i)) {
        if (v[end] < v[lo]) lo = end;
        if (v[end] > v[hi]) hi = end;
        ++end;
      }
      std::size_t keep[] = {i, std::min(lo, hi), std::max(lo, hi), end - 1};
      for (std::size_t k = 0; k < 4; ++k)
        if (k == 0 || keep[k] != keep[k - 1]) {
          u[out] = u[keep[k]];
          v[out++] = v[keep[k]];
        }
      i = end;
    }
    u.resize(out);
    v.resize(out);
  }

  // The series as pixel polylines, broken at undrawable values and clipped near the plot.
  template <typename Visit>
  void trace(const Series& s, Visit&& visit) const {
    const std::size_t n = std::min(s.x.size(), s.y.size());
    std::vector<double> u(n), v(n);
    for (std::size_t i = 0; i < n; ++i) {
      u[i] = x_.fraction(s.x[i]);
      v[i] = y_.fraction(s.y[i]);
    }
    if (n > 4 * plot_w_) decimate(u, v);
    auto ok = [&](std::size_t i) {
      return i < u.size() && std::isfinite(u[i]) && std::isfinite(v[i]);
    };
    bool pen = false;
    for (std::size_t i = 0; i < u.size(); ++i) {
      if (!ok(i)) {
        pen = false;
        continue;
      }
      const bool has_prev = i > 0 && ok(i - 1);
      if (!has_prev && !ok(i + 1) && inside(u[i], v[i])) visit.lone(px(u[i]), py(v[i]));
      if (!has_prev) continue;
      double ax = u[i - 1], ay = v[i - 1], bx = u[i], by = v[i];
      bool a_cut = false, b_cut = false;
      if (!clip_segment(ax, ay, bx, by, a_cut, b_cut)) {
        pen = false;
        continue;
      }
      if (!pen || a_cut) visit.move(px(ax), py(ay));
      visit.line(px(bx), py(by));
      pen = !b_cut;
    }
  }

  void draw_series(const Series& s, const Color& color) {
    const double w = s.width > 0 ? s.width : 1.5;
    set_color(cr_, color);
    set_style(cr_, s.style, w);
    struct Path {
      cairo_t* cr;
      std::vector<std::pair<double, double>> lone_points;
      void move(double x, double y) { cairo_move_to(cr, x, y); }
      void line(double x, double y) { cairo_line_to(cr, x, y); }
      void lone(double x, double y) { lone_points.emplace_back(x, y); }
    } path{cr_, {}};
    trace(s, path);
    cairo_stroke(cr_);
    const double r = std::max(2.5, w * 1.6);
    for (const auto& [x, y] : path.lone_points)
      dot(cr_, x, y, r);
    if (s.markers) {
      const std::size_t n = std::min(s.x.size(), s.y.size());
      for (std::size_t i = 0; i < n; ++i) {
        const double u = x_.fraction(s.x[i]), v = y_.fraction(s.y[i]);
        if (std::isfinite(u) && std::isfinite(v) && inside(u, v)) dot(cr_, px(u), py(v), r);
      }
    }
    cairo_fill(cr_);
  }

  void draw_verticals() {
    for (const VerticalMarker& m : spec_.verticals) {
      const double f = x_.fraction(m.x);
      if (!on_axis(f)) continue;
      set_color(cr_, m.color);
      set_style(cr_, m.dashed ? LineStyle::dashed : LineStyle::solid, 1.5);
      cairo_move_to(cr_, px(f), top_);
      cairo_line_to(cr_, px(f), top_ + plot_h_);
      cairo_stroke(cr_);
    }
  }

  void draw_points() {
    for (const PointMarker& p : spec_.points) {
      const double u = x_.fraction(p.x), v = y_.fraction(p.y);
      if (!std::isfinite(u) || !std::isfinite(v) || !inside(u, v)) continue;
      dot(cr_, px(u), py(v), 5.5);
      set_color(cr_, p.color);
      cairo_fill_preserve(cr_);
      cairo_set_source_rgb(cr_, 1, 1, 1);
      set_style(cr_, LineStyle::solid, 1.5);
      cairo_stroke(cr_);
    }
  }

  void draw_arrows() {
    for (const Arrow& a : spec_.arrows) {
      double ax = x_.fraction(a.x0), ay = y_.fraction(a.y0);
      double bx = x_.fraction(a.x1), by = y_.fraction(a.y1);
      if (!std::isfinite(ax) || !std::isfinite(ay) || !std::isfinite(bx) || !std::isfinite(by))
        continue;
      bool a_cut = false, b_cut = false;
      if (!clip_segment(ax, ay, bx, by, a_cut, b_cut)) continue;
      const double x0 = px(ax), y0 = py(ay), x1 = px(bx), y1 = py(by);
      const double len = std::hypot(x1 - x0, y1 - y0);
      if (len < 0.5) continue;
      set_color(cr_, a.color);
      set_style(cr_, LineStyle::solid, 1.5);
      const double head = std::min(9.0, len * 0.6);
      const double ux = (x1 - x0) / len, uy = (y1 - y0) / len;
      // The shaft stops inside the head so the tip stays sharp.
      cairo_move_to(cr_, x0, y0);
      cairo_line_to(cr_, x1 - ux * head * 0.8, y1 - uy * head * 0.8);
      cairo_stroke(cr_);
      if (b_cut) continue;
      const double c = std::cos(0.42), sn = std::sin(0.42);
      cairo_move_to(cr_, x1, y1);
      cairo_line_to(cr_, x1 - head * (ux * c - uy * sn), y1 - head * (uy * c + ux * sn));
      cairo_line_to(cr_, x1 - head * (ux * c + uy * sn), y1 - head * (uy * c - ux * sn));
      cairo_close_path(cr_);
      cairo_fill(cr_);
    }
  }

  std::vector<LegendEntry> legend_entries() const {
    std::vector<LegendEntry> out;
    for (std::size_t i = 0; i < spec_.series.size(); ++i) {
      const Series& s = spec_.series[i];
      if (!s.label.empty())
        out.push_back({LegendEntry::Kind::line, s.label, series_color(i), s.style, s.markers,
                       s.width > 0 ? s.width : 1.5});
    }
    for (const VerticalMarker& m : spec_.verticals)
      if (!m.label.empty())
        out.push_back({LegendEntry::Kind::vertical, m.label, m.color,
                       m.dashed ? LineStyle::dashed : LineStyle::solid, false, 1.5});
    for (const PointMarker& p : spec_.points)
      if (!p.label.empty())
        out.push_back({LegendEntry::Kind::point, p.label, p.color, LineStyle::solid, false, 1.5});
    return out;
  }

  // Pixels covered by the data, sampled every few pixels, to place the legend where it hides least.
  std::vector<std::pair<double, double>> occupied() const {
    std::vector<std::pair<double, double>> pts;
    struct Sampler {
      std::vector<std::pair<double, double>>& pts;
      double x = 0, y = 0;
      void move(double nx, double ny) {
        x = nx;
        y = ny;
        pts.emplace_back(x, y);
      }
      void line(double nx, double ny) {
        const int k = std::min(1000, static_cast<int>(std::hypot(nx - x, ny - y) / 4) + 1);
        for (int j = 1; j <= k; ++j)
          pts.emplace_back(x + (nx - x) * j / k, y + (ny - y) * j / k);
        x = nx;
        y = ny;
      }
      void lone(double nx, double ny) { pts.emplace_back(nx, ny); }
    } sampler{pts};
    for (const Series& s : spec_.series)
      trace(s, sampler);
    for (const PointMarker& p : spec_.points) {
      const double u = x_.fraction(p.x), v = y_.fraction(p.y);
      if (std::isfinite(u) && std::isfinite(v)) pts.emplace_back(px(u), py(v));
    }
    return pts;
  }

  void draw_legend() {
    const std::vector<LegendEntry> entries = legend_entries();
    if (entries.empty()) return;
    use_font(cr_, fonts_.legend);
    std::vector<std::string> texts;
    for (const auto& e : entries)
      texts.push_back(e.label);
    const double pad = 8, sample = 28, row = fonts_.legend * 1.55;
    const double w = pad + sample + 8 + widest(cr_, texts) + pad;
    const double h = pad * 0.75 * 2 + row * entries.size();
    const double m = 8;
    const std::pair<double, double> corners[] = {
        {left_ + plot_w_ - m - w, top_ + m},                // top right
        {left_ + m, top_ + m},                              // top left
        {left_ + plot_w_ - m - w, top_ + plot_h_ - m - h},  // bottom right
        {left_ + m, top_ + plot_h_ - m - h},                // bottom left
    };
    const auto pts = occupied();
    std::size_t best = 0, best_hits = std::numeric_limits<std::size_t>::max();
    for (std::size_t c = 0; c < std::size(corners); ++c) {
      // Not a structured binding: Debian's clang 14 cannot capture one in a lambda.
      const double x = corners[c].first, y = corners[c].second;
      const std::size_t hits = std::count_if(pts.begin(), pts.end(), [&](const auto& p) {
        return p.first >= x - 3 && p.first <= x + w + 3 && p.second >= y - 3 &&
               p.second <= y + h + 3;
      });
      if (hits < best_hits) {
        best = c;
        best_hits = hits;
      }
    }
    const auto [x, y] = corners[best];
    cairo_rectangle(cr_, std::round(x) + 0.5, std::round(y) + 0.5, std::round(w), std::round(h));
    cairo_set_source_rgba(cr_, 1, 1, 1, 0.88);
    cairo_fill_preserve(cr_);
    cairo_set_source_rgb(cr_, 0.75, 0.75, 0.75);
    set_style(cr_, LineStyle::solid, 1.0);
    cairo_stroke(cr_);
    for (std::size_t i = 0; i < entries.size(); ++i) {
      const LegendEntry& e = entries[i];
      const double cy = y + pad * 0.75 + row * (i + 0.5);
      const double sx = x + pad;
      set_color(cr_, e.color);
      if (e.kind == LegendEntry::Kind::point) {
        dot(cr_, sx + sample / 2, cy, 5);
        cairo_fill(cr_);
      } else if (e.kind == LegendEntry::Kind::vertical) {
        set_style(cr_, e.style, e.width);
        if (e.style == LineStyle::dashed) {
          const double dash[] = {row * 0.8 / 3, row * 0.8 / 3};  // dash, gap, dash
          cairo_set_dash(cr_, dash, 2, 0);
        }
        cairo_move_to(cr_, sx + sample / 2, cy - row * 0.4);
        cairo_line_to(cr_, sx + sample / 2, cy + row * 0.4);
        cairo_stroke(cr_);
      } else {
        set_style(cr_, e.style, std::min(e.width, 4.0));
        cairo_move_to(cr_, sx, cy);
        cairo_line_to(cr_, sx + sample, cy);
        cairo_stroke(cr_);
        if (e.markers) {
          dot(cr_, sx + sample / 2, cy, std::max(2.5, e.width * 1.6));
          cairo_fill(cr_);
        }
      }
      cairo_set_source_rgb(cr_, 0.1, 0.1, 0.1);
      use_font(cr_, fonts_.legend);
      draw_text(cr_, e.label, sx + sample + 8, cy, 0.0);
    }
  }

  cairo_t* cr_;
  const ChartSpec& spec_;
  double ox_, oy_;
  Fonts fonts_{};
  Axis x_{0, 1, Scale::linear}, y_{0, 1, Scale::linear};
  double left_ = 0, top_ = 0, plot_w_ = 0, plot_h_ = 0;
  std::vector<double> x_ticks_, y_ticks_, x_minor_, y_minor_;
  std::vector<std::string> x_labels_, y_labels_;
};

enum class Format { png, svg, pdf };

cairo_status_t write_chunk(void* closure, const unsigned char* data, unsigned int length) {
  auto* out = static_cast<std::ofstream*>(closure);
  out->write(reinterpret_cast<const char*>(data), length);
  return *out ? CAIRO_STATUS_SUCCESS : CAIRO_STATUS_WRITE_ERROR;
}

[[noreturn]] void fail(const std::filesystem::path& path, const char* what) {
  throw IoError(fmt::format("cannot write chart {}: {}", path.string(), what));
}

// Draws `panels` on a surface of `format` laid out `cols` a row, and writes it to `path`.
void render(const std::vector<ChartSpec>& panels, int cols, Format format,
            const std::filesystem::path& path) {
  if (panels.empty()) throw InvalidArgument("chart grid has no panels");
  if (cols < 1) throw InvalidArgument(fmt::format("chart grid columns {} must be >= 1", cols));
  int cell_w = 0, cell_h = 0;
  for (const ChartSpec& spec : panels) {
    check_spec(spec);
    cell_w = std::max(cell_w, spec.width);
    cell_h = std::max(cell_h, spec.height);
  }
  cols = std::min<int>(cols, static_cast<int>(panels.size()));
  const int rows = (static_cast<int>(panels.size()) + cols - 1) / cols;
  if (static_cast<long long>(cell_w) * cols > kMaxSide ||
      static_cast<long long>(cell_h) * rows > kMaxSide)
    throw InvalidArgument(fmt::format("chart grid {}x{} of {}x{} panels exceeds {} pixels a side",
                                      rows, cols, cell_w, cell_h, kMaxSide));
  const int width = cell_w * cols, height = cell_h * rows;

  std::ofstream out(path, std::ios::binary);
  if (!out) fail(path, "cannot open the file");
  SurfacePtr surface(nullptr, cairo_surface_destroy);
  switch (format) {
    case Format::png:
      surface.reset(cairo_image_surface_create(CAIRO_FORMAT_ARGB32, width, height));
      break;
    case Format::svg:
      surface.reset(cairo_svg_surface_create_for_stream(write_chunk, &out, width, height));
      cairo_svg_surface_set_document_unit(surface.get(), CAIRO_SVG_UNIT_PX);
      break;
    case Format::pdf:
      surface.reset(cairo_pdf_surface_create_for_stream(write_chunk, &out, width, height));
      break;
  }
  if (cairo_surface_status(surface.get()) != CAIRO_STATUS_SUCCESS)
    fail(path, cairo_status_to_string(cairo_surface_status(surface.get())));
  {
    ContextPtr cr(cairo_create(surface.get()), cairo_destroy);
    cairo_set_source_rgb(cr.get(), 1, 1, 1);
    cairo_paint(cr.get());
    for (std::size_t i = 0; i < panels.size(); ++i)
      ChartPainter(cr.get(), panels[i], static_cast<double>(i % cols) * cell_w,
                   static_cast<double>(i / cols) * cell_h)
          .paint();
    if (cairo_status(cr.get()) != CAIRO_STATUS_SUCCESS)
      fail(path, cairo_status_to_string(cairo_status(cr.get())));
  }
  if (format == Format::png) {
    cairo_surface_flush(surface.get());
    const cairo_status_t status =
        cairo_surface_write_to_png_stream(surface.get(), write_chunk, &out);
    if (status != CAIRO_STATUS_SUCCESS) fail(path, cairo_status_to_string(status));
  } else {
    cairo_surface_finish(surface.get());
    if (cairo_surface_status(surface.get()) != CAIRO_STATUS_SUCCESS)
      fail(path, cairo_status_to_string(cairo_surface_status(surface.get())));
  }
  out.close();
  if (!out) fail(path, "write failed");
}

}  // namespace

Color palette_color(std::size_t i) {
  // Tableau 10 (matplotlib's "tab10").
  static constexpr unsigned kRgb[10] = {0x1f77b4, 0xff7f0e, 0x2ca02c, 0xd62728, 0x9467bd,
                                        0x8c564b, 0xe377c2, 0x7f7f7f, 0xbcbd22, 0x17becf};
  const unsigned c = kRgb[i % 10];
  return {((c >> 16) & 0xff) / 255.0, ((c >> 8) & 0xff) / 255.0, (c & 0xff) / 255.0, 1.0};
}

std::vector<double> nice_ticks(double lo, double hi, Scale scale, int target) {
  if (!std::isfinite(lo) || !std::isfinite(hi) || !(lo < hi) || (scale == Scale::log && lo <= 0))
    throw InvalidArgument(fmt::format("tick range [{}, {}] must be finite with lo < hi{}", lo, hi,
                                      scale == Scale::log ? " and lo > 0 (log axis)" : ""));
  target = std::max(target, 2);
  std::vector<double> ticks =
      scale == Scale::log ? log_ticks(lo, hi, target) : linear_ticks(lo, hi, target);
  // Near the largest doubles a tick's arithmetic can overflow: such a tick has no place to go.
  std::erase_if(ticks, [](double t) { return !std::isfinite(t); });
  return ticks;
}

std::vector<double> minor_ticks(double lo, double hi, Scale scale,
                                const std::vector<double>& major) {
  std::vector<double> out;
  if (major.size() < 2) return out;
  if (scale == Scale::linear) {
    const double step = major[1] - major[0];
    const double m = std::round(step / pow10(std::floor(std::log10(step))));
    const int parts = m == 2 ? 4 : 5;
    const double minor = step / parts;
    const double first = std::ceil(lo / minor), last = std::floor(hi / minor);
    if (!std::isfinite(first) || !std::isfinite(last) || last - first > 2000) return out;
    for (double k = first; k <= last; k += 1.0) {
      const double t = k * minor;
      const bool is_major = std::any_of(major.begin(), major.end(),
                                        [&](double M) { return std::abs(M - t) < minor * 1e-6; });
      if (!is_major) out.push_back(t);
    }
    return out;
  }
  const double d0 = std::floor(std::log10(lo)), d1 = std::floor(std::log10(hi));
  if (std::all_of(major.begin(), major.end(), is_decade)) {
    const double spacing = std::round(std::log10(major[1]) - std::log10(major[0]));
    if (spacing == 1) {
      if (d1 - d0 > 60) return out;
      return decade_multiples(lo, hi, {2, 3, 4, 5, 6, 7, 8, 9});
    }
    if (d1 - d0 > 400) return out;
    for (double t : decade_multiples(lo, hi, {1}))
      if (std::none_of(major.begin(), major.end(),
                       [&](double M) { return std::abs(M / t - 1) < 1e-9; }))
        out.push_back(t);
    return out;
  }
  if (!std::all_of(major.begin(), major.end(), is_decade_multiple) || d1 - d0 > 60) return out;
  for (double t : decade_multiples(lo, hi, {1, 2, 3, 4, 5, 6, 7, 8, 9}))
    if (std::none_of(major.begin(), major.end(),
                     [&](double M) { return std::abs(M / t - 1) < 1e-9; }))
      out.push_back(t);
  return out;
}

std::string tick_label(double value, const std::vector<double>& ticks, Scale scale) {
  if (scale == Scale::log && !ticks.empty()) {
    if (std::all_of(ticks.begin(), ticks.end(), is_decade))
      return "10" + superscript(std::llround(std::log10(value)));
    if (std::all_of(ticks.begin(), ticks.end(), is_decade_multiple)) return compact(value);
  }
  double step = 0;
  for (std::size_t i = 1; i < ticks.size(); ++i) {
    const double d = std::abs(ticks[i] - ticks[i - 1]);
    if (d > 0 && (step == 0 || d < step)) step = d;
  }
  if (step == 0) step = value != 0 ? std::abs(value) : 1.0;
  if (std::abs(value) < step * 1e-9) return "0";
  double biggest = 0;
  for (double t : ticks)
    biggest = std::max(biggest, std::abs(t));
  biggest = std::max(biggest, std::abs(value));
  if (!std::isfinite(value)) return fmt::format("{}", value);
  if (biggest >= 1e6 || step < 1e-4) {
    const double e = std::floor(std::log10(std::abs(value)) + 1e-12);
    const double mantissa = value / pow10(e);
    const int d = decimals_for({mantissa}, 1e-6 * step / pow10(e));
    return fmt::format("{:.{}f}e{}", mantissa, std::min(d, 6), static_cast<long long>(e));
  }
  return fmt::format("{:.{}f}", value,
                     decimals_for(ticks.empty() ? std::vector{value} : ticks, step * 1e-6));
}

void write_png(const ChartSpec& spec, const std::filesystem::path& path) {
  render({spec}, 1, Format::png, path);
}
void write_svg(const ChartSpec& spec, const std::filesystem::path& path) {
  render({spec}, 1, Format::svg, path);
}
void write_pdf(const ChartSpec& spec, const std::filesystem::path& path) {
  render({spec}, 1, Format::pdf, path);
}
void write_grid_png(const std::vector<ChartSpec>& panels, int cols,
                    const std::filesystem::path& path) {
  render(panels, cols, Format::png, path);
}
void write_grid_svg(const std::vector<ChartSpec>& panels, int cols,
                    const std::filesystem::path& path) {
  render(panels, cols, Format::svg, path);
}

std::vector<std::filesystem::path> write_png_and_svg(const ChartSpec& spec,
                                                     const std::filesystem::path& dir,
                                                     const std::string& name) {
  const std::filesystem::path png = dir / (name + ".png"), svg = dir / (name + ".svg");
  write_png(spec, png);
  write_svg(spec, svg);
  return {png, svg};
}

}  // namespace descent
