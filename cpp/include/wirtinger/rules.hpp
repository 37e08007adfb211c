// The rule table: every element-wise primitive, declared once.
//
// Convention. For f(z) with z = x + iy, a rule gives the Wirtinger pair
//     d_dz     = ∂f/∂z  = ½(∂f/∂x − i ∂f/∂y)
//     d_dzconj = ∂f/∂z̄ = ½(∂f/∂x + i ∂f/∂y)
// Everything else is derived from it, in every layer (dual numbers, scalar tape,
// array kernels, nested differentiation, CUDA):
//     JVP                 t   ↦ d_dz·t + d_dzconj·conj(t)
//     VJP "adjoint"       ct  ↦ conj(d_dz)·ct + d_dzconj·conj(ct)
//     VJP "transpose"     ct  ↦ d_dz·ct + conj(d_dzconj)·conj(ct)
// Holomorphic rules declare no d_dzconj: it is zero at compile time.
//
// Rules are templates over the scalar type T (float, double, std::complex<...>)
// and are also instantiated with the array engine's differentiable value type,
// which is how second derivatives come from the same declaration. They therefore
// use only arithmetic, unqualified math calls (found by ADL), and the helpers
// below, which the array engine overloads for its own type.
//
// A rule receives the input z and the primal result out, and may use either.
#pragma once

#include <cstdint>

#include "scalar.hpp"
#include "special.hpp"

