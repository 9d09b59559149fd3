// Softmax and log-softmax over the last axis, computed stably (max subtracted first).
#pragma once

#include "core/variable.h"

namespace descent {

Variable softmax(const Variable& x);
Variable log_softmax(const Variable& x);

}  // namespace descent
