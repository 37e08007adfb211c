"""The gamma function and what is built on it: log-gamma, digamma and the
polygamma functions, Hurwitz's zeta, beta, Pochhammer's symbol, factorials and
binomial coefficients, Bernoulli numbers.

gamma, gammaln, loggamma and digamma are rules of the table (their derivatives
ψ and ψ' = ζ(2, ·), and ζ's own, ∂ζ(s, q)/∂q = −s ζ(s + 1, q), close the chain to
every order); the rest are compositions of them."""
import math
from fractions import Fraction

import numpy as np

from ... import numpy as wnp
from ..._array import Array, binary, concrete
from ..._primitive import nondifferentiable
from ...errors import ConcretizationError
from ._common import no_derivative, of_parameters, reals, rule
from ._logarithms import xlog1py, xlogy


def gamma(z):
    """Γ(z), as ``scipy.special.gamma``: real or complex z; poles at 0, −1, −2, ...
    (inf at ±0 with the zero's sign, nan at negative integers, as SciPy).
    Its derivative is Γ(z)ψ(z)."""
    return rule("gamma", z)


def gammaln(x):
    """log|Γ(x)| for real x, as ``scipy.special.gammaln``; its derivative is ψ(x)."""
    return rule("gammaln", x)


def loggamma(z):
    """The principal branch of log Γ(z), as ``scipy.special.loggamma``: analytic
    off the negative real axis (which it approaches from above); for real input,
    nan below 0 (where Γ changes sign). Its derivative is ψ(z)."""
    return rule("loggamma", z)


def digamma(z):
    """ψ(z) = Γ'(z)/Γ(z), as ``scipy.special.digamma`` (also ``psi``), real or
    complex; its derivative is ψ'(z) = ζ(2, z)."""
    return rule("digamma", z)


psi = digamma


_reals = reals


def _real(x, name):
    return reals(name, x)[0]


def _hurwitz(s, q):
    """ζ(s, q) by the rule, which is Euler–Maclaurin's continuation for s < 1."""
    return binary("zeta", s, q)


def zeta(x, q=None):
    """Hurwitz's ζ(x, q) = Σ (q + k)^(−x) (Riemann's ζ(x) when q is None), as
    ``scipy.special.zeta``, for real arguments: nan for x < 1 when q is given
    (SciPy's series), the analytic continuation for Riemann's. Differentiable in
    q (∂ζ/∂q = −x ζ(x + 1, q)); the derivative in x is not implemented and raises."""
    if q is not None:
        x, q = _reals("zeta", x, q)
        x = no_derivative(x, "zeta", "x")
        return wnp.where(x < 1, np.nan, _hurwitz(wnp.where(x < 1, 2.0, x), q))
    x = no_derivative(_real(x, "zeta"), "zeta", "x")
    # Riemann's: the series for x ≥ 0 (its continuation down to 0 is accurate),
    # the functional equation ζ(x) = 2^x π^(x−1) sin(πx/2) Γ(1−x) ζ(1−x) below.
    neg = x < 0
    xs = wnp.where(neg, 2.0, x)
    xn = wnp.where(neg, x, -1.0)
    reflected = (2.0 ** xn * np.pi ** (xn - 1) * wnp.sin(np.pi / 2 * xn) * gamma(1 - xn)
                 * _hurwitz(1 - xn, 1.0))
    return wnp.where(neg, reflected, _hurwitz(xs, 1.0))


def _integer_order(n, name):
    """(n, where n is a nonnegative integer) for an order n, not differentiated."""
    n = no_derivative(n, name, "n")
    return n, (n >= 0) & (wnp.floor(n) == n)


def polygamma(n, x):
    """ψ⁽ⁿ⁾(x), the n-th derivative of ψ, as ``scipy.special.polygamma``: ψ for
    n = 0, else (−1)^(n+1) n! ζ(n + 1, x); nan for n not a nonnegative integer.
    Real x; differentiable in x (ψ⁽ⁿ⁺¹⁾), not in n."""
    n, x = _reals("polygamma", n, x)
    n, valid = _integer_order(n, "polygamma")
    k = wnp.where(valid & (n > 0), n, 1.0)
    sign = wnp.where(wnp.mod(k, 2.0) == 0, -1.0, 1.0)
    higher = sign * gamma(k + 1) * _hurwitz(k + 1, x)
    return wnp.where(valid, wnp.where(n == 0, digamma(x), higher), np.nan)


