// Special functions of parameters and an argument, I_x(a, b) and ₁F₁(a; b; x),
// evaluated in double. They are not rules of the element-wise table (which holds
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
  using std::floor;
  return x > 0 || static_cast<long long>(floor(x)) % 2 == 0 ? 1.0 : -1.0;
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

}  // namespace special
}  // namespace wirtinger
