// The HTML report's scripts and styles, compiled into the binary (cmake/embed_files.cmake
// generates the definitions from the files named below) so that every report carries them inline
// and opens offline, and `descent report` needs no file beside the executable.
#pragma once

#include <string_view>

namespace descent::embedded {

std::string_view uplot_js();    // third_party/uplot/uPlot.iife.min.js (the chart library)
std::string_view uplot_css();   // third_party/uplot/uPlot.min.css
std::string_view guard_js();    // src/report/assets/guard.js (records script errors)
std::string_view report_js();   // src/report/assets/report.js (draws the page's charts)
std::string_view report_css();  // src/report/assets/report.css (the page's layout)

}  // namespace descent::embedded