namespace wirtinger {

// A constant of z's type: T(c) for scalars.
template <class T, class C> WIRT_HD T full_like(const T&, const C& c) { return scalar_cast<T>(c); }

// a / b with NumPy's special values: for finite operands and a nonzero divisor
// the quotient, without premature under- or overflow (detail::divide_parts);
// otherwise NumPy's own formula, Smith's method without C99 Annex G's recovery
// (so (inf+inf·i)/1 is nan, not inf+inf·i). The rules divide by complex
// numbers only through it, so that every path divides alike: the engine's
// divide primitive, which the rules instantiated with its values use, is it.
template <class T> WIRT_HD T numpy_divide(const T& a, const T& b) {
  if constexpr (is_complex_v<T>) {
    using std::fabs; using std::isfinite; using R = real_of<T>;
    const R ar = a.real(), ai = a.imag(), br = b.real(), bi = b.imag();
    if (isfinite(ar) && isfinite(ai) && isfinite(br) && isfinite(bi) && (br != R(0) || bi != R(0))) {
      R x, y;
      detail::divide_parts(ar, ai, br, bi, x, y);
      return T(x, y);
    }
    const R abr = fabs(br), abi = fabs(bi);
    if (abr >= abi) {
      if (abr == R(0) && abi == R(0)) return T(ar / abr, ai / abr);
      const R rat = bi / br, scl = R(1) / (br + bi * rat);
      return T((ar + ai * rat) * scl, (ai - ar * rat) * scl);
    }
    const R rat = br / bi, scl = R(1) / (bi + br * rat);
    return T((ar * rat + ai) * scl, (ai * rat - ar) * scl);
  } else {
    return a / b;
  }
}
// c / z for a real constant c.
template <class C, class T, std::enable_if_t<std::is_arithmetic_v<C> && !std::is_same_v<C, T>, int> = 0>
WIRT_HD T numpy_divide(C c, const T& z) {
  return numpy_divide(full_like(z, c), z);
}

// 1 / z with NumPy's special values (its reciprocal differs from its division:
// 1/(0+0i) is nan+nan·i), likewise.
template <class T> WIRT_HD T numpy_reciprocal(const T& z) {
  using R = real_of<T>;
  if constexpr (is_complex_v<T>) {
    using std::fabs; using std::isfinite;
    const R zr = z.real(), zi = z.imag();
    if (isfinite(zr) && isfinite(zi) && (zr != R(0) || zi != R(0))) return numpy_divide(T(1), z);
    if (fabs(zi) <= fabs(zr)) {
      const R r = zi / zr, d = zr + zi * r;
      return T(R(1) / d, -r / d);
    }
    const R r = zr / zi, d = zr * r + zi;
    return T(r / d, R(-1) / d);
  } else {
    return R(1) / z;
  }
}

// n / d, except 0 where d == 0: the minimal-norm subgradient at the singular
// points of abs and angle (README, Points with no derivative).
template <class N, class D> WIRT_HD N div_or_zero(const N& n, const D& d) {
  if constexpr (std::is_same_v<N, D>) return d == D(0) ? N(0) : numpy_divide(n, d);
  else return d == D(0) ? N(0) : N(n / d);  // by a real number: part by part
}

// The partial of maximum(a, b) with respect to a: 1, ½ at a tie (as JAX), 0.
template <class T> WIRT_HD T step(const T& a, const T& b) {
  return a > b ? T(1) : (a == b ? T(0.5) : T(0));
}

// a**b as NumPy computes it: pow for real numbers (to within |b| ulps for
// integer |b| ≤ 8, below); for complex numbers 1 for b == 0, 0 or nan for
// a == 0, repeated multiplication for integer exponents below 100 in magnitude
// (so that (-2+0i)**3 is exactly -8), exp(b log a) otherwise.
template <class T> WIRT_HD T wpow(const T& a, const T& b) {
  using std::pow;
  if constexpr (is_complex_v<T>) {
    using R = real_of<T>;
    const R br = b.real(), bi = b.imag();
    if (br == R(0) && bi == R(0)) return T(1);
    if (a == T(0)) return br > R(0) ? T(0) : T(R(0) / R(0), R(0) / R(0));
    if (bi == R(0) && br == std::floor(br) && br > R(-100) && br < R(100)) {
      auto n = static_cast<int>(br);
      if (n == 1) return a;
      if (n == 2) return a * a;
      if (n == 3) return a * (a * a);
      if (n < 0) n = -n;
      T result(1), base = a;
      while (true) {
        if (n & 1) result = result * base;
        n >>= 1;
        if (!n) break;
        base = base * base;
      }
      return br < R(0) ? numpy_divide(T(1), result) : result;
    }
    return pow(a, b);
  } else {
    // Small integer exponents by multiplication, which costs a tenth of pow
    // (negative ones as powers of 1/a, so that no intermediate underflows
    // before the result does).
    using std::fabs;
    if (b == std::floor(b) && fabs(b) <= T(8)) {
      auto n = static_cast<int>(fabs(b));
      T result(1), base = b < T(0) ? T(1) / a : a;
      while (n) {
        if (n & 1) result = result * base;
        n >>= 1;
        if (n) base = base * base;
      }
      return result;
    }
    return pow(a, b);
  }
}

// d(a**b)/da = b · a**(b−1), and 0 for b == 0 (a constant), also at a == 0.
// b − 1 is rounded where b < 1, and a**(b−1) is then off by the rounding error δ
// times |log a|: hundreds of ulps at extreme a. δ, found exactly (Knuth's
// TwoSum), restores it: a**(b−1) = a**fl(b−1) · (1 + δ log a). NumPy's complex
// power, exp(b log a), is itself off by |b log a| ulps, and differently for b
// and b − 1: for complex a the partial is b·out/a wherever out is a nonzero
// normal number, exactly as accurate as the value.
template <class T> WIRT_HD T pow_d_da(const T& a, const T& b, const T& out) {
  using std::log; using R = real_of<T>;
  if (b == T(0)) return T(0);
  if constexpr (is_complex_v<T>) {
    using std::abs; using std::isfinite;
    const R m = abs(out), tiny = sizeof(R) == sizeof(float) ? R(0x1p-126) : R(0x1p-1022);
    if (isfinite(m) && m >= tiny && a != T(0)) return b * numpy_divide(out, a);
  }
  const T bm1 = b - R(1), t = bm1 - b, delta = (b - (bm1 - t)) + (R(-1) - t);
  const T d = b * wpow(a, bm1);
  if (delta == T(0)) return d;  // first, and on b alone: a loop with one exponent tests it once
  return a == T(0) ? d : T(d * (R(1) + delta * log(a)));
}

// d(a**b)/db = a**b · log a, with the limit 0 where a == 0 (as JAX).
template <class T> WIRT_HD T pow_d_db(const T& a, const T& out) {
  using std::log;
  return a == T(0) ? T(0) : T(out * log(a));
}

// 1/cosh² of scale·z, the derivative of tanh, without the cancellation of
// 1 − tanh² (total where |Re z| is large and tanh z is ±1 to the last bit) and
// without overflow of cosh. For x + iy, 1/cosh = conj(cosh)/(sinh² x + cos² y),
// taken at x clamped to ±20, beyond which cosh x = |sinh x| to the last bit
// and sech² shrinks by exactly e^(−2(|x|−20)), applied as a factor (0 where it
// underflows). The fast kernels' tanh shares these terms. scale multiplies each
// part (a complex product would turn inf·0 into nan).
template <class T> WIRT_HD T sech2(const T& z, real_of<T> scale = 1) {
  using std::cos; using std::cosh; using std::exp; using std::fabs; using std::sin; using std::sinh;
  if constexpr (is_complex_v<T>) {
    using R = real_of<T>;
    const R x = z.real() * scale, y = z.imag() * scale;
    const R xc = x > R(20) ? R(20) : (x < R(-20) ? R(-20) : x);
    const R beyond = fabs(x) - R(20);
    const R damp = exp(R(-2) * (beyond > R(0) ? beyond : R(0)));
    const R sh = sinh(xc), ch = cosh(xc), sy = sin(y), cy = cos(y);
    const R den = sh * sh + cy * cy;
    const T r(ch * cy / den, -(sh * sy) / den);
    return r * r * damp;
  } else {
    const T q = exp(T(-2) * fabs(z * scale)), s = T(1) + q;  // 4e^(−2|x|)/(1 + e^(−2|x|))²
    return T(4) * q / (s * s);
  }
}

// 1/cos² z, the derivative of tan, likewise (1 + tan² z cancels where |Im z| is
// large): sech² of iz.
template <class T> WIRT_HD T sec2(const T& z) {
  if constexpr (is_complex_v<T>) {
    return sech2(T(-z.imag(), z.real()));
  } else {
    using std::cos;
    const T r = T(1) / cos(z);
    return r * r;
  }
}

// sqrt(1 + z²) on the principal branch, without overflow of z² or cancellation
// near ±i: hypot(1, x) for real x; for complex z, sqrt(1 + iz)·sqrt(1 − iz),
// whose factors' arguments have opposite signs, so that the product is the
// principal root off the cuts (the imaginary axis beyond ±i).
template <class T> WIRT_HD T sqrt_one_plus_square(const T& z) {
  if constexpr (is_complex_v<T>) {
    using std::sqrt; using R = real_of<T>;
    const R x = z.real(), y = z.imag();
    return sqrt(T(R(1) - y, x)) * sqrt(T(R(1) + y, -x));
  } else {
    using std::hypot;
    return hypot(T(1), z);
  }
}

// 1/(1 + z²) without cancellation near ±i: for complex z, 1/(z − i) · 1/(z + i),
// two finite factors whose product alone under- or overflows.
template <class T> WIRT_HD T recip_one_plus_square(const T& z) {
  using R = real_of<T>;
  if constexpr (is_complex_v<T>) {
    const R x = z.real(), y = z.imag();
    return numpy_divide(R(1), T(x, y - R(1))) * numpy_divide(R(1), T(x, y + R(1)));
  } else {
    return T(1) / (T(1) + z * z);
  }
}

// The sign of a real number: −1, 0 or 1 (nan stays nan).
template <class R> WIRT_HD R real_sign(const R& x) { return x > R(0) ? R(1) : (x < R(0) ? R(-1) : x); }

namespace rules {

// ---------------------------------------------------------------- unary, holomorphic
struct Neg {
  template <class T> WIRT_HD static T value(const T& z) { return -z; }
  template <class T> WIRT_HD static T d_dz(const T& z, const T&) { return full_like(z, -1); }
};
struct Exp {
  template <class T> WIRT_HD static T value(const T& z) { using std::exp; return exp(z); }
  template <class T> WIRT_HD static T d_dz(const T&, const T& out) { return out; }
};
struct Exp2 {
  // For complex z, 2^x · e^(iy log 2): exp(z log 2) would round x log 2 and be
  // off by |x| ulps near over- and underflow. NumPy's exp(z log 2) where that
  // overflows or z is not finite, for its special values.
  template <class T> WIRT_HD static T value(const T& z) {
    using std::exp2; using std::exp; using std::isfinite; using R = real_of<T>;
    if constexpr (is_complex_v<T>) {
      const R m = exp2(z.real()), t = z.imag() * R(0.693147180559945309417232121458176568);
      if (isfinite(m) && isfinite(t)) return exp(T(R(0), t)) * m;
      return exp(z * R(0.693147180559945309417232121458176568));
    } else {
      return exp2(z);
    }
  }
  template <class T> WIRT_HD static T d_dz(const T&, const T& out) {
    using R = real_of<T>;
    return out * R(0.693147180559945309417232121458176568);
  }
};
struct Expm1 {
  template <class T> WIRT_HD static T value(const T& z) {
    using std::expm1; using std::exp;
    if constexpr (is_complex_v<T>) {
      // expm1(x+iy) = expm1(x)cos y − 2 sin²(y/2) + i e^x sin y, accurate near 0
      using R = real_of<T>;
      const R x = z.real(), y = z.imag(), s = std::sin(y / 2);
      return T(std::expm1(x) * std::cos(y) - 2 * s * s, std::exp(x) * std::sin(y));
    } else {
      return expm1(z);
    }
  }
  // e^z, not out + 1, which cancels for Re z ≪ 0.
  template <class T> WIRT_HD static T d_dz(const T& z, const T&) { using std::exp; return exp(z); }
};
struct Log {
  // Pole at 0 and branch cut on the negative real axis, as NumPy.
  template <class T> WIRT_HD static T value(const T& z) { using std::log; return log(z); }
  template <class T> WIRT_HD static T d_dz(const T& z, const T&) { using R = real_of<T>; return numpy_divide(R(1), z); }
};
struct Log2 {
  // log(z) / log 2, with log's pole and cut.
  template <class T> WIRT_HD static T value(const T& z) {
    using std::log2; using std::log; using R = real_of<T>;
    if constexpr (is_complex_v<T>) return log(z) / R(0.693147180559945309417232121458176568);
    else return log2(z);
  }
  template <class T> WIRT_HD static T d_dz(const T& z, const T&) {
    using R = real_of<T>;
    return numpy_divide(R(1.442695040888963407359924681001892137), z);
  }
};
struct Log10 {
  // log(z) / log 10, with log's pole and cut.
  template <class T> WIRT_HD static T value(const T& z) { using std::log10; return log10(z); }
  template <class T> WIRT_HD static T d_dz(const T& z, const T&) {
    using R = real_of<T>;
    return numpy_divide(R(0.434294481903251827651128918916605082), z);  // not 1/(z log 10), which overflows first
  }
};
struct Log1p {
  template <class T> WIRT_HD static T value(const T& z) {
    using std::log1p; using std::log;
    if constexpr (is_complex_v<T>) {
      // log1p(z) = log|1+z| + i arg(1+z), with log|1+z| = ½ log1p(2x + x² + y²)
      // where |1+z|² is within ½ of 1 (that sum is accurate near z = 0), and
      // log(hypot(1 + x, y)) elsewhere: near z = −1, where 1 + x is exact, and
      // for large z, where x² + y² would overflow.
      using R = real_of<T>;
      const R x = z.real(), y = z.imag(), a = x * (2 + x) + y * y;
      const R re = a > R(-0.5) && a < R(0.5) ? R(0.5) * std::log1p(a) : std::log(std::hypot(x + 1, y));
      return T(re, std::atan2(y, x + 1));
    } else {
      return log1p(z);
    }
  }
  template <class T> WIRT_HD static T d_dz(const T& z, const T&) {
    using R = real_of<T>;
    return numpy_divide(R(1), z + R(1));
  }
};
struct Sqrt {
  // Branch point at 0 (derivative inf), cut on the negative real axis.
  template <class T> WIRT_HD static T value(const T& z) { using std::sqrt; return sqrt(z); }
  template <class T> WIRT_HD static T d_dz(const T&, const T& out) { using R = real_of<T>; return numpy_divide(R(0.5), out); }
};
struct Square {
  template <class T> WIRT_HD static T value(const T& z) { return z * z; }
  template <class T> WIRT_HD static T d_dz(const T& z, const T&) { using R = real_of<T>; return R(2) * z; }
};
struct Reciprocal {
  template <class T> WIRT_HD static T value(const T& z) { return numpy_reciprocal(z); }
  template <class T> WIRT_HD static T d_dz(const T&, const T& out) { return -(out * out); }
};
struct Sin {
  template <class T> WIRT_HD static T value(const T& z) { using std::sin; return sin(z); }
  template <class T> WIRT_HD static T d_dz(const T& z, const T&) { using std::cos; return cos(z); }
};
struct Cos {
  template <class T> WIRT_HD static T value(const T& z) { using std::cos; return cos(z); }
  template <class T> WIRT_HD static T d_dz(const T& z, const T&) { using std::sin; return -sin(z); }
};
struct Tan {
  template <class T> WIRT_HD static T value(const T& z) { using std::tan; return tan(z); }
  template <class T> WIRT_HD static T d_dz(const T& z, const T&) { return sec2(z); }
};
struct Sinh {
  template <class T> WIRT_HD static T value(const T& z) { using std::sinh; return sinh(z); }
  template <class T> WIRT_HD static T d_dz(const T& z, const T&) { using std::cosh; return cosh(z); }
};
struct Cosh {
  template <class T> WIRT_HD static T value(const T& z) { using std::cosh; return cosh(z); }
  template <class T> WIRT_HD static T d_dz(const T& z, const T&) { using std::sinh; return sinh(z); }
};
struct Tanh {
  template <class T> WIRT_HD static T value(const T& z) { using std::tanh; return tanh(z); }
  template <class T> WIRT_HD static T d_dz(const T& z, const T&) { return sech2(z); }
};
struct Arcsin {
  // Branch points ±1, cuts (−∞,−1] and [1,∞) as NumPy. The derivative
  // 1/sqrt(1 − z²) as 1/(sqrt(1 − z)·sqrt(1 + z)), the same root off the cuts,
  // where 1 − z² neither cancels near ±1 nor overflows.
  template <class T> WIRT_HD static T value(const T& z) { using std::asin; return asin(z); }
  template <class T> WIRT_HD static T d_dz(const T& z, const T&) {
    using std::sqrt; using R = real_of<T>;
    return numpy_divide(R(1), sqrt(R(1) - z) * sqrt(R(1) + z));
  }
};
struct Arccos {
  template <class T> WIRT_HD static T value(const T& z) { using std::acos; return acos(z); }
  template <class T> WIRT_HD static T d_dz(const T& z, const T&) {
    using std::sqrt; using R = real_of<T>;
    return numpy_divide(R(-1), sqrt(R(1) - z) * sqrt(R(1) + z));
  }
};
struct Arctan {
  // Poles at ±i, cuts on the imaginary axis beyond them.
  template <class T> WIRT_HD static T value(const T& z) { using std::atan; return atan(z); }
  template <class T> WIRT_HD static T d_dz(const T& z, const T&) { return recip_one_plus_square(z); }
};
struct Arcsinh {
  template <class T> WIRT_HD static T value(const T& z) { using std::asinh; return asinh(z); }
  template <class T> WIRT_HD static T d_dz(const T& z, const T&) {
    using R = real_of<T>;
    return numpy_divide(R(1), sqrt_one_plus_square(z));
  }
};
struct Arccosh {
  // sqrt(z−1)·sqrt(z+1), not sqrt(z²−1): the product is continuous with the
  // principal branch of arccosh off its cut (−∞, 1].
  template <class T> WIRT_HD static T value(const T& z) { using std::acosh; return acosh(z); }
  template <class T> WIRT_HD static T d_dz(const T& z, const T&) {
    using std::sqrt; using R = real_of<T>;
    return numpy_divide(R(1), sqrt(z - R(1)) * sqrt(z + R(1)));
  }
};
struct Arctanh {
  template <class T> WIRT_HD static T value(const T& z) { using std::atanh; return atanh(z); }
  // 1/(1 − z²) as 1/(1 − z) · 1/(1 + z): no cancellation near ±1, no overflow of z².
  template <class T> WIRT_HD static T d_dz(const T& z, const T&) {
    using R = real_of<T>;
    return numpy_divide(R(1), R(1) - z) * numpy_divide(R(1), R(1) + z);
  }
};

struct Expit {
  // The logistic function 1/(1 + e^−z) (scipy.special.expit), poles at iπ(2k+1).
  // Its derivative out·(1 − out) = ¼ sech²(z/2), which neither cancels for
  // large z nor overflows.
  template <class T> WIRT_HD static T value(const T& z) {
    using std::exp; using R = real_of<T>;
    return R(1) / (R(1) + exp(-z));
  }
  template <class T> WIRT_HD static T d_dz(const T& z, const T&) {
    using R = real_of<T>;
    return R(0.25) * sech2(z, R(0.5));
  }
};

// ---------------------------------------------------------------- unary, special functions (special.hpp)
// Holomorphic where they are defined off the real line; real_only where SciPy
// defines them for real arguments alone.
struct Erf {
  static constexpr bool real_only = true;
  template <class T> WIRT_HD static T value(const T& x) { using std::erf; return erf(x); }
  template <class T> WIRT_HD static T d_dz(const T& x, const T&) { return special::two_over_sqrt_pi * gauss(x); }
};
struct Erfc {
  static constexpr bool real_only = true;
  template <class T> WIRT_HD static T value(const T& x) { using std::erfc; return erfc(x); }
  template <class T> WIRT_HD static T d_dz(const T& x, const T&) { return -special::two_over_sqrt_pi * gauss(x); }
};
struct Erfcx {
  // e^(x²) erfc(x); its derivative 2x·erfcx(x) − 2/√π, without the cancellation for large x.
  static constexpr bool real_only = true;
  template <class T> WIRT_HD static T value(const T& x) { return erfcx(x); }
  template <class T> WIRT_HD static T d_dz(const T& x, const T& out) { return erfcx_derivative(x, out); }
};
struct Erfinv {
  // The inverse of erf on (−1, 1): its derivative (√π/2)·e^(out²).
  static constexpr bool real_only = true;
  template <class T> WIRT_HD static T value(const T& y) { return T(special::erfinv(double(y))); }
  template <class T> WIRT_HD static T d_dz(const T& y, const T& out) { return erfinv_derivative(y, out); }
};
struct Ndtri {
  // The inverse of the normal distribution function on (0, 1): derivative √(2π)·e^(out²/2).
  static constexpr bool real_only = true;
  template <class T> WIRT_HD static T value(const T& p) { return T(special::ndtri(double(p))); }
  template <class T> WIRT_HD static T d_dz(const T& p, const T& out) { return ndtri_derivative(p, out); }
};
struct Gammaln {
  // log|Γ(x)|; its derivative ψ(x), also where Γ is negative.
  static constexpr bool real_only = true;
  template <class T> WIRT_HD static T value(const T& x) { return T(special::lgamma_real(double(x))); }
  template <class T> WIRT_HD static T d_dz(const T& x, const T&) { return digamma(x); }
};
struct Gamma {
  // Poles at 0, −1, −2, ...; derivative Γ(z)·ψ(z).
  template <class T> WIRT_HD static T value(const T& z) { return narrow<T>(special::gamma(widen(z))); }
  template <class T> WIRT_HD static T d_dz(const T& z, const T& out) { return out * digamma(z); }
};
struct Loggamma {
  // The principal branch of log Γ, cut on the negative real axis (nan there for real input).
  template <class T> WIRT_HD static T value(const T& z) { return narrow<T>(special::loggamma(widen(z))); }
  template <class T> WIRT_HD static T d_dz(const T& z, const T&) { return digamma(z); }
};
struct Digamma {
  // ψ = Γ'/Γ; its derivative ψ'(z) = ζ(2, z).
  template <class T> WIRT_HD static T value(const T& z) { return narrow<T>(special::digamma(widen(z))); }
  template <class T> WIRT_HD static T d_dz(const T& z, const T&) { return hurwitz_zeta(full_like(z, 2), z); }
};
struct Exp1 {
  // E₁(x) = ∫₁^∞ e^(−xt)/t dt for x ≥ 0; derivative −e^(−x)/x.
  static constexpr bool real_only = true;
  template <class T> WIRT_HD static T value(const T& x) { return T(special::exp1(double(x))); }
  template <class T> WIRT_HD static T d_dz(const T& x, const T&) { using std::exp; return -exp(-x) / x; }
};
struct Expi {
  // Ei(x), the principal value of ∫ eᵗ/t dt from −∞ to x; derivative eˣ/x.
  static constexpr bool real_only = true;
  template <class T> WIRT_HD static T value(const T& x) { return T(special::expi(double(x))); }
  template <class T> WIRT_HD static T d_dz(const T& x, const T&) { using std::exp; return exp(x) / x; }
};
struct I0 {
  static constexpr bool real_only = true;
  template <class T> WIRT_HD static T value(const T& x) { return i0(x); }
  template <class T> WIRT_HD static T d_dz(const T& x, const T&) { return i1(x); }
};
struct I1 {
  // I₁' = I₀ − I₁/x, ½ at 0.
  static constexpr bool real_only = true;
  template <class T> WIRT_HD static T value(const T& x) { return i1(x); }
  template <class T> WIRT_HD static T d_dz(const T& x, const T& out) { return i0(x) - i1_over_x(x, out); }
};
struct I0e {
  // e^(−|x|) I₀(x); derivative I₁e(x) − sign(x)·I₀e(x).
  static constexpr bool real_only = true;
  template <class T> WIRT_HD static T value(const T& x) { return i0e(x); }
  template <class T> WIRT_HD static T d_dz(const T& x, const T& out) { return i1e(x) - sign(x) * out; }
};
struct I1e {
  // e^(−|x|) I₁(x); derivative I₀e(x) − sign(x)·I₁e(x) − I₁e(x)/x, ½ at 0.
  static constexpr bool real_only = true;
  template <class T> WIRT_HD static T value(const T& x) { return i1e(x); }
  template <class T> WIRT_HD static T d_dz(const T& x, const T& out) {
    return i0e(x) - sign(x) * out - i1_over_x(x, out);
  }
};

// ---------------------------------------------------------------- unary, not holomorphic
struct Conj {
  template <class T> WIRT_HD static T value(const T& z) { return conj(z); }
  template <class T> WIRT_HD static T d_dz(const T& z, const T&) { return full_like(z, 0); }
  template <class T> WIRT_HD static T d_dzconj(const T& z, const T&) { return full_like(z, 1); }
};
struct Real {
  static constexpr bool real_output = true;
  template <class T> WIRT_HD static T value(const T& z) { return full_like(z, real(z)); }
  template <class T> WIRT_HD static T d_dz(const T& z, const T&) { return full_like(z, 0.5); }
  template <class T> WIRT_HD static T d_dzconj(const T& z, const T&) { return full_like(z, 0.5); }
};
struct Imag {
  static constexpr bool real_output = true;
  template <class T> WIRT_HD static T value(const T& z) { return full_like(z, imag(z)); }
  template <class T> WIRT_HD static T d_dz(const T& z, const T&) { return full_like(z, std::complex<double>(0, -0.5)); }
  template <class T> WIRT_HD static T d_dzconj(const T& z, const T&) { return full_like(z, std::complex<double>(0, 0.5)); }
};
struct Abs {
  // Not differentiable at 0: the pair is 0 there (README, Points with no derivative). ½·(z/|z|), not
  // z/(2|z|), which overflows for |z| near the largest number.
  static constexpr bool real_output = true;
  template <class T> WIRT_HD static T value(const T& z) { using std::abs; return full_like(z, abs(z)); }
  template <class T> WIRT_HD static T d_dz(const T& z, const T& out) {
    using R = real_of<T>;
    return div_or_zero(conj(z), real(out)) * R(0.5);
  }
  template <class T> WIRT_HD static T d_dzconj(const T& z, const T& out) {
    using R = real_of<T>;
    return div_or_zero(z, real(out)) * R(0.5);
  }
};
struct Abs2 {
  static constexpr bool real_output = true;
  template <class T> WIRT_HD static T value(const T& z) { return full_like(z, abs2(z)); }
  template <class T> WIRT_HD static T d_dz(const T& z, const T&) { return conj(z); }
  template <class T> WIRT_HD static T d_dzconj(const T& z, const T&) { return z; }
};
struct Angle {
  // arg z = Im log z; not differentiable at 0: the pair is 0 there (README, Points with no derivative).
  // The partials −i/(2z) and i/(2z̄), not divided by |z|², which under- or
  // overflows long before they do.
  static constexpr bool real_output = true;
  template <class T> WIRT_HD static T value(const T& z) { using std::arg; return full_like(z, arg(z)); }
  template <class T> WIRT_HD static T d_dz(const T& z, const T&) {
    return div_or_zero(full_like(z, std::complex<double>(0, -0.5)), z);
  }
  template <class T> WIRT_HD static T d_dzconj(const T& z, const T&) {
    return div_or_zero(full_like(z, std::complex<double>(0, 0.5)), conj(z));
  }
};
struct Sign {
  // NumPy's sign: z/|z| (±1 or 0 for real numbers), so ∂/∂z = 1/(2|z|) and
  // ∂/∂z̄ = −sign(z)²/(2|z|); along the real line they cancel (derivative 0).
  // Not differentiable at 0: the pair is 0 there, as for abs and angle.
  template <class T> WIRT_HD static T value(const T& z) {
    using std::abs;
    if constexpr (is_complex_v<T>) {
      if (z.imag() == 0) return T(real_sign(z.real()), 0);
      return z / abs(z);
    } else {
      return real_sign(z);
    }
  }
  template <class T> WIRT_HD static T d_dz(const T& z, const T&) {
    using std::abs;
    return div_or_zero(full_like(z, 0.5), abs(z));
  }
  template <class T> WIRT_HD static T d_dzconj(const T& z, const T& out) {
    using std::abs;
    return -(out * out) * div_or_zero(full_like(z, 0.5), abs(z));
  }
};

// ---------------------------------------------------------------- binary (holomorphic in each argument)
struct Add {
  template <class T> WIRT_HD static T value(const T& a, const T& b) { return a + b; }
  template <class T> WIRT_HD static T d_da(const T& a, const T&, const T&) { return full_like(a, 1); }
  template <class T> WIRT_HD static T d_db(const T&, const T& b, const T&) { return full_like(b, 1); }
};
struct Sub {
  template <class T> WIRT_HD static T value(const T& a, const T& b) { return a - b; }
  template <class T> WIRT_HD static T d_da(const T& a, const T&, const T&) { return full_like(a, 1); }
  template <class T> WIRT_HD static T d_db(const T&, const T& b, const T&) { return full_like(b, -1); }
};
struct Mul {
  template <class T> WIRT_HD static T value(const T& a, const T& b) { return a * b; }
  template <class T> WIRT_HD static T d_da(const T&, const T& b, const T&) { return b; }
  template <class T> WIRT_HD static T d_db(const T& a, const T&, const T&) { return a; }
};
struct Div {
  template <class T> WIRT_HD static T value(const T& a, const T& b) { return numpy_divide(a, b); }
  template <class T> WIRT_HD static T d_da(const T&, const T& b, const T&) { using R = real_of<T>; return numpy_divide(R(1), b); }
  template <class T> WIRT_HD static T d_db(const T&, const T& b, const T& out) { return -numpy_divide(out, b); }
};
struct Pow {
  template <class T> WIRT_HD static T value(const T& a, const T& b) { return wpow(a, b); }
  template <class T> WIRT_HD static T d_da(const T& a, const T& b, const T& out) { return pow_d_da(a, b, out); }
  template <class T> WIRT_HD static T d_db(const T& a, const T&, const T& out) { return pow_d_db(a, out); }
};
struct Maximum {
  static constexpr bool real_only = true;
  // nan wins, as in NumPy.
  template <class T> WIRT_HD static T value(const T& a, const T& b) { return a >= b || a != a ? a : b; }
  template <class T> WIRT_HD static T d_da(const T& a, const T& b, const T&) { return step(a, b); }
  template <class T> WIRT_HD static T d_db(const T& a, const T& b, const T&) { return step(b, a); }
};
struct Minimum {
  static constexpr bool real_only = true;
  template <class T> WIRT_HD static T value(const T& a, const T& b) { return a <= b || a != a ? a : b; }
  template <class T> WIRT_HD static T d_da(const T& a, const T& b, const T&) { return step(b, a); }
  template <class T> WIRT_HD static T d_db(const T& a, const T& b, const T&) { return step(a, b); }
};
struct Hypot {
  // sqrt(a² + b²) without overflow; at a = b = 0 the partials are 0, as abs's.
  static constexpr bool real_only = true;
  template <class T> WIRT_HD static T value(const T& a, const T& b) { using std::hypot; return hypot(a, b); }
  template <class T> WIRT_HD static T d_da(const T& a, const T&, const T& out) { return div_or_zero(a, out); }
  template <class T> WIRT_HD static T d_db(const T&, const T& b, const T& out) { return div_or_zero(b, out); }
};
struct Arctan2 {
  // The angle of the point (b, a); at the origin the partials are 0, as angle's.
  // b/(a² + b²) as (b/h)/h with h = hypot(a, b): a² + b² under- or overflows first.
  static constexpr bool real_only = true;
  template <class T> WIRT_HD static T value(const T& a, const T& b) { using std::atan2; return atan2(a, b); }
  template <class T> WIRT_HD static T d_da(const T& a, const T& b, const T&) {
    using std::hypot;
    const T h = hypot(a, b);
    return div_or_zero(div_or_zero(b, h), h);
  }
  template <class T> WIRT_HD static T d_db(const T& a, const T& b, const T&) {
    using std::hypot;
    const T h = hypot(a, b);
    return div_or_zero(div_or_zero(-a, h), h);
  }
};
struct Logaddexp {
  // log(e^a + e^b) = max + log1p(e^−|a−b|). The partials are the softmax
  // weights expit(a − b) and expit(b − a), which never overflow; e^(a − out)
  // would lose all accuracy where out rounds to a large a.
  static constexpr bool real_only = true;
  template <class T> WIRT_HD static T value(const T& a, const T& b) {
    using std::exp; using std::log1p;
    if (a == b) return a + T(0.693147180559945309417232121458176568);  // also ±inf, where a − b is nan
    const T m = a > b ? a : b, d = a > b ? b - a : a - b;
    return m + log1p(exp(d));
  }
  template <class T> WIRT_HD static T d_da(const T& a, const T& b, const T&) { return Expit::value(a - b); }
  template <class T> WIRT_HD static T d_db(const T& a, const T& b, const T&) { return Expit::value(b - a); }
};

struct Zeta {
  // Hurwitz's ζ(s, q) = Σₖ (q + k)^(−s), holomorphic in q with ∂/∂q = −s·ζ(s + 1, q).
  // The derivative in the order s is not declared: nan here, and wirtinger's
  // zeta refuses to differentiate in s.
  static constexpr bool constant_first = true;
  template <class T> WIRT_HD static T value(const T& s, const T& q) { return hurwitz_zeta(s, q); }
  template <class T> WIRT_HD static T d_da(const T& s, const T&, const T&) { return full_like(s, special::nan_value()); }
  template <class T> WIRT_HD static T d_db(const T& s, const T& q, const T&) { return -s * hurwitz_zeta(s + full_like(s, 1), q); }
};
struct Expn {
  // Eₙ(x) for integer n (truncated); ∂/∂x = −Eₙ₋₁(x); n has no derivative.
  static constexpr bool real_only = true;
  static constexpr bool constant_first = true;
  template <class T> WIRT_HD static T value(const T& n, const T& x) { return exp_integral_n(n, x); }
  template <class T> WIRT_HD static T d_da(const T& n, const T&, const T&) { return full_like(n, special::nan_value()); }
  template <class T> WIRT_HD static T d_db(const T& n, const T& x, const T&) {
    return -exp_integral_n(n - full_like(n, 1), x);
  }
};
struct Gammainc {
  // The regularized lower incomplete gamma function P(a, x); ∂/∂x = x^(a−1)e^(−x)/Γ(a).
  // The derivative in a is not declared (nan; wirtinger's gammainc refuses it).
  static constexpr bool real_only = true;
  static constexpr bool constant_first = true;
  template <class T> WIRT_HD static T value(const T& a, const T& x) {
    return T(special::gammainc_pair(double(a), double(x), false));
  }
  template <class T> WIRT_HD static T d_da(const T& a, const T&, const T&) { return full_like(a, special::nan_value()); }
  template <class T> WIRT_HD static T d_db(const T& a, const T& x, const T&) { return gammainc_dx(a, x); }
};
struct Gammaincc {
  // Q(a, x) = 1 − P(a, x), accurate where P is near 1.
  static constexpr bool real_only = true;
  static constexpr bool constant_first = true;
  template <class T> WIRT_HD static T value(const T& a, const T& x) {
    return T(special::gammainc_pair(double(a), double(x), true));
  }
  template <class T> WIRT_HD static T d_da(const T& a, const T&, const T&) { return full_like(a, special::nan_value()); }
  template <class T> WIRT_HD static T d_db(const T& a, const T& x, const T&) { return -gammainc_dx(a, x); }
};

}  // namespace rules

// ---------------------------------------------------------------- traits derived from a rule
template <class Rule, class = void> struct has_dzconj : std::false_type {};
template <class Rule>
struct has_dzconj<Rule, std::void_t<decltype(&Rule::template d_dzconj<double>)>> : std::true_type {};
template <class Rule> inline constexpr bool is_holomorphic_v = !has_dzconj<Rule>::value;

template <class Rule, class = void> struct real_output_of : std::false_type {};
template <class Rule>
struct real_output_of<Rule, std::void_t<decltype(Rule::real_output)>> : std::bool_constant<Rule::real_output> {};
template <class Rule> inline constexpr bool is_real_output_v = real_output_of<Rule>::value;

template <class Rule, class = void> struct real_only_of : std::false_type {};
template <class Rule>
struct real_only_of<Rule, std::void_t<decltype(Rule::real_only)>> : std::bool_constant<Rule::real_only> {};
template <class Rule> inline constexpr bool is_real_only_v = real_only_of<Rule>::value;

// The conjugate partial; zero for holomorphic rules without evaluating anything.
template <class Rule, class T> WIRT_HD T d_dzconj_of(const T& z, const T& out) {
  if constexpr (is_holomorphic_v<Rule>) return full_like(z, 0);
  else return Rule::d_dzconj(z, out);
}

// The derived forms. For a real scalar type only d_dz + d_dzconj matters (the
// tangent is real), and rules whose partials are complex for real inputs
// (imag, angle) are evaluated in the complex type and projected.
template <class Rule, class T> WIRT_HD T jvp(const T& z, const T& out, const T& t) {
  if constexpr (is_holomorphic_v<Rule>) {
    return Rule::d_dz(z, out) * t;
  } else if constexpr (is_complex_v<T>) {
    return Rule::d_dz(z, out) * t + Rule::d_dzconj(z, out) * conj(t);
  } else {
    using C = complex_of<T>;
    const C zc(z), oc(out);
    return real(Rule::d_dz(zc, oc) + Rule::d_dzconj(zc, oc)) * t;
  }
}
template <class Rule, class T> WIRT_HD T vjp_adjoint(const T& z, const T& out, const T& ct) {
  if constexpr (is_holomorphic_v<Rule>) {
    return conj(Rule::d_dz(z, out)) * ct;
  } else if constexpr (is_complex_v<T>) {
    return conj(Rule::d_dz(z, out)) * ct + Rule::d_dzconj(z, out) * conj(ct);
  } else {
    return jvp<Rule>(z, out, ct);  // real: the 1×1 real Jacobian is its own adjoint
  }
}
template <class Rule, class T> WIRT_HD T vjp_transpose(const T& z, const T& out, const T& ct) {
  return conj(vjp_adjoint<Rule>(z, out, conj(ct)));
}

// The value, evaluated in the complex type for real inputs of rules that need
// it (angle(−1.0) = π), then cast to the result type.
template <class Rule, class T> WIRT_HD T value_of(const T& z) {
  if constexpr (!is_holomorphic_v<Rule> && !is_complex_v<T>) {
    return real(Rule::value(complex_of<T>(z)));
  } else {
    return Rule::value(z);
  }
}

// The tables. Name as NumPy spells it, rule type.
#define WIRTINGER_UNARY_RULES(X)                                                                   \
  X(negative, Neg) X(exp, Exp) X(expm1, Expm1) X(log, Log) X(log1p, Log1p) X(sqrt, Sqrt)          \
  X(square, Square) X(reciprocal, Reciprocal) X(sin, Sin) X(cos, Cos) X(tan, Tan) X(sinh, Sinh)    \
  X(cosh, Cosh) X(tanh, Tanh) X(arcsin, Arcsin) X(arccos, Arccos) X(arctan, Arctan)                \
  X(arcsinh, Arcsinh) X(arccosh, Arccosh) X(arctanh, Arctanh) X(conj, Conj) X(real, Real)          \
  X(imag, Imag) X(abs, Abs) X(abs2, Abs2) X(angle, Angle) X(exp2, Exp2) X(log2, Log2) X(log10, Log10)     \
  X(sign, Sign) X(expit, Expit) X(erf, Erf) X(erfc, Erfc) X(erfcx, Erfcx) X(erfinv, Erfinv) X(ndtri, Ndtri) \
  X(gammaln, Gammaln) X(gamma, Gamma) X(loggamma, Loggamma) X(digamma, Digamma) X(i0, I0) X(i1, I1) X(i0e, I0e)   \
  X(i1e, I1e) X(exp1, Exp1) X(expi, Expi)

#define WIRTINGER_BINARY_RULES(X)                                                                  \
  X(add, Add) X(subtract, Sub) X(multiply, Mul) X(divide, Div) X(power, Pow) X(maximum, Maximum)   \
  X(minimum, Minimum) X(hypot, Hypot) X(arctan2, Arctan2) X(logaddexp, Logaddexp) X(zeta, Zeta)    \
  X(expn, Expn) X(gammainc, Gammainc) X(gammaincc, Gammaincc)

}  // namespace wirtinger
