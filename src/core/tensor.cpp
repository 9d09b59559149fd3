#include "core/tensor.h"

#include <algorithm>
#include <limits>

#include <fmt/format.h>

#include "core/buffer_pool.h"
#include "core/error.h"

namespace descent {

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
  std::fill_n(data_, size_, fill);
}

Tensor::Tensor(Shape shape, std::initializer_list<float> values)
    : Tensor(std::move(shape), std::span<const float>(values.begin(), values.size())) {}

Tensor::Tensor(Shape shape, std::span<const float> values) : shape_(std::move(shape)) {
  allocate(shape_size(shape_));
  if (static_cast<std::int64_t>(values.size()) != size_)
    throw InvalidArgument(
        fmt::format("{} values given for shape {}", values.size(), shape_string(shape_)));
  std::copy(values.begin(), values.end(), data_);
}

Tensor::~Tensor() {
  release();
}

Tensor::Tensor(const Tensor& other) : shape_(other.shape_) {
  allocate(other.size_);
  std::copy_n(other.data_, size_, data_);
}

Tensor& Tensor::operator=(const Tensor& other) {
  if (this != &other) {
    resize(other.shape_);
    std::copy_n(other.data_, size_, data_);
  }
  return *this;
}

Tensor::Tensor(Tensor&& other) noexcept
    : shape_(std::move(other.shape_)),
      size_(other.size_),
      data_(other.data_),
      capacity_(other.capacity_) {
  other.shape_.clear();
  other.size_ = 0;
  other.data_ = nullptr;
  other.capacity_ = 0;
}

Tensor& Tensor::operator=(Tensor&& other) noexcept {
  if (this != &other) {
    release();
    shape_ = std::move(other.shape_);
    size_ = other.size_;
    data_ = other.data_;
    capacity_ = other.capacity_;
    other.shape_.clear();
    other.size_ = 0;
    other.data_ = nullptr;
    other.capacity_ = 0;
  }
  return *this;
}

std::int64_t Tensor::dim(int i) const {
  const int r = rank();
  if (i < 0) i += r;
  if (i < 0 || i >= r) throw InvalidArgument(fmt::format("dimension {} of a rank-{} tensor", i, r));
  return shape_[i];
}

float Tensor::item() const {
  if (size_ != 1)
    throw InvalidArgument(fmt::format("item() of a tensor of shape {}", shape_string(shape_)));
  return data_[0];
}

void Tensor::resize(const Shape& shape) {
  const std::int64_t size = shape_size(shape);
  if (static_cast<std::size_t>(size) > capacity_) {
    release();
    allocate(size);
  }
  shape_ = shape;
  size_ = size;
}

void Tensor::reshape(const Shape& shape) {
  if (shape_size(shape) != size_)
    throw InvalidArgument(
        fmt::format("cannot reshape {} into {}", shape_string(shape_), shape_string(shape)));
  shape_ = shape;
}

void Tensor::fill(float value) {
  std::fill_n(data_, size_, value);
}

void Tensor::allocate(std::int64_t size) {
  size_ = size;
  data_ = BufferPool::acquire(static_cast<std::size_t>(size), capacity_);
}

void Tensor::release() noexcept {
  BufferPool::release(data_, capacity_);
  data_ = nullptr;
  capacity_ = 0;
  size_ = 0;
}

}  // namespace descent
