// A process-wide pool of memory buffers, so a steady-state training step allocates no new memory:
// buffers released by one step (graph freed after backward) are handed out again by the next.
#pragma once

#include <cstddef>
#include <cstdint>

namespace descent {

class BufferPool {
 public:
  // Returns a 64-byte aligned buffer of at least `bytes` bytes (contents unspecified).
  // `capacity` receives the real size in bytes, which is what must be passed back to release().
  static void* acquire(std::size_t bytes, std::size_t& capacity);
  static void release(void* data, std::size_t capacity) noexcept;

  // Number of fresh allocations from the system since start; tests use it to prove reuse.
  static std::uint64_t fresh_allocations();
  // Returns every pooled buffer to the system.
  static void trim();
};

}  // namespace descent
