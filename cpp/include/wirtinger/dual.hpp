// Forward mode: Dual<T, N> carries a value and N tangents, each a plain T.
//
//     using C = std::complex<double>;
//     wirtinger::Dual<C> z(C(2.3, 4.5), C(1, 0));     // value, tangent
//     auto f = real(z * std::exp(C(0, 1.5)));         // Dual<double>
//     // f.value == -4.326..., f.t[0] == ∂f/∂x
//
// T is float, double, std::complex<float> or std::complex<double>; N is a
// compile-time count of tangent directions, or `dynamic` for a count chosen at
// run time (tangents then live in a std::vector, and a missing one is zero).
//
// Every function here is generated from the rule table (rules.hpp): the tangent
// of f(z) is the rule's JVP  d_dz·t + d_dzconj·conj(t)  applied to each
// direction. Functions whose result is real (real, imag, abs, abs2, angle)
// return a Dual over the real type; a real Dual mixed with a complex one is
// promoted to complex.
//
// A Dual whose tangents are all exactly zero is a constant: no partial is
// evaluated for it. Otherwise a constant could drag an infinite or nan partial
// into a derivative as 0·inf: the exponent partial of pow(x, 3.0) at x < 0 is
// log(x)·x³, and sqrt of a constant 0 has an infinite derivative.
#pragma once

#include <initializer_list>
#include <stdexcept>
#include <vector>

#include "detail/active.hpp"

