// Derivatives of C++ callables, with the conventions of the README (Conventions).
//
// f is called with Dual values (forward mode) or Var values (reverse mode), so
// write it generically, as a generic lambda:
//
//     using C = std::complex<double>;
//     auto f = [](auto z) { return real(z * std::exp(C(0, 1.5))); };
//     wirtinger::grad(f, C(2.3, 4.5));                                  // 0.0707 - 0.9975i
//     wirtinger::grad(f, C(2.3, 4.5), wirtinger::Convention::transpose);  // 0.0707 + 0.9975i (JAX)
//     wirtinger::wirtinger([](auto z) { return z * conj(z); }, C(1, 2));  // {dz = 1-2i, dzbar = 1+2i}
//
// Functions of several variables take and return std::vector: f maps a
// std::vector of active values to one active value (grad) or to a std::vector
// of them (jvp, vjp, jacobians).
//
// For f: C^n -> C^m with Wirtinger matrices A = ∂f/∂z and B = ∂f/∂z̄:
//     JVP                t ↦ A t + B conj(t)
//     VJP "adjoint"      w ↦ Aᴴ w + Bᵀ conj(w)      (PyTorch, TensorFlow, Zygote; the default)
//     VJP "transpose"    w ↦ Aᵀ w + Bᴴ conj(w)      (JAX)
// A real input is a complex variable f does not depend on through its
// imaginary part: A = B = ½ ∂f/∂x.
#pragma once

#include <cmath>
#include <limits>
#include <sstream>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "conventions.hpp"
#include "dual.hpp"
#include "tape.hpp"

