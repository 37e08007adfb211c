"""``scipy.special`` functions that wirtinger can differentiate.

>>> import numpy as np, wirtinger as w
>>> from wirtinger.scipy.special import logsumexp
>>> g = w.grad(lambda x: logsumexp(x))(np.array([0.0, np.log(3.0)]))  # the softmax
>>> np.round(g, 12)
array([0.25, 0.75])
"""
import numpy as np

from .. import numpy as wnp
from ..numpy._functions import _axes
from .._array import Array, Mask, real_of, result_dtype, unary
from .._primitive import nondifferentiable

__all__ = ["expit", "log_softmax", "logsumexp", "softmax"]


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
