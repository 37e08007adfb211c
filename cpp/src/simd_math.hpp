// Fast scalar math for the element-wise kernels (kernels.cpp, blocks.cpp, batch_plan.cpp).
//
// The kernels instantiate the rule table (rules.hpp) a second time with
// fast_t<T>: for complex T a plain pair of reals, cx<R>, whose exp, sin, cos,
// sinh, cosh, tanh (and its derivative sech2), abs, arg and division are written
// with real functions that GCC can inline and vectorise, instead of
// libstdc++/glibc's scalar cexp, csin, ... . Where glibc's vector math library
// (libmvec, x86-64) is available, the real functions are declared with their
// SIMD variants, so that a loop over such an expression calls 2, 4 or 8 lanes
// at a time.
//
// For finite results these agree with the std::complex ones to a few ulps
// (they are the same formulas; only the real functions' last bits differ).
// Special values are not handled here: a kernel recomputes every element whose
// fast result is not finite with std::complex (kernels.cpp, elementwise), which
// covers inf and nan operands, overflow of an intermediate, and the nan-nan
// products that std::complex multiplication repairs (C99 Annex G).
//
// Everything that has no fast form here (log, sqrt, tan, the inverse functions,
// pow) forwards to std::complex, so its results are unchanged.
#pragma once

#include <cmath>
#include <complex>
#include <cstdint>
#include <cstring>
#include <limits>

#include <wirtinger/scalar.hpp>

// WIRT_VECMATH: glibc's libmvec can be called (GCC, x86-64, glibc >= 2.22 for
// sin/cos/exp/log/pow; >= 2.35 for the rest). Linking -lm brings it in (libm.so
// is a linker script naming libmvec as needed).
#if defined(__GNUC__) && !defined(__clang__) && defined(__x86_64__) && defined(__GLIBC__) && \
    defined(__GLIBC_PREREQ)
#if __GLIBC_PREREQ(2, 22)
#define WIRT_VECMATH 1
#define WIRT_VECMATH_235 __GLIBC_PREREQ(2, 35)
#endif
#endif
#ifndef WIRT_VECMATH
#define WIRT_VECMATH 0
#define WIRT_VECMATH_235 0
#endif

#if WIRT_VECMATH
// The C library's own declarations, repeated with the SIMD attribute that
// <bits/math-vector.h> adds only under -ffast-math (which this code cannot
// use: it would drop inf/nan semantics). With it, std::sin(double) etc. in a
// loop vectorise to libmvec's _ZGV*_sin. libmvec returns what the scalar
// functions return for special operands, to within a few ulps otherwise.
#define WIRT_SIMD_FN __attribute__((__simd__("notinbranch")))
extern "C" {
WIRT_SIMD_FN double sin(double) noexcept;
WIRT_SIMD_FN float sinf(float) noexcept;
WIRT_SIMD_FN double cos(double) noexcept;
WIRT_SIMD_FN float cosf(float) noexcept;
WIRT_SIMD_FN double exp(double) noexcept;
WIRT_SIMD_FN float expf(float) noexcept;
WIRT_SIMD_FN double log(double) noexcept;
WIRT_SIMD_FN float logf(float) noexcept;
WIRT_SIMD_FN double pow(double, double) noexcept;
WIRT_SIMD_FN float powf(float, float) noexcept;
#if WIRT_VECMATH_235
WIRT_SIMD_FN double tan(double) noexcept;
WIRT_SIMD_FN float tanf(float) noexcept;
WIRT_SIMD_FN double sinh(double) noexcept;
WIRT_SIMD_FN float sinhf(float) noexcept;
WIRT_SIMD_FN double cosh(double) noexcept;
WIRT_SIMD_FN float coshf(float) noexcept;
WIRT_SIMD_FN double tanh(double) noexcept;
WIRT_SIMD_FN float tanhf(float) noexcept;
WIRT_SIMD_FN double asin(double) noexcept;
WIRT_SIMD_FN float asinf(float) noexcept;
WIRT_SIMD_FN double acos(double) noexcept;
WIRT_SIMD_FN float acosf(float) noexcept;
WIRT_SIMD_FN double atan(double) noexcept;
WIRT_SIMD_FN float atanf(float) noexcept;
WIRT_SIMD_FN double asinh(double) noexcept;
WIRT_SIMD_FN float asinhf(float) noexcept;
WIRT_SIMD_FN double acosh(double) noexcept;
WIRT_SIMD_FN float acoshf(float) noexcept;
WIRT_SIMD_FN double atanh(double) noexcept;
WIRT_SIMD_FN float atanhf(float) noexcept;
WIRT_SIMD_FN double exp2(double) noexcept;
WIRT_SIMD_FN float exp2f(float) noexcept;
WIRT_SIMD_FN double expm1(double) noexcept;
WIRT_SIMD_FN float expm1f(float) noexcept;
WIRT_SIMD_FN double log2(double) noexcept;
WIRT_SIMD_FN float log2f(float) noexcept;
WIRT_SIMD_FN double log10(double) noexcept;
WIRT_SIMD_FN float log10f(float) noexcept;
WIRT_SIMD_FN double log1p(double) noexcept;
WIRT_SIMD_FN float log1pf(float) noexcept;
WIRT_SIMD_FN double atan2(double, double) noexcept;
WIRT_SIMD_FN float atan2f(float, float) noexcept;
WIRT_SIMD_FN double hypot(double, double) noexcept;
WIRT_SIMD_FN float hypotf(float, float) noexcept;
#endif
}

