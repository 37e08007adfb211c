"""Fixed Gauss rules for the special functions that are integrals of smooth,
non-oscillating integrands over a finite or a half-infinite interval.

A function computed this way is a composition: its integrand, evaluated at all
nodes along one more trailing axis, is made of operations wirtinger
differentiates, so the derivative (of any order) is the quadrature of the
integrand's derivative, as accurate as the value. Each caller chooses its
intervals so that the integrand is analytic well beyond them, where these
rules converge geometrically; the node counts were chosen against SciPy."""
import functools

import numpy as np

from ... import numpy as wnp


def _legendre_p(n, x):
    # (Pₙ(x), Pₙ'(x)) by the three-term recurrence.
    p0, p1 = np.ones_like(x), x.copy()
    for k in range(2, n + 1):
        p0, p1 = p1, ((2 * k - 1) * x * p1 - (k - 1) * p0) / k
    return p1, n * (x * p1 - p0) / (x * x - 1)


def _laguerre_l(n, x):
    # (Lₙ(x), Lₙ'(x)) by the three-term recurrence.
    l0, l1 = np.ones_like(x), 1 - x
    for k in range(2, n + 1):
        l0, l1 = l1, ((2 * k - 1 - x) * l1 - (k - 1) * l0) / k
    return l1, n * (l1 - l0) / x


# NumPy's nodes come from an eigenvalue problem and its weights are off by up to
# about 10⁻¹³ for these n; Newton's method on the polynomial itself brings both
# to the last bit.
def _polished(x, poly, n):
    """The roots x of ``poly(n, ·)`` refined, and the derivative there."""
    for _ in range(3):
        p, dp = poly(n, x)
        x = x - p / dp
    return x, poly(n, x)[1]


@functools.lru_cache(maxsize=None)
def _legendre(n):
    x, dp = _polished(np.polynomial.legendre.leggauss(n)[0], _legendre_p, n)
    return (x + 1) / 2, 1 / ((1 - x * x) * dp * dp)


@functools.lru_cache(maxsize=None)
def _laguerre(n):
    x, dp = _polished(np.polynomial.laguerre.laggauss(n)[0], _laguerre_l, n)
    return x, 1 / (x * dp * dp)


def on_unit_interval(n, dtype):
    """Gauss–Legendre nodes and weights for ∫₀¹ f(s) ds, in dtype's precision."""
    s, w = _legendre(n)
    return s.astype(dtype), w.astype(dtype)


def against_exp(n, dtype):
    """Gauss–Laguerre nodes and weights for ∫₀^∞ e^(−u) f(u) du."""
    u, w = _laguerre(n)
    return u.astype(dtype), w.astype(dtype)


def at_nodes(x):
    """x with one more trailing axis, along which the nodes run."""
    return wnp.expand_dims(x, -1)
