// From what the sweeps compute to the answer of each convention: the one place
// these formulas live. They are written over any value type V with + and −,
// products with real and complex constants, and conj (std::complex, the batch
// kernel's complex types, the array engine's Var), so that the C++ helpers
// (derivatives.hpp), the batch kernel and, through the engine, the Python
// transforms all use them.
//
// For f with the Wirtinger matrices A = ∂f/∂z and B = ∂f/∂z̄:
//   the JVPs along t = 1 and t = i are A + B and i(A − B);
//   the adjoint VJPs of w = 1 and w = i are conj(A) + B and i(conj(A) − B),
//   and the transpose convention's are their conjugates of conj(w);
//   ∂f/∂x = A + B and ∂f/∂y = i(A − B);
//   a real input x is z seen through its real part: A = B = ½ ∂f/∂x;
//   a real output has B = conj(A), and its adjoint VJP of 1 is 2B.
#pragma once

#include "scalar.hpp"

namespace wirtinger {

// The Wirtinger pair of a derivative: dz = ∂f/∂z, dzbar = ∂f/∂z̄.
template <class X> struct Wirtinger {
  X dz;
  X dzbar;
};

template <class V> WIRT_HD V times_i(const V& v) { return imag_unit<real_of<V>>() * v; }

// (A, B) from the JVPs along 1 and i. Halved before they are combined, so that
// 2A does not overflow where A does not.
template <class V> WIRT_HD Wirtinger<V> pair_from_jvps(const V& along_1, const V& along_i) {
  using R = real_of<V>;
  const V h1 = along_1 * R(0.5), hi = times_i(along_i * R(0.5));
  return {h1 - hi, h1 + hi};
}

// (A, B) from the adjoint VJPs of 1 and i.
template <class V> WIRT_HD Wirtinger<V> pair_from_vjps(const V& of_1, const V& of_i) {
  using R = real_of<V>;
  const V h1 = of_1 * R(0.5), hi = times_i(of_i * R(0.5));
  return {conj(h1 - hi), h1 + hi};
}

// (A, B) of a real output from its adjoint VJP of 1.
template <class V> WIRT_HD Wirtinger<V> pair_of_real_output(const V& of_1) {
  using R = real_of<V>;
  const V half = of_1 * R(0.5);
  return {conj(half), half};
}

// The derivatives along the real and the imaginary axis.
template <class V> WIRT_HD V d_dx(const V& a, const V& b) { return a + b; }
template <class V> WIRT_HD V d_dy(const V& a, const V& b) { return times_i(a - b); }

// ∂f/∂x of a real input from its adjoint VJPs of 1 and i (which are Re ∂f/∂x and
// Im ∂f/∂x: the VJP of a real input keeps the real part).
template <class V> WIRT_HD V d_dx_from_vjps(const V& of_1, const V& of_i) { return of_1 + times_i(of_i); }

// A = B of a real input, from ∂f/∂x.
template <class V> WIRT_HD V pair_of_real_input(const V& dx) { return dx * real_of<V>(0.5); }

}  // namespace wirtinger
