"""numpy.linalg's functions built on the decompositions: the pseudo-inverse (one
primitive, with the derivative of a matrix of constant rank), least squares,
condition numbers and ranks, norms under the array API's names, products,
and the tensor forms of solve and inv."""
from __future__ import annotations

import collections
import math

import numpy as _np

from .. import _functions as wnp
from .._joining import matrix_transpose as _matrix_transpose
from .._polynomials import vecdot as _vecdot
from ..._array import Array, concrete as _concrete, real_of as _real_of, traced as _traced, value_of as _value
from ..._primitive import nondifferentiable as _nondifferentiable, over_leading_axes as _over_leading_axes
from ._decompositions import _H, _check_matrix, _eye, _lapack, _multi_output, eigh, inv, norm, solve, svd

LstsqResult = collections.namedtuple("LstsqResult", ["x", "residuals", "rank", "s"])


def _default_rtol(a):
    return max(a.shape[-2:]) * _np.finfo(_real_of(a.dtype)).eps


@_over_leading_axes()
def _pinv(a, rcond):
    value = _lapack("pinv", _np.linalg.pinv, _value(a), rcond=rcond).astype(a.dtype)

    def jvp(ins, outs, ts):
        A, (X,), dA = ins[0], outs, ts[0]
        m, n = A.shape[-2:]
        P = _eye(m, A) - A @ X  # projector onto the complement of A's range
        Q = _eye(n, A) - X @ A
        return [-(X @ dA @ X) + X @ _H(X) @ _H(dA) @ P + Q @ _H(dA) @ _H(X) @ X]

    def vjp(ins, outs, cts, needed):
        A, (X,), C = ins[0], outs, cts[0]
        m, n = A.shape[-2:]
        P = _eye(m, A) - A @ X
        Q = _eye(n, A) - X @ A
        return (-(_H(X) @ C @ _H(X)) + P @ _H(C) @ X @ _H(X) + _H(X) @ X @ _H(C) @ Q,)

    return _multi_output("pinv", [a], [value], a.ndim - 2, jvp, vjp, lambda a: [_pinv(a, rcond)])[0]


def pinv(a, rcond=None, hermitian=False, *, rtol=None):
    """``numpy.linalg.pinv``: singular values below ``rcond`` (or ``rtol``) times the
    largest are treated as zero. The derivative is that of the pseudo-inverse on
    the matrices of the same rank (Golub and Pereyra):

        dA⁺ = −A⁺ dA A⁺ + A⁺A⁺ᴴ dAᴴ (I − AA⁺) + (I − A⁺A) dAᴴ A⁺ᴴA⁺

    At a matrix whose rank the cutoff changes, the pseudo-inverse jumps and has no derivative.
    """
    a = wnp.asarray(a)
    _check_matrix(a, "pinv", square=False)
    cutoff = rtol if rtol is not None else rcond
    if cutoff is None:
        cutoff = _default_rtol(a)
    return _pinv(a, float(_np.asarray(cutoff)))


def lstsq(a, b, rcond=None):
    """``numpy.linalg.lstsq``: (x, residuals, rank, s) with x = pinv(a) b, so its
    derivative is that of the pseudo-inverse solution (rank taken as constant).
    residuals (the squared norms of b − a x, for a full-rank a with more rows than
    columns, else empty) and s are differentiable; rank is a NumPy integer. Under
    jit or vmap the rank is a float array of the program and residuals are
    returned whenever a has more rows than columns (a shape cannot depend on values)."""
    a, b = wnp.asarray(a), wnp.asarray(b)
    _check_matrix(a, "lstsq", square=False)
    if a.ndim != 2:
        raise ValueError(f"lstsq: a must be 2-d, got shape {a.shape}")
    vector = b.ndim == 1
    if b.ndim not in (1, 2) or b.shape[0] != a.shape[0]:
        raise ValueError(f"lstsq: incompatible dimensions: a {a.shape}, b {b.shape}")
    dtype = _np.result_type(a.dtype, b.dtype)
    a, b = a.astype(dtype), b.astype(dtype)
    m, n = a.shape
    cutoff = _np.finfo(_real_of(dtype)).eps * max(m, n) if rcond is None or rcond == -1 else rcond
    x = pinv(a, rcond=cutoff) @ b
    s = svd(a, compute_uv=False)

    def rank_of(sv):
        return _np.sum(sv > cutoff * _np.max(sv, axis=-1, initial=0.0)[..., None], axis=-1).astype(sv.dtype)

    if _traced(a):
        # Traced by jit or batched by vmap: the rank is a value of the program (a float
        # array), and residuals are returned whenever m > n.
        rank = _nondifferentiable("lstsq rank", rank_of, s)
        full = m > n
    else:
        rank = int(rank_of(_np.asarray(_concrete(s))))
        full = rank == n and m > n
    if full:
        r = b - a @ x
        residuals = wnp.sum(wnp.abs2(r), axis=0)
        residuals = wnp.reshape(residuals, (1,)) if vector else residuals
    else:
        residuals = wnp.zeros((0,), dtype=_real_of(dtype))
    return LstsqResult(x, residuals, rank, s)


def matrix_rank(A, tol=None, hermitian=False, *, rtol=None):
    """``numpy.linalg.matrix_rank`` (an integer, read from the values)."""
    A = _concrete(A) if isinstance(A, Array) else _np.asarray(A)
    kwargs = {"tol": tol, "hermitian": hermitian}
    if rtol is not None:
        kwargs["rtol"] = rtol
    return _np.linalg.matrix_rank(A, **kwargs)


