// What the two active types, Dual (forward) and Var (reverse), share: the
// scalars they run over, the plain operands they mix with, and how a rule
// collapses to a single number when its JVP is plain multiplication.
#pragma once

#include <type_traits>

#include "../rules.hpp"

namespace wirtinger {

template <class T>
inline constexpr bool is_supported_scalar_v =
    std::is_same_v<T, double> || std::is_same_v<T, float> || std::is_same_v<T, std::complex<double>> ||
    std::is_same_v<T, std::complex<float>>;

// A plain operand of an active value: a number that carries no derivative.
template <class S> inline constexpr bool is_plain_scalar_v = std::is_arithmetic_v<S> || is_complex_v<S>;

// The scalar an operation on T and S computes in: T's precision, complex if
// either is. A plain double constant does not widen a float computation, as a
// Python scalar does not widen a float32 array.
template <class T, class S>
using promote_t = std::conditional_t<is_complex_v<T> || is_complex_v<S>, complex_of<real_of<T>>, real_of<T>>;

// NumPy-free spellings of the rule names, for generic code written against
// <cmath> and <complex> (std name, rule-table name).
#define WIRTINGER_STD_ALIASES(X)                                                                   \
  X(arg, angle) X(norm, abs2) X(asin, arcsin) X(acos, arccos) X(atan, arctan) X(asinh, arcsinh)    \
  X(acosh, arccosh) X(atanh, arctanh)

namespace detail {

template <class T> struct identity { using type = T; };
template <class T> using identity_t = typename identity<T>::type;

// The number d with JVP t ↦ d·t. It exists when the rule is holomorphic or the
// scalar is real; for a real scalar, rules.hpp's jvp already projects the pair
// of a non-holomorphic rule onto the real line, so it is reused rather than
// restated.
template <class Rule, class T> WIRT_HD T ordinary_derivative(const T& z, const T& out) {
  static_assert(is_holomorphic_v<Rule> || !is_complex_v<T>,
                "a non-holomorphic rule on complex values needs both Wirtinger partials");
  if constexpr (is_complex_v<T>) return Rule::d_dz(z, out);
  else return jvp<Rule>(z, out, T(1));
}

template <class Rule, class T> constexpr void require_rule_accepts() {
  static_assert(!(is_real_only_v<Rule> && is_complex_v<T>),
                "this function is defined for real numbers only (maximum and minimum order them; the "
                "special functions marked real_only have no complex form here): apply it to real(z) or abs(z)");
}

}  // namespace detail
}  // namespace wirtinger
