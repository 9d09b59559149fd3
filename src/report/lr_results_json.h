// The lr layer's results read back from the files their commands wrote (formats of
// lr_finder.json, sweep.json and sharpness.json: LrFinderResult::to_json, SweepResult::to_json,
// SharpnessResult::to_json), so the HTML report draws the very charts the commands drew
// (report/lr_finder_chart.h, sweep_chart.h, sharpness_chart.h). Every reader throws a DataError
// naming the file and field when the JSON does not have that shape.
#pragma once

#include "lr/lr_finder.h"
#include "lr/sharpness.h"
#include "lr/sweep.h"
#include "report/json_view.h"

namespace descent {

// The curve, why it stopped, the suggestions and the picked one. `options` keeps its defaults:
// the report shows the file's options as they are.
LrFinderResult lr_finder_from_json(const JsonView& json);
// The runs (η, verdict, reason, seconds, history) and the best η; the per-run figures
// (final_loss, ...) follow from the histories.
SweepResult sweep_from_json(const JsonView& json);
// λmax, the estimates, convergence, samples and method.
SharpnessResult sharpness_from_json(const JsonView& json);

// A verdict from its name ("good", "too high", "too low", "diverged").
Verdict verdict_from_json(const JsonView& json);

}  // namespace descent
