// The element types a Tensor can hold, and the step from the run-time tag to the C++ type.
// float32 is what training runs in; float64 is for checks that need more digits than float32 has
// (exact second derivatives, gradient checks) and for reference computations.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>
#include <type_traits>

namespace descent {

enum class DType : std::uint8_t { f32, f64 };

constexpr std::size_t dtype_size(DType dtype) {
  return dtype == DType::f32 ? sizeof(float) : sizeof(double);
}

// "float32", "float64", as PyTorch and NumPy name them.
constexpr std::string_view dtype_name(DType dtype) {
  return dtype == DType::f32 ? "float32" : "float64";
}

template <class T>
constexpr DType dtype_of() {
  static_assert(std::is_same_v<T, float> || std::is_same_v<T, double>, "float or double");
  return std::is_same_v<T, float> ? DType::f32 : DType::f64;
}

// Calls f(T{}) with T the C++ type of `dtype`; kernels are written once as templates on T.
template <class F>
decltype(auto) visit_dtype(DType dtype, F&& f) {
  if (dtype == DType::f32) return f(float{});
  return f(double{});
}

}  // namespace descent
