"""The decompositions and solvers of wirtinger.numpy.linalg, each one primitive
with its JVP and adjoint VJP (the package's docstring states the conventions)."""
from __future__ import annotations

import collections
import math
import operator

import numpy as _np

from ... import _engine
from .. import _functions as wnp
from ..._array import Array, Mask as _Mask, concrete as _concrete, value_of as _value, real_of as _real_of, result_dtype as _result_dtype
from ..._primitive import nondifferentiable as _nondifferentiable, over_leading_axes as _over_leading_axes, primitive as _primitive

SlogdetResult = collections.namedtuple("SlogdetResult", ["sign", "logabsdet"])
QRResult = collections.namedtuple("QRResult", ["Q", "R"])
EighResult = collections.namedtuple("EighResult", ["eigenvalues", "eigenvectors"])
SVDResult = collections.namedtuple("SVDResult", ["U", "S", "Vh"])

LinAlgError = _np.linalg.LinAlgError


# ---------------------------------------------------------------- helpers
def _asarray(x):
    return x if isinstance(x, Array) else wnp.asarray(x)


def _cast(x, dtype):
    return x if x.dtype == dtype else x.astype(dtype)


def _is_complex(x):
    return x.dtype.kind == "c"


def _conj(x):
    return x.conj() if _is_complex(x) else x


def _mT(x):
    return wnp.swapaxes(x, -1, -2)


def _H(x):
    return _conj(_mT(x))


def _real(x):
    return x.real if _is_complex(x) else x


def _sym(x):
    """The Hermitian part (X + Xᴴ)/2."""
    return (x + _H(x)) * 0.5


def _const(x, like):
    """A real constant in like's precision (a float64 constant would promote complex64 to complex128)."""
    return _np.asarray(x, dtype=_real_of(like.dtype))


def _eye(n, like):
    return _np.eye(n, dtype=_real_of(like.dtype))


def _tril(x, k=0):
    return x * _const(_np.tril(_np.ones(x.shape[-2:]), k), x)


def _triu(x, k=0):
    return x * _const(_np.triu(_np.ones(x.shape[-2:]), k), x)


def _diag(x):
    return _diagonal(x, 0, -2, -1)


def _diag_embed(v):
    return wnp.expand_dims(v, -1) * _eye(v.shape[-1], v)


def _trace_last(x):
    return wnp.sum(_diag(x), axis=-1)


def _scale_cols(x, v):
    """x @ diag(v)."""
    return x * wnp.expand_dims(v, -2)


def _scale_rows(v, x):
    """diag(v) @ x."""
    return wnp.expand_dims(v, -1) * x


def _gap_inverse(d):
    """F[i, j] = 1 / (d[j] - d[i]) off the diagonal, 0 on it (inf where d repeats)."""
    eye = _eye(d.shape[-1], d)
    return (1.0 - eye) / (wnp.expand_dims(d, -2) - wnp.expand_dims(d, -1) + eye)


def _check_matrix(a, name, square=True):
    if a.ndim < 2:
        raise LinAlgError(f"{name}: {a.ndim}-dimensional array given; it must be at least two-dimensional "
                          "(a matrix, or a stack of matrices in the last two axes)")
    if square and a.shape[-1] != a.shape[-2]:
        raise LinAlgError(f"{name}: the last two dimensions must be square, got shape {a.shape}")


def _lapack(name, fn, *args, **kwargs):
    try:
        return fn(*args, **kwargs)
    except LinAlgError as e:
        raise LinAlgError(f"{name}: {e}") from None


def _is_zero(ct):
    # A cotangent that is zero and not itself being differentiated contributes
    # nothing; dropping it keeps a loss of eigenvalues alone finite at a
    # degenerate spectrum (0 * inf would otherwise poison it).
    return ct is None or (not _engine.is_tracked(ct._v) and not _np.any(_concrete(ct)))


def _check_phase(name, drift, ct, what, advice):
    """Raises unless the cotangent is blind to the phase of each vector column (drift ≈ 0)."""
    drift = _np.abs(_np.asarray(_value(drift)))
    cts = [c for c in (ct if isinstance(ct, list) else [ct]) if c is not None]
    if not drift.size:
        return
    scale = math.sqrt(sum(float(_np.sum(_np.abs(_np.asarray(_value(c))) ** 2)) for c in cts))
    bound = math.sqrt(_np.finfo(_real_of(cts[0].dtype)).eps) * scale
    if float(drift.max()) > bound:
        raise ValueError(
            f"{name}: the function being differentiated depends on the phases of the complex {what}, which are "
            f"arbitrary (each column may be multiplied by any e^(iφ)), so its derivative is not defined "
            f"(the phase sensitivity {float(drift.max()):.3g} exceeds {bound:.3g}). {advice}")


