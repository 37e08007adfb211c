"""The error function and the normal distribution: erf, erfc, erfcx (scaled),
their inverses, and the normal distribution function and its logarithm.

erf, erfc, erfcx, erfinv and ndtri are rules of the table, for real arguments
(their derivatives 2/√π·e^(−x²), its negative, 2x·erfcx(x) − 2/√π, √π/2·e^(y²)
and √(2π)·e^(p²/2) are computed without the cancellation or overflow of the
formulas as written); ndtr and log_ndtr are compositions."""
import math

from ... import numpy as wnp
from ._common import rule

_SQRT1_2 = math.sqrt(0.5)


def erf(x):
    """The error function 2/√π ∫₀ˣ e^(−t²) dt, as ``scipy.special.erf``, real x."""
    return rule("erf", x)


def erfc(x):
    """1 − erf(x), accurate where erf(x) is near 1, as ``scipy.special.erfc``, real x."""
    return rule("erfc", x)


def erfcx(x):
    """The scaled complementary error function e^(x²)·erfc(x), as
    ``scipy.special.erfcx``: finite (about 1/(x√π)) where erfc underflows."""
    return rule("erfcx", x)


def erfinv(y):
    """The inverse of erf on [−1, 1] (±inf at ±1, nan outside), as ``scipy.special.erfinv``."""
    return rule("erfinv", y)


def ndtri(p):
    """The inverse of the normal distribution function on [0, 1] (±inf at the
    ends, nan outside), as ``scipy.special.ndtri``; accurate down to the smallest p."""
    return rule("ndtri", p)


def ndtr(x):
    """The standard normal distribution function Φ(x) = erfc(−x/√2)/2, as
    ``scipy.special.ndtr``, real x; its derivative is the normal density."""
    return 0.5 * erfc(-_SQRT1_2 * wnp.asarray(x))


def log_ndtr(x):
    """log Φ(x), as ``scipy.special.log_ndtr``: finite far into the left tail
    (log Φ(x) = log(erfcx(−x/√2)/2) − x²/2 for x < −1) and accurate in the right
    one (log1p(−Φ(−x))), where log(ndtr(x)) underflows or rounds to 0."""
    x = wnp.asarray(x)
    left = x < -1
    xl = wnp.where(left, x, -2.0)
    xr = wnp.where(left, 0.0, x)
    tail = wnp.log(0.5 * erfcx(-_SQRT1_2 * xl)) - 0.5 * (xl * xl)
    return wnp.where(left, tail, wnp.log1p(-ndtr(-xr)))
