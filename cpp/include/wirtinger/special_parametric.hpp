// Special functions of parameters and an argument, I_x(a, b), ₁F₁(a; b; x) and
// ₂F₁(a, b; c; x), evaluated in double. They are not rules of the element-wise table (which holds
// functions of one or two operands): scipy.special's wrappers call them through
// the extension and declare their derivative in x, the only one they have.
#pragma once

#include <cmath>

#include "special.hpp"

namespace wirtinger {
namespace special {

// log B(a, b) for a, b > 0.
WIRT_HD inline double log_beta(double a, double b) { return lgamma_real(a) + lgamma_real(b) - lgamma_real(a + b); }

// I_x(a, b) for x below the mean (a+1)/(a+b+2), where the continued fraction
// 1/(1 + d₁/(1 + d₂/(1 + …))) converges in O(√max(a, b)) levels:
// d₂ₖ₊₁ = −(a+k)(a+b+k)x/((a+2k)(a+2k+1)), d₂ₖ = k(b−k)x/((a+2k−1)(a+2k)).
WIRT_HD inline double betainc_below_mean(double a, double b, double x) {
  using std::exp; using std::log; using std::log1p;
  const double front = exp(a * log(x) + b * log1p(-x) - log_beta(a, b)) / a;
  const double cf = continued_fraction([a, b, x](int j, double& num, double& den) {
    den = 1;
    if (j == 1) { num = 1; return; }
    const int m = j - 1;
    const double k = m / 2;
    num = m % 2 ? -(a + k) * (a + b + k) * x / ((a + 2 * k) * (a + 2 * k + 1))
                : k * (b - k) * x / ((a + 2 * k - 1) * (a + 2 * k));
  });
  return front * cf;
}

// The regularized incomplete beta function I_x(a, b) = B(x; a, b)/B(a, b) for
// a, b ≥ 0 (not both 0) and 0 ≤ x ≤ 1, with SciPy's limits where a or b is 0 or
// infinite; nan elsewhere. Above the mean, 1 − I_(1−x)(b, a) (1 − x is exact there).
// The prefactor's log B(a, b) costs about (a + b)·eps relative for large a, b.
WIRT_HD inline double betainc(double a, double b, double x) {
  using std::isinf; using std::isnan;
  if (isnan(a) || isnan(b) || isnan(x) || a < 0 || b < 0 || x < 0 || x > 1) return nan_value();
  if ((a == 0 && b == 0) || (isinf(a) && isinf(b))) return nan_value();
  if (a == 0 || isinf(b)) return x > 0 ? 1.0 : 0.0;  // all mass at 0
  if (b == 0 || isinf(a)) return x < 1 ? 0.0 : 1.0;            // all mass at 1
  if (x == 0 || x == 1) return x;
  if (x * (a + b + 2) > a + 1) return 1 - betainc_below_mean(b, a, 1 - x);
  return betainc_below_mean(a, b, x);
}

// The sign of Γ(x) for x not a pole.
WIRT_HD inline double gamma_sign(double x) {
  using std::floor; using std::fmod;
  return x > 0 || fmod(floor(x), 2.0) == 0 ? 1.0 : -1.0;  // (fmod: floor(x) may not fit an integer)
}

WIRT_HD inline bool is_nonpositive_integer(double v) {
  using std::floor;
  return v <= 0 && v == floor(v);
}

// Σₖ (a)ₖ/(b)ₖ·xᵏ/k!, to the last bit or until the terms stop (a a non-positive
// integer); terms stay positive for a, b, x > 0, so there the sum is accurate.
WIRT_HD inline double hyp1f1_series(double a, double b, double x) {
  using std::fabs;
  double term = 1, sum = 1;
  for (int k = 0; k < 1000000; ++k) {
    term *= (a + k) / (b + k) * x / (k + 1);
    sum += term;
    if (term == 0 || (fabs(term) < 1e-17 * fabs(sum) && k > fabs(a) && k > x)) break;
  }
  return sum;
}

// Kummer's confluent hypergeometric function M(a, b, x) = ₁F₁(a; b; x), real
// arguments: the series for x ≥ 0, Kummer's transformation eˣM(b − a, b, −x)
// for x < 0 (which makes every term positive for 0 < a < b); a polynomial when
// a is a non-positive integer (also where b is one below it); inf at the poles
// b = 0, −1, … otherwise. Where the series overflows for a, b > 0, the leading
// term of the expansion for large x, Γ(b)/Γ(a)·eˣx^(a−b)·Σ (b−a)ₖ(1−a)ₖ/(k!xᵏ).
// Parameters whose terms change sign (a or b negative) lose accuracy to
// cancellation, as every summation does.
WIRT_HD inline double hyp1f1(double a, double b, double x) {
  using std::exp; using std::fabs; using std::isinf; using std::isnan; using std::log;
  if (isnan(a) || isnan(b) || isnan(x)) return nan_value();
  const bool polynomial = is_nonpositive_integer(a);
  if (is_nonpositive_integer(b) && !(polynomial && a > b)) return inf_value();
  if (a == 0 || x == 0) return 1.0;
  if (a == b) return exp(x);
  if (x < 0 && !polynomial) return exp(x) * hyp1f1(b - a, b, -x);
  const double s = hyp1f1_series(a, b, x);
  if (!isinf(s) || !(a > 0 && b > 0)) return s;
  double term = 1, sum = 1;
  for (int k = 0; k < 200; ++k) {
    term *= (b - a + k) * (1 - a + k) / ((k + 1) * x);
    sum += term;
    if (fabs(term) < 1e-17 * fabs(sum)) break;
  }
  const double log_scale = x + (a - b) * log(x) + lgamma_real(b) - lgamma_real(a);
  return gamma_sign(b) * gamma_sign(a) * exp(log_scale) * sum;
}

// Γ(p)Γ(q)/(Γ(r)Γ(s)), 0 where r or s is a pole (1/Γ vanishes there): directly
// below Γ's overflow, else through log|Γ| and the signs.
WIRT_HD inline double gamma_ratio(double p, double q, double r, double s) {
  using std::exp; using std::fabs; using std::tgamma;
  if (is_nonpositive_integer(r) || is_nonpositive_integer(s)) return 0.0;
  if (fabs(p) < 170 && fabs(q) < 170 && fabs(r) < 170 && fabs(s) < 170)
    return tgamma(p) * tgamma(q) / (tgamma(r) * tgamma(s));
  const double sign = gamma_sign(p) * gamma_sign(q) * gamma_sign(r) * gamma_sign(s);
  return sign * exp(lgamma_real(p) + lgamma_real(q) - lgamma_real(r) - lgamma_real(s));
}

// Σₖ (a)ₖ(b)ₖ/((c)ₖ k!)·xᵏ for |x| < 1 (or a terminating series): to the last
// bit of the sum, counting the geometric tail that follows the last term.
WIRT_HD inline double hyp2f1_series(double a, double b, double c, double x) {
  using std::fabs;
  const double tail = 1 / (1 - (fabs(x) < 1 ? fabs(x) : 0.0));
  const double past = fabs(a) + fabs(b) + fabs(c);
  double term = 1, sum = 1;
  for (int k = 0; k < 4000000; ++k) {
    term *= (a + k) * (b + k) / ((c + k) * (k + 1)) * x;
    sum += term;
    if (term == 0 || (k > past && fabs(term) * tail < 1e-17 * fabs(sum))) break;
  }
  return sum;
}

// ₂F₁(a, b; a+b+m; x) for an integer m ≥ 0 and y = 1 − x ≤ 0.1: the limit of the
// connection formula below, where its two Γ factors have poles that cancel,
//   Γ(m)Γ(a+b+m)/(Γ(a+m)Γ(b+m))·Σ_(n<m) (a)ₙ(b)ₙ/(n!(1−m)ₙ)·yⁿ
//   − (−1)^m Γ(a+b+m)/(Γ(a)Γ(b))·Σₙ (a+m)ₙ(b+m)ₙ/(n!(n+m)!)·y^(n+m)
//       ·[log y − ψ(n+1) − ψ(n+m+1) + ψ(a+n+m) + ψ(b+n+m)].
WIRT_HD inline double hyp2f1_integer_gap(double a, double b, int m, double y) {
  using std::fabs; using std::log; using std::pow;
  double first = 0;
  if (m > 0) {
    double t = 1, sum = 1;
    for (int n = 1; n < m; ++n) {
      t *= (a + n - 1) * (b + n - 1) / (double(n) * (n - m)) * y;
      sum += t;
    }
    first = gamma_ratio(m, a + b + m, a + m, b + m) * sum;
  }
  double psi_n = digamma(1.0), psi_nm = digamma(m + 1.0), psi_a = digamma(a + m), psi_b = digamma(b + m);
  double t = pow(y, m);
  for (int j = 2; j <= m; ++j) t /= j;
  const double ly = log(y);
  double sum = 0;
  for (int n = 0; n < 10000; ++n) {
    const double term = t * (ly - psi_n - psi_nm + psi_a + psi_b);
    sum += term;
    if (t == 0 || (n > fabs(a) + fabs(b) + m && fabs(term) < 1e-17 * fabs(sum))) break;
    t *= (a + m + n) * (b + m + n) / ((n + 1.0) * (n + m + 1.0)) * y;
    psi_n += 1.0 / (n + 1);
    psi_nm += 1.0 / (n + m + 1);
    psi_a += 1.0 / (a + m + n);
    psi_b += 1.0 / (b + m + n);
  }
  return first + (m % 2 ? 1.0 : -1.0) * gamma_ratio(a + b + m, 1.0, a, b) * sum;
}

// ₂F₁ on [0, 1), given x and y = 1 − x exactly: the series up to 0.9; beyond,
// the connection to 1 − x,
//   A·F(a, b; a+b−c+1; y) + B·y^(c−a−b)·F(c−a, c−b; c−a−b+1; y),
//   A = Γ(c)Γ(c−a−b)/(Γ(c−a)Γ(c−b)), B = Γ(c)Γ(a+b−c)/(Γ(a)Γ(b)),
// or its limit where c − a − b is an integer (Euler's transformation
// (1−x)^(c−a−b)·F(c−a, c−b; c; x) makes it non-negative). Within δ < 10⁻³ of an
// integer A and B cancel to about log₁₀(1/δ) digits: the series instead, as long
// as it converges in a few 10⁵ terms (y > 10⁻⁴).
WIRT_HD inline double hyp2f1_unit(double a, double b, double c, double x, double y) {
  using std::fabs; using std::floor; using std::pow;
  const double d = c - a - b, gap = d - floor(d + 0.5);
  if (x <= 0.9) return hyp2f1_series(a, b, c, x);
  if (gap == 0 && fabs(d) < 1e6) {
    return d >= 0 ? hyp2f1_integer_gap(a, b, static_cast<int>(d), y)
                  : pow(y, d) * hyp2f1_integer_gap(c - a, c - b, static_cast<int>(-d), y);
  }
  if (fabs(gap) < 1e-3 && y > 1e-4) return hyp2f1_series(a, b, c, x);
  return gamma_ratio(c, d, c - a, c - b) * hyp2f1_series(a, b, 1 - d, y) +
         gamma_ratio(c, -d, a, b) * pow(y, d) * hyp2f1_series(c - a, c - b, d + 1, y);
}

// Gauss's hypergeometric function ₂F₁(a, b; c; x) for real arguments and x ≤ 1
// (nan beyond, where it is complex, but for polynomials): a polynomial when a or
// b is a non-positive integer, inf at the poles c = 0, −1, … otherwise; at x = 1
// Gauss's Γ(c)Γ(c−a−b)/(Γ(c−a)Γ(c−b)) where c − a − b > 0, inf where not. Below
// −½, Pfaff's transformation (1−x)^(−a)·F(a, c−b; c; x/(x−1)) maps x into (⅓, 1).
// Parameters whose terms change sign lose digits to cancellation, as any summation
// of the series does; within 10⁻⁴ of 1, where c − a − b is within δ < 10⁻³ of
// an integer (not one), about log₁₀(1/δ) digits are lost to the connection formula.
WIRT_HD inline double hyp2f1(double a, double b, double c, double x) {
  using std::isnan; using std::pow;
  if (isnan(a) || isnan(b) || isnan(c) || isnan(x)) return nan_value();
  const bool poly_a = is_nonpositive_integer(a), poly_b = is_nonpositive_integer(b);
  if (is_nonpositive_integer(c) && !((poly_a && a > c) || (poly_b && b > c))) return inf_value();
  if (a == 0 || b == 0 || x == 0) return 1.0;
  if (poly_a || poly_b) return hyp2f1_series(a, b, c, x);
  if (x > 1) return nan_value();
  if (x == 1) return c - a - b > 0 ? gamma_ratio(c, c - a - b, c - a, c - b) : inf_value();
  if (x < -0.5) return pow(1 - x, -a) * hyp2f1_unit(a, c - b, c, x / (x - 1), 1 / (1 - x));
  if (x < 0) return hyp2f1_series(a, b, c, x);
  return hyp2f1_unit(a, b, c, x, 1 - x);
}

}  // namespace special
}  // namespace wirtinger