namespace wirtinger {

inline constexpr int dynamic = -1;

// A plain array rather than std::array, so that a Dual can live in device code.
template <class T, int N> struct Tangents {
  T d[N] = {};
  WIRT_HD static constexpr int size() { return N; }
  WIRT_HD void resize(int) {}
  WIRT_HD T& operator[](int k) { return d[k]; }
  WIRT_HD const T& operator[](int k) const { return d[k]; }
  WIRT_HD T get(int k) const { return d[k]; }
};

template <class T> struct Tangents<T, dynamic> {
  std::vector<T> d;
  int size() const { return static_cast<int>(d.size()); }
  void resize(int n) { d.resize(static_cast<std::size_t>(n)); }
  T& operator[](int k) { return d[static_cast<std::size_t>(k)]; }
  const T& operator[](int k) const { return d[static_cast<std::size_t>(k)]; }
  T get(int k) const { return k < size() ? d[static_cast<std::size_t>(k)] : T(0); }
};

template <class T, int N = 1> struct Dual {
  static_assert(is_supported_scalar_v<T>,
                "Dual<T> runs over float, double, std::complex<float> or std::complex<double>");
  static_assert(N >= 1 || N == dynamic, "a Dual needs at least one tangent direction (or N = dynamic)");
  using scalar_type = T;
  static constexpr int directions = N;

  T value{};
  Tangents<T, N> t;

  Dual() = default;
  WIRT_HD Dual(const T& v) : value(v) {}
  template <class S, std::enable_if_t<std::is_arithmetic_v<S>, int> = 0>
  WIRT_HD Dual(S v) : value(scalar_cast<T>(static_cast<real_of<T>>(v))) {}
  template <int M = N, std::enable_if_t<M == 1, int> = 0>
  WIRT_HD Dual(const T& v, const T& t0) : value(v) {
    t[0] = t0;
  }
  Dual(const T& v, std::initializer_list<T> ts) : value(v) {
    if (N != dynamic && static_cast<int>(ts.size()) > N)
      throw std::invalid_argument("Dual<T, N>: more tangents given than the N directions it holds");
    t.resize(static_cast<int>(ts.size()));
    int k = 0;
    for (const T& tk : ts) t[k++] = tk;
  }
  // A real Dual entering a complex computation: same value, same (real) tangents.
  template <class R, std::enable_if_t<is_complex_v<T> && std::is_same_v<R, real_of<T>>, int> = 0>
  WIRT_HD Dual(const Dual<R, N>& x) : value(x.value) {
    t.resize(x.t.size());
    for (int k = 0; k < x.t.size(); ++k) t[k] = T(x.t[k]);
  }

  template <class U> WIRT_HD Dual& operator+=(const U& u) { return *this = *this + u; }
  template <class U> WIRT_HD Dual& operator-=(const U& u) { return *this = *this - u; }
  template <class U> WIRT_HD Dual& operator*=(const U& u) { return *this = *this * u; }
  template <class U> WIRT_HD Dual& operator/=(const U& u) { return *this = *this / u; }
};

template <class X> struct is_dual : std::false_type {};
template <class T, int N> struct is_dual<Dual<T, N>> : std::true_type {};
template <class X> inline constexpr bool is_dual_v = is_dual<X>::value;

namespace detail {

template <class T, int N> WIRT_HD bool is_constant(const Dual<T, N>& x) {
  for (int k = 0; k < x.t.size(); ++k)
    if (x.t[k] != T(0)) return false;
  return true;
}

// Real-output rules give a real JVP; only rounding is dropped here.
template <class T, int N> WIRT_HD Dual<real_of<T>, N> real_part(const Dual<T, N>& x) {
  Dual<real_of<T>, N> r(real(x.value));
  r.t.resize(x.t.size());
  for (int k = 0; k < x.t.size(); ++k) r.t[k] = real(x.t[k]);
  return r;
}

template <class T, int N, class S> WIRT_HD Dual<T, N> constant(const S& s) { return Dual<T, N>(scalar_cast<T>(s)); }

}  // namespace detail

// f(x) for any rule of the table's form (value, d_dz[, d_dzconj]), including
// rules defined outside this library.
template <class Rule, class T, int N> WIRT_HD auto apply_rule(const Dual<T, N>& x) {
  detail::require_rule_accepts<Rule, T>();
  Dual<T, N> r(value_of<Rule>(x.value));
  if (!detail::is_constant(x)) {
    r.t.resize(x.t.size());
    if constexpr (is_holomorphic_v<Rule> || !is_complex_v<T>) {
      const T d = detail::ordinary_derivative<Rule>(x.value, r.value);
      for (int k = 0; k < x.t.size(); ++k) r.t[k] = d * x.t[k];
    } else {
      for (int k = 0; k < x.t.size(); ++k) r.t[k] = jvp<Rule>(x.value, r.value, x.t[k]);
    }
  }
  if constexpr (is_real_output_v<Rule> && is_complex_v<T>) return detail::real_part(r);
  else return r;
}

// f(a, b) for a binary rule (value, d_da, d_db), holomorphic in each argument.
template <class Rule, class T, int N> WIRT_HD Dual<T, N> apply_rule(const Dual<T, N>& a, const Dual<T, N>& b) {
  detail::require_rule_accepts<Rule, T>();
  Dual<T, N> r(Rule::value(a.value, b.value));
  const bool a_varies = !detail::is_constant(a), b_varies = !detail::is_constant(b);
  if (a_varies || b_varies) {
    const T d_da = a_varies ? Rule::d_da(a.value, b.value, r.value) : T(0);
    const T d_db = b_varies ? Rule::d_db(a.value, b.value, r.value) : T(0);
    const int n = a.t.size() > b.t.size() ? a.t.size() : b.t.size();
    r.t.resize(n);
    for (int k = 0; k < n; ++k) r.t[k] = d_da * a.t.get(k) + d_db * b.t.get(k);
  }
  return r;
}

// ---------------------------------------------------------------- the math functions, from the table
#define WIRTINGER_DUAL_UNARY(name, Rule)                                                           \
  template <class T, int N> WIRT_HD auto name(const Dual<T, N>& x) { return apply_rule<rules::Rule>(x); }
WIRTINGER_UNARY_RULES(WIRTINGER_DUAL_UNARY)
#undef WIRTINGER_DUAL_UNARY

// Operands of different kinds are brought to the common scalar first, so that
// every combination funnels into the one apply_rule above.
#define WIRTINGER_DUAL_BINARY(name, Rule)                                                          \
  template <class A, class B, int N, std::enable_if_t<std::is_same_v<real_of<A>, real_of<B>>, int> = 0> \
  WIRT_HD auto name(const Dual<A, N>& a, const Dual<B, N>& b) {                                    \
    using C = promote_t<A, B>;                                                                     \
    return apply_rule<rules::Rule>(Dual<C, N>(a), Dual<C, N>(b));                                  \
  }                                                                                                \
  template <class A, int N, class S, std::enable_if_t<is_plain_scalar_v<S>, int> = 0>              \
  WIRT_HD auto name(const Dual<A, N>& a, const S& b) {                                             \
    using C = promote_t<A, S>;                                                                     \
    return apply_rule<rules::Rule>(Dual<C, N>(a), detail::constant<C, N>(b));                      \
  }                                                                                                \
  template <class S, class B, int N, std::enable_if_t<is_plain_scalar_v<S>, int> = 0>              \
  WIRT_HD auto name(const S& a, const Dual<B, N>& b) {                                             \
    using C = promote_t<B, S>;                                                                     \
    return apply_rule<rules::Rule>(detail::constant<C, N>(a), Dual<C, N>(b));                      \
  }
WIRTINGER_BINARY_RULES(WIRTINGER_DUAL_BINARY)
#undef WIRTINGER_DUAL_BINARY

#define WIRTINGER_DUAL_ALIAS(alias, name)                                                          \
  template <class T, int N> WIRT_HD auto alias(const Dual<T, N>& x) { return name(x); }
WIRTINGER_STD_ALIASES(WIRTINGER_DUAL_ALIAS)
#undef WIRTINGER_DUAL_ALIAS

// ---------------------------------------------------------------- operators
#define WIRTINGER_DUAL_OPERATOR(op, name)                                                          \
  template <class A, class B, int N>                                                               \
  WIRT_HD auto operator op(const Dual<A, N>& a, const Dual<B, N>& b)->decltype(name(a, b)) {       \
    return name(a, b);                                                                             \
  }                                                                                                \
  template <class A, int N, class S, std::enable_if_t<is_plain_scalar_v<S>, int> = 0>              \
  WIRT_HD auto operator op(const Dual<A, N>& a, const S& b) {                                      \
    return name(a, b);                                                                             \
  }                                                                                                \
  template <class S, class B, int N, std::enable_if_t<is_plain_scalar_v<S>, int> = 0>              \
  WIRT_HD auto operator op(const S& a, const Dual<B, N>& b) {                                      \
    return name(a, b);                                                                             \
  }
WIRTINGER_DUAL_OPERATOR(+, add)
WIRTINGER_DUAL_OPERATOR(-, subtract)
WIRTINGER_DUAL_OPERATOR(*, multiply)
WIRTINGER_DUAL_OPERATOR(/, divide)
#undef WIRTINGER_DUAL_OPERATOR

template <class A, class B, int N>
WIRT_HD auto pow(const Dual<A, N>& a, const Dual<B, N>& b) -> decltype(power(a, b)) {
  return power(a, b);
}
template <class A, int N, class S, std::enable_if_t<is_plain_scalar_v<S>, int> = 0>
WIRT_HD auto pow(const Dual<A, N>& a, const S& b) {
  return power(a, b);
}
template <class S, class B, int N, std::enable_if_t<is_plain_scalar_v<S>, int> = 0>
WIRT_HD auto pow(const S& a, const Dual<B, N>& b) {
  return power(a, b);
}

template <class T, int N> WIRT_HD Dual<T, N> operator-(const Dual<T, N>& x) { return negative(x); }
template <class T, int N> WIRT_HD Dual<T, N> operator+(const Dual<T, N>& x) { return x; }

// Comparisons look at values only, so that control flow on a Dual follows the
// primal program.
#define WIRTINGER_DUAL_COMPARISON(op)                                                              \
  template <class A, class B, int N> WIRT_HD bool operator op(const Dual<A, N>& a, const Dual<B, N>& b) { \
    using P = promote_t<A, B>;                                                                     \
    return scalar_cast<P>(a.value) op scalar_cast<P>(b.value);                                     \
  }                                                                                                \
  template <class A, int N, class S, std::enable_if_t<is_plain_scalar_v<S>, int> = 0>              \
  WIRT_HD bool operator op(const Dual<A, N>& a, const S& b) {                                      \
    using P = promote_t<A, S>;                                                                     \
    return scalar_cast<P>(a.value) op scalar_cast<P>(b);                                           \
  }                                                                                                \
  template <class S, class B, int N, std::enable_if_t<is_plain_scalar_v<S>, int> = 0>              \
  WIRT_HD bool operator op(const S& a, const Dual<B, N>& b) {                                      \
    using P = promote_t<B, S>;                                                                     \
    return scalar_cast<P>(a) op scalar_cast<P>(b.value);                                           \
  }
WIRTINGER_DUAL_COMPARISON(==)
WIRTINGER_DUAL_COMPARISON(!=)
WIRTINGER_DUAL_COMPARISON(<)
WIRTINGER_DUAL_COMPARISON(<=)
WIRTINGER_DUAL_COMPARISON(>)
WIRTINGER_DUAL_COMPARISON(>=)
#undef WIRTINGER_DUAL_COMPARISON

}  // namespace wirtinger
