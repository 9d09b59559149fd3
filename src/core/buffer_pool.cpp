#include "core/buffer_pool.h"

#include <cstdlib>
#include <map>
#include <mutex>
#include <new>
#include <vector>

namespace descent {
namespace {

constexpr std::size_t kAlignment = 64;
constexpr std::size_t kGranule = kAlignment / sizeof(float);

struct Pool {
  std::mutex mutex;
  std::map<std::size_t, std::vector<float*>> free_by_capacity;
  std::uint64_t fresh = 0;
};

Pool& pool() {
  static Pool* instance = new Pool;  // never destroyed: buffers may be released during exit
  return *instance;
}

}  // namespace

float* BufferPool::acquire(std::size_t count, std::size_t& capacity) {
  capacity = (count + kGranule - 1) / kGranule * kGranule;
  if (capacity == 0) capacity = kGranule;
  Pool& p = pool();
  {
    std::lock_guard lock(p.mutex);
    auto it = p.free_by_capacity.find(capacity);
    if (it != p.free_by_capacity.end() && !it->second.empty()) {
      float* data = it->second.back();
      it->second.pop_back();
      return data;
    }
    ++p.fresh;
  }
  void* data = std::aligned_alloc(kAlignment, capacity * sizeof(float));
  if (data == nullptr) throw std::bad_alloc();
  return static_cast<float*>(data);
}

void BufferPool::release(float* data, std::size_t capacity) noexcept {
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
    for (float* data : buffers)
      std::free(data);
  p.free_by_capacity.clear();
}

}  // namespace descent
