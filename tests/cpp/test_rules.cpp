// Every rule of the table, in every scalar type, in forward (Dual) and reverse
// (Tape) mode: forward and reverse agree, the adjoint (dot-product) identity
// holds, the tape's sweep equals rules.hpp's derived VJPs, and the JVP matches
// central finite differences along 1 and i taken in complex128.
//
// The rules are enumerated from the X-macro tables, so a new rule is tested
// automatically, and fails until it has an entry (its domain) below.
#include <algorithm>
#include <cstring>
#include <limits>
#include <random>
#include <string>
#include <vector>

#include <wirtinger/wirtinger.hpp>

#include "check.hpp"

using namespace wirtinger;
using C128 = std::complex<double>;

namespace {

// ---------------------------------------------------------------- the domains
// Points away from poles and branch cuts, where finite differences are valid.
struct UnaryCase {
  const char* name;
  std::vector<double> real_points;
  std::vector<C128> complex_points;
};

const std::vector<UnaryCase>& unary_cases() {
  static const std::vector<UnaryCase> cases = {
      {"negative", {0.7, -1.3}, {{0.7, -1.2}, {-2.0, 0.5}}},
      {"exp", {0.4, -1.1}, {{0.3, 1.2}, {-0.5, -2.0}}},
      {"expm1", {0.4, -1.1, 1e-3}, {{0.3, 1.2}, {1e-4, 2e-4}}},
      {"log", {0.7, 2.5}, {{1.3, 0.7}, {-0.8, 0.4}, {-0.8, -0.4}}},
      {"log1p", {0.3, -0.5}, {{0.3, 0.7}, {-1.8, 0.3}}},
      {"sqrt", {0.7, 2.5}, {{1.3, 0.7}, {-0.8, 0.4}, {-0.8, -0.4}}},
      {"square", {0.7, -1.3}, {{0.7, -1.2}, {-2.0, 0.5}}},
      {"reciprocal", {0.7, -1.3}, {{0.7, -1.2}, {-2.0, 0.5}}},
      {"sin", {0.7, -1.3}, {{0.7, -1.2}, {-1.1, 0.5}, {0.7, 0.0}}},
      {"cos", {0.7, -1.3}, {{0.7, -1.2}, {-1.1, 0.5}}},
      {"tan", {0.7, -1.3}, {{0.7, -1.2}, {-1.1, 0.5}}},
      {"sinh", {0.7, -1.3}, {{0.7, -1.2}, {-1.1, 0.5}}},
      {"cosh", {0.7, -1.3}, {{0.7, -1.2}, {-1.1, 0.5}}},
      {"tanh", {0.7, -1.3}, {{0.7, -1.2}, {-1.1, 0.5}}},
      {"arcsin", {0.3, -0.6}, {{0.4, 0.3}, {1.7, -0.5}, {-1.5, 0.2}}},
      {"arccos", {0.3, -0.6}, {{0.4, 0.3}, {1.7, -0.5}, {-1.5, 0.2}}},
      {"arctan", {0.7, -2.0}, {{0.4, 0.3}, {0.2, 1.5}, {-1.0, 2.0}}},
      {"arcsinh", {0.7, -2.0}, {{0.4, 0.3}, {0.3, 1.7}, {-1.0, -2.0}}},
      {"arccosh", {1.5, 3.0}, {{0.3, 0.4}, {-2.0, 0.5}, {2.0, -0.3}}},
      {"arctanh", {0.3, -0.6}, {{1.5, 0.2}, {0.3, -0.4}}},
      {"conj", {0.7, -1.3}, {{0.7, -1.2}, {-2.0, 0.5}}},
      {"real", {0.7, -1.3}, {{0.7, -1.2}, {-2.0, 0.5}}},
      {"imag", {0.7, -1.3}, {{0.7, -1.2}, {-2.0, 0.5}}},
      {"abs", {0.7, -1.3}, {{0.7, -1.2}, {-2.0, 0.5}}},
      {"abs2", {0.7, -1.3}, {{0.7, -1.2}, {-2.0, 0.5}}},
      {"angle", {0.7, -1.3}, {{0.7, -1.2}, {-2.0, 0.5}}},
      {"exp2", {0.4, -1.1}, {{0.3, 1.2}, {-0.5, -2.0}}},
      {"log2", {0.7, 2.5}, {{1.3, 0.7}, {-0.8, 0.4}, {-0.8, -0.4}}},
      {"log10", {0.7, 2.5}, {{1.3, 0.7}, {-0.8, 0.4}, {-0.8, -0.4}}},
      {"sign", {0.7, -1.3}, {{0.7, -1.2}, {-2.0, 0.5}, {0.3, 0.0}}},
      // Poles of the logistic function at iπ(2k+1).
      {"expit", {0.4, -1.1, 30.0}, {{0.3, 1.2}, {-0.5, -2.0}}},
      // The special functions: real-only ones have no complex points; gamma,
      // loggamma and digamma away from their poles and loggamma's cut.
      {"erf", {0.4, -1.1, 2.5}, {}},
      {"erfc", {0.4, -1.1, 2.5}, {}},
      {"erfcx", {0.4, -1.1, 2.5, 4.0, 30.0}, {}},
      {"erfinv", {0.4, -0.7, 0.95}, {}},
      {"ndtri", {0.4, 0.05, 0.9}, {}},
      {"gammaln", {0.4, 3.7, -1.3}, {}},
      {"gamma", {0.4, 3.7, -1.3}, {{0.3, 1.2}, {-1.5, 0.5}, {4.0, -2.0}}},
      {"loggamma", {0.4, 3.7, 12.5}, {{0.3, 1.2}, {-1.5, 0.5}, {-2.5, -0.7}, {4.0, -2.0}}},
      {"digamma", {0.4, 1.45, 3.7, -1.3}, {{0.3, 1.2}, {-1.5, 0.5}, {4.0, -2.0}}},
      {"i0", {0.4, -1.1, 30.0}, {}},
      {"i1", {0.4, -1.1, 30.0}, {}},
      {"i0e", {0.4, -1.1, 30.0}, {}},
      {"i1e", {0.4, -1.1, 30.0}, {}},
      {"exp1", {0.4, 1.7, 30.0}, {}},
      {"expi", {-0.7, 0.4, 1.7, 60.0}, {}},
  };
  return cases;
}

struct BinaryCase {
  const char* name;
  std::vector<std::pair<double, double>> real_points;
  std::vector<std::pair<C128, C128>> complex_points;  // none: the rule orders real numbers
};

const std::vector<BinaryCase>& binary_cases() {
  static const std::vector<BinaryCase> cases = {
      {"add", {{0.7, -1.3}, {2.0, 0.5}}, {{{0.7, -1.2}, {-2.0, 0.5}}, {{1.0, 1.0}, {0.3, -0.2}}}},
      {"subtract", {{0.7, -1.3}, {2.0, 0.5}}, {{{0.7, -1.2}, {-2.0, 0.5}}, {{1.0, 1.0}, {0.3, -0.2}}}},
      {"multiply", {{0.7, -1.3}, {2.0, 0.5}}, {{{0.7, -1.2}, {-2.0, 0.5}}, {{1.0, 1.0}, {0.3, -0.2}}}},
      {"divide", {{0.7, -1.3}, {2.0, 0.5}}, {{{0.7, -1.2}, {-2.0, 0.5}}, {{1.0, 1.0}, {0.3, -0.2}}}},
      // Integer exponents take wpow's repeated-multiplication path.
      {"power",
       {{0.7, 2.5}, {1.8, -0.6}, {2.0, 3.0}},
       {{{0.7, -1.2}, {0.3, 0.5}}, {{1.5, 0.5}, {2.0, 0.0}}, {{-1.5, 0.0}, {3.0, 0.0}}}},
      {"maximum", {{0.7, -1.3}, {-2.0, 0.5}}, {}},
      {"minimum", {{0.7, -1.3}, {-2.0, 0.5}}, {}},
      {"hypot", {{0.7, -1.3}, {2.0, 0.5}, {-0.2, -3.0}}, {}},
      {"arctan2", {{0.7, -1.3}, {-2.0, 0.5}, {0.3, 0.8}, {-0.4, -0.9}}, {}},
      {"logaddexp", {{0.7, -1.3}, {2.0, 0.5}, {-20.0, 5.0}}, {}},
      // Differentiated in q alone (constant_first); complex q as digamma's derivative uses it.
      {"zeta", {{2.0, 1.5}, {3.5, 0.7}, {2.0, -1.5}}, {{{2.0, 0.0}, {1.5, 0.5}}, {{3.0, 0.0}, {-0.5, 1.0}}}},
      {"expn", {{2.0, 0.5}, {3.0, 2.5}, {0.0, 1.5}}, {}},
      {"gammainc", {{2.5, 0.7}, {0.5, 3.0}, {30.0, 28.0}}, {}},
      {"gammaincc", {{2.5, 0.7}, {0.5, 3.0}, {30.0, 33.0}}, {}},
  };
  return cases;
}

// Points where no finite difference applies; the values are the README's (Points with no derivative).
struct UnarySpecial {
  const char* name;
  C128 z, d_dz, d_dzconj;
};
const std::vector<UnarySpecial> unary_specials = {
    {"abs", 0.0, 0.0, 0.0},    // minimal-norm subgradient
    {"angle", 0.0, 0.0, 0.0},  // minimal-norm subgradient
    {"sign", 0.0, 0.0, 0.0},   // minimal-norm subgradient
};
struct BinarySpecial {
  const char* name;
  double a, b, d_da, d_db;
};
const std::vector<BinarySpecial> binary_specials = {
    {"maximum", 1.0, 1.0, 0.5, 0.5},  // a tie splits the derivative, as JAX
    {"minimum", 1.0, 1.0, 0.5, 0.5},
    {"power", 0.0, 0.0, 0.0, 0.0},  // x**0 is constant, also at x = 0
    {"power", 0.0, 1.0, 1.0, 0.0},  // ∂/∂b = log(a)·a**b has the limit 0 at a = 0, as JAX
    {"power", 0.0, 2.0, 0.0, 0.0},
    {"hypot", 0.0, 0.0, 0.0, 0.0},      // minimal-norm subgradient, as abs
    {"arctan2", 0.0, 0.0, 0.0, 0.0},    // minimal-norm subgradient, as angle
    {"logaddexp", 1.0, 1.0, 0.5, 0.5},  // softmax weights of a tie
};

// ---------------------------------------------------------------- tolerances
struct Tol {
  double ad;  // two AD paths against each other
  double fd;  // AD against complex128 finite differences
};
template <class T> Tol tol_for() {
  if constexpr (std::is_same_v<real_of<T>, double>) return {1e-12, 1e-6};
  else return {2e-5, 5e-4};
}

template <class T> const char* type_name() {
  if constexpr (std::is_same_v<T, double>) return "double";
  else if constexpr (std::is_same_v<T, float>) return "float";
  else if constexpr (std::is_same_v<T, std::complex<double>>) return "complex<double>";
  else return "complex<float>";
}

std::mt19937& rng() {
  static std::mt19937 g(20240611u);
  return g;
}
template <class T> T random_scalar() {
  std::uniform_real_distribution<double> u(-1.0, 1.0);
  if constexpr (is_complex_v<T>) return T(static_cast<real_of<T>>(u(rng())), static_cast<real_of<T>>(u(rng())));
  else return static_cast<T>(u(rng()));
}

// The real-linear map t ↦ A t + B conj(t), in complex128 whatever the type.
using Pair = Wirtinger<C128>;

std::string point_str(const C128& z) { return "at " + check::str(z); }

void check_pair(const Pair& got, const Pair& want, double rtol, const char* what) {
  // Scaled by the size of the map: a partial that is zero next to a large one
  // is compared absolutely.
  const double scale = std::max(1.0, std::abs(want.dz) + std::abs(want.dzbar));
  check::Context ctx(what);
  CHECK_CLOSE(got.dz, want.dz, 0.0, rtol * scale);
  CHECK_CLOSE(got.dzbar, want.dzbar, 0.0, rtol * scale);
}

// ---------------------------------------------------------------- unary
template <class Rule, class T> Pair forward_pair(const T& z) {
  if constexpr (is_complex_v<T>) {
    const auto out = apply_rule<Rule>(Dual<T, 2>(z, {T(1), T(0, 1)}));
    return pair_from_jvps(check::as_complex(out.t[0]), check::as_complex(out.t[1]));
  } else {
    const auto out = apply_rule<Rule>(Dual<T>(z, T(1)));
    const C128 half = check::as_complex(out.t[0]) / 2.0;
    return {half, half};
  }
}

template <class Rule, class T> Pair reverse_pair(const T& z) {
  Tape<T> tape;
  const Var<T> x = tape.input(z);
  const Var<T> y = apply_rule<Rule>(x);
  tape.backward(y, T(1));
  const C128 of_1 = check::as_complex(tape.cotangent(x));
  if constexpr (is_complex_v<T>) {
    tape.backward(y, T(0, 1));
    return pair_from_vjps(of_1, check::as_complex(tape.cotangent(x)));
  } else {
    return {of_1 / 2.0, of_1 / 2.0};
  }
}

template <class Rule, bool complex_input> Pair finite_difference_pair(const C128& z) {
  const double h = 1e-6 * std::max(1.0, std::abs(z));
  if constexpr (complex_input) {
    const auto f = [](const C128& x) { return value_of<Rule>(x); };
    const C128 along_1 = (f(z + h) - f(z - h)) / (2 * h);
    const C128 along_i = (f(z + C128(0, h)) - f(z - C128(0, h))) / (2 * h);
    return pair_from_jvps(along_1, along_i);
  } else {
    const auto f = [](double x) { return value_of<Rule>(x); };
    const double d = (f(z.real() + h) - f(z.real() - h)) / (2 * h);
    return {d / 2, d / 2};
  }
}

// The output cotangent space: real for a real-valued rule.
template <class Rule, class T> T random_output_cotangent() {
  if constexpr (is_real_output_v<Rule>) return T(random_scalar<real_of<T>>());
  else return random_scalar<T>();
}

template <class Rule, class T> void check_unary_at(const C128& point) {
  const Tol tol = tol_for<T>();
  const T z = scalar_cast<T>(point);
  const C128 zc = check::as_complex(z);  // the point as rounded to T
  check::Context ctx(point_str(zc));

  const Pair fwd = forward_pair<Rule>(z);
  check_pair(reverse_pair<Rule>(z), fwd, tol.ad, "reverse (Tape) vs forward (Dual)");
  check_pair(fwd, finite_difference_pair<Rule, is_complex_v<T>>(zc), tol.fd, "forward vs finite differences");

  const T out = value_of<Rule>(z);
  for (int draw = 0; draw < 3; ++draw) {
    const T t = random_scalar<T>();
    const T w = random_output_cotangent<Rule, T>();

    const auto y = apply_rule<Rule>(Dual<T>(z, t));
    const C128 jvp_t = check::as_complex(y.t[0]);
    CHECK_CLOSE(jvp_t, check::as_complex(jvp<Rule>(z, out, t)), tol.ad, tol.ad);

    Tape<T> tape;
    const Var<T> x = tape.input(z);
    const Var<T> v = apply_rule<Rule>(x);
    tape.backward(v, w);
    const T ct = tape.cotangent(x);
    CHECK_CLOSE(ct, vjp_adjoint<Rule>(z, out, w), tol.ad, tol.ad);

    // The dot-product test: ⟨w, JVP(t)⟩ = ⟨VJP(w), t⟩ with ⟨a, b⟩ = Re(conj(a)·b).
    const C128 wc = check::as_complex(w), tc = check::as_complex(t), ctc = check::as_complex(ct);
    const double lhs = (std::conj(wc) * jvp_t).real(), rhs = (std::conj(ctc) * tc).real();
    const double size = std::abs(wc) * std::abs(jvp_t) + std::abs(ctc) * std::abs(tc);
    CHECK_CLOSE(lhs, rhs, 0.0, 10 * tol.ad * std::max(size, 1e-300));

    tape.backward(v, w, Convention::transpose);
    const T ct_transpose = tape.cotangent(x);
    CHECK_CLOSE(ct_transpose, vjp_transpose<Rule>(z, out, w), tol.ad, tol.ad);
    tape.backward(v, conj(w));
    CHECK_CLOSE(ct_transpose, conj(tape.cotangent(x)), tol.ad, tol.ad);
  }

  if constexpr (is_complex_v<T> && is_real_output_v<Rule>) {
    // A real output ignores the imaginary part of its cotangent.
    Tape<T> tape;
    const Var<T> x = tape.input(z);
    tape.backward(apply_rule<Rule>(x), T(0, 1));
    CHECK_CLOSE(tape.cotangent(x), 0.0, 0.0, tol.ad);
  }
}

// A real input recorded on a complex tape gets the real derivative as its
// cotangent, with no imaginary part.
template <class Rule, class T> void check_real_input_at(double point) {
  using R = real_of<T>;
  const Tol tol = tol_for<T>();
  const R x0 = static_cast<R>(point);
  check::Context ctx("real input on a complex tape at " + check::str(x0));
  const R w = random_scalar<R>();
  Tape<T> tape;
  const Var<T> x = tape.real_input(x0);
  tape.backward(apply_rule<Rule>(x), T(w));
  const T ct = tape.cotangent(x);
  CHECK(ct.imag() == 0);
  const auto y = apply_rule<Rule>(Dual<R>(x0, R(1)));
  CHECK_CLOSE(ct.real(), w * y.t[0], tol.ad, tol.ad);
}

template <class Rule, class T, class Named>
void check_unary_rule_at_points(const UnaryCase* c, const char* name, Named named) {
  if constexpr (is_complex_v<T>) {
    CHECK(!c->complex_points.empty());
    for (const C128& z : c->complex_points) check_unary_at<Rule, T>(z);
    for (double x : c->real_points) check_real_input_at<Rule, T>(x);
  } else {
    CHECK(!c->real_points.empty());
    for (double x : c->real_points) check_unary_at<Rule, T>(x);
  }

  for (const auto& s : unary_specials) {
    if (std::strcmp(s.name, name) != 0) continue;
    check::Context sctx("special point " + point_str(s.z));
    const T z = scalar_cast<T>(s.z);
    const Pair want = is_complex_v<T> ? Pair{s.d_dz, s.d_dzconj}
                                      : Pair{(s.d_dz + s.d_dzconj).real() / 2, (s.d_dz + s.d_dzconj).real() / 2};
    check_pair(forward_pair<Rule>(z), want, tol_for<T>().ad, "forward at a special point");
    check_pair(reverse_pair<Rule>(z), want, tol_for<T>().ad, "reverse at a special point");
  }

  // The named function is the rule: same value and tangent, in both modes.
  const T z = is_complex_v<T> ? scalar_cast<T>(c->complex_points.at(0)) : scalar_cast<T>(c->real_points.at(0));
  const T t = random_scalar<T>();
  const auto by_name = named(Dual<T>(z, t));
  const auto by_rule = apply_rule<Rule>(Dual<T>(z, t));
  CHECK(by_name.value == by_rule.value && by_name.t[0] == by_rule.t[0]);
  Tape<T> tape;
  const Var<T> x = tape.input(z);
  CHECK(named(x).value == apply_rule<Rule>(x).value);
  tape.backward(named(x), T(1));
  const T ct_by_name = tape.cotangent(x);
  tape.backward(apply_rule<Rule>(x), T(1));
  CHECK(ct_by_name == tape.cotangent(x));
}

template <class Rule, class T, class Named> void check_unary_rule(const char* name, Named named) {
  check::Context ctx(std::string("unary rule ") + name);
  const UnaryCase* c = nullptr;
  for (const auto& u : unary_cases())
    if (std::strcmp(u.name, name) == 0) c = &u;
  CHECK(c != nullptr && "every rule needs an entry in unary_cases()");
  if (c == nullptr) return;
  CHECK(c->complex_points.empty() == is_real_only_v<Rule>);
  if constexpr (is_complex_v<T> && is_real_only_v<Rule>) {
    return;  // erf(complex) does not compile, by design
  } else {
    check_unary_rule_at_points<Rule, T>(c, name, named);
  }
}


// ---------------------------------------------------------------- binary
struct BinaryPairs {
  Pair a, b;
};

template <class Rule, class T> BinaryPairs forward_pairs(const T& a0, const T& b0) {
  if constexpr (is_complex_v<T>) {
    const T i(0, 1);
    const auto out = apply_rule<Rule>(Dual<T, 4>(a0, {T(1), i, T(0), T(0)}), Dual<T, 4>(b0, {T(0), T(0), T(1), i}));
    const auto c = [&](int k) { return check::as_complex(out.t[k]); };
    return {pair_from_jvps(c(0), c(1)), pair_from_jvps(c(2), c(3))};
  } else {
    const auto out = apply_rule<Rule>(Dual<T, 2>(a0, {T(1), T(0)}), Dual<T, 2>(b0, {T(0), T(1)}));
    const C128 da = check::as_complex(out.t[0]) / 2.0, db = check::as_complex(out.t[1]) / 2.0;
    return {{da, da}, {db, db}};
  }
}

template <class Rule, class T> BinaryPairs reverse_pairs(const T& a0, const T& b0) {
  Tape<T> tape;
  const Var<T> a = tape.input(a0), b = tape.input(b0);
  const Var<T> y = apply_rule<Rule>(a, b);
  tape.backward(y, T(1));
  const C128 a1 = check::as_complex(tape.cotangent(a)), b1 = check::as_complex(tape.cotangent(b));
  if constexpr (is_complex_v<T>) {
    tape.backward(y, T(0, 1));
    return {pair_from_vjps(a1, check::as_complex(tape.cotangent(a))),
            pair_from_vjps(b1, check::as_complex(tape.cotangent(b)))};
  } else {
    return {{a1 / 2.0, a1 / 2.0}, {b1 / 2.0, b1 / 2.0}};
  }
}

template <class Rule, bool complex_input> BinaryPairs finite_difference_pairs(const C128& a, const C128& b) {
  if constexpr (complex_input) {
    const auto f = [](const C128& x, const C128& y) { return Rule::value(x, y); };
    const double ha = 1e-6 * std::max(1.0, std::abs(a)), hb = 1e-6 * std::max(1.0, std::abs(b));
    const C128 ia(0, ha), ib(0, hb);
    return {pair_from_jvps((f(a + ha, b) - f(a - ha, b)) / (2 * ha), (f(a + ia, b) - f(a - ia, b)) / (2 * ha)),
            pair_from_jvps((f(a, b + hb) - f(a, b - hb)) / (2 * hb), (f(a, b + ib) - f(a, b - ib)) / (2 * hb))};
  } else {
    const auto f = [](double x, double y) { return Rule::value(x, y); };
    const double x = a.real(), y = b.real();
    const double ha = 1e-6 * std::max(1.0, std::abs(x)), hb = 1e-6 * std::max(1.0, std::abs(y));
    const double da = (f(x + ha, y) - f(x - ha, y)) / (2 * ha), db = (f(x, y + hb) - f(x, y - hb)) / (2 * hb);
    return {{da / 2, da / 2}, {db / 2, db / 2}};
  }
}

// A rule differentiated in its second argument alone (zeta's order is not): its
// derivative in b, forward and reverse, against finite differences.
template <class Rule, class T> void check_second_argument_at(const C128& pa, const C128& pb) {
  const Tol tol = tol_for<T>();
  const T a0 = scalar_cast<T>(pa), b0 = scalar_cast<T>(pb);
  check::Context ctx("at a = " + check::str(check::as_complex(a0)) + ", b = " + check::str(check::as_complex(b0)));
  const Dual<T> a(a0);
  const auto fwd = apply_rule<Rule>(a, Dual<T>(b0, T(1)));
  const C128 d = check::as_complex(fwd.t[0]);
  Tape<T> tape;
  const Var<T> b = tape.input(b0);
  tape.backward(apply_rule<Rule>(Var<T>(a0), b), T(1));
  CHECK_CLOSE(check::as_complex(tape.cotangent(b)), std::conj(d), tol.ad, tol.ad);
  const C128 ac = check::as_complex(a0), bc = check::as_complex(b0);
  const double h = 1e-6 * std::max(1.0, std::abs(bc));
  C128 fd;
  if constexpr (is_complex_v<T>) fd = (Rule::value(ac, bc + h) - Rule::value(ac, bc - h)) / (2 * h);
  else fd = (Rule::value(ac.real(), bc.real() + h) - Rule::value(ac.real(), bc.real() - h)) / (2 * h);
  CHECK_CLOSE(d, fd, tol.fd, tol.fd);
}

template <class Rule, class = void> struct constant_first_of : std::false_type {};
template <class Rule>
struct constant_first_of<Rule, std::void_t<decltype(Rule::constant_first)>> : std::bool_constant<Rule::constant_first> {};

template <class Rule, class T> void check_binary_at(const C128& pa, const C128& pb) {
  if constexpr (constant_first_of<Rule>::value) {
    check_second_argument_at<Rule, T>(pa, pb);
    return;
  }
  const Tol tol = tol_for<T>();
  const T a0 = scalar_cast<T>(pa), b0 = scalar_cast<T>(pb);
  const C128 ac = check::as_complex(a0), bc = check::as_complex(b0);
  check::Context ctx("at a = " + check::str(ac) + ", b = " + check::str(bc));

  const BinaryPairs fwd = forward_pairs<Rule>(a0, b0), rev = reverse_pairs<Rule>(a0, b0);
  const BinaryPairs fd = finite_difference_pairs<Rule, is_complex_v<T>>(ac, bc);
  check_pair(rev.a, fwd.a, tol.ad, "d/da reverse vs forward");
  check_pair(rev.b, fwd.b, tol.ad, "d/db reverse vs forward");
  check_pair(fwd.a, fd.a, tol.fd, "d/da forward vs finite differences");
  check_pair(fwd.b, fd.b, tol.fd, "d/db forward vs finite differences");

  for (int draw = 0; draw < 3; ++draw) {
    const T ta = random_scalar<T>(), tb = random_scalar<T>(), w = random_scalar<T>();
    const auto y = apply_rule<Rule>(Dual<T>(a0, ta), Dual<T>(b0, tb));
    const C128 jvp_t = check::as_complex(y.t[0]);

    Tape<T> tape;
    const Var<T> a = tape.input(a0), b = tape.input(b0);
    const Var<T> v = apply_rule<Rule>(a, b);
    tape.backward(v, w);
    const C128 cta = check::as_complex(tape.cotangent(a)), ctb = check::as_complex(tape.cotangent(b));
    const C128 wc = check::as_complex(w), tac = check::as_complex(ta), tbc = check::as_complex(tb);
    const double lhs = (std::conj(wc) * jvp_t).real();
    const double rhs = (std::conj(cta) * tac).real() + (std::conj(ctb) * tbc).real();
    const double size = std::abs(wc) * std::abs(jvp_t) + std::abs(cta) * std::abs(tac) + std::abs(ctb) * std::abs(tbc);
    CHECK_CLOSE(lhs, rhs, 0.0, 10 * tol.ad * std::max(size, 1e-300));

    tape.backward(v, w, Convention::transpose);
    const T cta_transpose = tape.cotangent(a), ctb_transpose = tape.cotangent(b);
    tape.backward(v, conj(w));
    CHECK_CLOSE(cta_transpose, conj(tape.cotangent(a)), tol.ad, tol.ad);
    CHECK_CLOSE(ctb_transpose, conj(tape.cotangent(b)), tol.ad, tol.ad);
  }
}

template <class Rule, class T, class Named> void check_binary_rule(const char* name, Named named) {
  check::Context ctx(std::string("binary rule ") + name);
  const BinaryCase* c = nullptr;
  for (const auto& u : binary_cases())
    if (std::strcmp(u.name, name) == 0) c = &u;
  CHECK(c != nullptr && "every rule needs an entry in binary_cases()");
  if (c == nullptr) return;
  CHECK(c->complex_points.empty() == is_real_only_v<Rule>);

  if constexpr (is_complex_v<T> && is_real_only_v<Rule>) {
    return;  // maximum(complex, complex) does not compile, by design
  } else {
    if constexpr (is_complex_v<T>) {
      for (const auto& [a, b] : c->complex_points) check_binary_at<Rule, T>(a, b);
    } else {
      CHECK(!c->real_points.empty());
      for (const auto& [a, b] : c->real_points) check_binary_at<Rule, T>(a, b);
    }
    for (const auto& s : binary_specials) {
      if (std::strcmp(s.name, name) != 0) continue;
      check::Context sctx("special point a = " + check::str(s.a) + ", b = " + check::str(s.b));
      const T a0 = scalar_cast<T>(s.a), b0 = scalar_cast<T>(s.b);
      // Along a real direction the map is A + B, the ordinary partial.
      for (const BinaryPairs& p : {forward_pairs<Rule>(a0, b0), reverse_pairs<Rule>(a0, b0)}) {
        CHECK_CLOSE(p.a.dz + p.a.dzbar, s.d_da, 0.0, tol_for<T>().ad);
        CHECK_CLOSE(p.b.dz + p.b.dzbar, s.d_db, 0.0, tol_for<T>().ad);
      }
    }
    // The named function and operator are the rule.
    const T a0 = scalar_cast<T>(is_complex_v<T> ? c->complex_points.at(0).first : C128(c->real_points.at(0).first));
    const T b0 = scalar_cast<T>(is_complex_v<T> ? c->complex_points.at(0).second : C128(c->real_points.at(0).second));
    // zeta: its order is a constant
    const Dual<T> da = constant_first_of<Rule>::value ? Dual<T>(a0) : Dual<T>(a0, T(1));
    const auto by_name = named(da, Dual<T>(b0, T(2)));
    const auto by_rule = apply_rule<Rule>(da, Dual<T>(b0, T(2)));
    CHECK(by_name.value == by_rule.value && by_name.t[0] == by_rule.t[0]);
    Tape<T> tape;
    const Var<T> a = tape.input(a0), b = tape.input(b0);
    tape.backward(named(a, b), T(1));
    const T ct_by_name = tape.cotangent(b);
    tape.backward(apply_rule<Rule>(a, b), T(1));
    CHECK(ct_by_name == tape.cotangent(b));
  }
}

template <class T> void check_all_rules() {
  check::Context ctx(type_name<T>());
#define WIRT_TEST_UNARY(name, R) check_unary_rule<rules::R, T>(#name, [](const auto& x) { return name(x); });
  WIRTINGER_UNARY_RULES(WIRT_TEST_UNARY)
#undef WIRT_TEST_UNARY
#define WIRT_TEST_BINARY(name, R) \
  check_binary_rule<rules::R, T>(#name, [](const auto& a, const auto& b) { return name(a, b); });
  WIRTINGER_BINARY_RULES(WIRT_TEST_BINARY)
#undef WIRT_TEST_BINARY
}

// Every table entry is a rule (a renamed or removed rule leaves no stale entry).
void check_no_stale_entries() {
  std::vector<std::string> unary, binary;
#define WIRT_NAME(name, R) unary.push_back(#name);
  WIRTINGER_UNARY_RULES(WIRT_NAME)
#undef WIRT_NAME
#define WIRT_NAME(name, R) binary.push_back(#name);
  WIRTINGER_BINARY_RULES(WIRT_NAME)
#undef WIRT_NAME
  const auto known = [](const std::vector<std::string>& names, const char* n) {
    return std::find(names.begin(), names.end(), n) != names.end();
  };
  for (const auto& c : unary_cases()) {
    check::Context ctx(c.name);
    CHECK(known(unary, c.name));
  }
  for (const auto& c : binary_cases()) {
    check::Context ctx(c.name);
    CHECK(known(binary, c.name));
  }
}

// ---------------------------------------------------------------- extreme magnitudes
// Partials where a naive formula under- or overflows or cancels (|z|² in angle,
// 2|z| in abs, 1 − tanh² in tanh, out + 1 in expm1, 1 − z² near ±1, 2A when a
// Wirtinger pair is assembled), against exact values (mpmath): forward (Dual) and
// reverse (Tape) must be within a few ulps, norm-wise.
enum class Type { c128, c64, f64, f32 };
struct ExtremeUnary {
  const char* name;
  Type type;
  C128 z, d_dz, d_dzconj;  // for a real type, d_dz + d_dzconj is the derivative
};
const std::vector<ExtremeUnary> extreme_unary = {
    {"angle", Type::c128, {1e-170, 1e-170}, {-2.5e+169, -2.5e+169}, {-2.5e+169, 2.5e+169}},
    {"abs", Type::c128, {1e+308, 1e+308}, {0.3535533905932738, -0.3535533905932738},
     {0.3535533905932738, 0.3535533905932738}},
    {"tanh", Type::c128, {20.0, 1.4}, {-1.601157716164198e-17, -5.692593332748389e-18}, {0.0, 0.0}},
    {"tan", Type::c128, {1.4, 20.0}, {-1.601157716164198e-17, 5.692593332748389e-18}, {0.0, 0.0}},
    {"expm1", Type::c128, {-40.0, 1.0}, {2.295395600278769e-18, 3.574866839013031e-18}, {0.0, 0.0}},
    {"arcsin", Type::c128, {0.9999999990686774, 1e-20}, {23170.475011315586, 1.243955404500559e-07}, {0.0, 0.0}},
    {"arcsinh", Type::c128, {1e+300, 1e+300}, {5e-301, -5e-301}, {0.0, 0.0}},
    {"arctan", Type::c128, {1e-20, 0.9999999990686774}, {536870912.25, -0.0057646075230342346}, {0.0, 0.0}},
    {"arctanh", Type::c128, {0.9999999990686774, 1e-20}, {536870912.25, 0.0057646075230342346}, {0.0, 0.0}},
    {"square", Type::c128, {6e307, 6e307}, {1.2e308, 1.2e308}, {0.0, 0.0}},
    {"angle", Type::c64, {9.999999682655225e-22, 9.999999682655225e-22},
     {-2.500000079336196e+20, -2.500000079336196e+20}, {-2.500000079336196e+20, 2.500000079336196e+20}},
    {"abs", Type::c64, {1.9999999360571385e+38, 1.9999999360571385e+38}, {0.3535533905932738, -0.3535533905932738},
     {0.3535533905932738, 0.3535533905932738}},
    {"tanh", Type::c64, {9.0, 1.399999976158142}, {-5.74001091196485e-08, -2.040745487481326e-08}, {0.0, 0.0}},
    {"tanh", Type::f64, {20.0, 0.0}, {1.6993417021166355e-17, 0.0}, {0.0, 0.0}},
    {"expm1", Type::f64, {-40.0, 0.0}, {4.248354255291589e-18, 0.0}, {0.0, 0.0}},
    {"arcsinh", Type::f64, {1e+300, 0.0}, {1e-300, 0.0}, {0.0, 0.0}},
    {"arcsin", Type::f64, {0.9999999990686774, 0.0}, {23170.475011315586, 0.0}, {0.0, 0.0}},
    {"arctanh", Type::f64, {0.9999999990686774, 0.0}, {536870912.25, 0.0}, {0.0, 0.0}},
    {"tanh", Type::f32, {9.0, 0.0}, {6.091991712323229e-08, 0.0}, {0.0, 0.0}},
    {"expm1", Type::f32, {-20.0, 0.0}, {2.061153622438558e-09, 0.0}, {0.0, 0.0}},
};
struct ExtremeBinary {
  const char* name;
  Type type;
  C128 a, b, d_da, d_db;
};
const std::vector<ExtremeBinary> extreme_binary = {
    {"arctan2", Type::f64, {1e-300, 0.0}, {1e-300, 0.0}, {4.9999999999999995e+299, 0.0},
     {-4.9999999999999995e+299, 0.0}},
    {"arctan2", Type::f32, {1.0000000031710769e-30, 0.0}, {1.0000000031710769e-30, 0.0}, {4.999999984144616e+29, 0.0},
     {-4.999999984144616e+29, 0.0}},
    {"logaddexp", Type::f64, {1e10, 0.0}, {9999999999.0, 0.0}, {0.7310585786300049, 0.0}, {0.2689414213699951, 0.0}},
    {"power", Type::f64, {1e+300, 0.0}, {0.3333333333333333, 0.0}, {3.333333333333291e-201, 0.0},
     {6.907755278982049e+102, 0.0}},
    {"power", Type::f64, {1e-300, 0.0}, {0.1, 0.0}, {9.999999999999962e+268, 0.0}, {-6.90775527898211e-28, 0.0}},
    {"divide", Type::c128, {1e+308, 1e+308}, {1.25, 1.25}, {0.4, -0.4}, {-3.2e+307, 3.2e+307}},
};

template <class T> bool is_type(Type t) {
  return (t == Type::c128 && std::is_same_v<T, C128>) || (t == Type::c64 && std::is_same_v<T, std::complex<float>>) ||
         (t == Type::f64 && std::is_same_v<T, double>) || (t == Type::f32 && std::is_same_v<T, float>);
}

void check_accurate(const C128& got, const C128& want, double scale, double eps, const char* what) {
  check::Context ctx(what);
  CHECK(std::abs(got - want) <= 16 * eps * scale);
}

template <class Rule, class T> void check_extreme_unary(const ExtremeUnary& e) {
  check::Context ctx(std::string(e.name) + " at " + check::str(e.z) + " in " + type_name<T>());
  const double eps = std::numeric_limits<real_of<T>>::epsilon(), scale = std::abs(e.d_dz) + std::abs(e.d_dzconj);
  const T z = scalar_cast<T>(e.z);
  if constexpr (is_complex_v<T>) {
    const Pair fwd = forward_pair<Rule>(z), rev = reverse_pair<Rule>(z);
    check_accurate(fwd.dz, e.d_dz, scale, eps, "forward d/dz");
    check_accurate(fwd.dzbar, e.d_dzconj, scale, eps, "forward d/dzbar");
    if constexpr (!is_real_output_v<Rule>) {  // a real output's pair comes from the cotangent 1 alone
      check_accurate(rev.dz, e.d_dz, scale, eps, "reverse d/dz");
      check_accurate(rev.dzbar, e.d_dzconj, scale, eps, "reverse d/dzbar");
    } else {
      Tape<T> tape;
      const Var<T> x = tape.input(z);
      tape.backward(apply_rule<Rule>(x), T(1));
      check_accurate(check::as_complex(tape.cotangent(x)), std::conj(e.d_dz) + e.d_dzconj, scale, eps, "reverse");
    }
  } else {
    const C128 want = e.d_dz + e.d_dzconj;
    check_accurate(check::as_complex(apply_rule<Rule>(Dual<T>(z, T(1))).t[0]), want, scale, eps, "forward");
    Tape<T> tape;
    const Var<T> x = tape.input(z);
    tape.backward(apply_rule<Rule>(x), T(1));
    check_accurate(check::as_complex(tape.cotangent(x)), want, scale, eps, "reverse");
  }
}

template <class Rule, class T> void check_extreme_binary(const ExtremeBinary& e) {
  check::Context ctx(std::string(e.name) + " at " + check::str(e.a) + ", " + check::str(e.b) + " in " + type_name<T>());
  const double eps = std::numeric_limits<real_of<T>>::epsilon();
  const T a0 = scalar_cast<T>(e.a), b0 = scalar_cast<T>(e.b);
  // Forward with the other argument constant, so that its partial is not evaluated.
  const C128 fwd_a = check::as_complex(apply_rule<Rule>(Dual<T>(a0, T(1)), Dual<T>(b0)).t[0]);
  const C128 fwd_b = check::as_complex(apply_rule<Rule>(Dual<T>(a0), Dual<T>(b0, T(1))).t[0]);
  check_accurate(fwd_a, e.d_da, std::abs(e.d_da), eps, "forward d/da");
  check_accurate(fwd_b, e.d_db, std::abs(e.d_db), eps, "forward d/db");
  Tape<T> tape;
  const Var<T> a = tape.input(a0), b = tape.input(b0);
  tape.backward(apply_rule<Rule>(a, b), T(1));
  check_accurate(std::conj(check::as_complex(tape.cotangent(a))), e.d_da, std::abs(e.d_da), eps, "reverse d/da");
  check_accurate(std::conj(check::as_complex(tape.cotangent(b))), e.d_db, std::abs(e.d_db), eps, "reverse d/db");
}

template <class T> void check_extremes() {
  for (const auto& e : extreme_unary) {
    if (!is_type<T>(e.type)) continue;
    bool found = false;
#define WIRT_EXTREME(rule_name, R)                                \
  if constexpr (!(is_complex_v<T> && is_real_only_v<rules::R>)) { \
    if (std::strcmp(e.name, #rule_name) == 0) {                   \
      found = true;                                               \
      check_extreme_unary<rules::R, T>(e);                        \
    }                                                             \
  }
    WIRTINGER_UNARY_RULES(WIRT_EXTREME)
#undef WIRT_EXTREME
    CHECK(found && "an extreme point names a unary rule");
  }
  for (const auto& e : extreme_binary) {
    if (!is_type<T>(e.type)) continue;
    bool found = false;
#define WIRT_EXTREME(rule_name, R)                                \
  if constexpr (!(is_complex_v<T> && is_real_only_v<rules::R>)) { \
    if (std::strcmp(e.name, #rule_name) == 0) {                   \
      found = true;                                               \
      check_extreme_binary<rules::R, T>(e);                       \
    }                                                             \
  }
    WIRTINGER_BINARY_RULES(WIRT_EXTREME)
#undef WIRT_EXTREME
    CHECK(found && "an extreme point names a binary rule");
  }
}

// NumPy's special values of complex division and reciprocal (Smith's method
// without C99 Annex G's recovery), which std::complex's division does not give.
template <class C> void check_numpy_division() {
  check::Context ctx(std::string("NumPy's special values in ") + type_name<C>());
  using R = real_of<C>;
  const R inf = std::numeric_limits<R>::infinity();
  const auto is_nan = [](const C& z) { return std::isnan(z.real()) && std::isnan(z.imag()); };
  CHECK(is_nan(apply_rule<rules::Reciprocal>(Dual<C>(C(inf, inf))).value));
  CHECK(is_nan(apply_rule<rules::Reciprocal>(Dual<C>(C(0, 0))).value));
  CHECK(is_nan(apply_rule<rules::Div>(Dual<C>(C(inf, inf)), Dual<C>(C(1, 0))).value));
  const C by_zero = apply_rule<rules::Div>(Dual<C>(C(1, 0)), Dual<C>(C(0, 0))).value;
  CHECK(std::isinf(by_zero.real()) && std::isnan(by_zero.imag()));
  const C big = apply_rule<rules::Div>(Dual<C>(C(std::numeric_limits<R>::max() / 2, 0)), Dual<C>(C(R(0.75), 0))).value;
  CHECK_CLOSE(big, C(std::numeric_limits<R>::max() / R(1.5), 0), 4 * std::numeric_limits<R>::epsilon(), 0.0);
}

// ---------------------------------------------------------------- the checker catches wrong rules
struct SinWithWrongSign {
  template <class T> static T value(const T& z) { using std::sin; return sin(z); }
  template <class T> static T d_dz(const T& z, const T&) { using std::cos; return -cos(z); }
};
struct ConjClaimingHolomorphic {  // no d_dzconj: claims ∂/∂z̄ = 0
  template <class T> static T value(const T& z) { return conj(z); }
  template <class T> static T d_dz(const T& z, const T&) { return full_like(z, 1); }
};
struct Abs2WithSwappedPair {
  static constexpr bool real_output = true;
  template <class T> static T value(const T& z) { return full_like(z, abs2(z)); }
  template <class T> static T d_dz(const T& z, const T&) { return z; }
  template <class T> static T d_dzconj(const T& z, const T&) { return conj(z); }
};
struct MulWithSwappedPartials {
  template <class T> static T value(const T& a, const T& b) { return a * b; }
  template <class T> static T d_da(const T& a, const T&, const T&) { return a; }
  template <class T> static T d_db(const T&, const T& b, const T&) { return b; }
};

void check_wrong_rules_are_caught() {
  const C128 z(0.7, -1.2);
  {
    check::ExpectFailures expect;
    check_unary_at<SinWithWrongSign, C128>(z);
    CHECK(expect.caught() > 0);
  }
  {
    check::ExpectFailures expect;
    check_unary_at<ConjClaimingHolomorphic, C128>(z);
    CHECK(expect.caught() > 0);
  }
  {
    check::ExpectFailures expect;
    check_unary_at<Abs2WithSwappedPair, C128>(z);
    CHECK(expect.caught() > 0);
  }
  {
    check::ExpectFailures expect;
    check_binary_at<MulWithSwappedPartials, C128>(z, C128(-2.0, 0.5));
    CHECK(expect.caught() > 0);
  }
  {
    check::ExpectFailures expect;
    check_unary_at<SinWithWrongSign, double>(0.7);
    CHECK(expect.caught() > 0);
  }
}

// ---------------------------------------------------------------- holomorphy is a compile-time fact
static_assert(is_holomorphic_v<rules::Sin> && is_holomorphic_v<rules::Exp> && is_holomorphic_v<rules::Log>);
static_assert(!is_holomorphic_v<rules::Conj> && !is_holomorphic_v<rules::Abs> && !is_holomorphic_v<rules::Angle>);
// A real-valued holomorphic function is constant, so no real-output rule may claim holomorphy.
#define WIRT_REAL_OUTPUT_NOT_HOLOMORPHIC(name, R) \
  static_assert(!is_real_output_v<rules::R> || !is_holomorphic_v<rules::R>, #name);
WIRTINGER_UNARY_RULES(WIRT_REAL_OUTPUT_NOT_HOLOMORPHIC)
#undef WIRT_REAL_OUTPUT_NOT_HOLOMORPHIC

}  // namespace

int main() {
  check_no_stale_entries();
  check_all_rules<double>();
  check_all_rules<float>();
  check_all_rules<std::complex<double>>();
  check_all_rules<std::complex<float>>();
  check_extremes<double>();
  check_extremes<float>();
  check_extremes<std::complex<double>>();
  check_extremes<std::complex<float>>();
  check_numpy_division<std::complex<double>>();
  check_numpy_division<std::complex<float>>();
  check_wrong_rules_are_caught();
  return check::report("test_rules");
}
