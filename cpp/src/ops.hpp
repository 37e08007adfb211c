// Differentiable array operations on Var: each computes with a kernel and
// records a node when its inputs are being differentiated. The operators and
// helper overloads at the end let the rule table (rules.hpp) be instantiated
// with Var, which is how nested derivatives reuse the same rule declarations.
#pragma once

#include <complex>

#include "graph.hpp"
#include "kernels.hpp"

namespace wirtinger::engine {

Var constant(Tensor t);
// A 0-d constant of like's dtype, made complex when c is complex.
Var scalar_like(const Var& like, std::complex<double> c, bool force_complex = false);
Var zeros(DType dtype, const Shape& shape);

Var unary(UnaryOp op, const Var& x);
Var binary(BinaryOp op, const Var& a, const Var& b);  // promotes dtypes, broadcasts
Var cast(const Var& x, DType to);
Var broadcast_to(const Var& x, const Shape& shape);
Var sum_to_shape(const Var& x, const Shape& shape);
Var reshape(const Var& x, const Shape& shape);
Var transpose(const Var& x, const std::vector<std::int64_t>& perm);
Var sum(const Var& x, const std::vector<std::int64_t>& axes);
Var prod(const Var& x, const std::vector<std::int64_t>& axes);
Var slice(const Var& x, const std::vector<std::int64_t>& start, const std::vector<std::int64_t>& step,
          const Shape& count);
Var slice_scatter(const Var& x, const Shape& shape, const std::vector<std::int64_t>& start,
                  const std::vector<std::int64_t>& step);
Var concat(const std::vector<Var>& xs, std::int64_t axis);
Var select(std::shared_ptr<const std::vector<std::uint8_t>> mask, const Var& a, const Var& b);
// mask != 0 ? a : b with a computed (real) mask, all three broadcast together.
Var select(const Var& mask, const Var& a, const Var& b);
Var compare(CmpOp op, const Var& a, const Var& b);
Var matmul(const Var& a, const Var& b);  // promotes, broadcasts batch dims; both at least 2-d
// op_a(a) @ op_b(b) over the last two axes, batch axes equal (the adjoint rules' products).
Var matmul(const Var& a, const Var& b, MatOp op_a, MatOp op_b);
using Index = std::shared_ptr<const std::vector<std::int64_t>>;
// Integer-array indexing and its adjoint (kernels.hpp); indices are checked by the caller.
Var gather(const Var& x, Index index, std::int64_t inner, const Shape& shape);
Var scatter_add(const Var& x, Index index, std::int64_t inner, const Shape& shape);
Var cumsum(const Var& x, std::int64_t axis, bool reverse = false);
Var cumprod(const Var& x, std::int64_t axis);
Var watch(const Var& x);                 // a fresh input to differentiate, derived from x
// A value computed outside the engine, recorded with run-time rules.
Var custom(std::shared_ptr<CustomRule> rule, const std::vector<Var>& in, Tensor out);

// Arithmetic for rules and composite code.
Var operator+(const Var& a, const Var& b);
Var operator-(const Var& a, const Var& b);
Var operator*(const Var& a, const Var& b);
Var operator/(const Var& a, const Var& b);
Var operator-(const Var& a);
Var operator+(const Var& a, double b);
Var operator+(double a, const Var& b);
Var operator-(const Var& a, double b);
Var operator-(double a, const Var& b);
Var operator*(double a, const Var& b);
Var operator*(const Var& a, double b);
Var operator/(double a, const Var& b);
Var operator/(const Var& a, double b);
Var operator*(std::complex<double> a, const Var& b);

#define WIRT_DECLARE(name, Rule) Var name(const Var& x);
WIRTINGER_UNARY_RULES(WIRT_DECLARE)
#undef WIRT_DECLARE

// Overloads of the rule helpers of rules.hpp.
template <class C> Var full_like(const Var& z, const C& c) {
  if constexpr (std::is_same_v<C, std::complex<double>>) return scalar_like(z, c, true);
  else return scalar_like(z, std::complex<double>(static_cast<double>(c), 0.0));
}
Var div_or_zero(const Var& n, const Var& d);
Var step(const Var& a, const Var& b);
Var wpow(const Var& a, const Var& b);
Var pow_d_da(const Var& a, const Var& b, const Var& out);
Var pow_d_db(const Var& a, const Var& out);
Var sech2(const Var& z, double scale = 1.0);
Var sec2(const Var& z);
Var sqrt_one_plus_square(const Var& z);
Var recip_one_plus_square(const Var& z);
Var hypot(const Var& a, const Var& b);
Var numpy_divide(const Var& a, const Var& b);
Var hurwitz_zeta(const Var& s, const Var& q);
Var exp_integral_n(const Var& n, const Var& x);
Var gammainc_dx(const Var& a, const Var& x);
Var gauss(const Var& x);
Var exp_square(const Var& x);
Var exp_half_square(const Var& x);
Var i1_over_x(const Var& x, const Var& i1x);
Var erfcx_derivative(const Var& x, const Var& out);
Var erfinv_derivative(const Var& p, const Var& y);
Var ndtri_derivative(const Var& p, const Var& y);

// Sweeps over a tape (see graph.hpp). Missing tangents and cotangents are
// zero; results are in each value's dtype and shape.
std::vector<Var> jvp_sweep(Tape& tape, const std::vector<Var>& inputs, const std::vector<Var>& tangents,
                           const std::vector<Var>& outputs, bool record);
std::vector<Var> vjp_sweep(Tape& tape, const std::vector<Var>& outputs, const std::vector<Var>& cts,
                           const std::vector<Var>& inputs, bool record);

}  // namespace wirtinger::engine

namespace wirtinger {
template <> struct scalar_traits<engine::Var> {
  using real = double;
  using complex = std::complex<double>;
};
}  // namespace wirtinger
