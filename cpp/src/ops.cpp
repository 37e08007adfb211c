// Var's arithmetic and the helpers the rule table (rules.hpp) is instantiated
// with over Var; the primitives themselves are declared in prims/.
#include "ops.hpp"

#include <string>
#include <utility>

namespace wirtinger::engine {

Var constant(Tensor t) { return Var(std::move(t)); }

Var scalar_like(const Var& like, std::complex<double> c, bool force_complex) {
  const DType d = force_complex ? complex_dtype(like.dtype()) : like.dtype();
  return Var(Tensor::full(d, {}, c));
}

Var zeros(DType dtype, const Shape& shape) { return Var(Tensor::zeros(dtype, shape)); }

// ---------------------------------------------------------------- arithmetic
Var operator+(const Var& a, const Var& b) { return binary(BinaryOp::add, a, b); }
Var operator-(const Var& a, const Var& b) { return binary(BinaryOp::subtract, a, b); }
Var operator*(const Var& a, const Var& b) { return binary(BinaryOp::multiply, a, b); }
Var operator/(const Var& a, const Var& b) { return binary(BinaryOp::divide, a, b); }
Var operator-(const Var& a) { return unary(UnaryOp::negative, a); }
// A real constant added to a complex value has the imaginary part −0, which
// leaves the other operand's unchanged (y + (−0) = y also for y = ±0), as adding
// a real number to a std::complex does: on a branch cut the sign of a zero
// imaginary part picks the side, as it does for the rules' scalar types.
Var operator+(const Var& a, double b) { return a + scalar_like(a, {b, -0.0}); }
Var operator+(double a, const Var& b) { return scalar_like(b, {a, -0.0}) + b; }
Var operator-(const Var& a, double b) { return a - scalar_like(a, b); }
Var operator-(double a, const Var& b) { return scalar_like(b, {a, -0.0}) - b; }
Var operator*(double a, const Var& b) { return scalar_like(b, a) * b; }
Var operator*(const Var& a, double b) { return a * scalar_like(a, b); }
Var operator/(double a, const Var& b) { return scalar_like(b, a) / b; }
Var operator/(const Var& a, double b) { return a / scalar_like(a, b); }
Var operator*(std::complex<double> a, const Var& b) { return scalar_like(b, a, true) * b; }

#define WIRT_DEFINE(name, Rule) \
  Var name(const Var& x) { return unary(UnaryOp::name, x); }
WIRTINGER_UNARY_RULES(WIRT_DEFINE)
#undef WIRT_DEFINE

// f(key) where key != 0 and 0 where key == 0. f sees 1 in place of the zeros, so
// the discarded branch makes no inf or nan that a derivative could turn into 0·inf.
// The mask is computed by a Compare node, so a traced program recomputes it.
template <class F> Var zero_where_zero(const Var& key, const Shape& s, F&& f) {
  const Var kb = broadcast_to(key, s);
  const Var zero = compare(CmpOp::equal, kb, scalar_like(kb, 0.0));
  const Var r = broadcast_to(f(select(zero, scalar_like(kb, 1.0), kb)), s);
  return select(zero, scalar_like(r, 0.0), r);
}

Var div_or_zero(const Var& n, const Var& d) {
  const Shape s = broadcast_shapes(n.shape(), d.shape(), "div_or_zero");
  return zero_where_zero(d, s, [&](const Var& safe) { return n / safe; });
}

// ---------------------------------------------------------------- helpers of the special functions
Var hurwitz_zeta(const Var& s, const Var& q) { return binary(BinaryOp::zeta, s, q); }
Var exp_integral_n(const Var& n, const Var& x) { return binary(BinaryOp::expn, n, x); }

// x^(a−1) e^(−x)/Γ(a), at x = 0 its limit (inf, 1 or 0 as a <, =, > 1), the
// formula evaluated at x = 1 there so that the branch not taken stays finite.
Var gammainc_dx(const Var& a, const Var& x) {
  const Shape s = broadcast_shapes(a.shape(), x.shape(), "gammainc_dx");
  const Var ab = broadcast_to(a, s), xb = broadcast_to(x, s);
  const Var zero = compare(CmpOp::equal, xb, scalar_like(xb, 0.0));
  const Var far = compare(CmpOp::equal, xb, scalar_like(xb, special::inf_value()));
  const Var xs = select(zero, scalar_like(xb, 1.0), select(far, scalar_like(xb, 1.0), xb));
  const Var formula = exp((ab - 1.0) * log(xs) - xs - gammaln(ab));
  const Var at_zero = select(compare(CmpOp::less, ab, scalar_like(ab, 1.0)), scalar_like(ab, special::inf_value()),
                             compare(CmpOp::equal, ab, scalar_like(ab, 1.0)));
  return select(zero, broadcast_to(at_zero, s), select(far, scalar_like(formula, 0.0), formula));
}
// x² = hi + lo exactly (Dekker's product, with Veltkamp's split of x: every
// step is one rounded operation, as in special.hpp's fma), at x clamped to
// where the split cannot overflow (beyond, e^(±x²) is 0 or inf anyway).
std::pair<Var, Var> square_parts(const Var& x) {
  const bool single = is_single(x.dtype());
  const double limit = single ? 1e15 : 1e150, split = single ? 4097.0 : 134217729.0;
  const Var big = compare(CmpOp::greater, abs(x), scalar_like(x, limit));
  const Var xs = select(big, scalar_like(x, limit), x);
  const Var c = xs * split, xh = c - (c - xs), xl = xs - xh;
  const Var hi = xs * xs;
  const Var lo = ((xh * xh - hi) + 2.0 * (xh * xl)) + xl * xl;
  return {hi, lo};
}
Var exp_scaled_square(const Var& x, double s) {
  const auto [hi, lo] = square_parts(x);
  return exp(hi * s) * (1.0 + lo * s);
}
Var gauss(const Var& x) { return exp_scaled_square(x, -1.0); }
Var exp_square(const Var& x) { return exp_scaled_square(x, 1.0); }
Var exp_half_square(const Var& x) { return exp_scaled_square(x, 0.5); }

// As special.hpp's: for |p| > ½ from the tail probability, exact, and erfcx.
// (Masks multiply as their conjunction; the excluded points take the plain formula.)
Var erfinv_derivative(const Var& p, const Var& y) {
  const Var ap = abs(p);
  const Var tail = compare(CmpOp::greater, ap, scalar_like(ap, 0.5)) * compare(CmpOp::less, ap, scalar_like(ap, 1.0));
  const Var q = select(tail, 1.0 - ap, scalar_like(ap, 1.0));
  return select(tail, special::sqrt_pi_over_two * (erfcx(abs(y)) / q), special::sqrt_pi_over_two * exp_square(y));
}
Var ndtri_derivative(const Var& p, const Var& y) {
  constexpr double sqrt_half = 0.707106781186547524400844362104849039;
  const Var inside = compare(CmpOp::greater, p, scalar_like(p, 0.0)) * compare(CmpOp::less, p, scalar_like(p, 1.0));
  const Var low = compare(CmpOp::less, y, scalar_like(y, 0.0));
  const Var q = select(inside, select(low, p, 1.0 - p), scalar_like(p, 1.0));
  return select(inside, (special::sqrt_two_pi / 2) * (erfcx(abs(y) * sqrt_half) / q),
                special::sqrt_two_pi * exp_half_square(y));
}

Var i1_over_x(const Var& x, const Var& i1x) {
  const Shape s = broadcast_shapes(x.shape(), i1x.shape(), "i1_over_x");
  const Var xb = broadcast_to(x, s);
  const Var zero = compare(CmpOp::equal, xb, scalar_like(xb, 0.0));
  const Var r = broadcast_to(i1x / select(zero, scalar_like(xb, 1.0), xb), s);
  return select(zero, scalar_like(r, 0.5), r);
}

// As special.hpp's: from x = 2 on through the tail K of Laplace's continued
// fraction (2x·erfcx(x) − 2/√π cancels there), at x clamped to 3 elsewhere so
// that the discarded branch stays finite.
Var erfcx_derivative(const Var& x, const Var& out) {
  const Shape s = broadcast_shapes(x.shape(), out.shape(), "erfcx_derivative");
  const Var xb = broadcast_to(x, s);
  const Var far = compare(CmpOp::greater_equal, xb, scalar_like(xb, 2.0));
  const Var xs = select(far, xb, scalar_like(xb, 2.0));
  Var k = scalar_like(xs, 0.0);
  for (int j = 80; j >= 1; --j) k = (0.5 * j) / (xs + k);
  const Var tail = -special::two_over_sqrt_pi * (k / (xs + k));
  const Var near = 2.0 * (xb * out) - special::two_over_sqrt_pi;
  return select(far, tail, near);
}

Var step(const Var& a, const Var& b) {
  // Piecewise constant (1, ½ at a tie, 0): comparisons, with no derivative of their own.
  return compare(CmpOp::greater, a, b) + compare(CmpOp::equal, a, b) * 0.5;
}

Var wpow(const Var& a, const Var& b) { return binary(BinaryOp::power, a, b); }

// Whether b is a constant (recorded on no tape, so also a constant of any
// traced program) for every element of which b − 1 is exact, as for x**2.
bool constant_with_exact_minus_one(const Var& b) {
  if (b.p->tape != 0) return false;
  bool exact = true;
  dispatch(b.dtype(), [&](auto tag) {
    using T = decltype(tag);
    using R = real_of<T>;  // in the element's precision, as the rule computes it
    const T* p = b.data().data<T>();
    for (std::int64_t i = 0, n = b.data().size(); i < n && exact; ++i) {
      const R r = scalar_cast<R>(p[i]), bm1 = r - R(1), t = bm1 - r;
      exact = (r - (bm1 - t)) + (R(-1) - t) == R(0);
    }
  });
  return exact;
}

Var pow_d_da(const Var& a, const Var& b, const Var& out) {
  // As rules.hpp's: b·a**(b−1), 0 where b == 0, times 1 + δ log a where b − 1
  // rounded by δ (found by TwoSum, whose derivative is exactly 0) and a != 0;
  // for complex a, b·out/a where out is a nonzero normal number. Where a branch
  // is not taken it sees a = 1, so that it makes no inf or nan.
  const Shape s = broadcast_shapes(broadcast_shapes(a.shape(), b.shape(), "power"), out.shape(), "power");
  const bool no_correction = constant_with_exact_minus_one(b);
  const auto general = [&](const Var& a) {
    const Var d = zero_where_zero(b, s, [&](const Var& safe) { return safe * wpow(a, safe - 1.0); });
    if (no_correction) return d;
    const Var bm1 = b - 1.0, t = bm1 - b, delta = (b - (bm1 - t)) + (-1.0 - t);
    const Var correction = zero_where_zero(a, s, [&](const Var& safe_a) {
      return zero_where_zero(delta, s, [&](const Var& safe_delta) { return safe_delta * log(safe_a); });
    });
    return d * (1.0 + correction);
  };
  if (!is_complex(a.dtype())) return general(a);
  const Var m = abs(out), one = scalar_like(a, 1.0);
  const bool single = is_single(a.dtype());
  const double tiny = single ? 0x1p-126 : 0x1p-1022, huge = single ? 0x1.fffffep127 : 0x1.fffffffffffffp1023;
  const Var use_ratio = compare(CmpOp::greater_equal, m, scalar_like(m, tiny)) *
                        compare(CmpOp::less_equal, m, scalar_like(m, huge)) *
                        compare(CmpOp::not_equal, a, scalar_like(a, 0.0)) *
                        compare(CmpOp::not_equal, b, scalar_like(b, 0.0));
  const Var ratio = b * (out / select(use_ratio, a, one));
  return select(use_ratio, ratio, general(select(use_ratio, one, a)));
}

Var pow_d_db(const Var& a, const Var& out) {
  const Shape s = broadcast_shapes(a.shape(), out.shape(), "power");
  return zero_where_zero(a, s, [&](const Var& safe) { return out * log(safe); });
}

Var hypot(const Var& a, const Var& b) { return binary(BinaryOp::hypot, a, b); }
Var numpy_divide(const Var& a, const Var& b) { return a / b; }  // the divide primitive's value is numpy_divide

namespace {

// re + i·im for real re and im.
Var complex_from_parts(const Var& re, const Var& im) {
  return cast(re, complex_dtype(re.dtype())) + scalar_like(im, {0.0, 1.0}, true) * im;
}

// sech² of x + iy (of x where y is null) as rules.hpp's sech2 computes it: at x
// clamped to ±20, times e^(−2(|x|−20)) beyond, so that no intermediate is inf
// (an inf in a recorded value would make its derivative nan).
Var sech2_of_parts(const Var& x, const Var* y) {
  const Var xc = binary(BinaryOp::maximum, binary(BinaryOp::minimum, x, scalar_like(x, 20.0)), scalar_like(x, -20.0));
  const Var beyond = binary(BinaryOp::maximum, abs(x) - 20.0, scalar_like(x, 0.0));
  const Var r = 1.0 / cosh(y ? complex_from_parts(xc, *y) : xc);
  return r * r * exp(beyond * -2.0);
}

}  // namespace

Var sech2(const Var& z, double scale) {
  if (!is_complex(z.dtype())) return sech2_of_parts(scale == 1.0 ? z : z * scale, nullptr);
  const Var x = real(z), y = imag(z);
  if (scale == 1.0) return sech2_of_parts(x, &y);
  const Var ys = y * scale;
  return sech2_of_parts(x * scale, &ys);
}

Var sec2(const Var& z) {
  if (!is_complex(z.dtype())) {
    const Var r = 1.0 / cos(z);
    return r * r;
  }
  const Var x = real(z);
  return sech2_of_parts(-imag(z), &x);  // sech²(iz)
}

Var sqrt_one_plus_square(const Var& z) {
  if (!is_complex(z.dtype())) return hypot(scalar_like(z, 1.0), z);
  const Var iz = scalar_like(z, {0.0, 1.0}, true) * z;
  return sqrt(1.0 + iz) * sqrt(1.0 - iz);
}

Var recip_one_plus_square(const Var& z) {
  if (!is_complex(z.dtype())) return 1.0 / (1.0 + z * z);
  const Var i = scalar_like(z, {0.0, 1.0}, true);
  return (1.0 / (z - i)) * (1.0 / (z + i));
}

}  // namespace wirtinger::engine
