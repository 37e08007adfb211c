"""The polynomial functions that solve linear-algebra problems: roots (the
eigenvalues of the companion matrix), polyfit (least squares on the
Vandermonde matrix) and polydiv (long division)."""
import numpy as _np

from .._array import concrete as _concrete
from . import linalg
from ._functions import _array, concatenate, reshape, sqrt, sum, zeros
from ._joining import vander


def roots(p, *, strip_zeros=True):
    """``numpy.roots``: the eigenvalues of the companion matrix of p (leading and
    trailing zeros stripped, trailing ones giving roots at 0). The result is
    complex for every input (NumPy returns real roots as a real array when all
    are real; a dtype that depends on the values could not be traced).
    Stripping zeros reads the values; ``strip_zeros=False`` (as JAX's) takes p's
    leading coefficient as nonzero, so that roots can be traced by jit and vmap."""
    p = _array(p)
    if p.ndim != 1:
        raise ValueError("roots: input must be a rank-1 array")
    if strip_zeros:
        nz = _np.flatnonzero(_concrete(p) != 0)  # which zeros to strip: read from the values
    else:
        nz = _np.arange(p.shape[0])
    ctype = _np.result_type(p.dtype, _np.complex64)
    if nz.size == 0:
        return zeros((0,), dtype=ctype)
    trailing = p.shape[0] - int(nz[-1]) - 1
    p = p[int(nz[0]):int(nz[-1]) + 1]
    n = p.shape[0] - 1
    if n < 1:
        found = zeros((0,), dtype=ctype)
    else:
        first = reshape(-p[1:] / p[0], (1, n))
        below = _np.eye(n - 1, n, dtype=p.dtype) if n > 1 else _np.zeros((0, n), p.dtype)
        found = linalg.eigvals(concatenate([first, _array(below)], axis=0)).astype(ctype)
    return concatenate([found, zeros((trailing,), dtype=ctype)]) if trailing else found


def polyfit(x, y, deg, rcond=None, full=False, w=None, cov=False):
    """``numpy.polyfit``: the least-squares coefficients (highest power first),
    differentiable in x, y and w. ``full`` and ``cov`` are not supported."""
    if full or cov:
        raise TypeError("polyfit: full=True and cov=True are not supported; compute residuals from the fit")
    x, y = _array(x), _array(y)
    deg = int(deg)
    if deg < 0:
        raise ValueError("polyfit: expected deg >= 0")
    if x.ndim != 1 or x.shape[0] == 0:
        raise TypeError("polyfit: expected a non-empty 1-d vector for x")
    if y.ndim not in (1, 2) or y.shape[0] != x.shape[0]:
        raise TypeError("polyfit: expected y 1-d or 2-d with as many rows as x")
    lhs = vander(x, deg + 1)
    rhs = y
    if w is not None:
        w = _array(w)
        lhs = lhs * reshape(w, (-1, 1))
        rhs = rhs * (w if y.ndim == 1 else reshape(w, (-1, 1)))
    if rcond is None:
        rcond = x.shape[0] * _np.finfo(_np.float64 if x.dtype.itemsize >= 8 else _np.float32).eps
    # Columns scaled to unit norm, as NumPy does, for the conditioning of the solve.
    scale = sqrt(sum(lhs * lhs.conj(), axis=0).real)
    coef = linalg.lstsq(lhs / scale, rhs, rcond)[0]
    return (coef.T / scale).T if coef.ndim == 2 else coef / scale


def polydiv(u, v):
    """``numpy.polydiv``: (quotient, remainder) by long division, differentiable in both."""
    u, v = _array(u), _array(v)
    if u.ndim != 1 or v.ndim != 1:
        raise ValueError("polydiv: inputs must be 1-d")
    dtype = _np.result_type(u.dtype, v.dtype)
    u, v = u.astype(dtype), v.astype(dtype)
    m, n = u.shape[0] - 1, v.shape[0] - 1
    scale = 1.0 / v[0]
    r = u
    q = []
    for k in range(max(m - n + 1, 0)):
        d = scale * r[k]
        q.append(d)
        r = concatenate([r[:k], r[k:k + n + 1] - d * v, r[k + n + 1:]]) if n >= 0 else r
    quotient = _array(_np.zeros(1, dtype)) if not q else concatenate([reshape(c, (1,)) for c in q])
    rem = r[max(m - n + 1, 0):] if m >= n else r
    # NumPy strips leading (near-)zeros of the remainder down to one coefficient.
    rv = _concrete(rem)
    lead = 0
    while lead < rv.shape[0] - 1 and _np.allclose(rv[lead], 0, rtol=1e-14):
        lead += 1
    return quotient, rem[lead:]


__all__ = ["polydiv", "polyfit", "roots"]
