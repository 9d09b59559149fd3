// Chart: line charts drawn with cairo, one drawing code for PNG, SVG and PDF. A ChartSpec says
// what to draw (series, vertical markers such as "2/λmax", labelled points such as a suggested η,
// arrows for gradient-descent steps); the writers lay it out with "nice" ticks (1-2-5 steps on a
// linear axis, decades on a log axis, after Heckbert, "Nice numbers for graph labels", Graphics
// Gems, 1990), gridlines, a title and a legend placed in the corner that hides the least data.
//
// Data is drawn as given, robustly: a non-finite value (or a non-positive one on a log axis)
// breaks the line there, an empty series draws nothing, a lone point draws a dot, constant data
// gets a padded range.
#pragma once

#include <cstddef>
#include <filesystem>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace descent {

// An RGBA colour, components in [0, 1].
struct Color {
  double r = 0.0, g = 0.0, b = 0.0, a = 1.0;
};

// The i-th colour of the qualitative palette (Tableau 10), cycling after 10.
Color palette_color(std::size_t i);

enum class LineStyle { solid, dashed, dotted };
enum class Scale { linear, log };

struct Series {
  std::string label{};  // empty: no legend entry
  std::vector<double> x{}, y{};
  std::optional<Color> color{};  // unset: the palette colour of the series' index
  LineStyle style = LineStyle::solid;
  bool markers = false;  // a dot at every point
  double width = 1.5;    // line width in pixels
};

// A vertical line across the plot at x (e.g. "2/λmax", a suggested η); its label goes to the
// legend.
struct VerticalMarker {
  double x = 0;
  std::string label{};
  Color color = {0.35, 0.35, 0.35};
  bool dashed = true;
};

// A large dot at (x, y) (e.g. the suggestion on the range finder's curve); its label goes to the
// legend.
struct PointMarker {
  double x = 0, y = 0;
  std::string label{};
  Color color = {0.84, 0.15, 0.16};
};

// An arrow from (x0, y0) to (x1, y1), head at the end (a gradient-descent step).
struct Arrow {
  double x0 = 0, y0 = 0, x1 = 0, y1 = 0;
  Color color = {0.2, 0.2, 0.2};
};

struct ChartSpec {
  std::string title{}, x_label{}, y_label{};
  Scale x_scale = Scale::linear, y_scale = Scale::linear;
  std::vector<Series> series{};
  std::vector<VerticalMarker> verticals{};
  std::vector<PointMarker> points{};
  std::vector<Arrow> arrows{};
  // Fixed axis ranges; unset: fitted to the data with a margin. Must be finite with lo < hi
  // (and lo > 0 on a log axis), else InvalidArgument.
  std::optional<std::pair<double, double>> x_range{}, y_range{};
  bool legend = true;
  int width = 900, height = 540;  // pixels (points for SVG and PDF)
};

// Writers. They throw InvalidArgument for a bad spec (size < 100 px, bad range) and IoError naming
// the path when the file cannot be written.
void write_png(const ChartSpec& spec, const std::filesystem::path& path);
void write_svg(const ChartSpec& spec, const std::filesystem::path& path);
void write_pdf(const ChartSpec& spec, const std::filesystem::path& path);
// `dir`/`name`.png and `dir`/`name`.svg, every command's pair of pictures; returns both paths.
std::vector<std::filesystem::path> write_png_and_svg(const ChartSpec& spec,
                                                     const std::filesystem::path& dir,
                                                     const std::string& name);

// Several charts in one picture, row by row, `cols` panels a row; every cell is as large as the
// largest panel. Throws InvalidArgument when `panels` is empty or cols < 1.
void write_grid_png(const std::vector<ChartSpec>& panels, int cols,
                    const std::filesystem::path& path);
void write_grid_svg(const std::vector<ChartSpec>& panels, int cols,
                    const std::filesystem::path& path);

// Axis helpers, public so that they can be tested.

// Major tick positions inside [lo, hi] (lo < hi, both finite; lo > 0 for log), about `target` of
// them. Linear: multiples of a 1-2-5 step. Log: powers of ten (every k-th decade on a huge range)
// when three or more fall inside; else 1-2-5 multiples of decades (0.02, 0.05, 0.1, ...) when
// they number at most target + 2; else two decades, else 1..9 multiples, and on a very narrow
// range linear ticks.
std::vector<double> nice_ticks(double lo, double hi, Scale scale, int target = 6);

// Minor tick positions inside [lo, hi] that are not in `major` (from nice_ticks). Linear: the
// major step cut in 4 (steps 2) or 5 (steps 1 and 5). Log with decade majors: 2..9 times each
// decade, or the skipped decades when majors are more than a decade apart; with 1-2-5 majors the
// other 1..9 multiples. Otherwise none.
std::vector<double> minor_ticks(double lo, double hi, Scale scale,
                                const std::vector<double>& major);

// The label of tick `value` among `ticks` (all of one axis). Linear: fixed decimals that tell
// the ticks apart ("0.25", "-3", "1500"), scientific for big or tiny ones ("2.5e6", "1e-5").
// Log: powers of ten as "10⁻³", "10⁰", "10²"; 1-2-5 ticks as the shortest plain number ("0.002",
// "5", "2e-5"); other ticks as on a linear axis.
std::string tick_label(double value, const std::vector<double>& ticks, Scale scale);

}  // namespace descent