class Packing:
    """Several outputs through the engine's single-output custom node.

    Each output is flattened over its own (non-batch) axes and the pieces are
    concatenated along one last axis, in a common dtype (complex when any
    output is). Unpacking is basic slicing and reshaping, both differentiable,
    so downstream the outputs behave as independent arrays; real outputs are
    read back with ``.real``, whose transpose keeps their cotangents real.
    """

    def __init__(self, values, batch_ndim):
        self.batch = tuple(values[0].shape[:batch_ndim])
        self.cores = [tuple(v.shape[batch_ndim:]) for v in values]
        self.sizes = [math.prod(c) for c in self.cores]
        self.dtypes = [v.dtype for v in values]
        self.dtype = _np.result_type(*self.dtypes)

    def pack_values(self, values):
        return _np.concatenate([_np.reshape(v, self.batch + (-1,)).astype(self.dtype) for v in values], axis=-1)

    def pack(self, arrays):
        parts = []
        for a, size in zip(arrays, self.sizes):
            if a is None:
                parts.append(_np.zeros(self.batch + (size,), self.dtype))
            else:
                parts.append(_cast(wnp.reshape(a, self.batch + (size,)), self.dtype))
        return wnp.concatenate(parts, axis=-1)

    def unpack(self, packed):
        outs, offset = [], 0
        for core, size, dtype in zip(self.cores, self.sizes, self.dtypes):
            piece = wnp.reshape(packed[..., offset:offset + size], self.batch + core)
            outs.append(piece.real if dtype.kind == "f" and self.dtype.kind == "c" else piece)
            offset += size
        return outs


def _multi_output(name, inputs, values, batch_ndim, jvp, vjp, rebuild):
    """A primitive with several outputs: ``jvp(ins, outs, ts) -> [tangent per output]`` and
    ``vjp(ins, outs, cts, needed) -> (cotangent per input)``, where ``cts`` has None for a
    zero cotangent."""
    packing = Packing(values, batch_ndim)

    def jvp_rule(ins, out, ts):
        if all(t is None for t in ts):
            return None
        return packing.pack(jvp(ins, packing.unpack(out), ts))

    def vjp_rule(ins, out, ct, needed):
        cts = [None if _is_zero(c) else c for c in packing.unpack(ct)]
        if all(c is None for c in cts):
            return (None,) * len(ins)
        return vjp(ins, packing.unpack(out), cts, needed)

    def rebuild_packed(*ins):
        return packing.pack(rebuild(*ins))

    return packing.unpack(_primitive(name, inputs, packing.pack_values(values), jvp_rule, vjp_rule, rebuild_packed))


def _undetermined(name, a, value, advice, rebuild):
    """Columns that the decomposition does not determine (the completion of a basis): the value
    LAPACK gives, a nan tangent, and an error if a nonzero cotangent reaches them."""

    def jvp(ins, out, ts):
        return _np.full(out.shape, _np.nan, out.dtype)

    def vjp(ins, out, ct, needed):
        if _np.any(_value(ct)):
            raise ValueError(f"{name}: {advice}")
        return (None,)

    return _primitive(name, [a], value, jvp, vjp, rebuild)


# ---------------------------------------------------------------- diagonal, trace
# NumPy has two of each: the top-level np.diagonal / np.trace (axes 0 and 1 by default, re-exported
# as wnp.diagonal / wnp.trace) and np.linalg.diagonal / np.linalg.trace (the last two axes). Both
# live here under their own semantics, so that NumPy dispatch of np.linalg.trace on a wirtinger
# array cannot reach the top-level one.
def _diagonal(x, offset=0, axis1=0, axis2=1):
    """``numpy.diagonal``: the diagonal of the (axis1, axis2) planes, as a new last axis.

    >>> import numpy as np, wirtinger.numpy as wnp
    >>> np.asarray(wnp.diagonal(np.arange(6.0).reshape(2, 3), 1)).tolist()
    [1.0, 5.0]
    """
    x = _asarray(x)
    if x.ndim < 2:
        raise ValueError(f"diagonal: needs an array of at least two dimensions, got shape {x.shape}")
    a1, a2 = (int(a) % x.ndim if -x.ndim <= int(a) < x.ndim else None for a in (axis1, axis2))
    if a1 is None or a2 is None:
        raise ValueError(f"diagonal: axis1={axis1}, axis2={axis2} out of bounds for an array of dimension {x.ndim}")
    if a1 == a2:
        raise ValueError("diagonal: axis1 and axis2 cannot be the same")
    offset = operator.index(offset)
    y = wnp.transpose(x, [i for i in range(x.ndim) if i not in (a1, a2)] + [a1, a2])
    n, m = y.shape[-2:]
    # On the row-major flattened plane the diagonal is a slice with step m + 1.
    if offset >= 0:
        start, count = offset, max(0, min(n, m - offset))
    else:
        start, count = -offset * m, max(0, min(n + offset, m))
    flat = wnp.reshape(y, y.shape[:-2] + (n * m,))
    if count == 0:
        return flat[..., 0:0]
    return flat[..., start:start + (count - 1) * (m + 1) + 1:m + 1]


