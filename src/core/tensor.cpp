#include "core/tensor.h"

#include <algorithm>
#include <atomic>
#include <cstring>
#include <limits>
#include <new>
#include <utility>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "core/buffer_pool.h"
#include "core/error.h"

namespace descent {

// A buffer from the pool, shared by a tensor and its views and returned when the last lets go.
// The count sits in the buffer's first bytes, so a tensor costs no allocation besides its buffer.
struct Tensor::Storage {
  static constexpr std::size_t kHeader = 64;  // keeps the values 64-byte aligned
  std::atomic<std::int64_t> owners{1};
  std::size_t capacity = 0;  // bytes of the buffer, header included

  static Storage* make(std::size_t bytes) {
    std::size_t capacity = 0;
    void* buffer = BufferPool::acquire(bytes + kHeader, capacity);
    auto* storage = new (buffer) Storage;
    storage->capacity = capacity;
    return storage;
  }
  void* values() { return reinterpret_cast<char*>(this) + kHeader; }
  std::size_t value_bytes() const { return capacity - kHeader; }
  void retain() { owners.fetch_add(1, std::memory_order_relaxed); }
  void release() noexcept {
    if (owners.fetch_sub(1, std::memory_order_acq_rel) == 1) {
      const std::size_t bytes = capacity;
      this->~Storage();
      BufferPool::release(this, bytes);
    }
  }
};

std::int64_t shape_size(const Shape& shape) {
  std::int64_t size = 1;
  for (std::int64_t d : shape) {
    if (d < 0)
      throw InvalidArgument(fmt::format("negative dimension in shape {}", shape_string(shape)));
    if (d != 0 && size > std::numeric_limits<std::int64_t>::max() / d)
      throw InvalidArgument(fmt::format("shape {} is too large", shape_string(shape)));
    size *= d;
  }
  return size;
}

std::string shape_string(const Shape& shape) {
  std::string out = "(";
  for (std::size_t i = 0; i < shape.size(); ++i) {
    if (i) out += ", ";
    out += std::to_string(shape[i]);
  }
  if (shape.size() == 1) out += ",";
  return out + ")";
}

Tensor::Tensor(Shape shape, float fill) : shape_(std::move(shape)) {
  allocate(shape_size(shape_));
  std::fill_n(data(), size_, fill);
}

Tensor::Tensor(Shape shape, DType dtype, double fill) : shape_(std::move(shape)), dtype_(dtype) {
  allocate(shape_size(shape_));
  this->fill(fill);
}

Tensor::Tensor(Shape shape, std::initializer_list<float> values)
    : Tensor(std::move(shape), std::span<const float>(values.begin(), values.size())) {}

Tensor::Tensor(Shape shape, std::span<const float> values) : shape_(std::move(shape)) {
  allocate(shape_size(shape_));
  if (static_cast<std::int64_t>(values.size()) != size_)
    throw InvalidArgument(
        fmt::format("{} values given for shape {}", values.size(), shape_string(shape_)));
  std::copy(values.begin(), values.end(), data());
}

Tensor::Tensor(Shape shape, std::span<const double> values)
    : shape_(std::move(shape)), dtype_(DType::f64) {
  allocate(shape_size(shape_));
  if (static_cast<std::int64_t>(values.size()) != size_)
    throw InvalidArgument(
        fmt::format("{} values given for shape {}", values.size(), shape_string(shape_)));
  std::copy(values.begin(), values.end(), data<double>());
}

Tensor::~Tensor() {
  release();
}

Tensor::Tensor(const Tensor& other)
    : shape_(other.shape_), dtype_(other.dtype_), device_(other.device_) {
  allocate(other.size_);
  copy_values_from(other);
}

Tensor& Tensor::operator=(const Tensor& other) {
  if (this != &other) {
    if (shares_storage_with(other)) {  // a view assigned to its original, or the reverse
      *this = Tensor(other);
      return *this;
    }
    resize(other.shape_, other.dtype_);
    device_ = other.device_;
    copy_values_from(other);
  }
  return *this;
}

Tensor::Tensor(Tensor&& other) noexcept
    : shape_(std::move(other.shape_)),
      strides_(std::move(other.strides_)),
      size_(other.size_),
      offset_(other.offset_),
      dtype_(other.dtype_),
      device_(other.device_),
      storage_(std::exchange(other.storage_, nullptr)),
      data_(other.data_) {
  other.shape_.clear();
  other.release();
}

Tensor& Tensor::operator=(Tensor&& other) noexcept {
  if (this != &other) {
    release();
    shape_ = std::move(other.shape_);
    strides_ = std::move(other.strides_);
    size_ = other.size_;
    offset_ = other.offset_;
    dtype_ = other.dtype_;
    device_ = other.device_;
    storage_ = std::exchange(other.storage_, nullptr);
    data_ = other.data_;
    other.shape_.clear();
    other.release();
  }
  return *this;
}

std::int64_t Tensor::dim(int i) const {
  const int r = rank();
  if (i < 0) i += r;
  if (i < 0 || i >= r) throw InvalidArgument(fmt::format("dimension {} of a rank-{} tensor", i, r));
  return shape_[i];
}

void Tensor::check_single() const {
  if (size_ != 1)
    throw InvalidArgument(fmt::format("item() of a tensor of shape {}", shape_string(shape_)));
}

void Tensor::throw_bad_read(DType wanted) const {
  if (dtype_ != wanted)
    throw InvalidArgument(
        fmt::format("a {} tensor read as {}", dtype_name(dtype_), dtype_name(wanted)));
  throw InvalidArgument(
      fmt::format("a strided view of shape {} read as dense values (make it contiguous() first)",
                  shape_string(shape_)));
}

double Tensor::at(std::int64_t i) const {
  std::int64_t offset = i;
  if (!strides_.empty()) {  // unravel i in row-major order, then apply the strides
    offset = 0;
    for (std::size_t k = shape_.size(); k-- > 0;) {
      offset += i % shape_[k] * strides_[k];
      i /= shape_[k];
    }
  }
  return dtype_ == DType::f32 ? static_cast<const float*>(data_)[offset]
                              : static_cast<const double*>(data_)[offset];
}

Tensor Tensor::to(DType dtype) const {
  if (dtype == dtype_) return *this;
  const Tensor dense = contiguous();
  Tensor out(shape_, dtype);
  out.device_ = device_;
  visit_dtype(dtype_, [&](auto from) {
    visit_dtype(dtype, [&](auto into) {
      using From = decltype(from);
      using Into = decltype(into);
      std::copy_n(dense.data<From>(), size_, out.data<Into>());
    });
  });
  return out;
}

Tensor Tensor::to(Device device) const {
  Tensor out(*this);
  out.device_ = device;  // both devices keep their values in host memory
  return out;
}

void Tensor::resize(const Shape& shape) {
  resize(shape, dtype_);
}

void Tensor::resize(const Shape& shape, DType dtype) {
  const std::int64_t size = shape_size(shape);
  // Storage is reused only where nothing else sees it: never under a view or its original.
  const bool own = storage_ != nullptr && storage_->owners.load() == 1 && offset_ == 0;
  if (!own || static_cast<std::size_t>(size) * dtype_size(dtype) > storage_->value_bytes()) {
    release();
    dtype_ = dtype;
    allocate(size);
  }
  strides_.clear();
  dtype_ = dtype;
  shape_ = shape;
  size_ = size;
}

void Tensor::resize(const Shape& shape, DType dtype, Device device) {
  resize(shape, dtype);
  device_ = device;
}

Tensor Tensor::zeros_like(const Tensor& other) {
  Tensor out(other.shape_, other.dtype_);
  out.device_ = other.device_;
  return out;
}

void Tensor::reshape(const Shape& shape) {
  if (shape_size(shape) != size_)
    throw InvalidArgument(
        fmt::format("cannot reshape {} into {}", shape_string(shape_), shape_string(shape)));
  if (!strides_.empty()) *this = contiguous();
  shape_ = shape;
}

void Tensor::fill(double value) {
  visit_dtype(dtype_, [&](auto zero) {
    using T = decltype(zero);
    T* values = static_cast<T*>(data_);
    if (strides_.empty())
      std::fill_n(values, size_, static_cast<T>(value));
    else
      for_each_strided(shape_, strides_,
                       [&](std::int64_t, std::int64_t o) { values[o] = static_cast<T>(value); });
  });
}

Tensor Tensor::view_of(Shape shape, Strides strides, std::int64_t offset) const {
  Tensor out;
  out.size_ = shape_size(shape);
  // Axes of one value take any stride; if the rest are row-major, the view is contiguous.
  bool row_major = true;
  std::int64_t step = 1;
  for (std::size_t k = shape.size(); k-- > 0 && row_major;) {
    if (shape[k] == 1) continue;
    row_major = strides[k] == step;
    step *= shape[k];
  }
  if (!row_major) out.strides_ = std::move(strides);
  out.shape_ = std::move(shape);
  out.offset_ = offset_ + offset;
  out.dtype_ = dtype_;
  out.device_ = device_;
  out.storage_ = storage_;
  if (storage_ != nullptr) storage_->retain();
  out.data_ = static_cast<char*>(data_) + offset * static_cast<std::int64_t>(dtype_size(dtype_));
  return out;
}

Tensor Tensor::permute(const std::vector<int>& axes) const {
  const int r = rank();
  std::vector<bool> seen(static_cast<std::size_t>(r), false);
  bool valid = static_cast<int>(axes.size()) == r;
  for (std::size_t k = 0; valid && k < axes.size(); ++k) {
    const int a = axes[k] < 0 ? axes[k] + r : axes[k];
    valid = a >= 0 && a < r && !seen[static_cast<std::size_t>(a)];
    if (valid) seen[static_cast<std::size_t>(a)] = true;
  }
  if (!valid)
    throw InvalidArgument(fmt::format("permute: ({}) is not an order of the {} axes of shape {}",
                                      fmt::join(axes, ", "), r, shape_string(shape_)));
  const Strides from = strides();
  Shape shape(axes.size());
  Strides strides(axes.size());
  for (std::size_t k = 0; k < axes.size(); ++k) {
    const auto a = static_cast<std::size_t>(axes[k] < 0 ? axes[k] + r : axes[k]);
    shape[k] = shape_[a];
    strides[k] = from[a];
  }
  return view_of(std::move(shape), std::move(strides), 0);
}

Tensor Tensor::transpose(int a, int b) const {
  const int r = rank();
  const int first = a < 0 ? a + r : a, second = b < 0 ? b + r : b;
  if (first < 0 || first >= r || second < 0 || second >= r)
    throw InvalidArgument(
        fmt::format("transpose: axes {} and {} of shape {}", a, b, shape_string(shape_)));
  std::vector<int> axes(static_cast<std::size_t>(r));
  for (int k = 0; k < r; ++k)
    axes[static_cast<std::size_t>(k)] = k;
  std::swap(axes[static_cast<std::size_t>(first)], axes[static_cast<std::size_t>(second)]);
  return permute(axes);
}

Tensor Tensor::narrow(int axis, std::int64_t start, std::int64_t length) const {
  const int r = rank();
  const int a = axis < 0 ? axis + r : axis;
  if (a < 0 || a >= r)
    throw InvalidArgument(
        fmt::format("narrow: no axis {} in shape {}", axis, shape_string(shape_)));
  const auto k = static_cast<std::size_t>(a);
  if (start < 0 || length < 0 || start > shape_[k] - length)
    throw InvalidArgument(fmt::format("narrow: [{}, {}) is not within axis {} of shape {}", start,
                                      start + length, axis, shape_string(shape_)));
  Strides strides = this->strides();
  Shape shape = shape_;
  shape[k] = length;
  const std::int64_t offset = length == 0 ? 0 : start * strides[k];
  return view_of(std::move(shape), std::move(strides), offset);
}

Tensor Tensor::expand(const Shape& shape) const {
  const std::size_t r = shape_.size();
  bool valid = shape.size() >= r;
  const std::size_t added = valid ? shape.size() - r : 0;
  const Strides from = strides();
  Strides strides(shape.size(), 0);
  for (std::size_t k = 0; valid && k < r; ++k) {
    const std::int64_t d = shape_[k], to = shape[added + k];
    valid = d == to || d == 1;
    strides[added + k] = d == to ? from[k] : 0;
  }
  if (!valid)
    throw InvalidArgument(fmt::format("expand: cannot broadcast shape {} to {}",
                                      shape_string(shape_), shape_string(shape)));
  return view_of(shape, std::move(strides), 0);
}

Tensor Tensor::view(const Shape& shape) const {
  if (shape_size(shape) != size_)
    throw InvalidArgument(
        fmt::format("view: cannot view {} as {}", shape_string(shape_), shape_string(shape)));
  if (!strides_.empty())
    throw InvalidArgument(
        fmt::format("view: a strided view of shape {} has no {} view (use reshape, which copies)",
                    shape_string(shape_), shape_string(shape)));
  return view_of(shape, contiguous_strides(shape), 0);
}

Tensor Tensor::contiguous() const {
  if (strides_.empty()) return view_of(shape_, contiguous_strides(shape_), 0);
  return Tensor(*this);
}

void Tensor::copy_values_from(const Tensor& from) {
  if (size_ == 0) return;
  if (from.strides_.empty()) {
    std::memcpy(data_, from.data_, static_cast<std::size_t>(size_) * dtype_size(dtype_));
    return;
  }
  visit_dtype(dtype_, [&](auto zero) {
    using T = decltype(zero);
    const T* source = static_cast<const T*>(from.data_);
    T* target = static_cast<T*>(data_);
    for_each_strided(from.shape_, from.strides_,
                     [=](std::int64_t i, std::int64_t o) { target[i] = source[o]; });
  });
}

void Tensor::allocate(std::int64_t size) {
  size_ = size;
  offset_ = 0;
  strides_.clear();
  storage_ = Storage::make(static_cast<std::size_t>(size) * dtype_size(dtype_));
  data_ = storage_->values();
}

void Tensor::release() noexcept {
  if (storage_ != nullptr) storage_->release();
  storage_ = nullptr;
  strides_.clear();
  data_ = nullptr;
  offset_ = 0;
  size_ = 0;
}

}  // namespace descent
