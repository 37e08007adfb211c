// The README's worked example (Conventions), through the installed headers.
#include <cmath>
#include <complex>
#include <cstdio>

#include <wirtinger/wirtinger.hpp>

int main() {
  using C = std::complex<double>;
  const auto f = [](auto z) { return real(z * std::exp(C(0, 1.5))); };
  const auto [value, g] = wirtinger::value_and_grad(f, C(2.3, 4.5));
  const C g_jax = wirtinger::grad(f, C(2.3, 4.5), wirtinger::Convention::transpose);
  const bool ok = std::abs(value - -4.326031875882528) < 1e-12 &&
                  std::abs(g - C(0.0707372016677029, -0.9974949866040544)) < 1e-12 &&
                  std::abs(g_jax - C(0.0707372016677029, 0.9974949866040544)) < 1e-12;
  std::printf("consumer: value %.15g, grad %.15g%+.15gi: %s\n", value, g.real(), g.imag(), ok ? "ok" : "WRONG");
  return ok ? 0 : 1;
}