def _trace(x, offset=0, axis1=0, axis2=1, dtype=None, out=None):
    """``numpy.trace``: the sum along a diagonal of the (axis1, axis2) planes.

    >>> import numpy as np, wirtinger as w, wirtinger.numpy as wnp
    >>> w.grad(lambda a: wnp.trace(a))(np.ones((2, 2))).tolist()
    [[1.0, 0.0], [0.0, 1.0]]
    """
    if out is not None:
        raise TypeError("trace: out= is not supported (wirtinger arrays are immutable)")
    result = wnp.sum(_diagonal(x, offset, axis1, axis2), axis=-1)
    return result if dtype is None else wnp.asarray(result, dtype)


_diagonal.__name__ = _diagonal.__qualname__ = "diagonal"
_trace.__name__ = _trace.__qualname__ = "trace"


def diagonal(x, /, *, offset=0):
    """``numpy.linalg.diagonal``: the diagonals of the matrices in the last two axes
    (``wnp.diagonal`` is NumPy's top-level function, axes 0 and 1 by default)."""
    return _diagonal(x, offset, -2, -1)


def trace(x, /, *, offset=0, dtype=None):
    """``numpy.linalg.trace``: the traces of the matrices in the last two axes
    (``wnp.trace`` is NumPy's top-level function, axes 0 and 1 by default)."""
    return _trace(x, offset, -2, -1, dtype)


# ---------------------------------------------------------------- solve, inv, det, slogdet
def solve(a, b):
    """``numpy.linalg.solve``: X with a @ X = b (b a vector when 1-d, as NumPy 2).

    dX = a⁻¹(db − da·X); the adjoint VJP is ct_b = a⁻ᴴ·ct, ct_a = −ct_b·Xᴴ.

    >>> import numpy as np, wirtinger.numpy as wnp
    >>> np.asarray(wnp.linalg.solve(np.diag([2.0, 4.0]), np.array([1.0, 1.0]))).tolist()
    [0.5, 0.25]
    """
    a, b = _asarray(a), _asarray(b)
    _check_matrix(a, "solve")
    dtype = _result_dtype(a, b)
    a, b = _cast(a, dtype), _cast(b, dtype)
    if b.ndim == 1:
        return solve(a, wnp.expand_dims(b, -1))[..., 0]
    if b.shape[-2] != a.shape[-1]:
        raise ValueError(f"solve: b has {b.shape[-2]} rows but a is {a.shape[-1]}×{a.shape[-1]} "
                         f"(shapes {a.shape} and {b.shape})")
    return _solve(a, b)


@_over_leading_axes(2, 2)
def _solve(a, b):
    """solve for matrices a and b of one dtype."""
    value = _lapack("solve", _np.linalg.solve, _value(a), _value(b)).astype(a.dtype, copy=False)

    def jvp(ins, out, ts):
        ta, tb = ts
        rhs = tb if ta is None else (-(ta @ out) if tb is None else tb - ta @ out)
        return solve(ins[0], rhs)

    def vjp(ins, out, ct, needed):
        ct_b = solve(_H(ins[0]), ct)
        return (-(ct_b @ _H(out)) if needed[0] else None, ct_b if needed[1] else None)

    return _primitive("solve", [a, b], value, jvp, vjp, solve)


def inv(a):
    """``numpy.linalg.inv``, as ``solve(a, I)`` (which is also how LAPACK computes it)."""
    a = _asarray(a)
    _check_matrix(a, "inv")
    try:
        return solve(a, _np.eye(a.shape[-1], dtype=a.dtype))
    except LinAlgError as e:
        raise LinAlgError(str(e).replace("solve:", "inv:", 1)) from None


