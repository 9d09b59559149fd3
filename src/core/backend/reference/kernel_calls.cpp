#include <atomic>

#include "core/backend/reference/reference_backend.h"

namespace descent {
namespace {
std::atomic<std::uint64_t> calls{0};
}  // namespace

std::uint64_t reference_kernel_calls() {
  return calls.load();
}

void reference::count_kernel_call() {
  ++calls;
}

}  // namespace descent
