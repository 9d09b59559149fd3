#include "report/html_report.h"

#include <fmt/format.h>

#include "core/atomic_file.h"
#include "core/error.h"
#include "report/html/page.h"
#include "report/html/sections.h"
#include "report/html_escape.h"

namespace descent {
namespace {

namespace fs = std::filesystem;
using html::HtmlPage;

std::optional<SweepBound> own_bound(const RunInputs& run) {
  if (!run.sharpness) return std::nullopt;
  return html::sharpness_bound(JsonView(*run.sharpness, run.file("sharpness.json")));
}

// The evidence of one run directory with headings at `level`: the range test, the sweep, the
// training curves and the sharpness bound, then a tune's stages the same way. `bound` comes from a
// tune's sharpness stage when the directory has no sharpness.json of its own.
void write_evidence(HtmlPage& page, const RunInputs& run, int level,
                    std::optional<SweepBound> bound) {
  if (const auto own = own_bound(run)) bound = own;
  if (run.lr_finder)
    html::write_finder_section(page, JsonView(*run.lr_finder, run.file("lr_finder.json")), level);
  if (run.sweep)
    html::write_sweep_section(page, JsonView(*run.sweep, run.file("sweep.json")), bound, level);
  if (run.history) {
    std::optional<JsonView> results;
    if (run.results) results = JsonView(*run.results, run.file("results.json"));
    html::write_training_section(page, JsonView(*run.history, run.file("history.json")), results,
                                 level);
  }
  if (run.sharpness)
    html::write_sharpness_section(page, JsonView(*run.sharpness, run.file("sharpness.json")),
                                  level);
  for (const auto& [name, stage_run] : run.stages)
    if (name == "sharpness" && !bound) bound = own_bound(stage_run);
  for (const auto& [name, stage_run] : run.stages) {
    page.heading(level, fmt::format("Stage {}/", name));
    page.add("<div class=\"stage\">\n");
    write_evidence(page, stage_run, level + 1, bound);
    page.add("</div>\n");
  }
}

// The directory's config.json and its stages', each folded: a reader who wants the settings
// opens them; everyone else sees the answer and its evidence first.
std::vector<html::NamedConfig> configs_of(const RunInputs& run) {
  std::vector<html::NamedConfig> configs;
  if (run.config)
    configs.push_back({"config.json", JsonView(*run.config, run.file("config.json"))});
  for (const auto& [name, stage] : run.stages)
    if (stage.config)
      configs.push_back(
          {name + "/config.json", JsonView(*stage.config, stage.file("config.json"))});
  return configs;
}

// One run directory: a tune's answer (the chosen η and why), the evidence, the configuration.
void write_run(HtmlPage& page, const RunInputs& run) {
  if (run.is_tune()) html::write_tune_summary(page, run, 3);
  write_evidence(page, run, 3, std::nullopt);
  html::write_config_section(page, configs_of(run), 3);
}

}  // namespace

std::string html_report(const std::vector<RunInputs>& runs, const std::string& title) {
  if (runs.empty()) throw InvalidArgument("the report needs at least one run directory");
  HtmlPage page;
  std::string subtitle = "<p class=\"dirs\">";
  for (std::size_t i = 0; i < runs.size(); ++i)
    subtitle += fmt::format("{}<code>{}</code>", i ? ", " : "", html_escape(runs[i].dir.string()));
  subtitle += "</p>";
  for (const RunInputs& run : runs) {
    page.heading(2, run.name());
    page.add(fmt::format("<section class=\"run\">\n<p class=\"path\">{} · <code>{}</code></p>\n",
                         html_escape(run.describe()), html_escape(run.dir.string())));
    write_run(page, run);
    page.add("</section>\n");
  }
  return page.document(title, subtitle);
}

void write_html_report(const std::vector<RunInputs>& runs, const fs::path& out,
                       const std::string& title) {
  write_file_atomically(out, html_report(runs, title));
}

void write_html_report(const std::vector<fs::path>& run_dirs, const fs::path& out,
                       const std::string& title) {
  std::vector<RunInputs> runs;
  for (const fs::path& dir : run_dirs)
    runs.push_back(read_run_inputs(dir));
  write_html_report(runs, out, title);
}

}  // namespace descent