@_over_leading_axes()
def det(a):
    """``numpy.linalg.det``. d det = det · tr(a⁻¹ da), so ct_a = conj(det) · ct · a⁻ᴴ.

    The rules solve with ``a``: at an exactly singular matrix the derivative (which exists)
    is not computed and ``LinAlgError`` is raised.
    """
    a = _asarray(a)
    _check_matrix(a, "det")
    value = _np.asarray(_lapack("det", _np.linalg.det, _value(a))).astype(a.dtype)

    def jvp(ins, out, ts):
        return out * _trace_last(solve(ins[0], ts[0]))

    def vjp(ins, out, ct, needed):
        return (wnp.expand_dims(ct * _conj(out), (-2, -1)) * _H(inv(ins[0])),)

    return _primitive("det", [a], value, jvp, vjp, det)


@_over_leading_axes()
def slogdet(a):
    """``numpy.linalg.slogdet``: ``(sign, logabsdet)`` with det = sign · exp(logabsdet).

    One primitive computes log det = logabsdet + i·arg(sign) (holomorphic for complex input,
    d log det = tr(a⁻¹ da)); sign and logabsdet are read from it, so the sign of a complex
    matrix has a derivative. The sign of a real matrix is a constant.
    """
    a = _asarray(a)
    _check_matrix(a, "slogdet")
    sign, logdet, angle = _slogdet_parts(a)
    if not _is_complex(a):
        # The sign of a real determinant is piecewise constant: a primitive without derivative.
        return SlogdetResult(_primitive("slogdet sign", [a], sign, lambda ins, out, ts: None,
                                        lambda ins, out, ct, needed: (None,), lambda a: _slogdet_parts(a)[0]), logdet)
    # sign · exp(i(θ − θ₀)) is LAPACK's sign exactly, and carries the derivative i·sign·dθ.
    return SlogdetResult(sign * wnp.exp(1j * (logdet.imag - angle)), logdet.real)


def _slogdet_parts(a):
    """(LAPACK's sign, the log det primitive, the angle of the sign)."""
    sign, logabs = _lapack("slogdet", _np.linalg.slogdet, _value(a))
    sign, logabs = _np.asarray(sign).astype(a.dtype), _np.asarray(logabs).astype(_real_of(a.dtype))
    angle = _np.angle(sign).astype(logabs.dtype)
    value = logabs + 1j * angle if _is_complex(a) else logabs

    def jvp(ins, out, ts):
        return _trace_last(solve(ins[0], ts[0]))

    def vjp(ins, out, ct, needed):
        return (wnp.expand_dims(ct, (-2, -1)) * _H(inv(ins[0])),)

    logdet = _primitive("slogdet", [a], _np.asarray(value).astype(a.dtype), jvp, vjp, lambda a: _slogdet_parts(a)[1])
    return sign, logdet, angle


# ---------------------------------------------------------------- Hermitian input: cholesky, eigh
def _phi(m):
    """The lower triangle of m with its diagonal halved: L·Φ(L⁻¹ dA L⁻ᴴ) is the tangent of L."""
    n = m.shape[-1]
    return m * _const(_np.tril(_np.ones((n, n)), -1) + 0.5 * _np.eye(n), m)


@_over_leading_axes()
def cholesky(a, /, *, upper=False):
    """``numpy.linalg.cholesky``: L lower-triangular with a = L Lᴴ (or U = Lᴴ with ``upper=True``).

    The value reads the lower triangle of ``a`` (the upper one with ``upper=True``); the
    derivative is that of X ↦ cholesky((X + Xᴴ)/2):

        dL = L · Φ(L⁻¹ · sym(dX) · L⁻ᴴ),   ct_X = sym(L⁻ᴴ · Φ(Lᴴ · ct) · L⁻¹),

    with Φ the lower triangle with halved diagonal and sym(Y) = (Y + Yᴴ)/2.
    """
    a = _asarray(a)
    _check_matrix(a, "cholesky")
    if upper:
        return _H(cholesky(_H(a)))
    value = _lapack("cholesky", _np.linalg.cholesky, _value(a)).astype(a.dtype, copy=False)

    def jvp(ins, out, ts):
        z = solve(out, _sym(ts[0]))
        return out @ _phi(_H(solve(out, _H(z))))

    def vjp(ins, out, ct, needed):
        lh = _H(out)
        y = solve(lh, _phi(lh @ ct))
        return (_sym(_H(solve(lh, _H(y)))),)

    return _primitive("cholesky", [a], value, jvp, vjp, cholesky)


_EIGH_ADVICE = ("Make it phase-invariant: use |V|², V·diag(c)·Vᴴ, or products V[..., i, k]·conj(V[..., j, k]); "
                "or fix each column's phase yourself, e.g. V / (V[..., :1, :] / abs(V[..., :1, :])).")


