"""The modified Bessel functions of the first kind of orders 0 and 1, and their
exponentially scaled forms, for real arguments: rules of the table, whose
derivatives are each other's (I₀' = I₁, I₁' = I₀ − I₁/x, ½ at 0)."""
from ._common import rule


def i0(x):
    """I₀(x), as ``scipy.special.i0`` (and ``numpy.i0``), real x."""
    return rule("i0", x)


def i1(x):
    """I₁(x), as ``scipy.special.i1``, real x."""
    return rule("i1", x)


def i0e(x):
    """e^(−|x|)·I₀(x), as ``scipy.special.i0e``: finite where I₀ overflows."""
    return rule("i0e", x)


def i1e(x):
    """e^(−|x|)·I₁(x), as ``scipy.special.i1e``: finite where I₁ overflows."""
    return rule("i1e", x)
