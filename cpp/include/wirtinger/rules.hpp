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

namespace wirtinger {

// A constant of z's type: T(c) for scalars.
template <class T, class C> WIRT_HD T full_like(const T&, const C& c) { return scalar_cast<T>(c); }

// n / d, except 0 where d == 0: the minimal-norm subgradient at the singular
// points of abs and angle (SPEC §1).
template <class N, class D> WIRT_HD N div_or_zero(const N& n, const D& d) {
  return d == D(0) ? N(0) : N(n / d);
}

// The partial of maximum(a, b) with respect to a: 1, ½ at a tie (as JAX), 0.
template <class T> WIRT_HD T step(const T& a, const T& b) {
  return a > b ? T(1) : (a == b ? T(0.5) : T(0));
}

// a**b, exact repeated multiplication for integer-valued real exponents (so that
// (-2.0)**3 and 0**1 are what NumPy gives), the principal branch otherwise.
template <class T> WIRT_HD T wpow(const T& a, const T& b) {
  using std::pow;
  const auto br = real(b);
  if (imag(b) == 0 && br == std::floor(br) && br >= -1048576 && br <= 1048576) {
    auto n = static_cast<std::int64_t>(br);
    bool invert = n < 0;
    if (invert) n = -n;
    T result(1), base = a;
    while (n) {
      if (n & 1) result = result * base;
      base = base * base;
      n >>= 1;
    }
    return invert ? T(1) / result : result;
  }
  if constexpr (is_complex_v<T>) {
    if (a == T(0) && real(b) > 0) return T(0);  // exp(b·log 0) would give nan
  }
  return pow(a, b);
}

// d(a**b)/da = b · a**(b−1), and 0 for b == 0 (a constant), also at a == 0.
template <class T> WIRT_HD T pow_d_da(const T& a, const T& b) {
  using R = real_of<T>;
  return b == T(0) ? T(0) : T(b * wpow(a, b - R(1)));
}

// d(a**b)/db = a**b · log a, with the limit 0 where a == 0 (as JAX).
template <class T> WIRT_HD T pow_d_db(const T& a, const T& out) {
  using std::log;
  return a == T(0) ? T(0) : T(out * log(a));
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
  template <class T> WIRT_HD static T value(const T& z) {
    using std::exp2; using std::exp; using R = real_of<T>;
    if constexpr (is_complex_v<T>) return exp(z * R(0.693147180559945309417232121458176568));
    else return exp2(z);
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
  template <class T> WIRT_HD static T d_dz(const T&, const T& out) {
    using R = real_of<T>;
    return out + R(1);
  }
};
struct Log {
  // Pole at 0 and branch cut on the negative real axis, as NumPy.
  template <class T> WIRT_HD static T value(const T& z) { using std::log; return log(z); }
  template <class T> WIRT_HD static T d_dz(const T& z, const T&) { using R = real_of<T>; return R(1) / z; }
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
    return R(1) / (z * R(0.693147180559945309417232121458176568));
  }
};
struct Log10 {
  // log(z) / log 10, with log's pole and cut.
  template <class T> WIRT_HD static T value(const T& z) { using std::log10; return log10(z); }
  template <class T> WIRT_HD static T d_dz(const T& z, const T&) {
    using R = real_of<T>;
    return R(1) / (z * R(2.302585092994045684017991454684364208));
  }
};
struct Log1p {
  template <class T> WIRT_HD static T value(const T& z) {
    using std::log1p; using std::log;
    if constexpr (is_complex_v<T>) {
      // log1p(z) = log|1+z| + i arg(1+z), with log|1+z| = ½ log1p(2x + x² + y²)
      using R = real_of<T>;
      const R x = z.real(), y = z.imag();
      const R re = R(0.5) * std::log1p(x * (2 + x) + y * y);
      return T(re, std::atan2(y, x + 1));
    } else {
      return log1p(z);
    }
  }
  template <class T> WIRT_HD static T d_dz(const T& z, const T&) {
    using R = real_of<T>;
    return R(1) / (z + R(1));
  }
};
struct Sqrt {
  // Branch point at 0 (derivative inf), cut on the negative real axis.
  template <class T> WIRT_HD static T value(const T& z) { using std::sqrt; return sqrt(z); }
  template <class T> WIRT_HD static T d_dz(const T&, const T& out) { using R = real_of<T>; return R(0.5) / out; }
};
struct Square {
  template <class T> WIRT_HD static T value(const T& z) { return z * z; }
  template <class T> WIRT_HD static T d_dz(const T& z, const T&) { using R = real_of<T>; return R(2) * z; }
};
struct Reciprocal {
  template <class T> WIRT_HD static T value(const T& z) { using R = real_of<T>; return R(1) / z; }
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
  template <class T> WIRT_HD static T d_dz(const T&, const T& out) { using R = real_of<T>; return R(1) + out * out; }
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
  template <class T> WIRT_HD static T d_dz(const T&, const T& out) { using R = real_of<T>; return R(1) - out * out; }
};
struct Arcsin {
  // Branch points ±1, cuts (−∞,−1] and [1,∞) as NumPy.
  template <class T> WIRT_HD static T value(const T& z) { using std::asin; return asin(z); }
  template <class T> WIRT_HD static T d_dz(const T& z, const T&) {
    using std::sqrt; using R = real_of<T>;
    return R(1) / sqrt(R(1) - z * z);
  }
};
struct Arccos {
  template <class T> WIRT_HD static T value(const T& z) { using std::acos; return acos(z); }
  template <class T> WIRT_HD static T d_dz(const T& z, const T&) {
    using std::sqrt; using R = real_of<T>;
    return R(-1) / sqrt(R(1) - z * z);
  }
};
struct Arctan {
  // Poles at ±i, cuts on the imaginary axis beyond them.
  template <class T> WIRT_HD static T value(const T& z) { using std::atan; return atan(z); }
  template <class T> WIRT_HD static T d_dz(const T& z, const T&) { using R = real_of<T>; return R(1) / (R(1) + z * z); }
};
struct Arcsinh {
  template <class T> WIRT_HD static T value(const T& z) { using std::asinh; return asinh(z); }
  template <class T> WIRT_HD static T d_dz(const T& z, const T&) {
    using std::sqrt; using R = real_of<T>;
    return R(1) / sqrt(z * z + R(1));
  }
};
struct Arccosh {
  // sqrt(z−1)·sqrt(z+1), not sqrt(z²−1): the product is continuous with the
  // principal branch of arccosh off its cut (−∞, 1].
  template <class T> WIRT_HD static T value(const T& z) { using std::acosh; return acosh(z); }
  template <class T> WIRT_HD static T d_dz(const T& z, const T&) {
    using std::sqrt; using R = real_of<T>;
    return R(1) / (sqrt(z - R(1)) * sqrt(z + R(1)));
  }
};
struct Arctanh {
  template <class T> WIRT_HD static T value(const T& z) { using std::atanh; return atanh(z); }
  template <class T> WIRT_HD static T d_dz(const T& z, const T&) { using R = real_of<T>; return R(1) / (R(1) - z * z); }
};

struct Expit {
  // The logistic function 1/(1 + e^−z) (scipy.special.expit), poles at iπ(2k+1).
  // Its derivative out·(1 − out), written out/(1 + e^z) so that 1 − out does
  // not cancel for large z; it is 0, not nan, where e^±z overflows.
  template <class T> WIRT_HD static T value(const T& z) {
    using std::exp; using R = real_of<T>;
    return R(1) / (R(1) + exp(-z));
  }
  template <class T> WIRT_HD static T d_dz(const T& z, const T& out) {
    using std::exp; using R = real_of<T>;
    return out / (R(1) + exp(z));
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
  // Not differentiable at 0: the pair is 0 there (SPEC §1).
  static constexpr bool real_output = true;
  template <class T> WIRT_HD static T value(const T& z) { using std::abs; return full_like(z, abs(z)); }
  template <class T> WIRT_HD static T d_dz(const T& z, const T& out) { using R = real_of<T>; return div_or_zero(conj(z), R(2) * out); }
  template <class T> WIRT_HD static T d_dzconj(const T& z, const T& out) { using R = real_of<T>; return div_or_zero(z, R(2) * out); }
};
struct Abs2 {
  static constexpr bool real_output = true;
  template <class T> WIRT_HD static T value(const T& z) { return full_like(z, abs2(z)); }
  template <class T> WIRT_HD static T d_dz(const T& z, const T&) { return conj(z); }
  template <class T> WIRT_HD static T d_dzconj(const T& z, const T&) { return z; }
};
struct Angle {
  // arg z = Im log z; not differentiable at 0: the pair is 0 there (SPEC §1).
  static constexpr bool real_output = true;
  template <class T> WIRT_HD static T value(const T& z) { using std::arg; return full_like(z, arg(z)); }
  template <class T> WIRT_HD static T d_dz(const T& z, const T&) {
    return div_or_zero(conj(z) * full_like(z, std::complex<double>(0, -0.5)), abs2(z));
  }
  template <class T> WIRT_HD static T d_dzconj(const T& z, const T&) {
    return div_or_zero(z * full_like(z, std::complex<double>(0, 0.5)), abs2(z));
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
  template <class T> WIRT_HD static T value(const T& a, const T& b) { return a / b; }
  template <class T> WIRT_HD static T d_da(const T&, const T& b, const T&) { using R = real_of<T>; return R(1) / b; }
  template <class T> WIRT_HD static T d_db(const T&, const T& b, const T& out) { return -(out / b); }
};
struct Pow {
  template <class T> WIRT_HD static T value(const T& a, const T& b) { return wpow(a, b); }
  template <class T> WIRT_HD static T d_da(const T& a, const T& b, const T&) { return pow_d_da(a, b); }
  template <class T> WIRT_HD static T d_db(const T& a, const T&, const T& out) { return pow_d_db(a, out); }
};
struct Maximum {
  static constexpr bool real_only = true;
  template <class T> WIRT_HD static T value(const T& a, const T& b) { return a >= b ? a : b; }
  template <class T> WIRT_HD static T d_da(const T& a, const T& b, const T&) { return step(a, b); }
  template <class T> WIRT_HD static T d_db(const T& a, const T& b, const T&) { return step(b, a); }
};
struct Minimum {
  static constexpr bool real_only = true;
  template <class T> WIRT_HD static T value(const T& a, const T& b) { return a <= b ? a : b; }
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
  static constexpr bool real_only = true;
  template <class T> WIRT_HD static T value(const T& a, const T& b) { using std::atan2; return atan2(a, b); }
  template <class T> WIRT_HD static T d_da(const T& a, const T& b, const T&) { return div_or_zero(b, a * a + b * b); }
  template <class T> WIRT_HD static T d_db(const T& a, const T& b, const T&) { return div_or_zero(-a, a * a + b * b); }
};
struct Logaddexp {
  // log(e^a + e^b) = max + log1p(e^−|a−b|); the partials e^(a−out), e^(b−out)
  // are the softmax weights and never overflow.
  static constexpr bool real_only = true;
  template <class T> WIRT_HD static T value(const T& a, const T& b) {
    using std::exp; using std::log1p;
    if (a == b) return a + T(0.693147180559945309417232121458176568);  // also ±inf, where a − b is nan
    const T m = a > b ? a : b, d = a > b ? b - a : a - b;
    return m + log1p(exp(d));
  }
  template <class T> WIRT_HD static T d_da(const T& a, const T&, const T& out) { using std::exp; return exp(a - out); }
  template <class T> WIRT_HD static T d_db(const T&, const T& b, const T& out) { using std::exp; return exp(b - out); }
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
  X(sign, Sign) X(expit, Expit)

#define WIRTINGER_BINARY_RULES(X)                                                                  \
  X(add, Add) X(subtract, Sub) X(multiply, Mul) X(divide, Div) X(power, Pow) X(maximum, Maximum)   \
  X(minimum, Minimum) X(hypot, Hypot) X(arctan2, Arctan2) X(logaddexp, Logaddexp)

}  // namespace wirtinger
