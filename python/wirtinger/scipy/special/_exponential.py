"""The exponential integrals E₁, Ei and Eₙ, rules of the table for real
arguments (E₁' = −e^(−x)/x, Ei' = eˣ/x, Eₙ' = −Eₙ₋₁; the order n has no
derivative), and the sine and cosine integrals (those of imaginary argument),
a composition of Gauss rules."""
import numpy as np

from ... import numpy as wnp
from ..._array import binary
from ._common import no_derivative, reals, rule
from ._quadrature import against_exp, at_nodes, on_unit_interval


def exp1(x):
    """E₁(x) = ∫₁^∞ e^(−xt)/t dt for x ≥ 0 (inf at 0, nan below), as
    ``scipy.special.exp1``, real x."""
    return rule("exp1", x)


def expi(x):
    """The exponential integral Ei(x) (principal value; −inf at 0), as
    ``scipy.special.expi``, real x."""
    return rule("expi", x)


def expn(n, x):
    """Eₙ(x) = ∫₁^∞ e^(−xt)/tⁿ dt for integer n ≥ 0 (truncated toward 0, as SciPy)
    and x ≥ 0, as ``scipy.special.expn``; nan for n < 0 or x < 0. Differentiable
    in x (−Eₙ₋₁(x)), not in n."""
    n, x = reals("expn", n, x)
    n = no_derivative(n, "expn", "n")
    bad = (n < 0) | (x < 0)
    return wnp.where(bad, np.nan, binary("expn", wnp.where(bad, 1.0, n), wnp.where(bad, 1.0, x)))


def sici(x):
    """The sine and cosine integrals (Si(x), Ci(x)), Si = ∫₀ˣ sin(t)/t dt and
    Ci = γ + log|x| − ∫₀^|x| (1 − cos t)/t dt, as ``scipy.special.sici`` for real x
    (Ci even, −inf at 0); Si' = sin(x)/x, Ci' = cos(x)/x.

    For |x| ≤ 4 the integrals over [0, x], whose integrands are entire; beyond,
    Si = π/2 − f cos x − g sin x and Ci = f sin x − g cos x with the auxiliary
    functions f = ∫₀^∞ e^(−xt)/(1+t²) dt and g = ∫₀^∞ t e^(−xt)/(1+t²) dt."""
    (x,) = reals("sici", x)
    s, w = on_unit_interval(40, x.dtype)
    ax = wnp.abs(x)
    near = ax <= 4
    huge = ax > 1e250  # f and g vanish; cos and sin of inf would not
    xn = wnp.where(near, x, 1.0)
    y = at_nodes(xn) * s
    si_near = xn * (wnp.sinc(y / np.pi) @ w)
    half = y / 2
    sinc_half = wnp.sinc(half / np.pi)
    ci_near = np.euler_gamma + wnp.log(wnp.abs(xn)) - xn * ((half * sinc_half * sinc_half) @ w)
    u, wu = against_exp(60, x.dtype)
    xf = wnp.where(near | huge, 5.0, ax)
    r = u / at_nodes(xf)
    damp = 1 / (1 + r * r)
    f = (damp @ wu) / xf
    g = ((r * damp) @ wu) / xf
    c, sn = wnp.cos(xf), wnp.sin(xf)
    si_far = wnp.sign(x) * wnp.where(huge, np.pi / 2, np.pi / 2 - f * c - g * sn)
    ci_far = wnp.where(huge, 0.0, f * sn - g * c)
    return wnp.where(near, si_near, si_far), wnp.where(near, ci_near, ci_far)