namespace wirtinger::engine::vm {
// The same functions under other names: GCC knows sin and cos by name and fuses
// a sin(x), cos(x) pair into sincos, which has no usable SIMD variant and so
// stops the loop from vectorising. The assembler names make these calls to the
// very same symbols (and SIMD variants, _ZGV*_sin ...) without that rewrite.
#define WIRT_VM_FN(name)                                                                            \
  extern "C" __attribute__((__simd__("notinbranch"), __const__, __nothrow__, __leaf__)) double    \
  wirt_vm_##name(double) __asm__(#name);                                                           \
  extern "C" __attribute__((__simd__("notinbranch"), __const__, __nothrow__, __leaf__)) float     \
  wirt_vm_##name##f(float) __asm__(#name "f");                                                     \
  inline double name(double x) { return wirt_vm_##name(x); }                                       \
  inline float name(float x) { return wirt_vm_##name##f(x); }
WIRT_VM_FN(sin)
WIRT_VM_FN(cos)
WIRT_VM_FN(exp)
#if WIRT_VECMATH_235
WIRT_VM_FN(sinh)
WIRT_VM_FN(cosh)
extern "C" __attribute__((__simd__("notinbranch"), __const__, __nothrow__, __leaf__)) double wirt_vm_atan2(
    double, double) __asm__("atan2");
extern "C" __attribute__((__simd__("notinbranch"), __const__, __nothrow__, __leaf__)) float wirt_vm_atan2f(
    float, float) __asm__("atan2f");
inline double atan2(double y, double x) { return wirt_vm_atan2(y, x); }
inline float atan2(float y, float x) { return wirt_vm_atan2f(y, x); }
#else
using std::atan2;
using std::cosh;
using std::sinh;
#endif
#undef WIRT_VM_FN
}  // namespace wirtinger::engine::vm

#else
namespace wirtinger::engine::vm {
using std::atan2;
using std::cos;
using std::cosh;
using std::exp;
using std::sin;
using std::sinh;
}  // namespace wirtinger::engine::vm
#endif

namespace wirtinger::engine::vm {

// A complex number as two reals, layout-compatible with std::complex<R>.
// Operators are hidden friends, so that a real operand converts (R + z).
template <class R> struct cx {
  R re, im;

  cx() = default;
  constexpr cx(R r, R i = R(0)) : re(r), im(i) {}
  explicit cx(const std::complex<R>& z) : re(z.real()), im(z.imag()) {}
  constexpr R real() const { return re; }
  constexpr R imag() const { return im; }
  std::complex<R> to_std() const { return {re, im}; }

  // Exactly what std::complex does for these (signed zeros included).
  friend cx operator+(const cx& a, const cx& b) { return {a.re + b.re, a.im + b.im}; }
  friend cx operator-(const cx& a, const cx& b) { return {a.re - b.re, a.im - b.im}; }
  friend cx operator-(const cx& a) { return {-a.re, -a.im}; }
  friend cx operator+(const cx& a, R b) { return {a.re + b, a.im}; }
  friend cx operator+(R a, const cx& b) { return {b.re + a, b.im}; }
  friend cx operator-(const cx& a, R b) { return {a.re - b, a.im}; }
  friend cx operator-(R a, const cx& b) { return {-b.re + a, -b.im}; }  // libstdc++: −b, then += a
  friend cx operator*(const cx& a, R b) { return {a.re * b, a.im * b}; }
  friend cx operator*(R a, const cx& b) { return {b.re * a, b.im * a}; }
  friend cx operator/(const cx& a, R b) { return {a.re / b, a.im / b}; }
  // The textbook product, which std::complex also computes unless both parts
  // come out nan (then it retries by Annex G; the kernels redo such elements).
  friend cx operator*(const cx& a, const cx& b) {
    return {a.re * b.re - a.im * b.im, a.re * b.im + a.im * b.re};
  }
  friend cx operator/(const cx& a, const cx& b) { return divide(a.re, a.im, b.re, b.im); }
  friend cx operator/(R a, const cx& b) { return divide(a, R(0), b.re, b.im); }
  friend bool operator==(const cx& a, const cx& b) { return a.re == b.re && a.im == b.im; }
  friend bool operator!=(const cx& a, const cx& b) { return !(a == b); }

  friend R real(const cx& z) { return z.re; }
  friend R imag(const cx& z) { return z.im; }
  friend cx conj(const cx& z) { return {z.re, -z.im}; }

  // The formulas of glibc's cexp, csin, ccos, csinh and ccosh for finite
  // arguments and results.
  friend cx exp(const cx& z) {
    const R e = vm::exp(z.re);
    return {e * vm::cos(z.im), e * vm::sin(z.im)};
  }
  friend cx sin(const cx& z) {
    return {vm::sin(z.re) * vm::cosh(z.im), vm::cos(z.re) * vm::sinh(z.im)};
  }
  friend cx cos(const cx& z) {
    return {vm::cos(z.re) * vm::cosh(z.im), -(vm::sin(z.re) * vm::sinh(z.im))};
  }
  friend cx sinh(const cx& z) {
    return {vm::sinh(z.re) * vm::cos(z.im), vm::cosh(z.re) * vm::sin(z.im)};
  }
  friend cx cosh(const cx& z) {
    return {vm::cosh(z.re) * vm::cos(z.im), vm::sinh(z.re) * vm::sin(z.im)};
  }
  friend R abs(const cx& z) { return fast_abs(z.re, z.im); }
  friend R arg(const cx& z) { return vm::atan2(z.im, z.re); }

  friend cx log(const cx& z) { return cx(std::log(z.to_std())); }
  friend cx log10(const cx& z) { return cx(std::log10(z.to_std())); }
  friend cx sqrt(const cx& z) { return cx(std::sqrt(z.to_std())); }
  friend cx tan(const cx& z) { return cx(std::tan(z.to_std())); }
  // glibc's ctanh formula, (sinh x cosh x + i sin y cos y) / (sinh² x + cos² y),
  // at x clamped to ±20, where tanh x is ±1 to the last bit; beyond, the
  // imaginary part is 4 sin y cos y e^(−2|x|), hence the damping factor. No
  // branch, so that a loop over it vectorises.
  friend cx tanh(const cx& z) {
    const clamped_hyperbolic h(z);
    return {h.sh * h.ch * h.inv_den, h.sy * h.cy * h.inv_den * h.damp};
  }
  // tanh's derivative 1/cosh² z from the same terms (rules.hpp's sech2, which
  // says why): a loop that computes both computes them once.
  friend cx sech2(const cx& z, R scale = 1) {
    const clamped_hyperbolic h(cx(z.re * scale, z.im * scale));
    const cx r{h.ch * h.cy * h.inv_den, -(h.sh * h.sy) * h.inv_den};
    return r * r * h.damp;
  }
  friend cx asin(const cx& z) { return cx(std::asin(z.to_std())); }
  friend cx acos(const cx& z) { return cx(std::acos(z.to_std())); }
  friend cx atan(const cx& z) { return cx(std::atan(z.to_std())); }
  friend cx asinh(const cx& z) { return cx(std::asinh(z.to_std())); }
  friend cx acosh(const cx& z) { return cx(std::acosh(z.to_std())); }
  friend cx atanh(const cx& z) { return cx(std::atanh(z.to_std())); }
  friend cx pow(const cx& a, const cx& b) { return cx(std::pow(a.to_std(), b.to_std())); }
  // The quotients themselves: where NumPy's special values differ from them
  // (inf, nan or zero operands) the result is not finite, and the kernels redo
  // the element with std::complex and rules.hpp's numpy_divide.
  friend cx numpy_divide(const cx& a, const cx& b) { return a / b; }
  friend cx numpy_reciprocal(const cx& z) { return R(1) / z; }

 private:
  // sinh x, cosh x, sin y, cos y and 1/(sinh² x + cos² y) at x clamped to ±20,
  // and the factor e^(−2(|x|−20)) beyond.
  struct clamped_hyperbolic {
    R sh, ch, sy, cy, inv_den, damp;
    explicit clamped_hyperbolic(const cx& z) {
      const R x = z.re > R(20) ? R(20) : (z.re < R(-20) ? R(-20) : z.re);
      const R beyond = std::fabs(z.re) - R(20);
      damp = vm::exp(R(-2) * (beyond > R(0) ? beyond : R(0)));
      sh = vm::sinh(x), ch = vm::cosh(x), sy = vm::sin(z.im), cy = vm::cos(z.im);
      inv_den = R(1) / (sh * sh + cy * cy);
    }
  };
  // |x + iy| without overflow or underflow of the squares: in double for
  // float (as glibc's hypotf), scaled by a power of two for double. Within
  // an ulp of hypot; a nan or inf comes out non-finite (and is redone).
  static float fast_abs(float x, float y) {
    const double dx = x, dy = y;
    return static_cast<float>(std::sqrt(dx * dx + dy * dy));
  }
  // (a + ib) / (c + id), scalar.hpp's divide_parts (a zero divisor gives nan,
  // and std::complex redoes the element).
  static cx divide(R a, R b, R c, R d) {
    cx q;
    detail::divide_parts(a, b, c, d, q.re, q.im);
    return q;
  }
  static double fast_abs(double x, double y) {
    const double ax = std::fabs(x), ay = std::fabs(y), m = ax > ay ? ax : ay;
    const double s = m > 0x1p500 ? 0x1p-600 : (m < 0x1p-500 ? 0x1p600 : 1.0);
    const double xs = x * s, ys = y * s;
    return std::sqrt(xs * xs + ys * ys) / s;
  }
};

// The type a kernel evaluates a rule in for elements of type T.
template <class T> struct fast_scalar { using type = T; };
template <class R> struct fast_scalar<std::complex<R>> { using type = cx<R>; };
template <class T> using fast_t = typename fast_scalar<T>::type;

}  // namespace wirtinger::engine::vm

namespace wirtinger {
template <class R> struct is_complex<engine::vm::cx<R>> : std::true_type {};
template <class R> struct scalar_traits<engine::vm::cx<R>> {
  using real = R;
  using complex = engine::vm::cx<R>;
};
}  // namespace wirtinger

namespace wirtinger::engine::simd {

// 1 where x is inf or nan (all exponent bits set), else 0, by integer
// arithmetic alone: a comparison feeding an integer does not vectorise on SSE2.
inline std::uint64_t nonfinite_bit(double x) {
  std::uint64_t u;
  std::memcpy(&u, &x, sizeof u);
  return (((u >> 52) & 0x7ff) + 1) >> 11;
}
inline std::uint32_t nonfinite_bit(float x) {
  std::uint32_t u;
  std::memcpy(&u, &x, sizeof u);
  return (((u >> 23) & 0xff) + 1) >> 8;
}
template <class R> auto nonfinite_bit(const std::complex<R>& z) { return nonfinite_bit(z.real()) | nonfinite_bit(z.imag()); }
template <class R> auto nonfinite_bit(const vm::cx<R>& z) { return nonfinite_bit(z.re) | nonfinite_bit(z.im); }

}  // namespace wirtinger::engine::simd
