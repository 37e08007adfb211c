"""Kummer's confluent hypergeometric function ₁F₁, evaluated in C++ (its
series, Kummer's transformation and the large-argument expansion) and
differentiable in its argument: d/dx ₁F₁(a; b; x) = (a/b)·₁F₁(a+1; b+1; x)."""
from ._common import of_parameters


def _hyp1f1_dx(a, b, x, out):
    return a / b * hyp1f1(a + 1, b + 1, x)


def hyp1f1(a, b, x):
    """₁F₁(a; b; x) = Σₖ (a)ₖ/(b)ₖ·xᵏ/k!, as ``scipy.special.hyp1f1`` for real
    arguments: a polynomial when a is a non-positive integer, inf at the poles
    b = 0, −1, −2, … otherwise. Differentiable in x; the derivative in a or b is
    not implemented and raises. Accurate to a few ulps where the series' terms
    keep one sign (a, b > 0, or x < 0 with b > a > 0 through Kummer's
    transformation); parameters that make them alternate lose digits to
    cancellation, as any summation of the series does."""
    return of_parameters("hyp1f1", a, b, x, _hyp1f1_dx)