namespace wirtinger {

// A dense row-major matrix: rows index outputs, columns inputs.
template <class T> struct Matrix {
  std::size_t rows = 0, cols = 0;
  std::vector<T> data;

  Matrix() = default;
  Matrix(std::size_t r, std::size_t c) : rows(r), cols(c), data(r * c) {}
  T& operator()(std::size_t i, std::size_t j) { return data[i * cols + j]; }
  const T& operator()(std::size_t i, std::size_t j) const { return data[i * cols + j]; }
};

// A claim of holomorphy that the numbers contradict (README, The checked holomorphic flag).
struct NonHolomorphicError : std::invalid_argument {
  using std::invalid_argument::invalid_argument;
};

namespace detail {

template <class R> R sqrt_eps() { return std::sqrt(std::numeric_limits<R>::epsilon()); }

template <class Out> constexpr void require_dual_result() {
  static_assert(is_dual_v<Out>,
                "f must return the Dual it computed from its argument (or a std::vector of them), not a plain "
                "number; write f as a generic lambda, e.g. [](auto z) { return sin(z); }");
}

template <class T> void require_real_output(const T& out) {
  if constexpr (is_complex_v<T>) {
    // A value computed in complex arithmetic may keep a rounding residue in its
    // imaginary part (z·conj(z) with fused multiply-add), hence the tolerance.
    using R = real_of<T>;
    const R tol = sqrt_eps<R>();
    if (std::abs(out.imag()) > tol * std::abs(out.real()) + tol) {
      std::ostringstream msg;
      msg << "grad only applies to real-valued functions, but f returned " << out.real()
          << (out.imag() < 0 ? " - " : " + ") << std::abs(out.imag())
          << "i; return real(), abs() or abs2() of the result, or use wirtinger(), vjp() or jacobian() "
             "(jacobian_holomorphic() for a holomorphic f) for a complex output";
      throw std::invalid_argument(msg.str());
    }
  }
}

inline void require_same_size(const char* what, std::size_t a, std::size_t b) {
  if (a != b)
    throw std::invalid_argument(std::string(what) + ": got " + std::to_string(a) + " inputs but " +
                                std::to_string(b) + " tangents or cotangents; pass one per input");
}

}  // namespace detail

// ---------------------------------------------------------------- forward mode
// (f(x), Df(x)[t]).   jvp([](auto z) { return sin(z); }, z, 1.0) == {sin(z), cos(z)}
template <class F, class T> auto jvp(F&& f, const T& x, const detail::identity_t<T>& t) {
  const auto out = f(Dual<T>(x, t));
  detail::require_dual_result<std::decay_t<decltype(out)>>();
  return std::make_pair(out.value, out.t[0]);
}

template <class F, class T> auto jvp(F&& f, const std::vector<T>& xs, const std::vector<T>& ts) {
  detail::require_same_size("jvp", xs.size(), ts.size());
  std::vector<Dual<T>> args;
  args.reserve(xs.size());
  for (std::size_t k = 0; k < xs.size(); ++k) args.emplace_back(xs[k], ts[k]);
  const auto outs = f(args);
  using D = typename std::decay_t<decltype(outs)>::value_type;
  detail::require_dual_result<D>();
  using U = typename D::scalar_type;
  std::pair<std::vector<U>, std::vector<U>> r;
  for (const auto& o : outs) {
    r.first.push_back(o.value);
    r.second.push_back(o.t[0]);
  }
  return r;
}

// The Wirtinger pair of a scalar f at x, any input and output types.
//     wirtinger::wirtinger([](auto z) { return abs2(z); }, z)  ==  {conj(z), z}
// Call it qualified: under `using namespace wirtinger` the bare name also
// names the namespace.
template <class F, class T> auto wirtinger(F&& f, const T& x) {
  if constexpr (is_complex_v<T>) {
    const auto out = f(Dual<T, 2>(x, {T(1), imag_unit<real_of<T>>()}));
    using D = std::decay_t<decltype(out)>;
    detail::require_dual_result<D>();
    using C = complex_of<typename D::scalar_type>;
    return pair_from_jvps(C(out.t[0]), C(out.t[1]));
  } else {
    const auto out = f(Dual<T>(x, T(1)));
    using D = std::decay_t<decltype(out)>;
    detail::require_dual_result<D>();
    using U = typename D::scalar_type;
    const U half = pair_of_real_input(out.t[0]);
    return Wirtinger<U>{half, half};
  }
}

// All-real inputs: the ordinary Jacobian ∂f/∂x. Complex inputs: the pair (A, B).
template <class F, class T> auto jacfwd(F&& f, const std::vector<T>& xs) {
  constexpr bool complex_inputs = is_complex_v<T>;
  const int n = static_cast<int>(xs.size());
  std::vector<Dual<T, dynamic>> args(xs.size());
  for (int j = 0; j < n; ++j) {
    args[j].value = xs[j];
    args[j].t.resize(complex_inputs ? 2 * n : n);
    if constexpr (complex_inputs) {
      args[j].t[2 * j] = T(1);
      args[j].t[2 * j + 1] = imag_unit<real_of<T>>();
    } else {
      args[j].t[j] = T(1);
    }
  }
  const auto outs = f(args);
  using D = typename std::decay_t<decltype(outs)>::value_type;
  detail::require_dual_result<D>();
  using U = typename D::scalar_type;
  const std::size_t m = outs.size();
  if constexpr (complex_inputs) {
    using C = complex_of<U>;
    Wirtinger<Matrix<C>> J{Matrix<C>(m, xs.size()), Matrix<C>(m, xs.size())};
    for (std::size_t i = 0; i < m; ++i)
      for (int j = 0; j < n; ++j) {
        const auto p = pair_from_jvps(C(outs[i].t.get(2 * j)), C(outs[i].t.get(2 * j + 1)));
        J.dz(i, j) = p.dz;
        J.dzbar(i, j) = p.dzbar;
      }
    return J;
  } else {
    Matrix<U> J(m, xs.size());
    for (std::size_t i = 0; i < m; ++i)
      for (int j = 0; j < n; ++j) J(i, j) = outs[i].t.get(j);
    return J;
  }
}

// ---------------------------------------------------------------- reverse mode
// (f(x), the cotangent of x for the output cotangent w).
template <class F, class T>
std::pair<T, T> vjp(F&& f, const T& x, const detail::identity_t<T>& w, Convention convention = Convention::adjoint) {
  Tape<T> tape;
  const Var<T> xv = tape.input(x);
  const Var<T> out = f(xv);
  tape.backward(out, w, convention);
  return {out.value, tape.cotangent(xv)};
}

template <class F, class T>
std::pair<std::vector<T>, std::vector<T>> vjp(F&& f, const std::vector<T>& xs, const std::vector<T>& ws,
                                              Convention convention = Convention::adjoint) {
  Tape<T> tape;
  std::vector<Var<T>> args;
  args.reserve(xs.size());
  for (const T& x : xs) args.push_back(tape.input(x));
  const std::vector<Var<T>> outs = f(args);
  tape.backward(outs, ws, convention);
  std::pair<std::vector<T>, std::vector<T>> r;
  for (const auto& o : outs) r.first.push_back(o.value);
  for (const auto& a : args) r.second.push_back(tape.cotangent(a));
  return r;
}

// For real-valued f: "adjoint" gives ∂f/∂x + i∂f/∂y (steepest ascent),
// "transpose" gives ∂f/∂x − i∂f/∂y (JAX's value).
template <class F, class T>
std::pair<real_of<T>, T> value_and_grad(F&& f, const T& x, Convention convention = Convention::adjoint) {
  Tape<T> tape;
  const Var<T> xv = tape.input(x);
  const Var<T> out = f(xv);
  detail::require_real_output(out.value);
  tape.backward(out, T(1), convention);
  return {real(out.value), tape.cotangent(xv)};
}

template <class F, class T>
std::pair<real_of<T>, std::vector<T>> value_and_grad(F&& f, const std::vector<T>& xs,
                                                     Convention convention = Convention::adjoint) {
  Tape<T> tape;
  std::vector<Var<T>> args;
  args.reserve(xs.size());
  for (const T& x : xs) args.push_back(tape.input(x));
  const Var<T> out = f(args);
  detail::require_real_output(out.value);
  tape.backward(out, T(1), convention);
  std::vector<T> g;
  for (const auto& a : args) g.push_back(tape.cotangent(a));
  return {real(out.value), g};
}

template <class F, class T> T grad(F&& f, const T& x, Convention convention = Convention::adjoint) {
  return value_and_grad(std::forward<F>(f), x, convention).second;
}
template <class F, class T>
std::vector<T> grad(F&& f, const std::vector<T>& xs, Convention convention = Convention::adjoint) {
  return value_and_grad(std::forward<F>(f), xs, convention).second;
}

// Same results as jacfwd, one backward sweep per output (two for complex inputs).
template <class F, class T> auto jacrev(F&& f, const std::vector<T>& xs) {
  Tape<T> tape;
  std::vector<Var<T>> args;
  args.reserve(xs.size());
  for (const T& x : xs) args.push_back(tape.input(x));
  const std::vector<Var<T>> outs = f(args);
  const std::size_t m = outs.size(), n = xs.size();
  if constexpr (is_complex_v<T>) {
    Wirtinger<Matrix<T>> J{Matrix<T>(m, n), Matrix<T>(m, n)};
    std::vector<T> of_1(n);
    for (std::size_t i = 0; i < m; ++i) {
      tape.backward(outs[i], T(1));
      for (std::size_t j = 0; j < n; ++j) of_1[j] = tape.cotangent(args[j]);
      tape.backward(outs[i], imag_unit<real_of<T>>());
      for (std::size_t j = 0; j < n; ++j) {
        const auto p = pair_from_vjps(of_1[j], tape.cotangent(args[j]));
        J.dz(i, j) = p.dz;
        J.dzbar(i, j) = p.dzbar;
      }
    }
    return J;
  } else {
    Matrix<T> J(m, n);
    for (std::size_t i = 0; i < m; ++i) {
      tape.backward(outs[i], T(1));
      for (std::size_t j = 0; j < n; ++j) J(i, j) = tape.cotangent(args[j]);
    }
    return J;
  }
}

// As JAX: jacobian is jacrev.
template <class F, class T> auto jacobian(F&& f, const std::vector<T>& xs) { return jacrev(std::forward<F>(f), xs); }

// ---------------------------------------------------------------- holomorphic derivatives
// A = ∂f/∂z after checking that B = ∂f/∂z̄ vanishes: |B_ij| ≤ rtol·|A_ij| + atol.
template <class C>
Matrix<C> holomorphic_part(const Wirtinger<Matrix<C>>& J, real_of<C> rtol = detail::sqrt_eps<real_of<C>>(),
                           real_of<C> atol = detail::sqrt_eps<real_of<C>>()) {
  for (std::size_t i = 0; i < J.dz.rows; ++i)
    for (std::size_t j = 0; j < J.dz.cols; ++j) {
      const C a = J.dz(i, j), b = J.dzbar(i, j);
      if (std::abs(b) > rtol * std::abs(a) + atol) {
        std::ostringstream msg;
        msg << "f is not holomorphic: output " << i << " depends on conj(z[" << j << "]) (d/dzbar = " << b
            << ", d/dz = " << a << "); use jacobian() or wirtinger() for the Wirtinger pair";
        throw NonHolomorphicError(msg.str());
      }
    }
  return J.dz;
}

// f'(z) for a holomorphic f: C^n -> C^m, checked (NonHolomorphicError otherwise).
template <class F, class T>
Matrix<T> jacobian_holomorphic(F&& f, const std::vector<T>& zs, real_of<T> rtol = detail::sqrt_eps<real_of<T>>(),
                               real_of<T> atol = detail::sqrt_eps<real_of<T>>()) {
  static_assert(is_complex_v<T>, "holomorphic derivatives need complex inputs; for real inputs jacobian() "
                                 "already returns df/dx");
  return holomorphic_part(jacfwd(std::forward<F>(f), zs), rtol, atol);
}

// f'(z) for a holomorphic f: C -> C, checked.
//     grad_holomorphic([](auto z) { return sin(z); }, z) == cos(z)
template <class F, class T>
T grad_holomorphic(F&& f, const T& z, real_of<T> rtol = detail::sqrt_eps<real_of<T>>(),
                   real_of<T> atol = detail::sqrt_eps<real_of<T>>()) {
  static_assert(is_complex_v<T>, "holomorphic derivatives need complex inputs; for a real input grad() "
                                 "already returns df/dx");
  const auto p = wirtinger(std::forward<F>(f), z);
  Wirtinger<Matrix<T>> J{Matrix<T>(1, 1), Matrix<T>(1, 1)};
  J.dz(0, 0) = p.dz;
  J.dzbar(0, 0) = p.dzbar;
  return holomorphic_part(J, rtol, atol)(0, 0);
}

}  // namespace wirtinger