@_over_leading_axes()
def eigh(a, UPLO="L"):
    """``numpy.linalg.eigh``: ascending eigenvalues w and unitary V with a = V diag(w) Vᴴ.

    The value reads the lower triangle (``UPLO="U"``: the upper one); the derivative is that
    of X ↦ eigh((X + Xᴴ)/2). With K = Vᴴ · sym(dX) · V and F[i, j] = 1/(w[j] − w[i]):

        dw = Re diag(K),   dV = V · (F ∘ K)                (gauge: diag(Vᴴ dV) = 0)
        ct_X = sym(V · (diag(ct_w) + F ∘ (Vᴴ ct_V)) · Vᴴ)

    Reverse mode raises ValueError when the function depends on the phases of complex
    eigenvectors (Im diag(Vᴴ ct_V) ≠ 0). With repeated eigenvalues, derivatives through V are
    inf/nan; derivatives through w alone stay finite.
    """
    a = _asarray(a)
    _check_matrix(a, "eigh")
    if UPLO not in ("L", "U"):
        raise ValueError(f"eigh: UPLO must be 'L' or 'U', got {UPLO!r}")
    w, v = _lapack("eigh", _np.linalg.eigh, _value(a), UPLO=UPLO)
    w, v = w.astype(_real_of(a.dtype)), v.astype(a.dtype)

    def jvp(ins, outs, ts):
        w, V = outs
        K = _H(V) @ _sym(ts[0]) @ V
        return [_real(_diag(K)), V @ (_gap_inverse(w) * K)]

    def vjp(ins, outs, cts, needed):
        w, V = outs
        ct_w, ct_v = cts
        G = None
        if ct_w is not None:
            G = _diag_embed(ct_w)
        if ct_v is not None:
            J = _H(V) @ ct_v
            if _is_complex(J):
                _check_phase("eigh", _diag(J).imag, ct_v, "eigenvectors", _EIGH_ADVICE)
            G = _gap_inverse(w) * J if G is None else G + _gap_inverse(w) * J
        return (_sym(V @ G @ _H(V)),)

    return EighResult(*_multi_output("eigh", [a], [w, v], a.ndim - 2, jvp, vjp, lambda a: list(eigh(a, UPLO))))


# ---------------------------------------------------------------- qr, svd
@_over_leading_axes()
def qr(a, mode="reduced"):
    """``numpy.linalg.qr``: a = Q R, modes ``"reduced"`` (default), ``"complete"`` and ``"r"``.

    LAPACK's R has a real diagonal; the derivative keeps it real. For a (m×n, k = min(m, n))
    split as [X | Y] with X its first k columns, R = [R_X | Qᴴ Y] and, with
    M = Qᴴ dX R_X⁻¹ and Ũ = triu(M, 1) + Re diag(M) + tril(M, −1)ᴴ:

        dR_X = Ũ R_X,   dQ = dX R_X⁻¹ − Q Ũ,   dR_Y = dQᴴ Y + Qᴴ dY.

    With ``mode="complete"`` and m > n, the last m − n columns of Q complete a basis and are
    not determined by a: their tangent is nan and a nonzero cotangent for them is a ValueError.
    """
    a = _asarray(a)
    _check_matrix(a, "qr", square=False)
    if mode == "r":
        return qr(a).R
    if mode not in ("reduced", "complete"):
        raise ValueError(f"qr: mode must be 'reduced', 'complete' or 'r', got {mode!r} "
                         "('raw' returns LAPACK's Householder form, which wirtinger does not differentiate)")
    m, n = a.shape[-2:]
    k = min(m, n)
    complete = mode == "complete" and m > n
    q, r = _lapack("qr", _np.linalg.qr, _value(a), mode="complete" if complete else "reduced")
    q, r = q.astype(a.dtype), r.astype(a.dtype)

    def jvp(ins, outs, ts):
        Q, R = outs
        ta, rx = ts[0], R[..., :k]
        dx_rinv = _H(solve(_H(rx), _H(ta[..., :k])))
        M = _H(Q) @ dx_rinv
        U = _triu(M, 1) + _H(_tril(M, -1)) + _diag_embed(_real(_diag(M)))
        dQ = dx_rinv - Q @ U
        dR = U @ rx
        if n > k:
            dR = wnp.concatenate([dR, _H(dQ) @ ins[0][..., k:] + _H(Q) @ ta[..., k:]], axis=-1)
        return [dQ, dR]

    def vjp(ins, outs, cts, needed):
        Q, R = outs
        ct_q = cts[0] if cts[0] is not None else wnp.zeros_like(Q)
        ct_r = cts[1] if cts[1] is not None else wnp.zeros_like(R)
        rx, ct_rx = R[..., :k], ct_r[..., :k]
        if n > k:
            ct_q = ct_q + ins[0][..., k:] @ _H(ct_r[..., k:])
        G = ct_rx @ _H(rx) - _H(Q) @ ct_q
        upper = _triu(G, 1)
        S = upper + _H(upper) + _diag_embed(_real(_diag(G)))
        ct_x = _H(solve(rx, _H(ct_q + Q @ S)))
        if n > k:
            ct_x = wnp.concatenate([ct_x, Q @ ct_r[..., k:]], axis=-1)
        return (ct_x,)

    Q, R = _multi_output("qr", [a], [q[..., :k], r[..., :k, :]], a.ndim - 2, jvp, vjp, lambda a: list(qr(a)))
    if complete:
        rest = _undetermined("qr", a, q[..., k:], "with mode='complete' the last m − n columns of Q (m > n) "
                             "complete a basis and are not determined by the matrix, so the function being "
                             "differentiated must not depend on them; use mode='reduced'",
                             lambda a: qr(a, "complete").Q[..., k:])
        Q = wnp.concatenate([Q, rest], axis=-1)
        R = wnp.concatenate([R, _np.zeros(R.shape[:-2] + (m - k, n), a.dtype)], axis=-2)
    return QRResult(Q, R)


