// Scalar vocabulary shared by every layer: which types are complex, their real
// counterparts, and exact conj/real/imag overloads for real types, so that no
// generic fallback can silently treat a complex number as real.
#pragma once

#include <cmath>
#include <complex>
#include <cstdint>
#include <cstring>
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

namespace detail {

// 2^−e for m in [2^e, 2^(e+1)), with e clamped to [−1022, 1022] so that the
// result is a normal number (a subnormal, zero, inf or nan m gets an end of that
// range), by integer arithmetic on the exponent bits, which vectorises.
WIRT_HD inline double inverse_power_of_two(double m) {
  m = m < 0x1p-1022 ? 0x1p-1022 : (m <= 0x1p1022 ? m : 0x1p1022);
  std::uint64_t u;
  std::memcpy(&u, &m, sizeof u);
  const std::uint64_t v = (std::uint64_t(2046) << 52) - (u & 0x7ff0000000000000u);
  double s;
  std::memcpy(&s, &v, sizeof s);
  return s;
}

// x + iy = (a + ib)/(c + id) for finite operands and a nonzero divisor, with no
// intermediate that under- or overflows before the quotient does (libgcc's
// division, which std::complex calls, overflows for a dividend near the largest
// number; scaling the dividend with the divisor would flush a small one to 0).
// Smith's method on the divisor scaled into [1, 4) by a power of two s, the
// dividend quartered where it is near overflow, and the quotient scaled back.
// float in double, where nothing can under- or overflow. No branches, so that a
// loop over it vectorises. A zero divisor gives nan.
WIRT_HD inline void divide_parts(double a, double b, double c, double d, double& x, double& y) {
  using std::fabs;
  const double ac = fabs(c), ad = fabs(d), m = ac > ad ? ac : ad, s = inverse_power_of_two(m);
  const double big = fabs(a) > 0x1p1020 || fabs(b) > 0x1p1020 ? 4.0 : 1.0;
  a /= big, b /= big, c *= s, d *= s;
  // Selects on operands, not on results.
  const bool d_larger = ac < ad;
  const double p = d_larger ? c : d, q = d_larger ? d : c, ratio = p / q, denom = p * ratio + q;
  x = (d_larger ? a * ratio + b : b * ratio + a) / denom * s * big;
  y = (d_larger ? b * ratio - a : b - a * ratio) / denom * s * big;
}
WIRT_HD inline void divide_parts(float a, float b, float c, float d, float& x, float& y) {
  const double aa = a, bb = b, cc = c, dd = d, denom = cc * cc + dd * dd;
  x = static_cast<float>((aa * cc + bb * dd) / denom);
  y = static_cast<float>((bb * cc - aa * dd) / denom);
}

}  // namespace detail

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
