#include "core/buffer_pool.h"

#include <cstdlib>
#include <map>
#include <mutex>
#include <new>
#include <vector>

namespace descent {
namespace {

constexpr std::size_t kAlignment = 64;

struct Pool {
  std::mutex mutex;
  std::map<std::size_t, std::vector<void*>> free_by_capacity;
  std::uint64_t fresh = 0;
};

Pool& pool() {
  static Pool* instance = new Pool;  // never destroyed: buffers may be released during exit
  return *instance;
}

}  // namespace

void* BufferPool::acquire(std::size_t bytes, std::size_t& capacity) {
  capacity = (bytes + kAlignment - 1) / kAlignment * kAlignment;
  if (capacity == 0) capacity = kAlignment;
  Pool& p = pool();
  {
    std::lock_guard lock(p.mutex);
    auto it = p.free_by_capacity.find(capacity);
    if (it != p.free_by_capacity.end() && !it->second.empty()) {
      void* data = it->second.back();
      it->second.pop_back();
      return data;
    }
    ++p.fresh;
  }
  void* data = std::aligned_alloc(kAlignment, capacity);
  if (data == nullptr) throw std::bad_alloc();
  return data;
}

void BufferPool::release(void* data, std::size_t capacity) noexcept {
  if (data == nullptr) return;
  Pool& p = pool();
  std::lock_guard lock(p.mutex);
  try {
    p.free_by_capacity[capacity].push_back(data);
  } catch (...) {
    std::free(data);
  }
}

std::uint64_t BufferPool::fresh_allocations() {
  Pool& p = pool();
  std::lock_guard lock(p.mutex);
  return p.fresh;
}

void BufferPool::trim() {
  Pool& p = pool();
  std::lock_guard lock(p.mutex);
  for (auto& [capacity, buffers] : p.free_by_capacity)
    for (void* data : buffers)
      std::free(data);
  p.free_by_capacity.clear();
}

}  // namespace descent