def _gamma_ratio(num, den):
    """∏Γ(num)/∏Γ(den): directly where every argument is below Γ's overflow
    (exact for small integers), else the product of the signs times
    e^(Σ log|Γ(num)| − Σ log|Γ(den)|); each branch evaluated at safe points, so
    that the branch not taken contributes no 0·inf to a derivative."""
    small = None
    for v in (*num, *den):
        s = wnp.abs(v) < 170
        small = s if small is None else small & s
    direct = 1.0
    for v in num:
        direct = direct * gamma(wnp.where(small, v, 1.0))
    for v in den:
        direct = direct / gamma(wnp.where(small, v, 1.0))
    sign, logs = 1.0, 0.0
    for v, s in [(v, 1) for v in num] + [(v, -1) for v in den]:
        large = wnp.where(small, 1.0, v)
        sign = sign * gammasgn(large)
        logs = logs + s * gammaln(large)
    return wnp.where(small, direct, sign * wnp.exp(logs))


def beta(a, b):
    """B(a, b) = Γ(a)Γ(b)/Γ(a + b), as ``scipy.special.beta``, for real a, b."""
    a, b = _reals("beta", a, b)
    return _gamma_ratio([a, b], [a + b])


def betaln(a, b):
    """log|B(a, b)| = log|Γ(a)| + log|Γ(b)| − log|Γ(a + b)|, as ``scipy.special.betaln``.
    (A difference of large logarithms: for a or b beyond about 10⁶ it keeps an
    absolute, not a relative, accuracy of about 10⁻¹⁶·log Γ.)"""
    a, b = _reals("betaln", a, b)
    return gammaln(a) + gammaln(b) - gammaln(a + b)


def poch(z, m):
    """Pochhammer's rising factorial (z)ₘ = Γ(z + m)/Γ(z), as ``scipy.special.poch``:
    1 for m = 0; 0 where z is a pole of Γ and z + m is not, inf the other way
    round, and the limit (−1)^m Γ(1 − z)/Γ(1 − z − m) where both are."""
    z, m = _reals("poch", z, m)
    zero = m == 0
    ms = wnp.where(zero, 1.0, m)
    zm = z + ms
    pole, pole_m = (z <= 0) & (wnp.floor(z) == z), (zm <= 0) & (wnp.floor(zm) == zm)
    ordinary = ~pole & ~pole_m
    value = _gamma_ratio([wnp.where(ordinary, zm, 1.0)], [wnp.where(ordinary, z, 1.0)])
    # Both poles (z and m integers): the limit (−1)^m Γ(1 − z)/Γ(1 − z − m).
    both = pole & pole_m
    zb, mb = wnp.where(both, z, 0.0), wnp.where(both, ms, 0.0)
    limit = wnp.where(wnp.mod(mb, 2.0) == 0, 1.0, -1.0) * _gamma_ratio([1 - zb], [1 - zb - mb])
    return wnp.where(zero, 1.0, wnp.where(ordinary, value, wnp.where(both, limit, wnp.where(pole, 0.0, np.inf))))


def multigammaln(a, d):
    """The logarithm of the multivariate gamma function of dimension d, as
    ``scipy.special.multigammaln``: d(d−1)/4·log π + Σⱼ log Γ(a − j/2), j < d.
    Needs a > (d − 1)/2: a ValueError for concrete a, as SciPy's; nan where a
    traced value (jit, vmap) leaves the domain."""
    d = int(d)
    if d < 1:
        raise ValueError(f"multigammaln: the dimension d must be a positive integer, got {d}")
    a = _real(a, "multigammaln")
    try:
        values = concrete(a)
    except ConcretizationError:  # traced (jit, vmap): nan where the domain is left instead
        values = None
    if values is not None and np.any(np.asarray(values) <= 0.5 * (d - 1)):
        raise ValueError(f"multigammaln: needs a > (d - 1)/2 = {0.5 * (d - 1)}, got a = {values}")
    total = gammaln(a)
    for j in range(1, d):
        total = total + gammaln(a - 0.5 * j)
    total = total + d * (d - 1) / 4 * math.log(math.pi)
    return total if values is not None else wnp.where(a <= 0.5 * (d - 1), np.nan, total)


def _gammasgn_values(x):
    x = np.asarray(x, dtype=np.result_type(x, np.float64))
    with np.errstate(invalid="ignore"):
        pole = (x < 0) & (np.floor(x) == x) | np.isnan(x) | (x == -np.inf)
        odd = np.mod(np.floor(x), 2) == 1
        sign = np.where(x > 0, 1.0, np.where(x == 0, np.where(np.signbit(x), -1.0, 1.0), np.where(odd, -1.0, 1.0)))
    return np.where(pole, np.nan, sign).astype(x.dtype)


def gammasgn(x):
    """The sign of Γ(x) (±1; nan at the poles −1, −2, ... and for nan or −inf;
    −1 at −0), as ``scipy.special.gammasgn``. Piecewise constant: derivative 0."""
    return nondifferentiable("gammasgn", _gammasgn_values, _real(x, "gammasgn"))


