"""Matrix functions: the exponential (with its Fréchet derivative), the
principal square root, general functions of a matrix (Schur–Parlett), and the
polar decomposition.

The exponential and the square root are primitives: their values come from
NumPy (scaling and squaring with a degree-13 Padé approximant, chosen from the
1-norm of each matrix, as Al-Mohy and Higham; the square root from the Schur
form), and their derivatives are exact, not differences:

* d expm(A)[E] is the Fréchet derivative L(A, E), the upper-right block of
  expm([[A, E], [0, A]]), and its adjoint is L(Aᴴ, ·). Both are computed by
  this same primitive, so derivatives of every order follow.
* d sqrtm(A)[E] = X solves S X + X S = E (S = sqrtm(A)); the adjoint solves
  Sᴴ Y + Y Sᴴ = C.

``funm`` differentiates f over the eigendecomposition (see its docstring)."""
import math

import numpy as _np

from ... import _engine, numpy as wnp
from ..._array import value_of as _value
from ...numpy._statistics import stop_gradient
from ..._primitive import nondifferentiable as _nondifferentiable
from ..._primitive import over_leading_axes as _over_leading_axes
from ...numpy import linalg as _la
from ...numpy.linalg._decompositions import _H, _multi_output
from ._factorizations import _square, schur, solve_sylvester

# Higham (2005): the coefficients of the degree-13 Padé approximant of exp and
# the largest 1-norm for which it is accurate to double precision unscaled.
_PADE13 = (64764752532480000.0, 32382376266240000.0, 7771770303897600.0, 1187353796428800.0, 129060195264000.0,
           10559470521600.0, 670442572800.0, 33522128640.0, 1323241920.0, 40840800.0, 960960.0, 16380.0, 182.0, 1.0)
_THETA13 = 5.371920351148152


def _expm_value(a):
    """exp of one square matrix (NumPy), by scaling and squaring."""
    n = a.shape[0]
    if n == 0:
        return a.copy()
    norm1 = float(_np.max(_np.sum(_np.abs(a), axis=0)))
    s = max(0, int(math.ceil(math.log2(norm1 / _THETA13)))) if norm1 > _THETA13 else 0
    A = a / (2.0 ** s)
    ident = _np.eye(n, dtype=a.dtype)
    A2 = A @ A
    A4 = A2 @ A2
    A6 = A4 @ A2
    b = _PADE13
    U = A @ (A6 @ (b[13] * A6 + b[11] * A4 + b[9] * A2) + b[7] * A6 + b[5] * A4 + b[3] * A2 + b[1] * ident)
    V = A6 @ (b[12] * A6 + b[10] * A4 + b[8] * A2) + b[6] * A6 + b[4] * A4 + b[2] * A2 + b[0] * ident
    R = _np.linalg.solve(V - U, V + U)
    for _ in range(s):
        R = R @ R
    return R


def _block(a, e):
    """[[a, e], [0, a]] over the last two axes."""
    z = wnp.zeros_like(a)
    return wnp.concatenate([wnp.concatenate([a, e], axis=-1), wnp.concatenate([z, a], axis=-1)], axis=-2)


@_over_leading_axes()
def _expm(a):
    n = a.shape[-1]
    flat = _value(a).reshape((-1, n, n))
    value = _np.asarray([_expm_value(m) for m in flat], dtype=a.dtype).reshape(a.shape)

    def frechet(at, e):
        return _expm(_block(at, e))[..., :n, n:]

    def jvp(ins, outs, ts):
        return [frechet(ins[0], ts[0])]

    def vjp(ins, outs, cts, needed):
        return (frechet(_H(ins[0]), cts[0]),)

    return _multi_output("expm", [a], [value], a.ndim - 2, jvp, vjp, lambda a: [_expm(a)])[0]


def expm(A):
    """``scipy.linalg.expm`` over the last two axes (batched); exact derivatives
    of every order through the Fréchet derivative."""
    A = _square(A, "expm")
    return _expm(A)


def expm_frechet(A, E, method=None, compute_expm=True, check_finite=True):
    """``scipy.linalg.expm_frechet``: (expm(A), L(A, E)), or L alone with
    compute_expm=False; differentiable in A and E."""
    A, E = wnp.asarray(A), wnp.asarray(E)
    if A.shape != E.shape or A.ndim != 2 or A.shape[0] != A.shape[1]:
        raise ValueError("expm_frechet: expected A and E to be square matrices of the same shape")
    dtype = _np.result_type(A.dtype, E.dtype)
    n = A.shape[0]
    big = expm(_block(A.astype(dtype), E.astype(dtype)))
    L = big[:n, n:]
    return (big[:n, :n], L) if compute_expm else L


# ---------------------------------------------------------------- square root
def _sqrtm_triangular(T):
    """The principal square root of an upper triangular T (Björck and Hammarling)."""
    n = T.shape[0]
    R = _np.zeros_like(T)
    d = _np.sqrt(_np.diag(T))
    R[_np.arange(n), _np.arange(n)] = d
    for j in range(n):
        for i in range(j - 1, -1, -1):
            s = R[i, i + 1:j] @ R[i + 1:j, j] if j - i > 1 else 0
            R[i, j] = (T[i, j] - s) / (R[i, i] + R[j, j])
    return R


