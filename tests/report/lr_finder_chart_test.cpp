#include "report/lr_finder_chart.h"

#include <cairo.h>
#include <unistd.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <limits>
#include <string>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "find_series.h"
#include "lr/smoothing.h"

namespace descent {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;

// A curve like a real test's: flat at 2.3, falling to about 0.4, blowing up to 40 and then inf.
LrFinderResult sample_finder_result(bool with_validation = false) {
  LrFinderResult r;
  for (int k = 0; k < 80; ++k) {
    const double x = -7 + 0.1 * k;  // log10 η
    const double fall = 1.9 / (1 + std::exp(-3 * (x + 2.5)));
    const double blow_up = x > -0.5 ? std::pow(10.0, 3 * (x + 0.5)) : 0.0;
    r.lr.push_back(std::pow(10.0, x));
    r.loss.push_back(2.3 - fall + blow_up + 0.05 * std::sin(7.0 * k));
    if (with_validation) r.val_loss.push_back(2.35 - fall + blow_up);
  }
  r.loss.back() = std::numeric_limits<double>::infinity();
  r.smoothed = smooth(r.loss, 0.9);
  r.stopped = "the loss became inf at step 80";
  r.suggestions = {{"steep", 3e-3, 1.4, "falls fastest"},
                   {"minimum", 0.03, 0.6, "a tenth"},
                   {"valley", 0.01, 0.9, "2/3 of the way down"}};
  r.suggested = r.suggestions[2];
  return r;
}

using testing::find_series;

TEST(LrFinderChart, RawLightSmoothedBoldOnALogEtaAxis) {
  const ChartSpec spec = lr_finder_chart(sample_finder_result());
  EXPECT_EQ(spec.x_scale, Scale::log);
  EXPECT_EQ(spec.x_label, "η");
  EXPECT_THAT(spec.title, HasSubstr("0.01 (valley)"));
  const Series* raw = find_series(spec, "loss (step)");
  const Series* smoothed = find_series(spec, "loss (smoothed)");
  ASSERT_TRUE(raw && smoothed);
  EXPECT_LT(raw->color->a, 1.0);
  EXPECT_GT(smoothed->width, raw->width);
  EXPECT_EQ(smoothed->x.size(), 80u);
  EXPECT_FALSE(find_series(spec, "val_loss"));
  EXPECT_TRUE(find_series(lr_finder_chart(sample_finder_result(true)), "val_loss"));
}

TEST(LrFinderChart, EverySuggestionIsADotThePickedOneLastAndRed) {
  const ChartSpec spec = lr_finder_chart(sample_finder_result());
  ASSERT_EQ(spec.points.size(), 3u);
  EXPECT_EQ(spec.points[0].label, "steep: η = 0.003");
  EXPECT_EQ(spec.points[1].label, "minimum: η = 0.03");
  const PointMarker& picked = spec.points[2];
  EXPECT_EQ(picked.label, "valley: η = 0.01 (suggested)");
  EXPECT_EQ(picked.x, 0.01);
  EXPECT_EQ(picked.y, 0.9);
  EXPECT_GT(picked.color.r, 0.8);  // red
  EXPECT_LT(picked.color.g, 0.2);
  for (int i : {0, 1})
    EXPECT_GT(std::abs(spec.points[i].color.g - picked.color.g), 0.1) << spec.points[i].label;
  EXPECT_GT(std::abs(spec.points[0].color.b - spec.points[1].color.b), 0.1);
}

TEST(LrFinderChart, TheBlowUpIsClippedAboveTheFlatStart) {
  const LrFinderResult r = sample_finder_result();
  const ChartSpec spec = lr_finder_chart(r);
  ASSERT_TRUE(spec.y_range);
  const auto [lo, hi] = *spec.y_range;
  double lowest = INFINITY;
  for (double v : r.loss)
    if (std::isfinite(v)) lowest = std::min(lowest, v);
  EXPECT_LT(lo, lowest);
  EXPECT_GT(hi, r.smoothed[5]);  // the flat start is in view
  EXPECT_LT(hi, 3.5);            // the blow-up (up to ~40) is not
}

TEST(LrFinderChart, AValidationSpikeAfterItsLowestPointIsClippedToo) {
  LrFinderResult r = sample_finder_result(true);
  r.val_loss[70] = 30;  // x = 0: past the validation loss's lowest point (x = -0.5)
  const ChartSpec spec = lr_finder_chart(r);
  ASSERT_TRUE(spec.y_range);
  EXPECT_GT(spec.y_range->second, r.val_loss[5]);
  EXPECT_LT(spec.y_range->second, 3.5);
}

TEST(WriteLrFinderChart, PngAndSvg) {
  const fs::path dir =
      fs::temp_directory_path() / ("descent_lr_finder_chart_" + std::to_string(getpid()));
  fs::create_directories(dir);
  const auto files = write_lr_finder_chart(sample_finder_result(true), dir);
  ASSERT_EQ(files.size(), 2u);
  EXPECT_EQ(files[0], dir / "lr_finder.png");
  EXPECT_EQ(files[1], dir / "lr_finder.svg");
  cairo_surface_t* img = cairo_image_surface_create_from_png(files[0].c_str());
  EXPECT_EQ(cairo_surface_status(img), CAIRO_STATUS_SUCCESS);
  EXPECT_EQ(cairo_image_surface_get_width(img), 900);
  cairo_surface_destroy(img);
  std::ifstream svg(files[1]);
  const std::string text((std::istreambuf_iterator<char>(svg)), std::istreambuf_iterator<char>());
  EXPECT_THAT(text, HasSubstr("<svg"));
  fs::remove_all(dir);
}

}  // namespace
}  // namespace descent
