// Derivatives of C++ callables: the README's worked example, Wirtinger pairs of
// non-holomorphic functions against finite differences, jvp/vjp/grad,
// Jacobians in both modes, and checked holomorphic derivatives.
#include <complex>
#include <stdexcept>
#include <string>
#include <vector>

#include <wirtinger/wirtinger.hpp>

#include "check.hpp"

using namespace wirtinger;
using C128 = std::complex<double>;
using C64 = std::complex<float>;

namespace {

const C128 i1(0, 1);

// Central differences along 1 and i give A + B and i(A − B).
template <class F> Wirtinger<C128> finite_difference_pair(F f, C128 z) {
  const double h = 1e-6;
  return pair_from_jvps((f(z + h) - f(z - h)) / (2 * h), (f(z + i1 * h) - f(z - i1 * h)) / (2 * h));
}

void worked_example() {
  check::Context ctx("README worked example");
  const auto f = [](const auto& z) { return real(z * std::exp(C128(0, 1.5))); };
  const C128 z(2.3, 4.5), adjoint(0.0707372016677029, -0.9974949866040544);
  const auto [value, g] = value_and_grad(f, z);
  CHECK_CLOSE(value, -4.326031875882528, 1e-15, 0.0);
  CHECK_CLOSE(g, adjoint, 1e-15, 0.0);
  CHECK_CLOSE(grad(f, z, Convention::adjoint), adjoint, 1e-15, 0.0);
  CHECK_CLOSE(grad(f, z, Convention::transpose), std::conj(adjoint), 1e-15, 0.0);
  CHECK_CLOSE(vjp(f, z, 1.0).second, adjoint, 1e-15, 0.0);
  CHECK_CLOSE(vjp(f, z, 1.0, Convention::transpose).second, std::conj(adjoint), 1e-15, 0.0);
  // grad is 2 ∂f/∂z̄ ("adjoint") or 2 ∂f/∂z ("transpose").
  const auto p = wirtinger::wirtinger(f, z);
  CHECK_CLOSE(2.0 * p.dzbar, adjoint, 1e-15, 0.0);
  CHECK_CLOSE(2.0 * p.dz, std::conj(adjoint), 1e-15, 0.0);
  // The same in single precision.
  const auto f32 = [](const auto& w) { return real(w * std::exp(C64(0, 1.5f))); };
  CHECK_CLOSE(grad(f32, C64(2.3f, 4.5f)), adjoint, 1e-6, 0.0);
  CHECK_CLOSE(grad(f32, C64(2.3f, 4.5f), Convention::transpose), std::conj(adjoint), 1e-6, 0.0);
}

void non_holomorphic_pairs() {
  const C128 z(1.5, -0.7);
  const auto check_against_fd = [&](const char* name, auto f, Wirtinger<C128> exact) {
    check::Context ctx(name);
    const auto ad = wirtinger::wirtinger(f, z);
    const auto fd = finite_difference_pair([&](C128 x) { return C128(f(x)); }, z);
    CHECK_CLOSE(ad.dz, exact.dz, 1e-15, 1e-15);
    CHECK_CLOSE(ad.dzbar, exact.dzbar, 1e-15, 1e-15);
    CHECK_CLOSE(ad.dz, fd.dz, 1e-8, 1e-8);
    CHECK_CLOSE(ad.dzbar, fd.dzbar, 1e-8, 1e-8);
    // Reverse mode gives the same pair.
    const auto rev = jacrev([&](const auto& v) { return std::vector{C128(0) + f(v[0])}; }, std::vector{z});
    CHECK_CLOSE(rev.dz(0, 0), ad.dz, 1e-15, 1e-15);
    CHECK_CLOSE(rev.dzbar(0, 0), ad.dzbar, 1e-15, 1e-15);
  };
  check_against_fd("z·conj(z)", [](const auto& x) { return x * conj(x); }, {std::conj(z), z});
  check_against_fd("conj(z)", [](const auto& x) { return conj(x); }, {0.0, 1.0});
  check_against_fd("abs(z)", [](const auto& x) { return abs(x); }, {std::conj(z) / (2 * std::abs(z)), z / (2 * std::abs(z))});
  check_against_fd("z²·conj(z) + real(z)", [](const auto& x) { return x * x * conj(x) + real(x); },
                   {2.0 * z * std::conj(z) + 0.5, z * z + 0.5});
}

void jvp_and_vjp() {
  check::Context ctx("jvp, vjp");
  const C128 z(0.4, -1.1), t(0.3, 0.2);
  const auto [y, dy] = jvp([](const auto& x) { return sin(x); }, z, t);
  CHECK_CLOSE(y, std::sin(z), 1e-15, 0.0);
  CHECK_CLOSE(dy, std::cos(z) * t, 1e-15, 0.0);
  // Vector forms: f(a, b) = (a·b, conj(a)).
  const auto f = [](const auto& v) {
    using S = std::decay_t<decltype(v[0])>;
    return std::vector<S>{v[0] * v[1], conj(v[0])};
  };
  const std::vector<C128> xs{C128(1, 2), C128(-0.5, 1)}, ts{C128(0.1, 0.2), C128(0.3, -0.4)};
  const auto [outs, tangents] = jvp(f, xs, ts);
  CHECK_CLOSE(tangents[0], ts[0] * xs[1] + xs[0] * ts[1], 1e-15, 0.0);
  CHECK_CLOSE(tangents[1], std::conj(ts[0]), 0.0, 0.0);
  // ⟨w, JVP(t)⟩ = ⟨VJP(w), t⟩ through the helpers.
  const std::vector<C128> ws{C128(0.7, -0.2), C128(-1.1, 0.4)};
  const auto [outs2, cts] = vjp(f, xs, ws);
  CHECK(outs2 == outs);
  double lhs = 0, rhs = 0;
  for (std::size_t k = 0; k < 2; ++k) {
    lhs += (std::conj(ws[k]) * tangents[k]).real();
    rhs += (std::conj(cts[k]) * ts[k]).real();
  }
  CHECK_CLOSE(lhs, rhs, 1e-14, 0.0);
  const auto transpose = vjp(f, xs, ws, Convention::transpose).second;
  const auto adjoint_of_conj = vjp(f, xs, {std::conj(ws[0]), std::conj(ws[1])}).second;
  for (std::size_t k = 0; k < 2; ++k) CHECK_CLOSE(transpose[k], std::conj(adjoint_of_conj[k]), 0.0, 0.0);
  // A real function of a real input.
  CHECK_CLOSE(jvp([](const auto& x) { return exp(x); }, 1.0, 2.0).second, 2 * std::exp(1.0), 1e-15, 0.0);
  CHECK_CLOSE(vjp([](const auto& x) { return x * x; }, 3.0f, 2.0f).second, 12.0f, 0.0, 0.0);
}

void gradients() {
  check::Context ctx("grad");
  // f(z) = Σ |z_k|²: "adjoint" 2z, "transpose" 2 conj(z).
  const auto sum_abs2 = [](const auto& v) {
    auto s = abs2(v[0]);
    for (std::size_t k = 1; k < v.size(); ++k) s = s + abs2(v[k]);
    return s;
  };
  const std::vector<C128> zs{C128(1, -2), C128(0.5, 3)};
  const auto [value, g] = value_and_grad(sum_abs2, zs);
  CHECK_CLOSE(value, 5.0 + 9.25, 1e-15, 0.0);
  const auto gt = grad(sum_abs2, zs, Convention::transpose);
  for (std::size_t k = 0; k < 2; ++k) {
    CHECK_CLOSE(g[k], 2.0 * zs[k], 1e-15, 0.0);
    CHECK_CLOSE(gt[k], 2.0 * std::conj(zs[k]), 1e-15, 0.0);
  }
  // Real inputs: both conventions are the ordinary gradient.
  const auto rosenbrock = [](const auto& v) { return pow(1.0 - v[0], 2) + 100.0 * square(v[1] - square(v[0])); };
  const auto gr = grad(rosenbrock, std::vector<double>{0.5, 0.2});
  CHECK_CLOSE(gr[0], -2 * 0.5 - 400 * 0.5 * (0.2 - 0.25), 1e-13, 0.0);
  CHECK_CLOSE(gr[1], 200 * (0.2 - 0.25), 1e-13, 0.0);
  // A complex output is refused, with a pointer to what to use instead.
  bool refused = false;
  try {
    grad([](const auto& z) { return z * z; }, C128(1, 1));
  } catch (const std::invalid_argument& e) {
    refused = std::string(e.what()).find("wirtinger()") != std::string::npos;
  }
  CHECK(refused);
  // Real in value, computed in complex arithmetic: accepted.
  CHECK_CLOSE(grad([](const auto& z) { return z * conj(z); }, C128(1, 1)), C128(2, 2), 1e-15, 0.0);
}

// f: C² -> C³, mixing holomorphic and non-holomorphic parts.
template <class V> auto mixed(const V& v) {
  using S = std::decay_t<decltype(v[0])>;
  return std::vector<S>{v[0] * v[1], sin(v[0]) + conj(v[1]), abs(v[0]) * exp(v[1])};
}

void jacobians() {
  check::Context ctx("jacobians");
  const std::vector<C128> zs{C128(0.3, 0.9), C128(-0.6, 0.2)};
  const auto f = [](const auto& v) { return mixed(v); };
  const auto fwd = jacfwd(f, zs);
  const auto rev = jacrev(f, zs);
  const auto jac = jacobian(f, zs);
  CHECK(fwd.dz.rows == 3 && fwd.dz.cols == 2);
  for (std::size_t i = 0; i < 3; ++i)
    for (std::size_t j = 0; j < 2; ++j) {
      check::Context entry("entry (" + std::to_string(i) + ", " + std::to_string(j) + ")");
      CHECK_CLOSE(rev.dz(i, j), fwd.dz(i, j), 1e-14, 1e-15);
      CHECK_CLOSE(rev.dzbar(i, j), fwd.dzbar(i, j), 1e-14, 1e-15);
      CHECK(jac.dz(i, j) == rev.dz(i, j) && jac.dzbar(i, j) == rev.dzbar(i, j));
      const auto fd = finite_difference_pair(
          [&](C128 x) {
            std::vector<C128> at = zs;
            at[j] = x;
            return mixed(at)[i];
          },
          zs[j]);
      CHECK_CLOSE(fwd.dz(i, j), fd.dz, 1e-8, 1e-8);
      CHECK_CLOSE(fwd.dzbar(i, j), fd.dzbar, 1e-8, 1e-8);
    }

  // All-real inputs: the ordinary Jacobian, real or complex as f is.
  const auto polar = [](const auto& v) {
    using S = std::decay_t<decltype(v[0])>;
    return std::vector<S>{v[0] * cos(v[1]), v[0] * sin(v[1])};
  };
  const std::vector<double> rt{2.0, 0.5};
  const Matrix<double> jr = jacrev(polar, rt), jf = jacfwd(polar, rt);
  CHECK_CLOSE(jr(0, 1), -2.0 * std::sin(0.5), 1e-15, 0.0);
  CHECK_CLOSE(jr(1, 0), std::sin(0.5), 1e-15, 0.0);
  CHECK(jr.data == jf.data);
  const auto phase = [](const auto& v) {
    using S = Dual<C128, dynamic>;
    return std::vector<S>{exp(C128(0, 1) * v[0])};
  };
  const Matrix<C128> jc = jacfwd(phase, std::vector<double>{0.3});
  CHECK_CLOSE(jc(0, 0), C128(0, 1) * std::exp(C128(0, 0.3)), 1e-15, 0.0);
  // A real input is a complex variable that f ignores the imaginary part of: A = B = ½ f'.
  const auto half = wirtinger::wirtinger([](const auto& x) { return x * x; }, 3.0);
  CHECK(half.dz == 3.0 && half.dzbar == 3.0);
}

void holomorphic() {
  check::Context ctx("holomorphic derivatives");
  const C128 z(3, 4);
  CHECK_CLOSE(grad_holomorphic([](const auto& x) { return sin(x); }, z), std::cos(z), 1e-15, 0.0);
  CHECK_THROWS(grad_holomorphic([](const auto& x) { return conj(x); }, z), NonHolomorphicError);
  CHECK_THROWS(grad_holomorphic([](const auto& x) { return real(x); }, z), NonHolomorphicError);
  CHECK_THROWS(grad_holomorphic([](const auto& x) { return abs(x); }, z), std::invalid_argument);
  const std::vector<C128> zs{C128(0.3, 0.9), C128(-0.6, 0.2)};
  const auto h = jacobian_holomorphic(
      [](const auto& v) {
        using S = std::decay_t<decltype(v[0])>;
        return std::vector<S>{v[0] * v[1], tanh(v[0]) / v[1]};
      },
      zs);
  CHECK_CLOSE(h(0, 0), zs[1], 1e-15, 0.0);
  CHECK_CLOSE(h(1, 1), -std::tanh(zs[0]) / (zs[1] * zs[1]), 1e-14, 0.0);
  std::string message;
  try {
    jacobian_holomorphic([](const auto& v) { return mixed(v); }, zs);
  } catch (const NonHolomorphicError& e) {
    message = e.what();
  }
  CHECK(message.find("output 1 depends on conj(z[1])") != std::string::npos);
}

}  // namespace

int main() {
  worked_example();
  non_holomorphic_pairs();
  jvp_and_vjp();
  gradients();
  jacobians();
  holomorphic();
  return check::report("test_derivatives");
}