def factorial(n, exact=False):
    """n! = Γ(n + 1), 0 for n < 0, as ``scipy.special.factorial``: differentiable
    (through Γ) for real n. ``exact=True`` gives Python's exact integers, for
    concrete nonnegative integer n, and no derivative."""
    if exact:
        values = concrete(n) if isinstance(n, Array) else np.asarray(n)
        if values is None:
            raise TypeError("factorial: exact=True needs concrete integers (it has no derivative and no traced form)")
        values = np.asarray(values)
        if values.dtype.kind not in "iu":
            raise ValueError(f"factorial: exact=True needs integer input, got {values.dtype}")
        out = [math.factorial(int(v)) if v >= 0 else 0 for v in values.ravel()]
        return out[0] if values.ndim == 0 else np.array(out, dtype=object if max(out, default=0) > 2**63 - 1
                                                          else np.int64).reshape(values.shape)
    n = _real(n, "factorial")
    neg = n < 0
    return wnp.where(neg, 0.0, gamma(wnp.where(neg, 0.0, n) + 1))


def comb(N, k, *, exact=False, repetition=False):
    """The binomial coefficient N choose k, as ``scipy.special.comb``:
    Γ(N + 1)/(Γ(k + 1)Γ(N − k + 1)) where 0 ≤ k ≤ N, else 0; with
    ``repetition=True``, comb(N + k − 1, k). Differentiable in real N and k.
    ``exact=True`` gives Python's exact integers, for concrete integers."""
    if exact:
        vals = [concrete(v) if isinstance(v, Array) else np.asarray(v) for v in (N, k)]
        if any(v is None for v in vals):
            raise TypeError("comb: exact=True needs concrete integers (it has no derivative and no traced form)")
        n_, k_ = (int(v) for v in vals)
        if repetition:
            n_ = n_ + k_ - 1
        return math.comb(n_, k_) if 0 <= k_ <= n_ and n_ >= 0 else 0
    N, k = _reals("comb", N, k)
    if repetition:
        N = N + k - 1
    inside = (k <= N) & (N >= 0) & (k >= 0)
    Ns, ks = wnp.where(inside, N, 1.0), wnp.where(inside, k, 0.0)
    return wnp.where(inside, _gamma_ratio([Ns + 1], [ks + 1, Ns - ks + 1]), 0.0)


def _bernoulli_numbers(n):
    """B₀ … Bₙ exactly (B₁ = −½, as SciPy), by the Akiyama–Tanigawa recurrence."""
    out, row = [], []
    for m in range(n + 1):
        row.append(Fraction(1, m + 1))
        for j in range(m, 0, -1):
            row[j - 1] = j * (row[j - 1] - row[j])
        out.append(row[0])
    if n >= 1:
        out[1] = Fraction(-1, 2)
    return out


def _incomplete(a, x, name):
    a, x = reals(name, a, x)
    a = no_derivative(a, name, "a")
    bad = (a < 0) | (x < 0)
    return wnp.where(bad, np.nan, binary(name, wnp.where(bad, 1.0, a), wnp.where(bad, 1.0, x)))


def gammainc(a, x):
    """The regularized lower incomplete gamma function P(a, x) =
    γ(a, x)/Γ(a), as ``scipy.special.gammainc``, for a, x ≥ 0 (nan below).
    Differentiable in x (x^(a−1)e^(−x)/Γ(a)); the derivative in a is not
    implemented and raises."""
    return _incomplete(a, x, "gammainc")


def gammaincc(a, x):
    """The regularized upper incomplete gamma function Q(a, x) = 1 − P(a, x),
    accurate where P is near 1, as ``scipy.special.gammaincc``."""
    return _incomplete(a, x, "gammaincc")


def bernoulli(n):
    """The Bernoulli numbers B₀, …, Bₙ as a float array, as ``scipy.special.bernoulli``
    (B₁ = −½). A function of an integer: no derivative."""
    n = int(concrete(n) if isinstance(n, Array) else n)
    if n < 0:
        raise ValueError(f"bernoulli: n must be a nonnegative integer, got {n}")
    return np.array([float(b) for b in _bernoulli_numbers(n)])


def _betainc_dx(a, b, x, out):
    return wnp.exp(xlogy(a - 1, x) + xlog1py(b - 1, -x) - betaln(a, b))


def betainc(a, b, x):
    """The regularized incomplete beta function I_x(a, b) = ∫₀ˣ tᵃ⁻¹(1−t)ᵇ⁻¹ dt / B(a, b),
    as ``scipy.special.betainc``, for a, b ≥ 0 and 0 ≤ x ≤ 1 (nan elsewhere).
    Evaluated by its continued fraction (with I_x(a, b) = 1 − I₁₋ₓ(b, a) above the
    mean); differentiable in x (x^(a−1)(1−x)^(b−1)/B(a, b)); the derivative in a
    or b is not implemented and raises."""
    return of_parameters("betainc", {"a": a, "b": b}, x, _betainc_dx)
