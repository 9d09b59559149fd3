// Tensor: an array of float32 (the default) or float64 values with a shape, a device
// (core/device.h: whose kernels compute on it) and storage from BufferPool, reused after release.
// Copies are deep and dense; moves are cheap. A view (permute, transpose, narrow, expand, view)
// shares its tensor's storage with other strides and an offset, and copies nothing; writing
// through it writes the original. Kernels read dense row-major values through data(), which a
// strided view refuses: contiguous() (for graph values, Variable::value()) makes one dense.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <span>
#include <string>
#include <vector>

#include "core/device.h"
#include "core/dtype.h"
#include "core/strided.h"

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
  // The step between neighbours along each axis, in elements (row-major for a dense tensor).
  Strides strides() const { return strides_.empty() ? contiguous_strides(shape_) : strides_; }
  // Dense and row-major from its first element: what data() and the kernels need.
  bool is_contiguous() const { return strides_.empty(); }
  // Whether the two share storage (one is a view of the other, or both of a third).
  bool shares_storage_with(const Tensor& other) const {
    return storage_ != nullptr && storage_ == other.storage_;
  }
  // Dimension i; negative i counts from the end.
  std::int64_t dim(int i) const;
  std::int64_t size() const { return size_; }
  bool empty() const { return size_ == 0; }

  // The values as float32; InvalidArgument on a float64 tensor or a strided view (see data<T>()).
  float* data() { return data<float>(); }
  const float* data() const { return data<float>(); }
  // The values as T, dense and row-major: T must be the tensor's dtype and the tensor contiguous
  // (else InvalidArgument). Kernels templated on the element type read through this.
  template <class T>
  T* data() {
    check_read(dtype_of<T>());
    return static_cast<T*>(data_);
  }
  template <class T>
  const T* data() const {
    check_read(dtype_of<T>());
    return static_cast<const T*>(data_);
  }
  // The first element of a view of any strides, as T (the tensor's dtype): element (i, j, ...)
  // is at strided_data()[i·strides()[0] + j·strides()[1] + ...]. For kernels that follow strides.
  template <class T>
  const T* strided_data() const {
    check_read(dtype_of<T>(), /*strided_ok=*/true);
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
  // Value i (in row-major order, for a view too) converted to double, whatever the dtype.
  double at(std::int64_t i) const;
  // A copy converted to `dtype` (a plain copy when it already is).
  Tensor to(DType dtype) const;
  // A copy on `device` (values and dtype unchanged).
  Tensor to(Device device) const;

  // Views: tensors of this one's storage, nothing copied. InvalidArgument on a bad axis, range or
  // shape. permute reorders the axes (axes[k] is the axis that becomes axis k).
  Tensor permute(const std::vector<int>& axes) const;
  // Axes a and b swapped (by default the last two: a stack of matrices transposed).
  Tensor transpose(int a = -2, int b = -1) const;
  // The values [start, start + length) along `axis`.
  Tensor narrow(int axis, std::int64_t start, std::int64_t length) const;
  // Broadcast to `shape` by NumPy's rules: axes are added in front, and an axis of size 1
  // repeats (stride 0).
  Tensor expand(const Shape& shape) const;
  // The same values under a shape of equal size; the tensor must be contiguous, as torch's view.
  Tensor view(const Shape& shape) const;
  // Dense values: this tensor's storage when already contiguous (a view of it), else a copy.
  Tensor contiguous() const;

  // Changes the shape; keeps the storage when it is large enough and not shared with a view
  // (contents then unspecified); a view gets storage of its own.
  void resize(const Shape& shape);
  // The same with a dtype, which may change.
  void resize(const Shape& shape, DType dtype);
  // The same with a dtype and a device, which may change.
  void resize(const Shape& shape, DType dtype, Device device);
  // Zeros of `other`'s shape, dtype and device.
  static Tensor zeros_like(const Tensor& other);
  // Same values, new shape of equal size (a strided view becomes dense first).
  void reshape(const Shape& shape);
  // Every value (through a view, the original's values it covers).
  void fill(double value);

 private:
  struct Storage;
  void allocate(std::int64_t size);
  void release() noexcept;
  void check_read(DType wanted, bool strided_ok = false) const {
    if (dtype_ != wanted || (!strided_ok && !strides_.empty())) [[unlikely]]
      throw_bad_read(wanted);
  }
  [[noreturn]] void throw_bad_read(DType wanted) const;
  void check_single() const;
  // A view of this storage with this shape, strides (row-major ones are stored as none) and
  // offset in elements.
  Tensor view_of(Shape shape, Strides strides, std::int64_t offset) const;
  // Copies the values of `from` (same shape and dtype, any strides) into this dense tensor.
  void copy_values_from(const Tensor& from);

  Shape shape_;
  Strides strides_;  // empty when contiguous
  std::int64_t size_ = 0;
  std::int64_t offset_ = 0;  // elements from the start of the storage
  DType dtype_ = DType::f32;
  Device device_ = default_device();
  Storage* storage_ = nullptr;  // shared with views, counted by its owners
  void* data_ = nullptr;        // the first element
};

}  // namespace descent
