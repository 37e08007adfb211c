// Reverse mode: the tape's sweep, both conventions, real inputs on a complex
// tape, constants, several outputs, custom rules, and a deep graph swept
// without recursion.
#include <complex>
#include <stdexcept>
#include <vector>

#include <wirtinger/dual.hpp>
#include <wirtinger/tape.hpp>

#include "check.hpp"

using namespace wirtinger;
using C128 = std::complex<double>;
using C64 = std::complex<float>;

namespace {

template <class T> double tol() { return std::is_same_v<real_of<T>, double> ? 1e-13 : 1e-5; }

template <class T> void real_and_holomorphic() {
  check::Context ctx("f(x, y) = x·y + sin(x)");
  using R = real_of<T>;
  const T x0 = is_complex_v<T> ? scalar_cast<T>(C128(0.3, 0.8)) : T(R(0.3));
  const T y0 = is_complex_v<T> ? scalar_cast<T>(C128(-1.2, 0.5)) : T(R(-1.2));
  Tape<T> tape;
  const Var<T> x = tape.input(x0), y = tape.input(y0);
  const Var<T> f = x * y + sin(x);
  tape.backward(f);
  // Holomorphic: the adjoint cotangent of w = 1 is conj(f'(z)).
  using std::cos;
  CHECK_CLOSE(tape.cotangent(x), conj(y0 + cos(x0)), tol<T>(), tol<T>());
  CHECK_CLOSE(tape.cotangent(y), conj(x0), tol<T>(), tol<T>());
  tape.backward(f, T(1), Convention::transpose);
  CHECK_CLOSE(tape.cotangent(x), y0 + cos(x0), tol<T>(), tol<T>());
}

void non_holomorphic() {
  check::Context ctx("f(z) = z·conj(z)");
  const C128 z0(1.5, -0.5), w(0.3, 0.7);
  Tape<C128> tape;
  const Var<C128> z = tape.input(z0);
  const Var<C128> f = z * conj(z);
  tape.backward(f, w);
  // A = conj(z), B = z: adjoint conj(A)·w + B·conj(w) = 2 z Re(w).
  CHECK_CLOSE(tape.cotangent(z), 2.0 * z0 * w.real(), 1e-15, 0.0);
  tape.backward(f, w, Convention::transpose);
  const C128 transpose = tape.cotangent(z);
  tape.backward(f, std::conj(w));
  CHECK_CLOSE(transpose, std::conj(tape.cotangent(z)), 0.0, 0.0);
}

void real_input_on_complex_tape() {
  check::Context ctx("real inputs get real cotangents");
  Tape<C128> tape;
  const Var<C128> x = tape.real_input(2.0);
  const Var<C128> z = tape.input(C128(0, 3));
  const Var<C128> f = x * C128(0, 1) + x * z;  // ∂f/∂x = i + z = 4i
  tape.backward(f, C128(1));                     // Re(conj(4i)·1) = 0
  CHECK(tape.cotangent(x) == C128(0));
  tape.backward(f, C128(0, 1));  // Re(conj(4i)·i) = 4
  CHECK_CLOSE(tape.cotangent(x), C128(4), 1e-15, 0.0);
  CHECK_CLOSE(tape.cotangent(z), C128(0, 2), 1e-15, 0.0);  // conj(x)·i, not projected
  tape.backward(f, C128(0, 1), Convention::transpose);  // Re(4i·i): JAX's number
  CHECK_CLOSE(tape.cotangent(x), C128(-4), 1e-15, 0.0);
}

void constants_and_unused_nodes() {
  check::Context ctx("constants, unused nodes");
  Tape<double> tape;
  const Var<double> x = tape.input(0.0);
  const std::size_t before = tape.size();
  const Var<double> c = sqrt(Var<double>(4.0)) * 3;  // constants only: not recorded
  CHECK(c.is_constant() && c.value == 6.0 && tape.size() == before);
  const Var<double> unused = sqrt(x);  // ∂ = inf at 0, but it never reaches f
  (void)unused;
  const Var<double> f = 2.0 * x + c;
  tape.backward(f);
  CHECK(tape.cotangent(x) == 2.0);
  CHECK(tape.cotangent(c) == 0.0);
  const Var<double> later = x * x;
  CHECK(tape.cotangent(later) == 0.0);  // recorded after the sweep
  // pow with a constant exponent never evaluates the exponent's partial (log of x < 0).
  const Var<double> neg = tape.input(-2.0);
  tape.backward(pow(neg, 3));
  CHECK(tape.cotangent(neg) == 12.0);
}

void several_outputs_and_reuse() {
  check::Context ctx("several outputs, repeated sweeps");
  Tape<C64> tape;
  const Var<C64> a = tape.input(C64(1, 2)), b = tape.input(C64(-1, 0.5f));
  const Var<C64> f = a * b, g = a + b;
  tape.backward({f, g}, {C64(1), C64(0, 1)});  // conj(b)·1 + 1·i
  CHECK_CLOSE(tape.cotangent(a), std::conj(C64(-1, 0.5f)) + C64(0, 1), 1e-6, 0.0);
  tape.backward(g);  // earlier cotangents are discarded
  CHECK_CLOSE(tape.cotangent(a), C64(1), 0.0, 0.0);
  CHECK_THROWS((tape.backward({f, g}, {C64(1)})), std::invalid_argument);
}

void misuse_is_reported() {
  check::Context ctx("misuse");
  Tape<double> t1, t2;
  const Var<double> x = t1.input(1.0), y = t2.input(2.0);
  CHECK_THROWS(x + y, std::invalid_argument);
  CHECK_THROWS(t2.cotangent(x), std::invalid_argument);
  t1.clear();
  CHECK_THROWS(sin(x), std::logic_error);
}

// One long chain: a recursive sweep would overflow the stack here.
void deep_graph() {
  check::Context ctx("deep graph");
  const int n = 300000;
  Tape<double> tape;
  tape.reserve(n + 1);
  const Var<double> x = tape.input(0.5);
  Var<double> y = x;
  for (int k = 0; k < n; ++k) y = y * 1.000001 + 1e-6 * x;
  tape.backward(y);
  // y_n = a^n x + 1e-6 x (a^n − 1)/(a − 1) with a = 1.000001.
  const double an = std::pow(1.000001, n);
  CHECK_CLOSE(tape.cotangent(x), an + 1e-6 * (an - 1) / 1e-6, 1e-8, 0.0);
}

// A rule written outside the library gets both modes from apply_rule, and a
// hand-recorded node is an ordinary tape node.
struct Cube {
  template <class T> static T value(const T& z) { return z * z * z; }
  template <class T> static T d_dz(const T& z, const T&) { using R = real_of<T>; return R(3) * z * z; }
};

void custom_rules() {
  check::Context ctx("custom rules");
  const C128 z0(0.5, 1.5);
  Tape<C128> tape;
  const Var<C128> z = tape.input(z0);
  tape.backward(apply_rule<Cube>(z));
  CHECK_CLOSE(tape.cotangent(z), std::conj(3.0 * z0 * z0), 1e-15, 0.0);
  CHECK_CLOSE(apply_rule<Cube>(Dual<C128>(z0, C128(0, 1))).t[0], 3.0 * z0 * z0 * C128(0, 1), 1e-15, 0.0);
  // |z|² recorded by hand with its pair (conj z, z) is abs2.
  const Var<C128> hand = tape.record(C128(std::norm(z0)), z, std::conj(z0), z0);
  const C128 w(0.25, -2);
  tape.backward(hand, w);
  const C128 by_hand = tape.cotangent(z);
  tape.backward(abs2(z), w);
  CHECK_CLOSE(by_hand, tape.cotangent(z), 1e-15, 0.0);
  // On a real tape the pair (A, B) of a real variable is the derivative A + B.
  Tape<double> real_tape;
  const Var<double> x = real_tape.input(3.0);
  real_tape.backward(real_tape.record(9.0, x, 3.0, 3.0));
  CHECK(real_tape.cotangent(x) == 6.0);
}

// Control flow on values works, because comparisons read values.
void control_flow() {
  check::Context ctx("control flow");
  const auto relu_square = [](const auto& v) { return v > 0 ? v * v : 0.0 * v; };
  Tape<double> tape;
  const Var<double> a = tape.input(1.5), b = tape.input(-1.5);
  tape.backward({relu_square(a), relu_square(b)}, {1.0, 1.0});
  CHECK(tape.cotangent(a) == 3.0 && tape.cotangent(b) == 0.0);
}

}  // namespace

int main() {
  real_and_holomorphic<double>();
  real_and_holomorphic<float>();
  real_and_holomorphic<C128>();
  real_and_holomorphic<C64>();
  non_holomorphic();
  real_input_on_complex_tape();
  constants_and_unused_nodes();
  several_outputs_and_reuse();
  misuse_is_reported();
  deep_graph();
  custom_rules();
  control_flow();
  return check::report("test_tape");
}
