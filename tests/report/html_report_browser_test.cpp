// Opens the HTML report in headless Chromium (Debian's `chromium`, which CI installs: this test
// fails, never skips, without it) and checks that the page renders: the page's own guard sets
// <body data-rendered="ok" data-errors="0" data-charts="N">, every chart has its canvas, the
// browser logged no console message, and the screenshot is a real PNG with charts in it. The
// report and the screenshot stay in <build>/tests/report-browser/ for a person to look at.
#include <cairo.h>
#include <unistd.h>

#include <array>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <regex>
#include <set>
#include <sstream>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "count_occurrences.h"
#include "report/html_report.h"
#include "run_fixtures.h"

namespace descent {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;
using ::testing::Not;

constexpr int kWidth = 1280, kHeight = 4000;

std::string read_text(const fs::path& path) {
  std::stringstream text;
  text << std::ifstream(path, std::ios::binary).rdbuf();
  return text.str();
}

// Runs a shell command and returns its standard output.
std::string run_command(const std::string& command) {
  std::string out;
  FILE* pipe = popen(command.c_str(), "r");
  if (pipe == nullptr) return out;
  std::array<char, 65536> buffer;
  std::size_t n;
  while ((n = std::fread(buffer.data(), 1, buffer.size(), pipe)) > 0)
    out.append(buffer.data(), n);
  pclose(pipe);
  return out;
}

// The folder of this test program (<build>/tests), where the pictures stay after the test.
fs::path output_dir() {
  const fs::path dir = fs::read_symlink("/proc/self/exe").parent_path() / "report-browser";
  fs::create_directories(dir);
  return dir;
}

struct BrowserResult {
  std::string dom;                   // the DOM after the page's scripts ran
  std::vector<std::string> console;  // the console messages Chromium logged
};

// Loads `page` in headless Chromium, lets its scripts run (virtual time), dumps the DOM and
// takes a kWidth × kHeight screenshot into `png`. Console messages reach stderr through
// --enable-logging=stderr as lines with "CONSOLE".
BrowserResult open_in_chromium(const fs::path& page, const fs::path& png) {
  const std::string chromium = run_command("command -v chromium");
  if (chromium.empty()) {
    ADD_FAILURE() << "chromium is not installed: the report's browser test needs Debian's "
                     "chromium (scripts/setup.sh installs it)";
    return {};
  }
  const fs::path profile =
      fs::temp_directory_path() / ("descent_chromium_" + std::to_string(getpid()));
  const fs::path log = profile.string() + ".log";
  fs::remove(png);
  const std::string command =
      "DBUS_SESSION_BUS_ADDRESS=disabled: timeout 90 chromium --headless --no-sandbox "
      "--disable-gpu --no-first-run --disable-extensions --disable-background-networking "
      "--disable-component-update --disable-sync --disable-default-apps --mute-audio "
      "--hide-scrollbars --user-data-dir='" +
      profile.string() +
      "' --enable-logging=stderr "
      "--v=0 --virtual-time-budget=10000 --window-size=" +
      std::to_string(kWidth) + "," + std::to_string(kHeight) + " --screenshot='" + png.string() +
      "' --dump-dom 'file://" + fs::absolute(page).string() + "' 2>'" + log.string() + "'";
  BrowserResult result{run_command(command), {}};
  std::istringstream lines(read_text(log));
  for (std::string line; std::getline(lines, line);)
    if (line.find(":CONSOLE") != std::string::npos) result.console.push_back(line);
  fs::remove_all(profile);
  fs::remove(log);
  return result;
}

// The value of attribute `name` of <body> in a dumped DOM ("" when absent).
std::string body_attribute(const std::string& dom, const std::string& name) {
  std::smatch match;
  const std::regex body("<body[^>]*\\s" + name + "=\"([^\"]*)\"");
  return std::regex_search(dom, match, body) ? match[1].str() : "";
}

// How many different colours the picture has (a blank or text-only page has few).
std::size_t distinct_colours(const fs::path& png) {
  cairo_surface_t* image = cairo_image_surface_create_from_png(png.c_str());
  std::set<std::uint32_t> colours;
  if (cairo_surface_status(image) == CAIRO_STATUS_SUCCESS) {
    const int width = cairo_image_surface_get_width(image);
    const int height = cairo_image_surface_get_height(image);
    const int stride = cairo_image_surface_get_stride(image);
    const unsigned char* data = cairo_image_surface_get_data(image);
    for (int y = 0; y < height; y += 2)
      for (int x = 0; x < width; x += 2)
        colours.insert(*reinterpret_cast<const std::uint32_t*>(data + y * stride + 4 * x));
  }
  cairo_surface_destroy(image);
  return colours.size();
}

// A tune directory (every kind of section) and a training run in a directory named like markup.
std::vector<fs::path> fixture_runs(const fs::path& root) {
  fs::remove_all(root);
  testing::write_tune_dir(root / "tune");
  const fs::path hostile = root / "<script>alert(1)</script>";
  testing::write_train_dir(hostile);
  nlohmann::json config = testing::fixture_config("train", 0.05);
  config["model"] = "</script><img src=x onerror=\"document.body.dataset.pwned=1\">";
  testing::write_json(hostile / "config.json", config);
  return {root / "tune", hostile};
}

TEST(HtmlReportBrowser, RendersWithNoErrorsAndSavesAScreenshot) {
  const fs::path dir = output_dir();
  const fs::path page = dir / "report.html", png = dir / "report.png";
  write_html_report(fixture_runs(dir / "runs"), page, "descent report: browser test");
  const std::size_t charts = testing::count_occurrences(read_text(page), "<figure class=\"chart");
  ASSERT_EQ(charts, 10u);  // tune: finder 1, sweep 2, final 3, sharpness 1; training run 3

  const BrowserResult browser = open_in_chromium(page, png);
  EXPECT_EQ(body_attribute(browser.dom, "data-rendered"), "ok") << browser.dom.substr(0, 2000);
  EXPECT_EQ(body_attribute(browser.dom, "data-errors"), "0");
  EXPECT_EQ(body_attribute(browser.dom, "data-charts"), std::to_string(charts));
  EXPECT_EQ(testing::count_occurrences(browser.dom, "<canvas"), charts);
  EXPECT_EQ(testing::count_occurrences(browser.dom, "class=\"uplot"), charts);
  EXPECT_TRUE(browser.console.empty()) << browser.console.front();
  EXPECT_THAT(browser.dom, Not(HasSubstr("data-pwned")));
  EXPECT_THAT(browser.dom, HasSubstr("&lt;/script&gt;&lt;img src=x"));

  const std::string bytes = read_text(png);
  ASSERT_GT(bytes.size(), 24u) << "no screenshot at " << png;
  EXPECT_EQ(bytes.substr(0, 8), std::string("\x89PNG\r\n\x1a\n", 8));
  const auto be32 = [&](std::size_t at) {
    return (std::uint32_t(std::uint8_t(bytes[at])) << 24) | (std::uint8_t(bytes[at + 1]) << 16) |
           (std::uint8_t(bytes[at + 2]) << 8) | std::uint8_t(bytes[at + 3]);
  };
  EXPECT_EQ(bytes.substr(12, 4), "IHDR");
  EXPECT_EQ(be32(16), std::uint32_t(kWidth));
  EXPECT_EQ(be32(20), std::uint32_t(kHeight));
  EXPECT_GT(bytes.size(), 100000u);
  EXPECT_GT(distinct_colours(png), 200u);
  std::printf("Report: %s\nScreenshot: %s\n", page.c_str(), png.c_str());
}

// The guard must see a broken page: the same report with its chart data cut off.
TEST(HtmlReportBrowser, ABrokenPageIsReportedAsFailedWithItsErrors) {
  const fs::path dir = output_dir();
  const fs::path page = dir / "broken.html", png = dir / "broken.png";
  write_html_report(fixture_runs(dir / "broken-runs"), page, "broken");
  std::string html = read_text(page);
  const std::string data = "id=\"report-data\">";
  html.insert(html.find(data) + data.size(), "{not json");
  std::ofstream(page, std::ios::binary) << html;

  const BrowserResult browser = open_in_chromium(page, png);
  EXPECT_EQ(body_attribute(browser.dom, "data-rendered"), "failed");
  EXPECT_EQ(body_attribute(browser.dom, "data-errors"), "1");
  EXPECT_EQ(body_attribute(browser.dom, "data-charts"), "0");
  ASSERT_EQ(browser.console.size(), 1u);
  EXPECT_THAT(browser.console.front(), HasSubstr("report data: SyntaxError"));
  EXPECT_THAT(browser.dom, HasSubstr("This page had 1 script error(s)"));
}

}  // namespace
}  // namespace descent
