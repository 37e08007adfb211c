"""The logarithmic functions of ``scipy.special``: logsumexp and the softmax,
the logistic function, the entropies and the dilogarithm (spence), as
compositions (expit: a rule)."""
import numpy as np

from ... import numpy as wnp
from ...numpy._functions import _axes
from ..._array import Array, Mask, real_of, result_dtype, unary
from ..._primitive import nondifferentiable
from ._common import reals
from ._quadrature import at_nodes, on_unit_interval


def expit(x):
    """The logistic function ``1 / (1 + exp(-x))``, as ``scipy.special.expit``.

    A primitive of the rule table: its derivative ``expit(x) (1 - expit(x))``
    is computed from the value, so it stays finite where ``exp(-x)`` overflows.
    It is holomorphic and accepts complex input (SciPy's accepts real only).
    """
    return unary("expit", x)


def _logsumexp_parts(a, axis, b):
    """(shifted log of the sum without the shift, shift, axes, input rank): the
    sum of b·exp(a − m) with m the largest real part, a constant."""
    dtype = result_dtype(a) if b is None else result_dtype(a, b)
    a = wnp.asarray(a, dtype)
    if b is not None:
        b = wnp.asarray(b, dtype)
        shape = np.broadcast_shapes(a.shape, b.shape)
        a, b = wnp.broadcast_to(a, shape), wnp.broadcast_to(b, shape)
    if a.ndim == 0:  # SciPy works on at least 1-d input
        a = wnp.reshape(a, (1,))
        b = None if b is None else wnp.reshape(b, (1,))
    axes = _axes(axis, a.ndim, "logsumexp")
    if b is not None:
        ignored = b == 0  # SciPy: a zero weight drops the term, even an infinite or nan one
        if isinstance(ignored, Mask) or np.any(ignored):  # a Mask: traced by jit, decided on replay
            a = wnp.where(ignored, -np.inf, a)

    end = tuple(d - a.ndim for d in axes)  # from the end: the function maps over leading (vmap's) axes

    def shift(values):
        re = np.real(values)
        if not re.size:
            return np.zeros(tuple(1 if d - re.ndim in end else s for d, s in enumerate(re.shape)), real_of(dtype))
        m = np.max(re, axis=end, keepdims=True)
        return np.where(np.isfinite(m), m, 0.0).astype(real_of(dtype))

    # A primitive, not a constant, so that jit recomputes the shift on replay.
    m = nondifferentiable("logsumexp shift", shift, a)
    terms = wnp.exp(a - m)
    if b is not None:
        terms = b * terms
    return wnp.sum(terms, axis=axes, keepdims=True), m, axes


def logsumexp(a, axis=None, b=None, keepdims=False, return_sign=False):
    """``log(sum(b * exp(a)))`` over ``axis``, as ``scipy.special.logsumexp``,
    computed stably (shifted by the largest real part) and differentiable in
    ``a`` and ``b``: its gradient is the softmax, never an overflow.

    * ``b`` (broadcast against ``a``) scales the terms and may be negative; a
      term with weight 0 is dropped even where ``a`` is infinite or nan.
    * ``return_sign=True`` returns ``(log|s|, sign(s))`` for the sum ``s``: the
      sign is ±1 or 0 for real input and the unit phase ``s/|s|`` for complex
      input. Without it, a negative real sum gives nan, as SciPy's.
    * Complex input gives the principal logarithm of the sum (imaginary part in
      (−π, π]), as SciPy's.
    """
    s, m, axes = _logsumexp_parts(a, axis, b)
    if return_sign:
        out, sgn = wnp.log(wnp.abs(s)) + m, wnp.sign(s)
    else:
        out, sgn = wnp.log(s) + m, None
    if not keepdims:
        shape = tuple(n for d, n in enumerate(out.shape) if d not in axes)
        out = wnp.reshape(out, shape)
        sgn = None if sgn is None else wnp.reshape(sgn, shape)
    return (out, sgn) if return_sign else out


def softmax(x, axis=None):
    """``exp(x) / sum(exp(x))`` over ``axis``, as ``scipy.special.softmax``, stably."""
    return wnp.exp(log_softmax(x, axis=axis))


def log_softmax(x, axis=None):
    """``x - logsumexp(x, axis, keepdims=True)``, as ``scipy.special.log_softmax``."""
    x = x if isinstance(x, Array) else wnp.asarray(x)
    return x - logsumexp(x, axis=axis, keepdims=True)


# ---------------------------------------------------------------- logarithmic compositions
# Each takes its special value (0 where x = 0, inf outside the domain) with a
# select whose unused branch is evaluated at a safe point, so that the branch not
# taken contributes a zero derivative rather than 0·inf = nan.
def _safe(cond, x, fill):
    return wnp.where(cond, fill, x)


def xlogy(x, y):
    """``x * log(y)``, 0 where x = 0 (whatever y), as ``scipy.special.xlogy``."""
    x, y = wnp.asarray(x), wnp.asarray(y)
    zero = x == 0
    return wnp.where(zero, 0.0, x * wnp.log(_safe(zero, y, 1.0)))


