"""The exponential integrals E₁, Ei and Eₙ, rules of the table for real
arguments (E₁' = −e^(−x)/x, Ei' = eˣ/x, Eₙ' = −Eₙ₋₁; the order n has no
derivative)."""
import numpy as np

from ... import numpy as wnp
from ..._array import binary
from ._common import no_derivative, reals, rule


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