def svdvals(x, /):
    """The singular values, descending (``svd(x, compute_uv=False)``)."""
    return svd(x, compute_uv=False)


def eigvalsh(a, UPLO="L"):
    """The eigenvalues of a Hermitian matrix, ascending; dw = Re diag(Vᴴ sym(dA) V)."""
    return eigh(a, UPLO).eigenvalues


def cond(x, p=None):
    """``numpy.linalg.cond``: σ_max/σ_min for p None, 2, −2 (from the singular
    values), else norm(x, p)·norm(inv(x), p)."""
    x = wnp.asarray(x)
    _check_matrix(x, "cond", square=p not in (None, 2, -2))
    if p in (None, 2, -2):
        s = svdvals(x)
        return s[..., 0] / s[..., -1] if p != -2 else s[..., -1] / s[..., 0]
    return norm(x, p, axis=(-2, -1)) * norm(inv(x), p, axis=(-2, -1))


def multi_dot(arrays, *, out=None):
    """``numpy.linalg.multi_dot``, multiplied in the order that costs the fewest
    scalar products (NumPy's ordering), with 1-d ends as vectors."""
    if out is not None:
        raise TypeError("multi_dot: out= is not supported (wirtinger arrays are immutable)")
    arrs = [wnp.asarray(a) for a in arrays]
    if len(arrs) < 2:
        raise ValueError("multi_dot: expecting at least two arrays")
    first_vec, last_vec = arrs[0].ndim == 1, arrs[-1].ndim == 1
    if first_vec:
        arrs[0] = wnp.reshape(arrs[0], (1, -1))
    if last_vec:
        arrs[-1] = wnp.reshape(arrs[-1], (-1, 1))
    dims = [a.shape[0] for a in arrs] + [arrs[-1].shape[1]]
    k = len(arrs)
    cost = [[0] * k for _ in range(k)]
    split = [[0] * k for _ in range(k)]
    for length in range(1, k):
        for i in range(k - length):
            j = i + length
            cost[i][j] = math.inf
            for s in range(i, j):
                c = cost[i][s] + cost[s + 1][j] + dims[i] * dims[s + 1] * dims[j + 1]
                if c < cost[i][j]:
                    cost[i][j], split[i][j] = c, s

    def product(i, j):
        if i == j:
            return arrs[i]
        return product(i, split[i][j]) @ product(split[i][j] + 1, j)

    out = product(0, k - 1)
    if first_vec and last_vec:
        return out[0, 0]
    if first_vec:
        return out[0]
    if last_vec:
        return out[:, 0]
    return out


def vector_norm(x, /, *, axis=None, keepdims=False, ord=2):
    """The array API's vector norm: over all elements when axis is None."""
    x = wnp.asarray(x)
    if axis is None:
        out = norm(wnp.ravel(x), ord)
        return wnp.reshape(out, (1,) * x.ndim) if keepdims else out
    return norm(x, ord, axis=axis, keepdims=keepdims)


def matrix_norm(x, /, *, keepdims=False, ord="fro"):
    """The array API's matrix norm over the last two axes."""
    return norm(x, ord, axis=(-2, -1), keepdims=keepdims)


def matmul(x1, x2, /):
    return wnp.matmul(x1, x2)


def outer(x1, x2, /):
    x1, x2 = wnp.asarray(x1), wnp.asarray(x2)
    if x1.ndim != 1 or x2.ndim != 1:
        raise ValueError(f"outer: inputs must be 1-d, got shapes {x1.shape} and {x2.shape}")
    return wnp.outer(x1, x2)


def cross(x1, x2, /, *, axis=-1):
    x1, x2 = wnp.asarray(x1), wnp.asarray(x2)
    if x1.shape[axis] != 3 or x2.shape[axis] != 3:
        raise ValueError("cross: both inputs must have 3 elements along the axis (numpy.linalg.cross takes 3-vectors)")
    return wnp.cross(x1, x2, axis=axis)


def tensordot(x1, x2, /, *, axes=2):
    return wnp.tensordot(x1, x2, axes=axes)


def vecdot(x1, x2, /, *, axis=-1):
    return _vecdot(x1, x2, axis=axis)


def matrix_transpose(x, /):
    return _matrix_transpose(x)


def tensorsolve(a, b, axes=None):
    """``numpy.linalg.tensorsolve``: a reshaped to a square matrix and solved."""
    a, b = wnp.asarray(a), wnp.asarray(b)
    if axes is not None:
        axes = [ax % a.ndim for ax in axes]
        rest = [i for i in range(a.ndim) if i not in axes]
        a = wnp.transpose(a, rest + axes)
    x_shape = a.shape[b.ndim:]
    n = math.prod(x_shape)
    if math.prod(a.shape[:b.ndim]) != n:
        raise _np.linalg.LinAlgError("tensorsolve: the leading dimensions of a must multiply to the trailing ones")
    x = solve(wnp.reshape(a, (n, n)), wnp.reshape(b, (n, 1)))
    return wnp.reshape(x, x_shape)


def tensorinv(a, ind=2):
    """``numpy.linalg.tensorinv``: the inverse for tensordot over ``ind`` axes."""
    a = wnp.asarray(a)
    if ind <= 0:
        raise ValueError("tensorinv: ind must be a positive integer")
    old = a.shape
    n = math.prod(old[:ind])
    if math.prod(old[ind:]) != n:
        raise _np.linalg.LinAlgError("tensorinv: the first ind dimensions must multiply to the others")
    return wnp.reshape(inv(wnp.reshape(a, (n, -1))), old[ind:] + old[:ind])

