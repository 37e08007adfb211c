// The special functions of the rule table (scipy.special's): their values and
// the helpers their derivatives call, from the defining series, recurrences,
// continued fractions and asymptotic expansions. Every function works in double
// (float arguments are evaluated in double and rounded once, which costs little
// next to the series); those SciPy also defines off the real line work in
// complex<double>.
//
// The rules (rules.hpp) call the helpers at the end unqualified, so that the
// array engine can overload them for its differentiable values.
#pragma once

#include <cmath>
#include <complex>
#include <type_traits>

#include "scalar.hpp"

namespace wirtinger {
namespace special {

// The entry points with loops (series, continued fractions, recurrences) are
// called, not inlined, from the element-wise loops: they do not vectorise, and
// inlining each into every loop of every kernel and dtype (gnu::flatten) would
// multiply the build time for nothing.
#if defined(__CUDACC__)
#define WIRT_CALLED __noinline__
#elif defined(__GNUC__) || defined(__clang__)
#define WIRT_CALLED __attribute__((noinline))
#else
#define WIRT_CALLED
#endif

using C = complex_of<double>;

// (Read as double(name) where an operator would bind a reference to them:
// device code cannot refer to a host variable.)
constexpr double pi = 3.14159265358979323846264338327950288;
constexpr double two_over_sqrt_pi = 1.12837916709551257389615890312154517;
constexpr double sqrt_pi_over_two = 0.886226925452758013649083741670572591;
constexpr double sqrt_two_pi = 2.50662827463100050241576528481104525;
constexpr double half_log_two_pi = 0.918938533204672741780329736405617640;
constexpr double log_pi = 1.14472988584940017414342735135305871;
constexpr double log_two = 0.693147180559945309417232121458176568;

WIRT_HD inline double nan_value() {
  const double zero = 0.0;
  return zero / zero;
}
WIRT_HD inline double inf_value() {
  const double zero = 0.0;
  return 1.0 / zero;
}

// e^(s·x²) for s = ±1 or ±½, with x² split exactly into hi + lo (the
// rounding of x² alone would cost |x²| ulps).
WIRT_HD inline double exp_square(double x, double s) {
  using std::exp; using std::fma;
  using std::isfinite;
  const double h = x * x, l = fma(x, x, -h);
  return isfinite(l) ? exp(s * h) * (1 + s * l) : exp(s * h);  // x² overflowed: e^(s·inf)
}

// ---------------------------------------------------------------- the gamma function and its logarithm
// log|Γ(x)| (glibc's reentrant form on the host: lgamma writes a global).
WIRT_HD inline double lgamma_real(double x) {
#ifdef __CUDA_ARCH__
  return ::lgamma(x);
#else
  int sign;
  return ::lgamma_r(x, &sign);
#endif
}

// Stirling's series for log Γ(w), |w| ≥ 10 and Re w > 0, eight terms:
// their error is below B₁₈/(18·17·10¹⁷), about 10⁻¹⁸.
template <class T> WIRT_HD T loggamma_stirling(const T& w) {
  using std::log;
  const T r = T(1) / w, s = r * r;
  const T series =
      r * (1.0 / 12 +
           s * (-1.0 / 360 +
                s * (1.0 / 1260 +
                     s * (-1.0 / 1680 + s * (1.0 / 1188 + s * (-691.0 / 360360 + s * (1.0 / 156 + s * (-3617.0 / 122400))))))));
  return (w - 0.5) * log(w) - w + double(half_log_two_pi) + series;
}

// log Γ(z) for Re z ≥ 0 by log Γ(z) = log Γ(z + n) − Σ log(z + k): the sum of
// principal logarithms keeps the principal branch (a log of the product would not).
inline WIRT_HD C loggamma_right(C z) {
  using std::log;
  C acc(0, 0);
  while (z.real() * z.real() + z.imag() * z.imag() < 100) {
    acc += log(z);
    z += 1.0;
  }
  return loggamma_stirling(z) - acc;
}

// log(1 − e^w) for Re w ≤ 0: near w = 0, where e^w rounds to 1, as
// log(−w·(1 + w/2 + w²/6 + …)), the series of −expm1(w)/w.
inline WIRT_HD C log1m_exp(C w) {
  using std::exp; using std::log;
  if (w.real() * w.real() + w.imag() * w.imag() < 0.0025) {
    C term(1, 0), sum(1, 0);
    for (int k = 2; k <= 10; ++k) {
      term = term * w / double(k);
      sum += term;
    }
    return log(-w * sum);
  }
  return log(C(1, 0) - exp(w));
}

// The principal branch of log Γ (scipy.special.loggamma): analytic off the
// negative real axis, on which it takes the limit from above. Left of the
// imaginary axis, by reflection: for Im z ≥ 0,
//   log Γ(z) = log π − E(z) − log Γ(1 − z),  E(z) = −iπz + log(1 − e^(2πiz)) − log 2 + iπ/2,
// where E is a logarithm of sin(πz) continuous in the upper half-plane (|e^(2πiz)| ≤ 1)
// that makes the sum real at Re z = ½, so that no multiple of 2πi is missing;
// e^(2πiz) is taken at Re z reduced by its nearest integer, exactly. The lower
// half-plane by symmetry.
WIRT_HD WIRT_CALLED inline C loggamma(C z) {
  using std::exp; using std::floor; using std::isfinite; using std::log; using std::round;
  const double x = z.real(), y = z.imag();
  if (!isfinite(x) || !isfinite(y)) {
    if (x == inf_value() && isfinite(y)) return C(inf_value(), 0);
    return C(nan_value(), nan_value());
  }
  if (y == 0 && x <= 0 && x == floor(x)) return C(nan_value(), nan_value());  // a pole
  if (x >= 0) return loggamma_right(z);
  const bool lower = y < 0;
  const C u = lower ? C(x, -y) : z;
  const C e = C(0, -pi) * u + log1m_exp(C(0, 2 * pi) * C(u.real() - round(u.real()), u.imag())) + C(-log_two, pi / 2);
  const C r = C(log_pi, 0) - e - loggamma_right(C(1, 0) - u);
  return lower ? C(r.real(), -r.imag()) : r;
}
// For real x: log Γ(x) for x > 0, nan for x < 0 (where Γ is negative or has poles), as SciPy.
WIRT_HD inline double loggamma(double x) {
  if (x == 0) return inf_value();
  return x > 0 ? lgamma_real(x) : nan_value();
}

WIRT_HD inline double gamma(double x) { using std::tgamma; return tgamma(x); }
// Γ(z) for complex z: right of Re z = ½ as e^(Stirling's series at z + n)
// divided by z(z+1)…(z+n−1), |z + n| ≥ 10 (so that the exponent, and its rounding,
// stays small where Γ is not huge); left of it by reflection, π/(sin(πz) Γ(1 − z)),
// with πz reduced by an even integer, exactly (sin has period 2π).
WIRT_HD WIRT_CALLED inline C gamma(C z) {
  using std::exp; using std::floor; using std::isfinite; using std::round; using std::sin;
  const double x = z.real(), y = z.imag();
  if (!isfinite(x) || !isfinite(y)) return C(nan_value(), nan_value());
  if (y == 0 && x <= 0 && x == floor(x)) return C(nan_value(), nan_value());  // a pole
  if (y > 100 || y < -100) return exp(loggamma(z));  // sin(πz) would overflow; Γ is tiny there
  if (x < 0.5) {
    const C s = sin(double(pi) * C(x - 2 * round(x / 2), y));
    C w(1 - x, -y), prod(1, 0);
    while (w.real() * w.real() + w.imag() * w.imag() < 100) {
      prod *= w;
      w += 1.0;
    }
    return double(pi) * prod / (s * exp(loggamma_stirling(w)));
  }
  C prod(1, 0);
  while (z.real() * z.real() + z.imag() * z.imag() < 100) {
    prod *= z;
    z += 1.0;
  }
  return exp(loggamma_stirling(z)) / prod;
}

// ---------------------------------------------------------------- digamma
// ψ(w) ~ log w − 1/(2w) − Σ B₂ₖ/(2k w²ᵏ), |w| ≥ 10, Re w > 0, eight terms.
template <class T> WIRT_HD T digamma_asymptotic(const T& w) {
  using std::log;
  const T r = T(1) / w, s = r * r;
  const T series =
      s * (1.0 / 12 +
           s * (-1.0 / 120 +
                s * (1.0 / 252 + s * (-1.0 / 240 + s * (1.0 / 132 + s * (-691.0 / 32760 + s * (1.0 / 12 + s * (-3617.0 / 8160))))))));
  return log(w) - 0.5 * r - series;
}
template <class T> WIRT_HD T digamma_right(T z) {
  T acc(0);
  while (abs2(z) < 100) {
    acc += T(1) / z;
    z += 1.0;
  }
  return digamma_asymptotic(z) - acc;
}

// Near ψ's positive zero x₀ the recurrence cancels; there ψ is its Taylor
// series, ψ(x) = Σ (−1)^(k+1) ζ(k+1, x₀)(x − x₀)^k, with x₀ in two parts.
WIRT_HD inline double digamma_near_root(double x) {
  const double c[] = {0.9676722454476212,     -0.4427631689835921,    0.258499760955651,      -0.16394270544240652,
                      0.10782405069126237,    -0.07219956125645471,   0.04880428816414311,    -0.03316112647484736,
                      0.022597648232218104,   -0.01542476590494896,   0.010538791616612175,   -0.007204534386356869,
                      0.004926781395729853,   -0.003369801655439328,  0.002305126326734928,   -0.0015769367714301972,
                      0.0010788252019162967,  -0.0007380709389960052, 0.000504953265834602,   -0.0003454680251063077,
                      0.00023635601564027053, -0.00016170622091974803};
  const double t = (x - 1.4616321449683622) - 9.549995429965697e-17;
  double p = 0;
  for (int k = 21; k >= 0; --k) p = p * t + c[k];
  return p * t;
}

// ψ(x) = Γ'(x)/Γ(x); for x < 0 by reflection, ψ(x) = ψ(1 − x) − π cot(πx),
// with πx reduced by the nearest integer (cot has period π), exactly.
WIRT_HD WIRT_CALLED inline double digamma(double x) {
  using std::fabs; using std::floor; using std::isnan; using std::round; using std::signbit; using std::tan;
  if (isnan(x)) return x;
  if (x == 0) return signbit(x) ? inf_value() : -inf_value();
  if (x == inf_value()) return x;
  double reflected = 0;
  if (x < 0) {
    if (x == floor(x)) return nan_value();  // a pole, also −inf
    reflected = -pi / tan(pi * (x - round(x)));
    x = 1 - x;
  }
  if (fabs(x - 1.4616321449683622) < 0.2) return digamma_near_root(x) + reflected;
  return digamma_right(x) + reflected;
}
WIRT_HD WIRT_CALLED inline C digamma(C z) {
  using std::floor; using std::isfinite; using std::round; using std::tan;
  const double x = z.real(), y = z.imag();
  if (!isfinite(x) || !isfinite(y) || (y == 0 && x <= 0 && x == floor(x))) return C(nan_value(), nan_value());
  C reflected(0, 0);
  if (x < 0) {
    reflected = -double(pi) / tan(double(pi) * C(x - round(x), y));
    z = C(1, 0) - z;
  }
  return digamma_right(z) + reflected;
}

// ---------------------------------------------------------------- Hurwitz's zeta function
// ζ(s, q) = Σₖ (q + k)^(−s) by Euler–Maclaurin summation: the first N terms
// directly, until a = q + N is large next to 1 and |s|, then
//   a^(1−s)/(s − 1) + a^(−s)/2 + Σⱼ B₂ⱼ/(2j)! · s(s+1)…(s+2j−2) · a^(−s−2j+1).
// Real arguments: inf at s = 1 and at q a pole (0, −1, ...), nan for q < 0 with
// s not an integer; for 0 ≤ s < 1 the same formula is the analytic
// continuation (SciPy's Hurwitz zeta is nan there, which the Python function
// applies; Riemann's ζ uses it), for s < 0 it cancels: nan. Complex q (with
// real s), as ψ's derivatives need.
template <class T> WIRT_HD T hurwitz_zeta_sum(const T& s, const T& q) {
  using std::abs; using std::ceil; using std::pow;
  const double b[] = {0.08333333333333333,     -0.001388888888888889,  3.306878306878307e-05,
                      -8.267195767195768e-07,  2.08767569878681e-08,   -5.284190138687493e-10,
                      1.3382536530684679e-11,  -3.3896802963225827e-13, 8.586062056277845e-15,
                      -2.174868698558062e-16, 5.5090028283602295e-18, -1.3954464685812522e-19};
  const double start = 12 + 0.5 * abs(s), qr = real(q);
  if (start - qr > 1e7) return T(nan_value());  // ten million terms: not attempted
  const int n = qr < start ? static_cast<int>(ceil(start - qr)) : 0;
  T sum(0);
  for (int k = 0; k < n; ++k) sum += pow(q + double(k), -s);
  const T a = q + double(n), t = pow(a, -s), r = T(1) / a, r2 = r * r;
  sum += a * t / (s - 1.0) + 0.5 * t;
  T factor = s * t * r;  // s(s+1)…(s+2j−2) a^(−s−2j+1)
  for (int j = 0; j < 12; ++j) {
    const T term = b[j] * factor;
    sum += term;
    if (abs(term) <= 1e-17 * abs(sum)) break;
    factor = factor * (s + double(2 * j + 1)) * (s + double(2 * j + 2)) * r2;
  }
  return sum;
}
WIRT_HD WIRT_CALLED inline double hurwitz_zeta(double s, double q) {
  using std::floor; using std::isnan;
  if (isnan(s) || isnan(q)) return nan_value();
  if (s == 1) return inf_value();
  if (s < 0) return nan_value();  // the continuation cancels there (Riemann's ζ reflects instead)
  if (q <= 0) {
    if (q == floor(q)) return inf_value();
    if (s != floor(s)) return nan_value();  // (q + k)^(−s) is not real
  }
  if (s == inf_value()) return q == 1 ? 1.0 : (q > 1 ? 0.0 : inf_value());
  return hurwitz_zeta_sum(s, q);
}
WIRT_HD WIRT_CALLED inline C hurwitz_zeta(C s, C q) {
  using std::floor;
  if (q.imag() == 0 && q.real() <= 0 && q.real() == floor(q.real())) return C(inf_value(), 0);
  return hurwitz_zeta_sum(s, q);
}

// ---------------------------------------------------------------- the error function family
// e^(x²)·erfc(x) (scipy.special.erfcx): where erfc(x) is a normal number,
// erfc(x) times e^(x²) split exactly; beyond, its asymptotic series
// (1/(x√π)) Σ (−1)ᵏ (2k−1)!!/(2x²)ᵏ, whose tenth term at x = 25 is below 10⁻²⁵.
WIRT_HD WIRT_CALLED inline double erfcx(double x) {
  using std::erfc; using std::isnan;
  if (isnan(x)) return x;
  if (x < 25) return x < -26.7 ? inf_value() : exp_square(x, 1) * erfc(x);
  const double v = 1 / (2 * x * x);  // 0 beyond 1e154: the series is then 1
  double term = 1, sum = 1;
  for (int k = 1; k < 10; ++k) {
    term *= -(2 * k - 1) * v;
    sum += term;
  }
  return sum * (1 / x) / 1.77245385090551602729816748334114518;
}
// erfcx'(x) = 2x·erfcx(x) − 2/√π, which cancels as x grows (both terms tend to
// 2/√π). For x ≥ 2 it is −(2/√π)·K/(x + K) with K the tail of Laplace's
// continued fraction √π·erfcx(x) = 1/(x + K), K = ½/(x + 1/(x + (3/2)/(x + …))),
// evaluated from 80 levels down (40 from x = 3 on): exact to the last bit.
WIRT_HD WIRT_CALLED inline double erfcx_derivative(double x, double out) {
  if (!(x >= 2)) return 2 * x * out - two_over_sqrt_pi;
  if (x > 1e154) return -two_over_sqrt_pi / (2 * x) / x;
  double k = 0;
  for (int j = x >= 3 ? 40 : 80; j >= 1; --j) k = 0.5 * j / (x + k);
  return -two_over_sqrt_pi * k / (x + k);
}

// erfc⁻¹(q) for 0 < q < ½ by Newton's method on log erfc(u) − log q, which
// stays accurate down to the smallest subnormal q: log erfc(u) = log erfcx(u) − u²
// and its derivative −2/(√π erfcx(u)). Started from Winitzki's approximation.
WIRT_HD inline double erfcinv_small(double q) {
  using std::log; using std::sqrt;
  const double a = 0.147, w = -log(q * (2 - q)), c = 2 / (pi * a) - w / 2;
  double u = sqrt(sqrt(c * c + w / a) - c);
  const double lq = log(q);
  for (int i = 0; i < 8; ++i) {
    const double e = erfcx(u), g = log(e) - u * u - lq, step = g * e / two_over_sqrt_pi;
    u += step;
    if (step <= 1e-17 * u && step >= -1e-17 * u) break;
  }
  return u;
}
// erf⁻¹(y): for |y| ≤ ½ Halley's method on erf(x) − y from erf(x) ≈ 2x/√π
// (and Winitzki's approximation), for |y| > ½ erfc⁻¹(1 − |y|), 1 − |y| exact.
WIRT_HD WIRT_CALLED inline double erfinv(double y) {
  using std::erf; using std::fabs; using std::isnan; using std::log; using std::sqrt;
  if (isnan(y) || fabs(y) > 1) return nan_value();
  if (fabs(y) == 1) return y * inf_value();
  if (fabs(y) > 0.5) return (y > 0 ? 1 : -1) * erfcinv_small(1 - fabs(y));
  double x = sqrt_pi_over_two * y;
  if (fabs(y) > 1e-3) {
    const double a = 0.147, w = -log((1 - y) * (1 + y)), c = 2 / (pi * a) - w / 2;
    x = (y > 0 ? 1 : -1) * sqrt(sqrt(c * c + w / a) - c);
  }
  for (int i = 0; i < 4; ++i) {
    const double f = erf(x) - y, d = f / (two_over_sqrt_pi * exp_square(x, -1));
    x -= d / (1 + x * d);
  }
  return x;
}
// Φ⁻¹(p), the inverse of the normal distribution function Φ(x) = erfc(−x/√2)/2:
// −√2·erfc⁻¹(2p) for p < ½ (2p exact), and −Φ⁻¹(1 − p) above (1 − p exact).
WIRT_HD WIRT_CALLED inline double ndtri(double p) {
  using std::isnan;
  constexpr double sqrt2 = 1.41421356237309504880168872420969808;
  if (isnan(p) || p < 0 || p > 1) return nan_value();
  if (p == 0) return -inf_value();
  if (p == 1) return inf_value();
  if (p > 0.5) return -ndtri(1 - p);
  if (p == 0.5) return 0;
  return -sqrt2 * (2 * p < 0.5 ? erfcinv_small(2 * p) : erfinv(1 - 2 * p));
}

// ---------------------------------------------------------------- exponential integrals and incomplete gamma
// b₀ + a₁/(b₁ + a₂/(b₂ + …)) by Lentz's method, to the last bit (or 10⁴ levels).
template <class Terms> WIRT_HD double continued_fraction(const Terms& terms) {
  using std::fabs;
  constexpr double tiny = 1e-300;
  double f = tiny, c = f, d = 0;
  for (int j = 1; j <= 10000; ++j) {
    double a, b;
    terms(j, a, b);
    d = b + a * d;
    d = d == 0 ? 1 / tiny : 1 / d;
    c = b + a / c;
    if (c == 0) c = tiny;
    const double delta = c * d;
    f *= delta;
    if (fabs(delta - 1) < 1e-16) break;
  }
  return f;
}

constexpr double euler_gamma = 0.577215664901532860606512090082402431;

// E₁(x) = ∫₁^∞ e^(−xt)/t dt, x > 0: for x ≤ 1 the series −γ − log x − Σ (−x)ᵏ/(k·k!),
// beyond e^(−x) times the continued fraction 1/(x + 1 − 1/(x + 3 − 4/(x + 5 − …))).
WIRT_HD WIRT_CALLED inline double exp1(double x) {
  using std::exp; using std::isnan; using std::log;
  if (isnan(x) || x < 0) return nan_value();
  if (x == 0) return inf_value();
  if (x <= 1) {
    double term = -1, sum = 0;  // term_k = −(−x)ᵏ/k!
    for (int k = 1; k < 60; ++k) {
      term *= -x / k;
      sum += term / k;
      if (term > -1e-17 * sum && term < 1e-17 * sum) break;
    }
    return -euler_gamma - log(x) + sum;
  }
  const double cf = continued_fraction([x](int j, double& a, double& b) {
    a = j == 1 ? 1.0 : -double(j - 1) * double(j - 1);
    b = x + 2 * j - 1;
  });
  return exp(-x) * cf;
}

// Ei(x) = −E₁(−x) for x < 0; for 0 < x ≤ 50 the series γ + log x + Σ xᵏ/(k·k!),
// beyond its asymptotic expansion (eˣ/x) Σ k!/xᵏ, eˣ as (e^(x/2))².
WIRT_HD WIRT_CALLED inline double expi(double x) {
  using std::exp; using std::isnan; using std::log;
  if (isnan(x)) return x;
  if (x < 0) return -exp1(-x);
  if (x == 0) return -inf_value();
  if (x <= 50) {
    double term = 1, sum = 0;
    for (int k = 1; k < 200; ++k) {
      term *= x / k;
      sum += term / k;
      if (term < 1e-17 * sum * k) break;
    }
    return euler_gamma + log(x) + sum;
  }
  if (x == inf_value()) return x;
  double term = 1, sum = 1;
  for (int k = 1; k < 60; ++k) {
    term *= k / x;
    sum += term;
    if (term < 1e-17 * sum) break;
  }
  const double e = exp(x / 2);
  return e * (e / x * sum);
}

// Eₙ(x) = ∫₁^∞ e^(−xt)/tⁿ dt for integer n and x > 0 (negative n too, which
// derivatives reach: Eₙ' = −Eₙ₋₁): E₀ = e^(−x)/x, Eₙ = (e^(−x) − n Eₙ₊₁)/x below 0;
// for n ≥ 1 and x > 1 the continued fraction e^(−x)/(x + n − n/(x + n + 2 − 2(n+1)/(…))),
// for x ≤ 1 the series (−x)^(n−1)/(n−1)!·(ψ(n) − log x) − Σ_(k≠n−1) (−x)ᵏ/((k−n+1)·k!).
WIRT_HD WIRT_CALLED inline double expn(double nd, double x) {
  using std::exp; using std::floor; using std::isnan; using std::log;
  if (isnan(nd) || isnan(x) || x < 0) return nan_value();
  const double n = nd < 0 ? -floor(-nd) : floor(nd);  // truncated, as SciPy
  if (x == 0) return n > 1 ? 1 / (n - 1) : inf_value();
  if (n < -1000) return nan_value();  // (derivatives of order 1000 and more: not attempted)
  if (n == inf_value()) return x == inf_value() ? nan_value() : 0.0;
  if (x == inf_value()) return 0.0;
  if (n <= 0) {
    double e = exp(-x) / x;  // E₀
    for (double m = -1; m >= n; --m) e = (exp(-x) - m * e) / x;
    return e;
  }
  if (n == 1) return exp1(x);
  if (x > 1 || n > 50) {
    const double cf = continued_fraction([n, x](int j, double& a, double& b) {
      a = j == 1 ? 1.0 : -double(j - 1) * (n + j - 2);
      b = x + n + 2 * (j - 1);
    });
    return exp(-x) * cf;
  }
  double psi = -euler_gamma;
  for (int m = 1; m < n; ++m) psi += 1.0 / m;
  double lead = 1;  // (−x)^(n−1)/(n−1)!
  for (int m = 1; m < n; ++m) lead *= -x / m;
  double sum = 0, term = 1;  // term_k = (−x)ᵏ/k!
  for (int k = 0; k < 200; ++k) {
    if (k > 0) term *= -x / k;
    if (k != n - 1) sum -= term / (k - n + 1);
    if (k > n && (term < 0 ? -term : term) < 1e-17 * (sum < 0 ? -sum : sum)) break;
  }
  return lead * (psi - log(x)) + sum;
}

// The regularized incomplete gamma functions P(a, x) (lower) and Q(a, x) =
// 1 − P (upper): for x < a + 1 the series P = xᵃe^(−x)/Γ(a+1)·Σ xᵏ/((a+1)…(a+k)),
// beyond Legendre's continued fraction for Q; the other by 1 − itself, which
// there is at least about ½. The prefactor e^(a log x − x − log Γ(a)) costs
// about max(a, x)·eps relative where those are large.
WIRT_HD WIRT_CALLED inline double gammainc_pair(double a, double x, bool upper) {
  using std::exp; using std::isnan; using std::log;
  if (isnan(a) || isnan(x) || a < 0 || x < 0) return nan_value();
  if (a == 0) return x > 0 ? (upper ? 0.0 : 1.0) : nan_value();
  if (x == 0) return upper ? 1.0 : 0.0;
  if (a == inf_value()) return x == inf_value() ? nan_value() : (upper ? 1.0 : 0.0);
  if (x == inf_value()) return upper ? 0.0 : 1.0;
  const double pre = exp(a * log(x) - x - lgamma_real(a));
  if (x < a + 1) {
    double term = 1 / a, sum = term;
    for (int k = 1; k < 100000; ++k) {
      term *= x / (a + k);
      sum += term;
      if (term < 1e-17 * sum) break;
    }
    const double p = pre * sum;
    return upper ? 1 - p : p;
  }
  const double q = pre * continued_fraction([a, x](int j, double& ca, double& cb) {
    ca = j == 1 ? 1.0 : -double(j - 1) * (double(j - 1) - a);
    cb = x + 2 * j - 1 - a;
  });
  return upper ? q : 1 - q;
}
// ∂P/∂x = x^(a−1) e^(−x)/Γ(a) (−∂Q/∂x), with its limits at x = 0.
WIRT_HD inline double gammainc_dx(double a, double x) {
  using std::exp; using std::log;
  if (x == 0) return a < 1 ? inf_value() : (a == 1 ? 1.0 : 0.0);
  if (x == inf_value()) return 0.0;
  return exp((a - 1) * log(x) - x - lgamma_real(a));
}

// The derivatives of the inverses from the argument, not only the result: e^(y²)
// from y = erf⁻¹(p) would carry y's rounding error times 2y². For |p| > ½,
// e^(y²) = erfcx(|y|)/erfc(|y|) = erfcx(|y|)/(1 − |p|), exact but for erfcx,
// which hardly depends on y; likewise Φ⁻¹ with its tail probability.
WIRT_HD inline double erfinv_derivative(double p, double y) {
  using std::fabs;
  if (!(fabs(p) > 0.5) || fabs(p) >= 1) return sqrt_pi_over_two * exp_square(y, 1);
  return sqrt_pi_over_two * erfcx(fabs(y)) / (1 - fabs(p));
}
WIRT_HD inline double ndtri_derivative(double p, double y) {
  using std::fabs;
  constexpr double sqrt_half = 0.707106781186547524400844362104849039;
  if (!(p > 0 && p < 1)) return sqrt_two_pi * exp_square(y, 0.5);
  return sqrt_two_pi / 2 * erfcx(fabs(y) * sqrt_half) / (y < 0 ? p : 1 - p);
}

// ---------------------------------------------------------------- modified Bessel functions I₀ and I₁
// I_ν(x) (scaled: e^(−|x|) I_ν(x)) for ν = 0, 1: for |x| ≤ 25 the power series
// Σ (x/2)^(2k+ν)/(k!(k+ν)!), whose terms are all positive; beyond, the
// asymptotic expansion e^x/√(2πx) Σ (−1)ᵏ aₖ/xᵏ, aₖ = ∏ (4ν² − (2j−1)²)/(8j),
// whose smallest term there is about e^(−50). e^x as (e^(x/2))² past overflow of e^x alone.
WIRT_HD WIRT_CALLED inline double bessel_i(int nu, double x, bool scaled) {
  using std::exp; using std::fabs; using std::isnan; using std::sqrt;
  if (isnan(x)) return x;
  const double ax = fabs(x);
  double r;
  if (ax <= 25) {
    const double h = ax / 2, h2 = h * h;
    double term = nu ? h : 1, sum = term;
    for (int k = 1; k < 200 && term > 1e-17 * sum; ++k) {
      term *= h2 / (k * double(k + nu));
      sum += term;
    }
    r = scaled ? sum * exp(-ax) : sum;
  } else {
    const double mu = 4.0 * nu * nu;
    double term = 1, sum = 1;
    for (int k = 1; k < 60; ++k) {
      const double odd = 2 * k - 1;
      term *= -(mu - odd * odd) / (8 * k * ax);
      sum += term;
      if (fabs(term) < 1e-17 * sum) break;
    }
    r = sum / sqrt(2 * pi * ax);
    if (!scaled) {
      if (ax == inf_value()) {
        r = inf_value();
      } else {
        const double e = exp(ax / 2);
        r = r * e * e;
      }
    }
  }
  return nu == 1 && x < 0 ? -r : r;
}

}  // namespace special

// ---------------------------------------------------------------- helpers the rules call, for scalars
// (The array engine overloads each for its values.) Float and complex<float>
// arguments are evaluated in double.
template <class T> inline constexpr bool is_plain_number_v = std::is_floating_point_v<T> || is_complex_v<T>;

template <class T> WIRT_HD auto widen(const T& z) {
  if constexpr (is_complex_v<T>) return special::C(double(z.real()), double(z.imag()));
  else return double(z);
}
template <class T, class V> WIRT_HD T narrow(const V& v) {
  if constexpr (is_complex_v<T>) {
    if constexpr (is_complex_v<V>) return T(real_of<T>(v.real()), real_of<T>(v.imag()));
    else return T(real_of<T>(v), real_of<T>(0));
  } else {
    return T(v);
  }
}

template <class T, std::enable_if_t<is_plain_number_v<T>, int> = 0> WIRT_HD T digamma(const T& z) {
  return narrow<T>(special::digamma(widen(z)));
}
template <class T, std::enable_if_t<is_plain_number_v<T>, int> = 0>
WIRT_HD T hurwitz_zeta(const T& s, const T& q) {
  return narrow<T>(special::hurwitz_zeta(widen(s), widen(q)));
}
// Helpers of real arguments: evaluated in double, returned in T.
#define WIRT_REAL_HELPER(name, call)                                                        \
  template <class T, std::enable_if_t<std::is_floating_point_v<T>, int> = 0>                \
  WIRT_HD T name(const T& x) {                                                              \
    return T(call);                                                                         \
  }
#define WIRT_REAL_HELPER2(name, call)                                                       \
  template <class T, std::enable_if_t<std::is_floating_point_v<T>, int> = 0>                \
  WIRT_HD T name(const T& a, const T& b) {                                                  \
    return T(call);                                                                         \
  }
WIRT_REAL_HELPER(erfcx, special::erfcx(double(x)))
// e^(−x²), e^(x²), e^(x²/2), accurate where x² is large.
WIRT_REAL_HELPER(gauss, special::exp_square(double(x), -1))
WIRT_REAL_HELPER(exp_square, special::exp_square(double(x), 1))
WIRT_REAL_HELPER(exp_half_square, special::exp_square(double(x), 0.5))
WIRT_REAL_HELPER(i0, special::bessel_i(0, double(x), false))
WIRT_REAL_HELPER(i1, special::bessel_i(1, double(x), false))
WIRT_REAL_HELPER(i0e, special::bessel_i(0, double(x), true))
WIRT_REAL_HELPER(i1e, special::bessel_i(1, double(x), true))
WIRT_REAL_HELPER2(erfcx_derivative, special::erfcx_derivative(double(a), double(b)))
WIRT_REAL_HELPER2(exp_integral_n, special::expn(double(a), double(b)))
WIRT_REAL_HELPER2(gammainc_dx, special::gammainc_dx(double(a), double(b)))
WIRT_REAL_HELPER2(erfinv_derivative, special::erfinv_derivative(double(a), double(b)))
WIRT_REAL_HELPER2(ndtri_derivative, special::ndtri_derivative(double(a), double(b)))
#undef WIRT_REAL_HELPER
#undef WIRT_REAL_HELPER2
// The sign of a real number (the rule Sign's value), for the rules' formulas.
template <class T, std::enable_if_t<std::is_floating_point_v<T>, int> = 0> WIRT_HD T sign(const T& x) {
  return x > T(0) ? T(1) : (x < T(0) ? T(-1) : x);
}
// I₁(x)/x (or its scaled form over x), with its limit ½ at 0.
template <class T, std::enable_if_t<std::is_floating_point_v<T>, int> = 0>
WIRT_HD T i1_over_x(const T& x, const T& i1x) {
  return x == T(0) ? T(0.5) : T(i1x / x);
}

}  // namespace wirtinger
