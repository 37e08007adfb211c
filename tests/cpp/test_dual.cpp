// Forward mode: Dual over the four scalar types, several tangent directions,
// the exact conj/real/imag/abs/arg overloads, mixing real and complex values
// and plain constants.
#include <complex>
#include <type_traits>

#include <wirtinger/dual.hpp>

#include "check.hpp"

using namespace wirtinger;
using C128 = std::complex<double>;
using C64 = std::complex<float>;

namespace {

template <class T> double tol() { return std::is_same_v<real_of<T>, double> ? 1e-13 : 1e-5; }

// Results of the exact overloads have the type that states what they are.
static_assert(std::is_same_v<decltype(real(Dual<C128>())), Dual<double>>);
static_assert(std::is_same_v<decltype(imag(Dual<C64, 3>())), Dual<float, 3>>);
static_assert(std::is_same_v<decltype(abs(Dual<C128>())), Dual<double>>);
static_assert(std::is_same_v<decltype(arg(Dual<C128>())), Dual<double>>);
static_assert(std::is_same_v<decltype(abs2(Dual<C64>())), Dual<float>>);
static_assert(std::is_same_v<decltype(conj(Dual<C128>())), Dual<C128>>);
static_assert(std::is_same_v<decltype(conj(Dual<double>())), Dual<double>>);
static_assert(std::is_same_v<decltype(real(Dual<float>())), Dual<float>>);
// Real mixed with complex is complex; a double constant keeps float precision.
static_assert(std::is_same_v<decltype(Dual<double>() * Dual<C128>()), Dual<C128>>);
static_assert(std::is_same_v<decltype(Dual<float>() * C128()), Dual<C64>>);
static_assert(std::is_same_v<decltype(2.0 * Dual<float, 2>()), Dual<float, 2>>);
static_assert(std::is_same_v<decltype(Dual<C64>() + 1), Dual<C64>>);

// A non-holomorphic composite exercising every kind of operation.
template <class X> auto composite(const X& z) {
  return sin(z) * conj(z) + abs(z) * z / (1 + z * z) - pow(z, 2.0) + exp(-z) * 0.5f;
}

template <class T> T point() {
  if constexpr (is_complex_v<T>) return T(0.7f, -0.4f);
  else return T(0.7f);
}
template <class T> T direction(int k) {
  if constexpr (is_complex_v<T>) return T(static_cast<real_of<T>>(0.3 + k), static_cast<real_of<T>>(1 - 0.7 * k));
  else return T(static_cast<real_of<T>>(0.3 + k));
}

template <class T> void polynomial_and_quotient() {
  check::Context ctx("polynomial and quotient");
  const T x0 = point<T>(), t = direction<T>(0);
  const Dual<T> x(x0, t);
  const auto y = x * x * x + 3 * x - x / 2 + 1;
  using R = real_of<T>;
  CHECK_CLOSE(y.value, x0 * x0 * x0 + R(3) * x0 - x0 / R(2) + R(1), tol<T>(), tol<T>());
  CHECK_CLOSE(y.t[0], (R(3) * x0 * x0 + R(2.5)) * t, tol<T>(), tol<T>());
  const auto q = R(1) / x;
  CHECK_CLOSE(q.t[0], -t / (x0 * x0), tol<T>(), tol<T>());
}

// N directions at once are N single-direction runs.
template <class T> void several_directions() {
  check::Context ctx("several tangent directions");
  const T x0 = point<T>();
  const auto y3 = composite(Dual<T, 3>(x0, {direction<T>(0), direction<T>(1), direction<T>(2)}));
  Dual<T, dynamic> xd(x0, {direction<T>(0), direction<T>(1), direction<T>(2)});
  const auto yd = composite(xd);
  CHECK(yd.t.size() == 3);
  for (int k = 0; k < 3; ++k) {
    const auto y1 = composite(Dual<T>(x0, direction<T>(k)));
    CHECK_CLOSE(y3.value, y1.value, 0.0, 0.0);
    CHECK_CLOSE(y3.t[k], y1.t[0], tol<T>(), tol<T>());
    CHECK_CLOSE(yd.t[k], y1.t[0], tol<T>(), tol<T>());
  }
}

// Constants (all tangents zero) contribute no partial, so no 0·inf.
template <class T> void constants_are_inert() {
  check::Context ctx("constants");
  using R = real_of<T>;
  const Dual<T> x(T(-2), T(1));
  const auto cube = pow(x, 3.0);  // ∂/∂exponent = x³·log(x) is nan for real x < 0
  CHECK_CLOSE(cube.t[0], T(12), tol<T>(), tol<T>());
  const auto shifted = x + sqrt(Dual<T>(T(0)));  // sqrt'(0) = inf
  CHECK_CLOSE(shifted.t[0], T(1), 0.0, 0.0);
  CHECK(detail::is_constant(sin(Dual<T>(T(R(0.5))))));
}

template <class T> void comparisons_and_assignment() {
  check::Context ctx("comparisons and compound assignment");
  Dual<T> x(T(2), T(1));
  x *= 3;
  x += Dual<T>(T(1), T(1));
  x /= 2.0;
  x -= 1;
  CHECK_CLOSE(x.value, T(2.5), 0.0, 0.0);
  CHECK_CLOSE(x.t[0], T(2), 0.0, 0.0);
  CHECK(x == T(2.5) && x != 1.0);
  if constexpr (!is_complex_v<T>) CHECK(x > 2 && x <= 2.5 && 3.0 > x && !(x < x));
}

template <class T> void for_type(const char* name) {
  check::Context ctx(name);
  polynomial_and_quotient<T>();
  several_directions<T>();
  constants_are_inert<T>();
  comparisons_and_assignment<T>();
}

// The README's worked example, in forward mode: the JVPs along 1 and i are ∂f/∂x and ∂f/∂y.
void worked_example() {
  check::Context ctx("README worked example, forward");
  const auto f = [](const auto& z) { return real(z * std::exp(C128(0, 1.5))); };
  const auto y = f(Dual<C128, 2>(C128(2.3, 4.5), {C128(1), C128(0, 1)}));
  static_assert(std::is_same_v<std::decay_t<decltype(y)>, Dual<double, 2>>);
  CHECK_CLOSE(y.value, -4.326031875882528, 1e-15, 0.0);
  CHECK_CLOSE(C128(y.t[0], y.t[1]), C128(0.0707372016677029, -0.9974949866040544), 1e-14, 0.0);
}

// The exact overloads on values and tangents, complex and real.
void exact_overloads() {
  check::Context ctx("conj, real, imag, abs, arg");
  const C128 z0(3, -4), t(0.5, 2);
  const Dual<C128> z(z0, t);
  CHECK_CLOSE(conj(z).t[0], std::conj(t), 0.0, 0.0);
  CHECK_CLOSE(real(z).t[0], t.real(), 0.0, 0.0);
  CHECK_CLOSE(imag(z).t[0], t.imag(), 0.0, 0.0);
  CHECK_CLOSE(abs(z).value, 5.0, 0.0, 0.0);
  CHECK_CLOSE(abs(z).t[0], (z0.real() * t.real() + z0.imag() * t.imag()) / 5.0, 1e-15, 0.0);
  CHECK_CLOSE(arg(z).value, std::arg(z0), 0.0, 0.0);
  CHECK_CLOSE(arg(z).t[0], (z0.real() * t.imag() - z0.imag() * t.real()) / 25.0, 1e-15, 0.0);
  CHECK_CLOSE(abs2(z).t[0], 2 * (z0.real() * t.real() + z0.imag() * t.imag()), 1e-15, 0.0);
  // Real inputs: conj and real are the identity, imag is 0, abs is |x|, arg is 0 or π.
  const Dual<double> x(-2.0, 1.5);
  CHECK(conj(x).value == -2.0 && conj(x).t[0] == 1.5);
  CHECK(real(x).t[0] == 1.5 && imag(x).value == 0.0 && imag(x).t[0] == 0.0);
  CHECK(abs(x).value == 2.0 && abs(x).t[0] == -1.5);
  CHECK_CLOSE(arg(x).value, 3.141592653589793, 0.0, 0.0);
  CHECK(arg(x).t[0] == 0.0);
  // Non-differentiable points give the minimal-norm subgradient (README, Points with no derivative).
  CHECK(abs(Dual<C128>(0.0, t)).t[0] == 0.0 && arg(Dual<C128>(0.0, t)).t[0] == 0.0);
  CHECK(abs(Dual<double>(0.0, 1.0)).t[0] == 0.0);
}

void mixing() {
  check::Context ctx("real with complex, plain constants");
  const Dual<double> r(2.0, 1.0);
  const Dual<C128> z(C128(1, 1), C128(0, 1));
  const auto p = r * z;  // ∂ = t_r·z + r·t_z
  CHECK_CLOSE(p.value, C128(2, 2), 0.0, 0.0);
  CHECK_CLOSE(p.t[0], C128(1, 1) + 2.0 * C128(0, 1), 0.0, 0.0);
  const auto q = C128(0, 1) * r;
  CHECK_CLOSE(q.t[0], C128(0, 1), 0.0, 0.0);
  const Dual<C128> promoted = r;  // implicit: a real Dual is a complex one with real tangents
  CHECK(promoted.value == C128(2, 0) && promoted.t[0] == C128(1, 0));
  const auto m = maximum(r, 3.0) + minimum(1, r);
  CHECK(m.value == 4.0 && m.t[0] == 0.0);
  // Tangent counts chosen at run time: a missing tangent is zero.
  Dual<double, dynamic> a(1.0, {1.0, 2.0}), b(3.0, {0.0, 0.0, 5.0});
  const auto s = a * b;
  CHECK(s.t.size() == 3 && s.t[0] == 3.0 && s.t[1] == 6.0 && s.t[2] == 5.0);
  CHECK_THROWS((Dual<double, 2>(1.0, {1.0, 2.0, 3.0})), std::invalid_argument);
}

}  // namespace

int main() {
  for_type<double>("double");
  for_type<float>("float");
  for_type<C128>("complex<double>");
  for_type<C64>("complex<float>");
  worked_example();
  exact_overloads();
  mixing();
  return check::report("test_dual");
}
