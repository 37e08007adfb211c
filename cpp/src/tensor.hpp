// Dense arrays of the four dtypes: contiguous, row-major, shared buffers.
#pragma once

#include <complex>
#include <cstdint>
#include <cstring>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

namespace wirtinger::engine {

enum class DType : std::uint8_t { f32, f64, c64, c128 };
using Shape = std::vector<std::int64_t>;

inline bool is_complex(DType d) { return d == DType::c64 || d == DType::c128; }
inline bool is_single(DType d) { return d == DType::f32 || d == DType::c64; }
inline DType real_dtype(DType d) { return is_single(d) ? DType::f32 : DType::f64; }
inline DType complex_dtype(DType d) { return is_single(d) ? DType::c64 : DType::c128; }
inline DType promote(DType a, DType b) {
  const bool c = is_complex(a) || is_complex(b);
  const bool s = is_single(a) && is_single(b);
  return c ? (s ? DType::c64 : DType::c128) : (s ? DType::f32 : DType::f64);
}
inline std::size_t itemsize(DType d) {
  switch (d) {
    case DType::f32: return 4;
    case DType::f64: return 8;
    case DType::c64: return 8;
    default: return 16;
  }
}
inline const char* dtype_name(DType d) {
  switch (d) {
    case DType::f32: return "float32";
    case DType::f64: return "float64";
    case DType::c64: return "complex64";
    default: return "complex128";
  }
}

// The element count of a shape some array already has (so it cannot overflow).
inline std::int64_t numel(const Shape& s) {
  std::int64_t n = 1;
  for (auto d : s) n *= d;
  return n;
}
std::string shape_str(const Shape& s);
// The element count of a shape an array is about to take, after the checks
// NumPy makes (no negative extent, a byte size that fits in 2**63 - 1), which
// throw std::invalid_argument naming op. Every Tensor's shape has passed them.
std::int64_t checked_numel(const Shape& s, DType d, const char* op);

// Calls f with a value of the C++ scalar type of d, for generic lambdas.
template <class F> decltype(auto) dispatch(DType d, F&& f) {
  switch (d) {
    case DType::f32: return f(float{});
    case DType::f64: return f(double{});
    case DType::c64: return f(std::complex<float>{});
    default: return f(std::complex<double>{});
  }
}

template <class T> constexpr DType dtype_of();
template <> constexpr DType dtype_of<float>() { return DType::f32; }
template <> constexpr DType dtype_of<double>() { return DType::f64; }
template <> constexpr DType dtype_of<std::complex<float>>() { return DType::c64; }
template <> constexpr DType dtype_of<std::complex<double>>() { return DType::c128; }

struct Tensor {
  DType dtype = DType::f64;
  Shape shape;
  std::shared_ptr<void> buffer;

  static Tensor empty(DType dtype, Shape shape);
  static Tensor zeros(DType dtype, Shape shape);
  static Tensor full(DType dtype, Shape shape, std::complex<double> value);

  std::int64_t size() const { return numel(shape); }
  int ndim() const { return static_cast<int>(shape.size()); }
  void* raw() const { return buffer.get(); }
  template <class T> T* data() const { return static_cast<T*>(buffer.get()); }
  // Same buffer, another shape of the same size.
  Tensor reshaped(Shape s) const;
};

// The bytes of the arrays alive now and at most since reset_buffer_peak().
struct BufferBytes {
  std::int64_t live = 0, peak = 0;
};
BufferBytes buffer_bytes();
void reset_buffer_peak();

// Shapes, broadcasting and axes, with errors that name the operation.
Shape broadcast_shapes(const Shape& a, const Shape& b, const char* op);
// The permutation that moves the reduced axes last (in order), and the number of
// elements of each reduced slice.
std::vector<std::int64_t> reduced_last(const Shape& s, const std::vector<std::int64_t>& axes, std::int64_t& count);
// The permutation that undoes perm (a transpose's adjoint).
std::vector<std::int64_t> inverse_perm(const std::vector<std::int64_t>& perm);
std::vector<std::int64_t> row_strides(const Shape& s);

}  // namespace wirtinger::engine
