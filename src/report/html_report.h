// The HTML report: one self-contained page for run directories of descent train, find-lr,
// sweep, sharpness and tune (report_inputs.h says what it reads). Per directory, the answer first
// and the settings last: a tune's chosen η and why; the evidence (the range test with its
// suggestions, the sweep with verdicts, the training curves, the sharpness bound, then a tune's
// stages the same way); last the configuration, folded. Long series keep only their envelope
// (html/envelope.h), so a long run's page stays small and its spikes stay visible.
//
// The charts are interactive (hover values, drag to zoom, legend entries toggle series) through
// uPlot, which the page carries inline with everything else: it opens offline, from anywhere.
// All user text is escaped, and the page records its own script errors: when it has drawn its
// charts, <body> gets data-rendered="ok", data-charts="<n>" and data-errors="<count>".
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "report/report_inputs.h"

namespace descent {

// The page as text.
std::string html_report(const std::vector<RunInputs>& runs, const std::string& title);

// Reads each directory (read_run_inputs: IoError / DataError naming the directory or file) and
// writes the page to `out`, replacing it (the caller decides whether that is allowed). Writes to
// a temporary file beside `out` first, so a failed write leaves no half page. InvalidArgument
// when `run_dirs` is empty, IoError naming `out` when it cannot be written.
void write_html_report(const std::vector<std::filesystem::path>& run_dirs,
                       const std::filesystem::path& out, const std::string& title);
void write_html_report(const std::vector<RunInputs>& runs, const std::filesystem::path& out,
                       const std::string& title);

}  // namespace descent