_SVD_ADVICE = ("Make it phase-invariant: use s, |U|², |Vh|², U·diag(c)·Vh or U·diag(c)·Uᴴ; or fix each "
               "singular pair's phase yourself.")


@_over_leading_axes()
def svd(a, full_matrices=True, compute_uv=True, hermitian=False):
    """``numpy.linalg.svd``: a = U diag(S) Vh with S descending.

    ``hermitian=True`` is accepted as a hint and the general SVD is computed. With
    k = min(m, n), dP = Uᴴ da V, F[i, j] = 1/(s[j]² − s[i]²):

        dS = Re diag(dP)
        dU = U (F ∘ (dP S + S dPᴴ) + i·diag(Im diag(dP) / s)) + (I − UUᴴ) da V S⁻¹
        dV = V (F ∘ (S dP + dPᴴ S)) + (I − VVᴴ) daᴴ U S⁻¹

    (gauge: diag(Vᴴ dV) = 0). Reverse mode raises ValueError when the function depends on the
    common phase of a pair (u_j, v_j) (Im diag(Uᴴ ct_U + Vᴴ ct_V) ≠ 0). Repeated or zero
    singular values make derivatives through U and Vh inf/nan; through S alone they stay
    finite. With ``full_matrices=True`` and m ≠ n the extra columns of U (or rows of Vh) are
    not determined by a: their tangent is nan and a nonzero cotangent for them is a ValueError.
    """
    a = _asarray(a)
    _check_matrix(a, "svd", square=False)
    if not compute_uv:
        return svd(a, full_matrices=False).S
    m, n = a.shape[-2:]
    k = min(m, n)
    full = bool(full_matrices) and m != n
    u, s, vh = _lapack("svd", _np.linalg.svd, _value(a), full_matrices=full)
    u, s, vh = u.astype(a.dtype), s.astype(_real_of(a.dtype)), vh.astype(a.dtype)
    cplx = _is_complex(a)

    def jvp(ins, outs, ts):
        U, s, Vh = outs
        da, V = ts[0], _H(Vh)
        dP = _H(U) @ da @ V
        F = _gap_inverse(s * s)
        dPS, SdP = _scale_cols(dP, s), _scale_rows(s, dP)
        om_u, om_v = F * (dPS + _H(dPS)), F * (SdP + _H(SdP))
        if cplx:
            om_u = om_u + _diag_embed(1j * _diag(dP).imag / s)
        dU, dV = U @ om_u, V @ om_v
        if m > k:
            dU = dU + _scale_cols(da @ V - U @ dP, 1.0 / s)
        if n > k:
            dV = dV + _scale_cols(_H(da) @ U - V @ _H(dP), 1.0 / s)
        return [dU, _real(_diag(dP)), _H(dV)]

    def vjp(ins, outs, cts, needed):
        U, s, Vh = outs
        ct_u, ct_s, ct_vh = cts
        V = _H(Vh)
        F = _gap_inverse(s * s)
        ju = _H(U) @ ct_u if ct_u is not None else None
        kv = ct_vh @ V if ct_vh is not None else None  # = (Vᴴ ct_V)ᴴ
        if cplx and (ju is not None or kv is not None):
            # A common phase e^(iφ) on u_j and v_j moves the loss by φ·Im(ju_jj + conj(kv_jj)).
            drift = (0 if ju is None else _value(_diag(ju).imag)) - (0 if kv is None else _value(_diag(kv).imag))
            _check_phase("svd", drift, [ct_u, ct_vh], "singular vectors", _SVD_ADVICE)
        G = _diag_embed(ct_s) if ct_s is not None else wnp.zeros_like(U[..., :k, :])
        if ju is not None:
            G = G + _scale_cols(F * (ju - _H(ju)), s)
            if cplx:
                G = G + _diag_embed(1j * _diag(ju).imag / s)
        if kv is not None:
            G = G + _scale_rows(s, F * (_H(kv) - kv))
        ct_a = U @ G @ Vh
        if m > k and ct_u is not None:
            ct_a = ct_a + _scale_cols(ct_u - U @ ju, 1.0 / s) @ Vh
        if n > k and ct_vh is not None:
            ct_a = ct_a + U @ _scale_rows(1.0 / s, ct_vh - kv @ Vh)
        return (ct_a,)

    U, S, Vh = _multi_output("svd", [a], [u[..., :, :k], s, vh[..., :k, :]], a.ndim - 2, jvp, vjp,
                             lambda a: list(svd(a, full_matrices=False)))
    if full:
        advice = ("with full_matrices=True the extra columns of U (or rows of Vh) of a non-square matrix complete "
                  "a basis and are not determined by the matrix, so the function being differentiated must not "
                  "depend on them; use full_matrices=False")
        if m > k:
            U = wnp.concatenate([U, _undetermined("svd", a, u[..., :, k:], advice, lambda a: svd(a).U[..., :, k:])], axis=-1)
        else:
            Vh = wnp.concatenate([Vh, _undetermined("svd", a, vh[..., k:, :], advice, lambda a: svd(a).Vh[..., k:, :])], axis=-2)
    return SVDResult(U, S, Vh)


