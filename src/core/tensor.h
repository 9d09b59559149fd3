// Tensor: a dense, row-major float32 array with a shape and owning storage.
// Copies are deep; moves are cheap. Storage comes from BufferPool and is reused after release.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <span>
#include <string>
#include <vector>

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
  ~Tensor();

  Tensor(const Tensor& other);
  Tensor& operator=(const Tensor& other);
  Tensor(Tensor&& other) noexcept;
  Tensor& operator=(Tensor&& other) noexcept;

  const Shape& shape() const { return shape_; }
  int rank() const { return static_cast<int>(shape_.size()); }
  // Dimension i; negative i counts from the end.
  std::int64_t dim(int i) const;
  std::int64_t size() const { return size_; }
  bool empty() const { return size_ == 0; }

  float* data() { return data_; }
  const float* data() const { return data_; }
  std::span<float> values() { return {data_, static_cast<std::size_t>(size_)}; }
  std::span<const float> values() const { return {data_, static_cast<std::size_t>(size_)}; }
  float& operator[](std::int64_t i) { return data_[i]; }
  float operator[](std::int64_t i) const { return data_[i]; }
  // The single value of a one-element tensor.
  float item() const;

  // Changes the shape; keeps the storage when it is large enough (contents then unspecified).
  void resize(const Shape& shape);
  // Same values, new shape of equal size.
  void reshape(const Shape& shape);
  void fill(float value);

 private:
  void allocate(std::int64_t size);
  void release() noexcept;

  Shape shape_;
  std::int64_t size_ = 0;
  float* data_ = nullptr;
  std::size_t capacity_ = 0;
};

}  // namespace descent
