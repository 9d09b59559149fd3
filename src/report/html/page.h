// HtmlPage: the report page being built. Section writers append markup (escaping every piece of
// user text themselves) and charts; document() wraps them into one self-contained HTML file with
// the styles, uPlot and the page's script inline, the charts' data in a
// <script type="application/json"> element, and a table of contents of the headings.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "report/chart.h"

namespace descent::html {

class HtmlPage {
 public:
  // A heading (level 2 to 4) with a unique anchor; levels 2 and 3 go into the table of contents.
  void heading(int level, std::string_view text);
  // Markup whose user text the caller has escaped.
  void add(std::string_view html);
  // A chart drawn by the page's script; `wide` charts take a full row, others share it in twos.
  void chart(const ChartSpec& spec, bool wide = true);
  // Starts and ends a row of charts that share its width (the metrics, one per panel).
  void begin_chart_row();
  void end_chart_row();

  std::size_t chart_count() const { return charts_.size(); }
  std::string document(std::string_view title, std::string_view subtitle_html) const;

 private:
  struct TocEntry {
    int level;
    std::string id, text;
  };
  std::string body_;
  nlohmann::json charts_ = nlohmann::json::array();
  std::vector<TocEntry> toc_;
};

}  // namespace descent::html