# ---------------------------------------------------------------- norm, matrix_power
def _pick(y, axis, keepdims, reduce):
    """max/min of a real array along one axis, differentiated through the first extremal
    element (the value is exact; at ties the derivative is a subgradient)."""
    axis = axis % y.ndim - y.ndim  # from the end: the function maps over leading (vmap's) axes

    def first_extremum(c):
        idx = _np.expand_dims(reduce(c, axis=axis), axis)
        return _np.arange(c.shape[axis]).reshape([-1 if i == c.ndim + axis else 1 for i in range(c.ndim)]) == idx

    # A primitive (recomputed by jit on replay), used as a mask.
    onehot = _nondifferentiable("argmax" if reduce is _np.argmax else "argmin", first_extremum, y)
    return wnp.sum(wnp.where(_Mask(onehot._v), y, 0.0), axis=axis, keepdims=keepdims)


def _zero_where(total):
    """Where total == 0: a traced mask under jit, else a NumPy mask, or None where nothing is zero."""
    zero = total == 0
    if isinstance(zero, _Mask):
        return zero
    zero = _np.asarray(zero)
    return zero if zero.any() else None


def _safe_root(total, p):
    """total ** (1/p), with derivative 0 where total is 0 (the minimal-norm subgradient of a norm at 0,
    as abs'(0) = 0) rather than 0 · inf = nan."""
    zero = _zero_where(total)
    if zero is None:
        return total ** (1.0 / p)
    return wnp.where(zero, 0.0, wnp.where(zero, 1.0, total) ** (1.0 / p))


def _vector_norm(x, ord, axis, keepdims):
    ax = (axis,)
    if ord is None or ord == 2:
        zero = _zero_where(wnp.sum(wnp.abs2(x), axis=ax, keepdims=True))
        if zero is None:
            return wnp.sqrt(wnp.sum(wnp.abs2(x), axis=ax, keepdims=keepdims))
        # A zero vector is replaced by ones before the square root, so its derivative is 0, not nan.
        out = wnp.sqrt(wnp.sum(wnp.abs2(wnp.where(zero, 1.0, x)), axis=ax, keepdims=True))
        out = wnp.where(zero, 0.0, out)
        return out if keepdims else wnp.squeeze(out, ax)
    if isinstance(ord, str):
        raise ValueError(f"norm: invalid norm order {ord!r} for vectors")
    ord = float(ord)
    mag = wnp.abs(x)
    if ord == _np.inf:
        return _pick(mag, axis, keepdims, _np.argmax)
    if ord == -_np.inf:
        return _pick(mag, axis, keepdims, _np.argmin)
    if ord == 0:  # the number of nonzeros: piecewise constant
        end = (axis - x.ndim,)  # from the end: the function maps over leading (vmap's) axes
        return _nondifferentiable("norm ord=0", lambda c: _np.sum(c != 0, axis=end, keepdims=keepdims)
                                  .astype(_real_of(x.dtype)), x)
    if ord == 1:
        return wnp.sum(mag, axis=ax, keepdims=keepdims)
    return _safe_root(wnp.sum(mag ** ord, axis=ax, keepdims=keepdims), ord)


