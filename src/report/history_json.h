// A History read back from its JSON form (History::to_json, the history.json of a training run and
// each run's "history" in sweep.json), for drawing a finished run's curves.
#pragma once

#include "report/json_view.h"
#include "train/history.h"

namespace descent {

// DataError naming the file and field when the JSON is not History::to_json's shape: "epochs" an
// array of objects of numbers, "steps" equal-length arrays "step", "epoch", "loss", "lr".
History history_from_json(const JsonView& json);

}  // namespace descent