def xlog1py(x, y):
    """``x * log1p(y)``, 0 where x = 0, as ``scipy.special.xlog1py``."""
    x, y = wnp.asarray(x), wnp.asarray(y)
    zero = x == 0
    return wnp.where(zero, 0.0, x * wnp.log1p(_safe(zero, y, 0.0)))


def logit(x):
    """``log(x / (1 - x))``, as ``scipy.special.logit``; its derivative is 1/(x(1−x))."""
    x = wnp.asarray(x)
    return wnp.log(x) - wnp.log1p(-x)


def _real(x, name):
    x = wnp.asarray(x)
    if x.dtype.kind == "c":
        raise TypeError(f"{name}: defined for real arrays only, got {x.dtype}")
    return x


def entr(x):
    """``-x log x`` for x > 0, 0 at 0 and −inf below, as ``scipy.special.entr``."""
    x = _real(x, "entr")
    pos = x > 0
    safe = wnp.where(pos, x, 1.0)
    return wnp.where(pos, -safe * wnp.log(safe), wnp.where(x == 0, 0.0, -np.inf)).astype(x.dtype)


def _relative(x, y, name, extra):
    x, y = _real(x, name), _real(y, name)
    both = (x > 0) & (y > 0)
    safe_x = wnp.where(both, x, 1.0)
    safe_y = wnp.where(both, y, 1.0)
    inside = safe_x * (wnp.log(safe_x) - wnp.log(safe_y))
    if extra:
        inside = inside - safe_x + safe_y
    edge = (x == 0) & (y >= 0)
    return wnp.where(both, inside, wnp.where(edge, y if extra else 0.0, np.inf)).astype(inside.dtype)


def rel_entr(x, y):
    """``x log(x/y)`` for x, y > 0; 0 for x = 0 ≤ y; inf otherwise (``scipy.special.rel_entr``)."""
    return _relative(x, y, "rel_entr", False)


def kl_div(x, y):
    """``x log(x/y) − x + y`` for x, y > 0; y for x = 0 ≤ y; inf otherwise (``scipy.special.kl_div``)."""
    return _relative(x, y, "kl_div", True)


def _boxcox(logx, lmbda):
    lmbda = wnp.asarray(lmbda)
    zero = lmbda == 0
    safe = wnp.where(zero, 1.0, lmbda)
    return wnp.where(zero, logx, wnp.expm1(safe * logx) / safe)


def boxcox(x, lmbda):
    """The Box–Cox transform ``(x**λ − 1)/λ`` (log x at λ = 0), as ``scipy.special.boxcox``."""
    return _boxcox(wnp.log(_real(x, "boxcox")), _real(lmbda, "boxcox"))


def boxcox1p(x, lmbda):
    """``boxcox(1 + x, λ)``, accurate for small x, as ``scipy.special.boxcox1p``."""
    return _boxcox(wnp.log1p(_real(x, "boxcox1p")), _real(lmbda, "boxcox1p"))


_ZETA2 = np.pi ** 2 / 6


def _spence_near_one(x):
    # −∫₀¹ log(1 + (x−1)s)/s ds for x in [½, 2]: the integrand's singularity,
    # s = 1/(1−x), stays at least 1 away from the interval.
    s, w = on_unit_interval(24, x.dtype)
    return -((wnp.log1p(at_nodes(x - 1) * s) / s) @ w)


def _spence_below_half(x):
    # Euler's reflection spence(x) = π²/6 − log(x)·log(1−x) − spence(1−x), 0 < x < ½.
    return _ZETA2 - wnp.log(x) * wnp.log1p(-x) - _spence_near_one(1 - x)


def spence(x):
    """Spence's function ∫₁ˣ log(t)/(1 − t) dt = Li₂(1 − x), as ``scipy.special.spence``
    for real x ≥ 0 (nan below); its derivative is log(x)/(1 − x).

    On [½, 2] a Gauss rule; below ½ Euler's reflection, above 2 the inversion
    spence(x) = −spence(1/x) − log²(x)/2, each mapping to [½, 2]."""
    (x,) = reals("spence", x)
    mid = (x >= 0.5) & (x <= 2)
    low = (x > 0) & (x < 0.5)
    high = x > 2
    at_mid = _spence_near_one(wnp.where(mid, x, 1.0))
    at_low = _spence_below_half(wnp.where(low, x, 0.25))
    xh = wnp.where(high, x, 4.0)
    lh = wnp.log(xh)
    at_high = -_spence_below_half(1 / xh) - 0.5 * (lh * lh)
    out = wnp.where(mid, at_mid, wnp.where(low, at_low, wnp.where(high, at_high, _ZETA2)))
    out = wnp.where(x == np.inf, -np.inf, out)
    return wnp.where((x < 0) | wnp.isnan(x), np.nan, out)