def _matrix_norm(x, ord, axes, keepdims):
    r, c = axes
    if ord in (None, "fro", "f"):
        zero = _zero_where(wnp.sum(wnp.abs2(x), axis=axes, keepdims=True))
        safe = x if zero is None else wnp.where(zero, 1.0, x)
        out = wnp.sqrt(wnp.sum(wnp.abs2(safe), axis=axes, keepdims=True))
        out = out if zero is None else wnp.where(zero, 0.0, out)
    elif ord in ("nuc", 2, -2):
        s = svd(wnp.transpose(x, [i for i in range(x.ndim) if i not in axes] + [r, c]), full_matrices=False).S
        out = wnp.sum(s, axis=-1) if ord == "nuc" else (s[..., 0] if ord == 2 else s[..., -1])
        out = wnp.expand_dims(out, tuple(sorted(axes)))
    elif ord in (1, -1, _np.inf, -_np.inf):
        sum_axis, pick_axis = (r, c) if ord in (1, -1) else (c, r)
        sums = wnp.sum(wnp.abs(x), axis=sum_axis, keepdims=True)
        out = _pick(sums, pick_axis, True, _np.argmax if ord > 0 else _np.argmin)
    else:
        raise ValueError(f"norm: invalid norm order {ord!r} for matrices")
    return out if keepdims else wnp.squeeze(out, axis=axes)


def norm(x, ord=None, axis=None, keepdims=False):
    """``numpy.linalg.norm``: vector norms (``ord`` None/2, 1, inf, −inf, 0, any p) along one axis
    and matrix norms (None/"fro", "nuc", 1, −1, 2, −2, inf, −inf) over two.

    Built from abs, sums, square roots, maxima and ``svd`` (for "nuc" and ±2). At a zero vector
    or matrix the derivative of the 2- and p-norms is 0, as ``abs'(0)``; max/min-based norms are
    differentiated through the first extremal entry.

    >>> import numpy as np, wirtinger as w, wirtinger.numpy as wnp
    >>> np.allclose(w.grad(wnp.linalg.norm)(np.array([3.0, 4.0])), [0.6, 0.8])
    True
    """
    x = _asarray(x)
    nd = x.ndim
    if axis is None:
        if ord is None or (ord in ("fro", "f") and nd == 2) or (ord == 2 and nd == 1):
            out = _vector_norm(wnp.reshape(x, (-1,)), None, 0, False)
            return wnp.reshape(out, (1,) * nd) if keepdims else out
        if nd not in (1, 2):
            raise ValueError(f"norm: improper number of dimensions ({nd}) for ord={ord!r}; pass axis=")
        axis = tuple(range(nd))
    axes = axis if isinstance(axis, (tuple, list)) else (axis,)
    try:
        axes = tuple(operator.index(a) for a in axes)
    except TypeError:
        raise TypeError(f"norm: axis must be an int or a tuple of ints, got {axis!r}") from None
    if any(not -nd <= a < nd for a in axes):
        raise ValueError(f"norm: axis {axis} is out of bounds for an array of dimension {nd}")
    axes = tuple(a % nd for a in axes)
    if len(axes) == 1:
        return _vector_norm(x, ord, axes[0], keepdims)
    if len(axes) == 2:
        if axes[0] == axes[1]:
            raise ValueError("norm: duplicate axes given")
        return _matrix_norm(x, ord, axes, keepdims)
    raise ValueError(f"norm: improper number of dimensions to norm ({len(axes)} axes)")


def matrix_power(a, n):
    """``numpy.linalg.matrix_power``: a**n by repeated squaring (n < 0: powers of inv(a))."""
    a = _asarray(a)
    _check_matrix(a, "matrix_power")
    try:
        n = operator.index(n)
    except TypeError:
        raise TypeError(f"matrix_power: the exponent must be an integer, got {type(n).__name__}") from None
    if n == 0:
        return wnp.asarray(_np.broadcast_to(_np.eye(a.shape[-1], dtype=a.dtype), a.shape).copy())
    if n < 0:
        a, n = inv(a), -n
    result, base = None, a
    while True:
        if n & 1:
            result = base if result is None else result @ base
        n >>= 1
        if not n:
            return result
        base = base @ base


__all__ = [
    "LinAlgError", "cholesky", "det", "diagonal", "eigh", "inv", "matrix_power", "norm", "qr", "slogdet", "solve",
    "svd", "trace",
]
