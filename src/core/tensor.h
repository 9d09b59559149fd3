// Tensor: a dense, row-major array of float32 (the default) or float64 values with a shape, a
// device (core/device.h: whose kernels compute on it) and owning storage. Copies are deep; moves
// are cheap. Storage comes from BufferPool and is reused after release.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <span>
#include <string>
#include <vector>

#include "core/device.h"
#include "core/dtype.h"

namespace descent {

using Shape = std::vector<std::int64_t>;

// Product of the dimensions; throws InvalidArgument on a negative dimension or on overflow.
std::int64_t shape_size(const Shape& shape);
// "(2, 3)" style, for messages and summaries.
std::string shape_string(const Shape& shape);

class Tensor {
 public:
  Tensor() = default;
  explicit Tensor(Shape shape, float fill = 0.0f);
  Tensor(Shape shape, std::initializer_list<float> values);
  Tensor(Shape shape, std::span<const float> values);
  // float64 values (a std::vector<double> converts to this).
  Tensor(Shape shape, std::span<const double> values);
  // A tensor of the given dtype, every value `fill`.
  Tensor(Shape shape, DType dtype, double fill = 0.0);
  ~Tensor();

  Tensor(const Tensor& other);
  Tensor& operator=(const Tensor& other);
  Tensor(Tensor&& other) noexcept;
  Tensor& operator=(Tensor&& other) noexcept;

  DType dtype() const { return dtype_; }
  // The device it was made on: default_device() at construction, or the copied tensor's.
  Device device() const { return device_; }
  const Shape& shape() const { return shape_; }
  int rank() const { return static_cast<int>(shape_.size()); }
  // Dimension i; negative i counts from the end.
  std::int64_t dim(int i) const;
  std::int64_t size() const { return size_; }
  bool empty() const { return size_ == 0; }

  // The values as float32; InvalidArgument on a float64 tensor (see data<T>()).
  float* data() { return data<float>(); }
  const float* data() const { return data<float>(); }
  // The values as T, which must be the tensor's dtype (else InvalidArgument): kernels templated
  // on the element type read through this.
  template <class T>
  T* data() {
    check_dtype(dtype_of<T>());
    return static_cast<T*>(data_);
  }
  template <class T>
  const T* data() const {
    check_dtype(dtype_of<T>());
    return static_cast<const T*>(data_);
  }
  std::span<float> values() { return {data(), static_cast<std::size_t>(size_)}; }
  std::span<const float> values() const { return {data(), static_cast<std::size_t>(size_)}; }
  float& operator[](std::int64_t i) { return data()[i]; }
  float operator[](std::int64_t i) const { return data()[i]; }
  // The single value of a one-element tensor, converted to T.
  template <class T = float>
  T item() const {
    check_single();
    return dtype_ == DType::f32 ? static_cast<T>(*static_cast<const float*>(data_))
                                : static_cast<T>(*static_cast<const double*>(data_));
  }
  // Value i converted to double, whatever the dtype (for code that serves both).
  double at(std::int64_t i) const;
  // A copy converted to `dtype` (a plain copy when it already is).
  Tensor to(DType dtype) const;
  // A copy on `device` (values and dtype unchanged).
  Tensor to(Device device) const;

  // Changes the shape; keeps the storage when it is large enough (contents then unspecified).
  void resize(const Shape& shape);
  // The same with a dtype, which may change.
  void resize(const Shape& shape, DType dtype);
  // The same with a dtype and a device, which may change.
  void resize(const Shape& shape, DType dtype, Device device);
  // Zeros of `other`'s shape, dtype and device.
  static Tensor zeros_like(const Tensor& other);
  // Same values, new shape of equal size.
  void reshape(const Shape& shape);
  void fill(double value);

 private:
  void allocate(std::int64_t size);
  void release() noexcept;
  void check_dtype(DType wanted) const {
    if (dtype_ != wanted) [[unlikely]]
      throw_dtype_mismatch(wanted);
  }
  [[noreturn]] void throw_dtype_mismatch(DType wanted) const;
  void check_single() const;

  Shape shape_;
  std::int64_t size_ = 0;
  DType dtype_ = DType::f32;
  Device device_ = default_device();
  void* data_ = nullptr;
  std::size_t capacity_ = 0;  // bytes
};

}  // namespace descent
