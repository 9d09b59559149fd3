// A ChartSpec (report/chart.h) as the JSON that the report page's script draws with uPlot, so the
// page shows the same charts as the PNG/SVG files, interactively:
//   {"title", "x_label", "y_label", "x_log", "y_log", "x_range", "y_range",
//    "series": [{"label", "color", "width", "dash", "markers", "x": [], "y": []}],
//    "verticals": [{"x", "label", "color", "dash"}],
//    "points": [{"label", "color", "x": [], "y": []}]}
// Values are rounded to 6 significant digits (plenty on a screen, and a third of the bytes);
// non-finite values, and non-positive ones on a log axis, become null (a gap). A series longer
// than kMaxChartPoints keeps only its envelope, the lowest and highest point of each bucket
// (html/envelope.h): a long run's page stays small and its spikes stay visible. Point markers that
// share a label and colour become one entry (one legend item), and an unlabelled point joins the
// entry of its colour (the sweep names each verdict once, on its first point). Arrows are
// not carried: no chart of the report has them. Every chart gets a legend (`legend` is not
// carried), because the page shows the values under the cursor there.
#pragma once

#include <nlohmann/json.hpp>

#include "report/chart.h"

namespace descent::html {

nlohmann::json chart_json(const ChartSpec& spec);

// "rgba(31,119,180,1)"
std::string css_color(const Color& color);

}  // namespace descent::html
