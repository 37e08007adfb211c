"""Kummer's confluent hypergeometric function ₁F₁ and Gauss's ₂F₁, evaluated
in C++ (series, Kummer's and Pfaff's transformations, the connection to 1 − x,
the large-argument expansion) and differentiable in their argument:
d/dx ₁F₁(a; b; x) = (a/b)·₁F₁(a+1; b+1; x), d/dx ₂F₁(a, b; c; x) = (ab/c)·₂F₁(a+1, b+1; c+1; x)."""
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
    return of_parameters("hyp1f1", {"a": a, "b": b}, x, _hyp1f1_dx)


def _hyp2f1_dx(a, b, c, x, out):
    return a * b / c * hyp2f1(a + 1, b + 1, c + 1, x)


def hyp2f1(a, b, c, x):
    """₂F₁(a, b; c; x) = Σₖ (a)ₖ(b)ₖ/((c)ₖ k!)·xᵏ, as ``scipy.special.hyp2f1`` for
    real arguments and x ≤ 1: a polynomial (any x) when a or b is a non-positive
    integer, inf at the poles c = 0, −1, … otherwise, Gauss's value at x = 1 (inf
    where c − a − b ≤ 0); nan for x > 1, where the function is complex (SciPy
    returns inf there). Differentiable in x; the derivative in a, b or c is not
    implemented and raises. Beyond 0.9 through the connection formula to 1 − x, or
    its limit where c − a − b is an integer (within 10⁻⁴ of 1, where c − a − b is
    within δ < 10⁻³ of an integer but not one, about log₁₀(1/δ) digits are lost),
    below −½ through Pfaff's transformation; parameters that make the terms
    alternate lose digits to cancellation."""
    return of_parameters("hyp2f1", {"a": a, "b": b, "c": c}, x, _hyp2f1_dx)