@_over_leading_axes()
def _sqrtm(a):
    n = a.shape[-1]
    flat = _value(a).reshape((-1, n, n))
    out = []
    for m in flat:
        T, Z = schur(wnp.asarray(m.astype(_np.complex128)), output="complex")
        T, Z = _np.asarray(_value(T)), _np.asarray(_value(Z))
        X = Z @ _sqrtm_triangular(T) @ Z.conj().T
        out.append(X.real if a.dtype.kind != "c" and _np.allclose(X.imag, 0, atol=1e-12 * max(1, _np.abs(X).max()))
                   else X)
    kind = a.dtype if all(o.dtype.kind != "c" for o in out) else _np.result_type(a.dtype, _np.complex64)
    value = _np.asarray(out).astype(kind).reshape(a.shape)

    def jvp(ins, outs, ts):
        S = outs[0]
        return [_sylvester_batched(S, S, ts[0].astype(S.dtype))]

    def vjp(ins, outs, cts, needed):
        S = outs[0]
        return (_sylvester_batched(_H(S), _H(S), cts[0]),)

    return _multi_output("sqrtm", [a], [value], a.ndim - 2, jvp, vjp, lambda a: [_sqrtm(a)])[0]


def _sylvester_batched(a, b, q):
    if a.ndim == 2:
        return solve_sylvester(a, b, q)
    return wnp.stack([_sylvester_batched(a[i], b[i], q[i]) for i in range(a.shape[0])])


def sqrtm(A, disp=True, blocksize=64):
    """``scipy.linalg.sqrtm``: the principal square root (real for a real matrix
    whose square root is real, else complex), through the Schur form."""
    A = _square(A, "sqrtm")
    return _sqrtm(A)


# ---------------------------------------------------------------- general functions
def _parlett(T, f_diag):
    """f(T) for an upper triangular T with distinct diagonal (Parlett's recurrence)."""
    n = T.shape[0]
    F = _np.zeros_like(T, dtype=_np.result_type(T.dtype, f_diag.dtype))
    F[_np.arange(n), _np.arange(n)] = f_diag
    for p in range(1, n):
        for i in range(n - p):
            j = i + p
            s = T[i, j] * (F[j, j] - F[i, i])
            k = _np.arange(i + 1, j)
            if k.size:
                s += T[i, k] @ F[k, j] - F[i, k] @ T[k, j]
            den = T[j, j] - T[i, i]
            F[i, j] = s / den
    return F


def funm(A, func, disp=True):
    """``scipy.linalg.funm``: f(A) for f applied to arrays element-wise (it gets
    the eigenvalues). The value comes from the Schur–Parlett method (distinct
    eigenvalues). The derivative is that of V diag(f(w)) V⁻¹ over the
    eigendecomposition, with f applied to a wirtinger array of the eigenvalues:
    write f with NumPy ufuncs or wirtinger.numpy so that it is differentiable."""
    A = wnp.asarray(A)
    if A.ndim != 2 or A.shape[0] != A.shape[1]:
        raise ValueError(f"funm: expected a square matrix, got shape {A.shape}")
    value = _nondifferentiable("funm", lambda a: _funm_value(a, func), A)
    if not _engine.is_tracked(A._v) and not isinstance(A._v, _engine.Batched):
        return value
    w, V = _la.eig(A)
    try:
        fw = wnp.asarray(func(w))
    except TypeError as e:
        raise TypeError(f"funm: differentiating f(A) applies func to a wirtinger array of the eigenvalues, and "
                        f"func raised: {e}. Write func with NumPy ufuncs or wirtinger.numpy functions") from None
    D = (V * fw) @ _la.inv(V)
    D = wnp.real(D) if value.dtype.kind != "c" else D
    return value + (D - stop_gradient(D))


def _funm_value(a, func):
    T, Z = schur(wnp.asarray(a.astype(_np.complex128)), output="complex")
    T, Z = _np.asarray(_value(T)), _np.asarray(_value(Z))
    F = _parlett(T, _np.asarray(func(_np.diag(T)), dtype=complex))
    value = Z @ F @ Z.conj().T
    if a.dtype.kind != "c" and _np.allclose(value.imag, 0, atol=1e-12 * max(1.0, _np.abs(value).max(initial=0))):
        return value.real.astype(a.dtype)
    return value.astype(_np.result_type(a.dtype, _np.complex64))


def polar(a, side="right"):
    """``scipy.linalg.polar``: (u, p) with a = u p (side "right") or a = p u
    ("left"), u with orthonormal columns and p Hermitian positive semi-definite,
    through the SVD (derivatives need distinct nonzero singular values)."""
    a = wnp.asarray(a)
    if a.ndim != 2:
        raise ValueError("polar: a must be a 2-d array")
    if side not in ("right", "left"):
        raise ValueError("polar: side must be either 'right' or 'left'")
    W, s, Vh = _la.svd(a, full_matrices=False)
    u = W @ Vh
    if side == "right":
        p = _H(Vh) @ (wnp.expand_dims(s, -1) * Vh)
    else:
        p = (W * s) @ _H(W)
    return u, p
