#include "core/tensor.h"

#include <algorithm>
#include <cstring>
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
  if (size_ > 0)
    std::memcpy(data_, other.data_, static_cast<std::size_t>(size_) * dtype_size(dtype_));
}

Tensor& Tensor::operator=(const Tensor& other) {
  if (this != &other) {
    resize(other.shape_, other.dtype_);
    device_ = other.device_;
    if (size_ > 0)
      std::memcpy(data_, other.data_, static_cast<std::size_t>(size_) * dtype_size(dtype_));
  }
  return *this;
}

Tensor::Tensor(Tensor&& other) noexcept
    : shape_(std::move(other.shape_)),
      size_(other.size_),
      dtype_(other.dtype_),
      device_(other.device_),
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
    dtype_ = other.dtype_;
    device_ = other.device_;
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

void Tensor::check_single() const {
  if (size_ != 1)
    throw InvalidArgument(fmt::format("item() of a tensor of shape {}", shape_string(shape_)));
}

void Tensor::throw_dtype_mismatch(DType wanted) const {
  throw InvalidArgument(
      fmt::format("a {} tensor read as {}", dtype_name(dtype_), dtype_name(wanted)));
}

double Tensor::at(std::int64_t i) const {
  return dtype_ == DType::f32 ? static_cast<const float*>(data_)[i]
                              : static_cast<const double*>(data_)[i];
}

Tensor Tensor::to(DType dtype) const {
  if (dtype == dtype_) return *this;
  Tensor out(shape_, dtype);
  out.device_ = device_;
  visit_dtype(dtype_, [&](auto from) {
    visit_dtype(dtype, [&](auto into) {
      using From = decltype(from);
      using Into = decltype(into);
      std::copy_n(data<From>(), size_, out.data<Into>());
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
  if (static_cast<std::size_t>(size) * dtype_size(dtype) > capacity_) {
    release();
    dtype_ = dtype;
    allocate(size);
  }
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
  shape_ = shape;
}

void Tensor::fill(double value) {
  visit_dtype(dtype_, [&](auto zero) {
    using T = decltype(zero);
    std::fill_n(data<T>(), size_, static_cast<T>(value));
  });
}

void Tensor::allocate(std::int64_t size) {
  size_ = size;
  data_ = BufferPool::acquire(static_cast<std::size_t>(size) * dtype_size(dtype_), capacity_);
}

void Tensor::release() noexcept {
  BufferPool::release(data_, capacity_);
  data_ = nullptr;
  capacity_ = 0;
  size_ = 0;
}

}  // namespace descent
