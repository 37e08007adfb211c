// Scalar vocabulary shared by every layer: which types are complex, their real
// counterparts, and exact conj/real/imag overloads for real types, so that no
// generic fallback can silently treat a complex number as real.
#pragma once

#include <cmath>
#include <complex>
#include <type_traits>

#if defined(__CUDACC__)
#define WIRT_HD __host__ __device__
#include <cuda/std/complex>
#else
#define WIRT_HD
#endif

namespace wirtinger {

template <class T> struct is_complex : std::false_type {};
template <class R> struct is_complex<std::complex<R>> : std::true_type {};
template <class T> inline constexpr bool is_complex_v = is_complex<T>::value;

// real_of<T>: the real type under T; complex_of<T>: the complex type over T.
template <class T> struct scalar_traits {
  using real = T;
#if defined(__CUDA_ARCH__)
  // Device code: the complex type whose functions run on the GPU. Only the
  // device pass sees it, so host instantiations stay identical in every unit.
  using complex = cuda::std::complex<T>;
#else
  using complex = std::complex<T>;
#endif
};
template <class R> struct scalar_traits<std::complex<R>> {
  using real = R;
  using complex = std::complex<R>;
};
#if defined(__CUDACC__)
// Device code holds complex values in CUDA's complex type, whose math functions
// (exp, log, ...) the rules find by ADL as they find std's on the host.
template <class R> struct is_complex<cuda::std::complex<R>> : std::true_type {};
template <class R> struct scalar_traits<cuda::std::complex<R>> {
  using real = R;
  using complex = cuda::std::complex<R>;
};
#endif
template <class T> using real_of = typename scalar_traits<T>::real;
template <class T> using complex_of = typename scalar_traits<T>::complex;

// Exact overloads for real arguments (std::conj(double) would return a complex).
WIRT_HD inline double conj(double x) { return x; }
WIRT_HD inline float conj(float x) { return x; }
WIRT_HD inline double real(double x) { return x; }
WIRT_HD inline float real(float x) { return x; }
WIRT_HD inline double imag(double) { return 0.0; }
WIRT_HD inline float imag(float) { return 0.0f; }
// Non-templates on purpose: as templates they would tie with std::conj/real/imag
// (found by ADL for std::complex) and every unqualified call would be ambiguous.
WIRT_HD inline std::complex<double> conj(const std::complex<double>& z) { return {z.real(), -z.imag()}; }
WIRT_HD inline std::complex<float> conj(const std::complex<float>& z) { return {z.real(), -z.imag()}; }
WIRT_HD inline double real(const std::complex<double>& z) { return z.real(); }
WIRT_HD inline float real(const std::complex<float>& z) { return z.real(); }
WIRT_HD inline double imag(const std::complex<double>& z) { return z.imag(); }
WIRT_HD inline float imag(const std::complex<float>& z) { return z.imag(); }

// |z|^2 without the square root (and without overflow-prone hypot semantics).
template <class T> WIRT_HD real_of<T> abs2(const T& z) {
  if constexpr (is_complex_v<T>) return z.real() * z.real() + z.imag() * z.imag();
  else return z * z;
}

// The imaginary unit in the complex type over T.
template <class T> WIRT_HD complex_of<T> imag_unit() { return complex_of<T>(0, 1); }

// Convert between scalar types, dropping the imaginary part only where the
// caller asked for a real result (used by real-output rules).
template <class To, class From> WIRT_HD To scalar_cast(const From& x) {
  if constexpr (is_complex_v<To>) {
    if constexpr (is_complex_v<From>)
      return To(static_cast<real_of<To>>(x.real()), static_cast<real_of<To>>(x.imag()));
    else
      return To(static_cast<real_of<To>>(x), 0);
  } else {
    if constexpr (is_complex_v<From>) return static_cast<To>(x.real());
    else return static_cast<To>(x);
  }
}

}  // namespace wirtinger
