#include "report/chart.h"

#include <cairo.h>
#include <unistd.h>

#include <cmath>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <limits>
#include <sstream>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "core/error.h"
#include "core/non_finite.h"
#include "temp_dir.h"

namespace descent {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;

std::string read_all(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

// A PNG read back through cairo, with pixel counts by colour.
class Picture {
 public:
  explicit Picture(const fs::path& path)
      : surface_(cairo_image_surface_create_from_png(path.c_str())) {}
  ~Picture() { cairo_surface_destroy(surface_); }
  bool ok() const { return cairo_surface_status(surface_) == CAIRO_STATUS_SUCCESS; }
  int width() const { return cairo_image_surface_get_width(surface_); }
  int height() const { return cairo_image_surface_get_height(surface_); }

  // Pixels within `tol` (0..255 per channel) of colour c, optionally only in columns [x0, x1).
  int count(const Color& c, int tol = 40, int x0 = 0, int x1 = -1) const {
    cairo_surface_flush(surface_);
    const unsigned char* data = cairo_image_surface_get_data(surface_);
    const int stride = cairo_image_surface_get_stride(surface_);
    if (x1 < 0) x1 = width();
    int n = 0;
    for (int y = 0; y < height(); ++y)
      for (int x = x0; x < x1; ++x) {
        std::uint32_t p;
        std::memcpy(&p, data + y * stride + 4 * x, 4);
        const int r = (p >> 16) & 0xff, g = (p >> 8) & 0xff, b = p & 0xff;
        if (std::abs(r - c.r * 255) <= tol && std::abs(g - c.g * 255) <= tol &&
            std::abs(b - c.b * 255) <= tol)
          ++n;
      }
    return n;
  }
  int non_white() const { return width() * height() - count({1, 1, 1}, 8); }

 private:
  cairo_surface_t* surface_;
};

ChartSpec simple_chart() {
  ChartSpec spec{.title = "Loss", .x_label = "step", .y_label = "loss"};
  Series s{.label = "train"};
  for (int i = 0; i < 50; ++i) {
    s.x.push_back(i);
    s.y.push_back(std::exp(-0.05 * i));
  }
  spec.series.push_back(s);
  return spec;
}

void expect_valid_png(const fs::path& path, int width, int height) {
  ASSERT_TRUE(fs::exists(path)) << path;
  EXPECT_EQ(read_all(path).substr(0, 8), std::string("\x89PNG\r\n\x1a\n", 8));
  Picture pic(path);
  ASSERT_TRUE(pic.ok());
  EXPECT_EQ(pic.width(), width);
  EXPECT_EQ(pic.height(), height);
  EXPECT_GT(pic.non_white(), 1000);  // frame, ticks and text at the least
}

void expect_near_all(const std::vector<double>& got, const std::vector<double>& want) {
  ASSERT_EQ(got.size(), want.size());
  for (std::size_t i = 0; i < got.size(); ++i)
    EXPECT_NEAR(got[i], want[i], 1e-12 * std::max(1.0, std::abs(want[i]))) << "tick " << i;
}

// ------------------------------------------------------------------------------- ticks

TEST(NiceTicks, LinearUnitRangeUsesStepsOfTwoTenths) {
  expect_near_all(nice_ticks(0, 1, Scale::linear), {0, 0.2, 0.4, 0.6, 0.8, 1.0});
}

TEST(NiceTicks, LinearRangeAcrossZero) {
  // span 15.9 / 6 = 2.65 -> step 2
  expect_near_all(nice_ticks(-3.7, 12.2, Scale::linear), {-2, 0, 2, 4, 6, 8, 10, 12});
}

TEST(NiceTicks, LinearNarrowRangeFarFromZero) {
  expect_near_all(nice_ticks(0.3, 0.31, Scale::linear), {0.3, 0.302, 0.304, 0.306, 0.308, 0.31});
}

TEST(NiceTicks, LinearStepOfFive) {
  // 40 / 8 = 5 -> step 5
  expect_near_all(nice_ticks(0, 40, Scale::linear, 8), {0, 5, 10, 15, 20, 25, 30, 35, 40});
}

TEST(NiceTicks, LogRangeGivesDecades) {
  const std::vector<double> ticks = nice_ticks(1e-4, 1, Scale::log);
  ASSERT_EQ(ticks.size(), 5u);
  EXPECT_DOUBLE_EQ(ticks[0], 1e-4);
  EXPECT_DOUBLE_EQ(ticks[1], 1e-3);
  EXPECT_DOUBLE_EQ(ticks[2], 1e-2);
  EXPECT_DOUBLE_EQ(ticks[3], 1e-1);
  EXPECT_DOUBLE_EQ(ticks[4], 1);
}

TEST(NiceTicks, LogHugeRangeSkipsDecades) {
  // 61 decades: every 10th would be 7 ticks (> 6), so every 20th.
  const std::vector<double> ticks = nice_ticks(1e-30, 1e30, Scale::log);
  ASSERT_EQ(ticks.size(), 3u);
  EXPECT_DOUBLE_EQ(ticks[0], 1e-20);
  EXPECT_DOUBLE_EQ(ticks[1], 1);
  EXPECT_DOUBLE_EQ(ticks[2], 1e20);
}

TEST(NiceTicks, LogWithinOneDecadeUsesOneTwoFive) {
  expect_near_all(nice_ticks(0.3, 2.3, Scale::log), {0.5, 1, 2});
}

TEST(NiceTicks, LogAcrossTwoDecadesUsesOneTwoFive) {
  expect_near_all(nice_ticks(0.015, 3, Scale::log), {0.02, 0.05, 0.1, 0.2, 0.5, 1, 2});
}

TEST(NiceTicks, LogVeryNarrowRangeFallsBackToLinear) {
  expect_near_all(nice_ticks(2.1, 2.9, Scale::log), {2.1, 2.2, 2.3, 2.4, 2.5, 2.6, 2.7, 2.8, 2.9});
}

TEST(NiceTicks, RejectsBadRanges) {
  EXPECT_THROW(nice_ticks(1, 1, Scale::linear), InvalidArgument);
  EXPECT_THROW(nice_ticks(2, 1, Scale::linear), InvalidArgument);
  EXPECT_THROW(nice_ticks(0, kInf, Scale::linear), InvalidArgument);
  EXPECT_THROW(nice_ticks(kNaN, 1, Scale::linear), InvalidArgument);
  EXPECT_THROW(nice_ticks(0, 10, Scale::log), InvalidArgument);
}

TEST(NiceTicks, ExtremeLinearRangeStaysFinite) {
  const std::vector<double> ticks = nice_ticks(-1e308, 1e308, Scale::linear);
  ASSERT_GE(ticks.size(), 2u);
  for (double t : ticks)
    EXPECT_TRUE(std::isfinite(t));
}

TEST(MinorTicks, LogDecadesGetTwoToNine) {
  const std::vector<double> major = nice_ticks(1e-2, 1, Scale::log);
  const std::vector<double> minor = minor_ticks(1e-2, 1, Scale::log, major);
  ASSERT_EQ(minor.size(), 16u);
  EXPECT_DOUBLE_EQ(minor.front(), 2e-2);
  EXPECT_DOUBLE_EQ(minor[7], 9e-2);
  EXPECT_DOUBLE_EQ(minor[8], 0.2);
  EXPECT_DOUBLE_EQ(minor.back(), 0.9);
}

TEST(MinorTicks, LogSkippedDecades) {
  const std::vector<double> major = {1e-20, 1, 1e20};
  const std::vector<double> minor = minor_ticks(1e-30, 1e30, Scale::log, major);
  EXPECT_EQ(minor.size(), 61u - 3u);
}

TEST(MinorTicks, LinearStepOfTwoSplitsInFour) {
  const std::vector<double> major = nice_ticks(0, 1, Scale::linear);
  const std::vector<double> minor = minor_ticks(0, 1, Scale::linear, major);
  ASSERT_EQ(minor.size(), 15u);  // 21 multiples of 0.05 less 6 majors
  EXPECT_NEAR(minor[0], 0.05, 1e-12);
  EXPECT_NEAR(minor[3], 0.25, 1e-12);
}

TEST(MinorTicks, LogOneTwoFiveGetTheOtherMultiples) {
  const std::vector<double> major = {0.5, 1, 2};
  expect_near_all(minor_ticks(0.3, 2.3, Scale::log, major), {0.3, 0.4, 0.6, 0.7, 0.8, 0.9});
}

TEST(MinorTicks, NoneWithOneMajor) {
  EXPECT_TRUE(minor_ticks(0, 1, Scale::linear, {0.5}).empty());
}

TEST(TickLabel, LinearUsesCommonDecimals) {
  const std::vector<double> ticks = nice_ticks(0, 1, Scale::linear);
  EXPECT_EQ(tick_label(0, ticks, Scale::linear), "0");
  EXPECT_EQ(tick_label(ticks[2], ticks, Scale::linear), "0.4");
  EXPECT_EQ(tick_label(1, ticks, Scale::linear), "1.0");
  const std::vector<double> quarters = {0, 0.25, 0.5, 0.75};
  EXPECT_EQ(tick_label(0.25, quarters, Scale::linear), "0.25");
  EXPECT_EQ(tick_label(0.5, quarters, Scale::linear), "0.50");
}

TEST(TickLabel, LinearIntegersAndNegatives) {
  EXPECT_EQ(tick_label(500, {0, 500, 1000}, Scale::linear), "500");
  EXPECT_EQ(tick_label(-2, {-2, 0, 2}, Scale::linear), "-2");
}

TEST(TickLabel, LinearScientificForBigAndTiny) {
  const std::vector<double> big = {0, 5e5, 1e6, 1.5e6};
  EXPECT_EQ(tick_label(1.5e6, big, Scale::linear), "1.5e6");
  EXPECT_EQ(tick_label(1e6, big, Scale::linear), "1e6");
  EXPECT_EQ(tick_label(5e5, big, Scale::linear), "5e5");
  EXPECT_EQ(tick_label(0, big, Scale::linear), "0");
  const std::vector<double> tiny = {0, 2e-5, 4e-5};
  EXPECT_EQ(tick_label(2e-5, tiny, Scale::linear), "2e-5");
}

TEST(TickLabel, LogDecadesAsPowersOfTen) {
  const std::vector<double> ticks = nice_ticks(1e-3, 100, Scale::log);
  EXPECT_EQ(tick_label(1e-3, ticks, Scale::log), "10⁻³");
  EXPECT_EQ(tick_label(1, ticks, Scale::log), "10⁰");
  EXPECT_EQ(tick_label(100, ticks, Scale::log), "10²");
  EXPECT_EQ(tick_label(1e-20, {1e-20, 1, 1e20}, Scale::log), "10⁻²⁰");
}

TEST(TickLabel, LogMixedTicksAsPlainNumbers) {
  const std::vector<double> ticks = {0.5, 1, 2};
  EXPECT_EQ(tick_label(0.5, ticks, Scale::log), "0.5");
  EXPECT_EQ(tick_label(1, ticks, Scale::log), "1");
  EXPECT_EQ(tick_label(2e-5, {2e-5, 5e-5}, Scale::log), "2e-5");
}

TEST(TickLabel, LogWithLinearTicksLikeALinearAxis) {
  const std::vector<double> ticks = nice_ticks(4.96, 5.52, Scale::log);
  EXPECT_EQ(tick_label(5.0, ticks, Scale::log), "5.0");
  EXPECT_EQ(tick_label(5.1, ticks, Scale::log), "5.1");
}

TEST(Palette, IsTableauTenAndCycles) {
  const Color c = palette_color(0);
  EXPECT_NEAR(c.r, 0x1f / 255.0, 1e-12);
  EXPECT_NEAR(c.g, 0x77 / 255.0, 1e-12);
  EXPECT_NEAR(c.b, 0xb4 / 255.0, 1e-12);
  EXPECT_EQ(palette_color(13).r, palette_color(3).r);
  EXPECT_NE(palette_color(1).r, palette_color(0).r);
}

// ------------------------------------------------------------------------------- drawing

TEST(WritePng, WritesReadablePictureOfTheRightSize) {
  const testing::TempDir temp;
  const fs::path& dir = temp.path();
  write_png(simple_chart(), dir / "chart.png");
  expect_valid_png(dir / "chart.png", 900, 540);
  Picture pic(dir / "chart.png");
  // The unset series colour is palette colour 0.
  EXPECT_GT(pic.count(palette_color(0), 30), 300);
  fs::remove_all(dir);
}

TEST(WritePng, HonoursSize) {
  const testing::TempDir temp;
  const fs::path& dir = temp.path();
  ChartSpec spec = simple_chart();
  spec.width = 400;
  spec.height = 300;
  write_png(spec, dir / "small.png");
  expect_valid_png(dir / "small.png", 400, 300);
  fs::remove_all(dir);
}

TEST(WriteSvg, WritesSvgDocument) {
  const testing::TempDir temp;
  const fs::path& dir = temp.path();
  write_svg(simple_chart(), dir / "chart.svg");
  const std::string svg = read_all(dir / "chart.svg");
  EXPECT_TRUE(svg.rfind("<?xml", 0) == 0 || svg.rfind("<svg", 0) == 0);
  EXPECT_THAT(svg, HasSubstr("<svg"));
  EXPECT_THAT(svg, HasSubstr("width=\"900px\""));
  EXPECT_THAT(svg, HasSubstr("</svg>"));
  fs::remove_all(dir);
}

TEST(WritePdf, WritesPdfDocument) {
  const testing::TempDir temp;
  const fs::path& dir = temp.path();
  write_pdf(simple_chart(), dir / "chart.pdf");
  const std::string pdf = read_all(dir / "chart.pdf");
  EXPECT_EQ(pdf.substr(0, 5), "%PDF-");
  EXPECT_THAT(pdf, HasSubstr("%%EOF"));
  fs::remove_all(dir);
}

TEST(WritePng, NonFiniteAndNonPositiveValuesOnLogAxesAreSkipped) {
  const testing::TempDir temp;
  const fs::path& dir = temp.path();
  ChartSpec spec{.title = "bad data", .x_scale = Scale::log, .y_scale = Scale::log};
  spec.series.push_back({.label = "holes",
                         .x = {1, 2, 3, 4, 5, 6, 7, 8, kNaN, 10},
                         .y = {1, kNaN, 3, kInf, -kInf, 0, -2, 8, 9, 10}});
  spec.series.push_back({.label = "all bad", .x = {kNaN, -1}, .y = {kInf, 0}});
  spec.verticals.push_back({.x = -3, .label = "off the log axis"});
  spec.points.push_back({.x = kNaN, .y = 1, .label = "nowhere"});
  spec.arrows.push_back({.x0 = 1, .y0 = kInf, .x1 = 2, .y1 = 2});
  write_png(spec, dir / "a.png");
  expect_valid_png(dir / "a.png", 900, 540);
  write_svg(spec, dir / "a.svg");
  EXPECT_THAT(read_all(dir / "a.svg"), HasSubstr("</svg>"));
  fs::remove_all(dir);
}

TEST(WritePng, EmptySingleConstantAndHugeData) {
  const testing::TempDir temp;
  const fs::path& dir = temp.path();
  ChartSpec empty{.title = "empty"};
  empty.series.push_back({.label = "nothing"});
  write_png(empty, dir / "empty.png");
  expect_valid_png(dir / "empty.png", 900, 540);

  ChartSpec single{.title = "one point"};
  single.series.push_back({.label = "one", .x = {3}, .y = {7}, .color = Color{1, 0, 0}});
  write_png(single, dir / "single.png");
  EXPECT_GT(Picture(dir / "single.png").count({1, 0, 0}), 10);  // a dot, and the legend sample

  ChartSpec constant{.title = "constant", .y_scale = Scale::log};
  constant.series.push_back({.label = "flat", .x = {0, 1, 2}, .y = {5, 5, 5}});
  write_png(constant, dir / "constant.png");
  expect_valid_png(dir / "constant.png", 900, 540);

  ChartSpec huge{.title = "huge"};
  huge.series.push_back({.label = "wide", .x = {-1e308, 0, 1e308}, .y = {1e-300, 1e300, -1e308}});
  write_png(huge, dir / "huge.png");
  expect_valid_png(dir / "huge.png", 900, 540);

  ChartSpec huge_log{.title = "huge log", .x_scale = Scale::log, .y_scale = Scale::log};
  huge_log.series.push_back({.label = "wide", .x = {1e-300, 1, 1e300}, .y = {1e300, 1, 1e-300}});
  write_png(huge_log, dir / "huge_log.png");
  expect_valid_png(dir / "huge_log.png", 900, 540);
  fs::remove_all(dir);
}

TEST(WritePng, FixedRangeClipsTheData) {
  const testing::TempDir temp;
  const fs::path& dir = temp.path();
  ChartSpec spec{.x_range = std::pair{10.0, 20.0}, .y_range = std::pair{0.0, 1.0}};
  spec.series.push_back(
      {.label = "far", .x = {0, 1e9}, .y = {-1e12, 1e12}, .color = Color{1, 0, 0}});
  write_png(spec, dir / "clip.png");
  expect_valid_png(dir / "clip.png", 900, 540);
  // The line passes left of x = 10 and right of x = 20 far outside the plot: nothing is drawn
  // but the legend sample (28 x 1.5 px).
  EXPECT_LT(Picture(dir / "clip.png").count({1, 0, 0}), 80);
  fs::remove_all(dir);
}

TEST(WritePng, DrawsMarkersPointsAndArrows) {
  const testing::TempDir temp;
  const fs::path& dir = temp.path();
  ChartSpec spec{.title = "finder", .x_scale = Scale::log, .legend = false};
  spec.series.push_back({.label = "loss",
                         .x = {1e-4, 1e-3, 1e-2, 1e-1},
                         .y = {2, 1.5, 0.7, 3},
                         .color = Color{0, 0, 1},
                         .style = LineStyle::dashed,
                         .markers = true});
  spec.verticals.push_back({.x = 3e-2, .label = "2/λmax", .color = {0, 0.8, 0}, .dashed = false});
  spec.points.push_back({.x = 1e-2, .y = 0.7, .label = "suggested η", .color = {1, 0, 0}});
  spec.arrows.push_back({.x0 = 1e-4, .y0 = 0.5, .x1 = 1e-3, .y1 = 2.5, .color = {1, 0, 1}});
  write_png(spec, dir / "m.png");
  Picture pic(dir / "m.png");
  ASSERT_TRUE(pic.ok());
  EXPECT_GT(pic.count({0, 0, 1}), 100);
  EXPECT_GT(pic.count({0, 0.8, 0}), 300);  // a solid line the height of the plot
  EXPECT_GT(pic.count({1, 0, 0}), 40);     // a dot of radius 5.5
  EXPECT_GT(pic.count({1, 0, 1}), 100);    // shaft and head
  fs::remove_all(dir);
}

TEST(WriteSvg, LongSeriesIsThinnedToItsPixelColumns) {
  const testing::TempDir temp;
  const fs::path& dir = temp.path();
  ChartSpec spec{.legend = false};
  Series s{.color = Color{1, 0, 0}};
  for (int i = 0; i < 200000; ++i) {
    s.x.push_back(i);
    s.y.push_back(i % 2 == 0 ? 0.0 : 1.0);
  }
  spec.series.push_back(s);
  write_svg(spec, dir / "long.svg");
  // About 4 points per pixel column (under 900 columns), not 200,000.
  EXPECT_LT(fs::file_size(dir / "long.svg"), 200'000u);
  write_png(spec, dir / "long.png");
  // Thinning keeps the extremes: the zigzag still fills the plot from 0 to 1 as a red block.
  EXPECT_GT(Picture(dir / "long.png").count({1, 0, 0}), 200'000);
  fs::remove_all(dir);
}

TEST(WritePng, LegendAvoidsTheData) {
  const testing::TempDir temp;
  const fs::path& dir = temp.path();
  // Data fills the upper half: the legend must go to a bottom corner.
  ChartSpec spec{.y_range = std::pair{0.0, 2.0}};
  Series s{.label = "a long legend label to find", .color = Color{0, 0, 0}, .width = 1};
  for (int i = 0; i <= 400; ++i) {
    s.x.push_back(i);
    s.y.push_back(1.1 + 0.85 * ((i * 7919) % 101) / 100.0);
  }
  spec.series.push_back(s);
  write_png(spec, dir / "legend.png");
  Picture pic(dir / "legend.png");
  ASSERT_TRUE(pic.ok());
  // The legend text is the only black in the lower half of the plot.
  cairo_surface_t* img = cairo_image_surface_create_from_png((dir / "legend.png").c_str());
  const unsigned char* data = cairo_image_surface_get_data(img);
  const int stride = cairo_image_surface_get_stride(img);
  int dark_low = 0;
  for (int y = 280; y < 500; ++y)
    for (int x = 100; x < 870; ++x) {
      std::uint32_t p;
      std::memcpy(&p, data + y * stride + 4 * x, 4);
      if (((p >> 16) & 0xff) < 60 && ((p >> 8) & 0xff) < 60 && (p & 0xff) < 60) ++dark_low;
    }
  cairo_surface_destroy(img);
  EXPECT_GT(dark_low, 50);
  fs::remove_all(dir);
}

TEST(WriteGrid, LaysPanelsOutInRows) {
  const testing::TempDir temp;
  const fs::path& dir = temp.path();
  ChartSpec panel = simple_chart();
  panel.width = 400;
  panel.height = 300;
  write_grid_png({panel, panel, panel}, 2, dir / "grid.png");
  expect_valid_png(dir / "grid.png", 800, 600);
  Picture pic(dir / "grid.png");
  // The fourth cell is empty.
  int coloured_in_last = 0;
  {
    cairo_surface_t* img = cairo_image_surface_create_from_png((dir / "grid.png").c_str());
    const unsigned char* data = cairo_image_surface_get_data(img);
    const int stride = cairo_image_surface_get_stride(img);
    for (int y = 300; y < 600; ++y)
      for (int x = 400; x < 800; ++x) {
        std::uint32_t p;
        std::memcpy(&p, data + y * stride + 4 * x, 4);
        if ((p & 0xffffff) != 0xffffff) ++coloured_in_last;
      }
    cairo_surface_destroy(img);
  }
  EXPECT_EQ(coloured_in_last, 0);
  EXPECT_GT(pic.count(palette_color(0), 30, 400, 800), 100);  // second panel, top right

  write_grid_svg({panel, panel}, 2, dir / "grid.svg");
  EXPECT_THAT(read_all(dir / "grid.svg"), HasSubstr("width=\"800px\""));
  fs::remove_all(dir);
}

TEST(WriteGrid, RejectsNoPanelsAndBadColumns) {
  const testing::TempDir temp;
  const fs::path& dir = temp.path();
  EXPECT_THROW(write_grid_png({}, 2, dir / "g.png"), InvalidArgument);
  EXPECT_THROW(write_grid_png({simple_chart()}, 0, dir / "g.png"), InvalidArgument);
  fs::remove_all(dir);
}

TEST(WritePng, RejectsBadSpecs) {
  const testing::TempDir temp;
  const fs::path& dir = temp.path();
  ChartSpec tiny = simple_chart();
  tiny.width = 10;
  EXPECT_THROW(write_png(tiny, dir / "t.png"), InvalidArgument);
  ChartSpec reversed = simple_chart();
  reversed.x_range = std::pair{5.0, 1.0};
  EXPECT_THROW(write_png(reversed, dir / "r.png"), InvalidArgument);
  ChartSpec log_zero = simple_chart();
  log_zero.y_scale = Scale::log;
  log_zero.y_range = std::pair{0.0, 1.0};
  EXPECT_THROW(write_png(log_zero, dir / "l.png"), InvalidArgument);
  fs::remove_all(dir);
}

TEST(WritePng, UnwritablePathThrowsIoErrorNamingIt) {
  const fs::path path = "/nonexistent-descent-dir/sub/chart.png";
  try {
    write_png(simple_chart(), path);
    FAIL() << "expected IoError";
  } catch (const IoError& e) {
    EXPECT_THAT(e.what(), HasSubstr(path.string()));
  }
  EXPECT_THROW(write_svg(simple_chart(), "/nonexistent-descent-dir/chart.svg"), IoError);
  EXPECT_THROW(write_pdf(simple_chart(), "/nonexistent-descent-dir/chart.pdf"), IoError);
  EXPECT_THROW(write_grid_png({simple_chart()}, 1, "/nonexistent-descent-dir/g.png"), IoError);
}

}  // namespace
}  // namespace descent
