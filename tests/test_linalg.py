"""wirtinger.numpy.linalg (and wnp.trace, wnp.diagonal), driven by one table as test_primitives.py.

For each entry, dtype and shape:
  * values and result dtypes match numpy.linalg;
  * the dot-product test <w, JVP(t)> = <VJP_adjoint(w), t>, and the "transpose" VJP is
    conj(VJP_adjoint(conj w));
  * the JVP matches central finite differences along 1 and i. Functions of a Hermitian
    input (cholesky, eigh) are compared with finite differences of f((X + Xᴴ)/2), their
    documented derivative, so arbitrary (non-Hermitian) directions are allowed;
  * the Wirtinger pair matches finite differences at a small point.
Raw eigenvectors and singular vectors are defined up to a phase per column: their entries are
checked by the dot-product test with cotangents made blind to those phases, and by finite
differences of phase-invariant functions of them (V diag(c) Vᴴ, |V|², U diag(c) Vh).
A test fails when a name of linalg.__all__ has no entry.
"""

from dataclasses import dataclass
from typing import Callable, Optional

import numpy as np
import pytest

import wirtinger as w
import wirtinger.numpy as wnp
from helpers import (
    C64,
    C128,
    F32,
    F64,
    assert_close,
    fd_jvp,
    fd_wirtinger,
    inner,
    is_complex,
    random_array,
    random_tangent,
    tol,
)

la = wnp.linalg
DTYPES = (C128, C64, F64)


# ---------------------------------------------------------------- inputs


def _unitary(rng, n, dtype):
    x = rng.standard_normal((n, n))
    if is_complex(dtype):
        x = x + 1j * rng.standard_normal((n, n))
    return np.linalg.qr(x)[0]


def _batched(make):
    """make(rng, (m, n), dtype) -> one matrix; stacks it over leading axes."""

    def gen(rng, shape, dtype):
        *batch, m, n = shape
        mats = [make(rng, (m, n), dtype) for _ in range(int(np.prod(batch, dtype=int)))]
        return np.asarray(mats).reshape(tuple(batch) + (m, n)).astype(dtype)

    return gen


@_batched
def general(rng, shape, dtype):
    """U diag(s) Vᴴ with distinct s in [1, 2.5]: well conditioned, separated singular values."""
    m, n = shape
    k = min(m, n)
    s = np.linspace(1.0, 2.5, k) + rng.uniform(-0.1, 0.1, k)
    return _unitary(rng, m, dtype)[:, :k] @ np.diag(s) @ _unitary(rng, n, dtype)[:k, :]


@_batched
def hpd(rng, shape, dtype):
    """Hermitian positive definite with separated eigenvalues in [1, 3]."""
    n = shape[0]
    u = _unitary(rng, n, dtype)
    x = u @ np.diag(np.linspace(1.0, 3.0, n) + rng.uniform(-0.1, 0.1, n)) @ u.conj().T
    return (x + x.conj().T) / 2


def plain(rng, shape, dtype):
    return random_array(rng, shape, dtype)


def _sym(x):
    return (x + np.conj(np.swapaxes(x, -1, -2))) / 2


def _wsym(x):
    return (x + wnp.conj(wnp.swapaxes(x, -1, -2))) * 0.5


def _mH(x):
    return np.conj(np.swapaxes(x, -1, -2))


# ---------------------------------------------------------------- phase-blind cotangents


def _project_eigh(args, out, cts):
    """Removes i·Im diag(Vᴴ ct_V) from ct_V, the part that would see the eigenvectors' phases."""
    v = np.asarray(out[1])
    ct_w, ct_v = cts
    if not is_complex(v.dtype):
        return cts
    drift = np.imag(np.diagonal(_mH(v) @ ct_v, axis1=-2, axis2=-1))
    return [ct_w, ct_v - v * (1j * drift[..., None, :]).astype(ct_v.dtype)]


def _project_svd(args, out, cts):
    """Removes the part of (ct_U, ct_Vh) that would see a common phase of (u_j, v_j)."""
    u, vh = np.asarray(out[0]), np.asarray(out[2])
    ct_u, ct_s, ct_vh = cts
    if not is_complex(u.dtype):
        return cts
    drift = np.imag(np.diagonal(_mH(u) @ ct_u, axis1=-2, axis2=-1)) - np.imag(
        np.diagonal(ct_vh @ _mH(vh), axis1=-2, axis2=-1)
    )
    return [ct_u - u * (1j * drift[..., None, :]).astype(ct_u.dtype), ct_s, ct_vh]


# ---------------------------------------------------------------- the table


@dataclass(frozen=True)
class Case:
    """One row of the table.

    name:      the function covered (a name of linalg.__all__, or trace/diagonal)
    id:        a unique test id
    fn, ref:   the wirtinger function and its NumPy reference
    inputs:    alternatives, each a tuple of (generator, shape) per argument
    dtypes:    the dtypes tried (every argument gets the same)
    hermitian: the first argument is read as Hermitian: finite differences of ref((X+Xᴴ)/2)
    project:   makes a cotangent blind to vector phases (raw eigh/svd outputs; no FD)
    holomorphic: ∂f/∂z̄ = 0 (checked on the Wirtinger pair)
    """

    name: str
    id: str
    fn: Callable
    ref: Callable
    inputs: tuple
    dtypes: tuple = DTYPES
    hermitian: bool = False
    project: Optional[Callable] = None
    holomorphic: bool = False


def case(name, id, fn, ref, *inputs, **kw):
    return Case(name, id, fn, ref, tuple(tuple(i) for i in inputs), **kw)


SQUARE = [((general, (3, 3)),), ((general, (2, 3, 3)),)]
HERM = [((hpd, (3, 3)),), ((hpd, (2, 3, 3)),)]
RECT = [((general, (3, 3)),), ((general, (4, 3)),), ((general, (3, 4)),), ((general, (2, 4, 3)),)]
C3 = np.array([0.3, -1.0, 2.0])
# Entry weights for |V|²: per-column weights alone would give a constant (columns have unit norm).
W3 = np.array([[0.3, -1.0, 2.0], [1.1, 0.4, -0.6], [-0.8, 0.9, 0.2]])
C4 = np.array([0.5, 1.5, -0.7])


def _weighted(x, c):
    return x * c


def _eigh_projector(xp, v):
    return (v * C3) @ xp.conj(xp.swapaxes(v, -1, -2))


def _eig_recon(xp, linalg, a):
    """V diag(c) V⁻¹ from one eigendecomposition: blind to the columns' phases."""
    v = linalg.eig(a)[1]
    return (v * C3) @ linalg.inv(v)


def _svd_recon(usv):
    u, s, vh = usv
    return (u * C4[: s.shape[-1]]) @ vh


def _svd_abs2(xp, usv):
    u, s, vh = usv
    return xp.real(u * xp.conj(u)), xp.real(vh * xp.conj(vh))


def _norm_case(id, kw, *inputs, dtypes=DTYPES):
    return case("norm", id, lambda x: la.norm(x, **kw), lambda x: np.linalg.norm(x, **kw), *inputs, dtypes=dtypes)


TABLE = [
    # solve and friends (holomorphic)
    case("solve", "solve", la.solve, np.linalg.solve, [(general, (3, 3)), (plain, (3, 2))],
         dtypes=DTYPES + (F32,), holomorphic=True),
    case("solve", "solve-vector", la.solve, np.linalg.solve, [(general, (3, 3)), (plain, (3,))], holomorphic=True),
    case("solve", "solve-batched", la.solve, np.linalg.solve,
         [(general, (2, 3, 3)), (plain, (3, 2))], [(general, (2, 3, 3)), (plain, (2, 3, 1))],
         [(general, (3, 3)), (plain, (2, 3, 2))], holomorphic=True),
    case("inv", "inv", la.inv, np.linalg.inv, *SQUARE, holomorphic=True),
    case("det", "det", la.det, np.linalg.det, *SQUARE, dtypes=DTYPES + (F32,), holomorphic=True),
    case("slogdet", "slogdet", la.slogdet, np.linalg.slogdet, *SQUARE),
    case("slogdet", "slogdet-logabsdet", lambda a: la.slogdet(a).logabsdet,
         lambda a: np.linalg.slogdet(a).logabsdet, *SQUARE),
    case("matrix_power", "matrix_power-3", lambda a: la.matrix_power(a, 3),
         lambda a: np.linalg.matrix_power(a, 3), *SQUARE, holomorphic=True),
    case("matrix_power", "matrix_power-5", lambda a: la.matrix_power(a, 5),
         lambda a: np.linalg.matrix_power(a, 5), *SQUARE[:1], holomorphic=True),
    case("matrix_power", "matrix_power-1", lambda a: la.matrix_power(a, 1),
         lambda a: np.linalg.matrix_power(a, 1), *SQUARE[:1], holomorphic=True),
    case("matrix_power", "matrix_power-0", lambda a: la.matrix_power(a, 0),
         lambda a: np.linalg.matrix_power(a, 0), *SQUARE),
    case("matrix_power", "matrix_power--2", lambda a: la.matrix_power(a, -2),
         lambda a: np.linalg.matrix_power(a, -2), *SQUARE, holomorphic=True),
    # Hermitian input
    case("cholesky", "cholesky", la.cholesky, np.linalg.cholesky, *HERM, hermitian=True),
    case("cholesky", "cholesky-upper", lambda a: la.cholesky(a, upper=True),
         lambda a: np.linalg.cholesky(a, upper=True), *HERM, hermitian=True),
    case("eigh", "eigh", la.eigh, np.linalg.eigh, *HERM, hermitian=True, project=_project_eigh),
    case("eigh", "eigh-values", lambda a: la.eigh(a).eigenvalues, lambda a: np.linalg.eigh(a).eigenvalues,
         *HERM, hermitian=True),
    case("eigh", "eigh-projector", lambda a: _eigh_projector(wnp, la.eigh(a)[1]),
         lambda a: _eigh_projector(np, np.linalg.eigh(a)[1]), *HERM, hermitian=True),
    case("eigh", "eigh-abs2", lambda a: wnp.abs2(la.eigh(a)[1]),
         lambda a: np.abs(np.linalg.eigh(a)[1]) ** 2, *HERM, hermitian=True),
    case("eigh", "eigh-upper", lambda a: la.eigh(a, UPLO="U"), lambda a: np.linalg.eigh(a, UPLO="U"), *HERM,
         hermitian=True, project=_project_eigh),
    # qr: raw outputs are unique (R has a real diagonal)
    case("qr", "qr", la.qr, np.linalg.qr, *RECT),
    case("qr", "qr-r", lambda a: la.qr(a, mode="r"), lambda a: np.linalg.qr(a, mode="r"), *RECT[1:3]),
    case("qr", "qr-complete-wide", lambda a: la.qr(a, mode="complete"),
         lambda a: np.linalg.qr(a, mode="complete"), ((general, (3, 4)),)),
    # svd
    case("svd", "svd", lambda a: la.svd(a, full_matrices=False), lambda a: np.linalg.svd(a, full_matrices=False),
         *RECT, project=_project_svd),
    case("svd", "svd-square-full", la.svd, np.linalg.svd, ((general, (3, 3)),), project=_project_svd),
    case("svd", "svd-values", lambda a: la.svd(a, compute_uv=False), lambda a: np.linalg.svd(a, compute_uv=False),
         *RECT),
    case("svd", "svd-recon", lambda a: _svd_recon(la.svd(a, full_matrices=False)),
         lambda a: _svd_recon(np.linalg.svd(a, full_matrices=False)), *RECT),
    case("svd", "svd-abs2", lambda a: _svd_abs2(wnp, la.svd(a, full_matrices=False)),
         lambda a: _svd_abs2(np, np.linalg.svd(a, full_matrices=False)), *RECT),
    # norm: vectors
    _norm_case("norm", {}, ((plain, (5,)),), ((plain, (2, 3, 2)),)),
    _norm_case("norm-keepdims", {"keepdims": True}, ((plain, (3, 4)),)),
    *[_norm_case(f"norm-vec-{o}", {"ord": o}, ((plain, (5,)),)) for o in (1, 2, 3, 0.5, np.inf, -np.inf, 0, -1)],
    _norm_case("norm-vec-axis", {"ord": 1, "axis": 0, "keepdims": True}, ((plain, (3, 4)),)),
    _norm_case("norm-vec-axis-2", {"axis": -1}, ((plain, (2, 3, 4)),)),
    _norm_case("norm-vec-axis-inf", {"ord": np.inf, "axis": 1}, ((plain, (3, 4)),)),
    # norm: matrices
    *[_norm_case(f"norm-mat-{o}", {"ord": o}, ((plain, (3, 4)),)) for o in ("fro", 1, -1, np.inf, -np.inf)],
    *[_norm_case(f"norm-mat-{o}", {"ord": o}, ((general, (3, 4)),)) for o in ("nuc", 2, -2)],
    _norm_case("norm-mat-axes", {"ord": "fro", "axis": (2, 0)}, ((plain, (3, 2, 4)),)),
    _norm_case("norm-mat-axes-1", {"ord": 1, "axis": (0, 2), "keepdims": True}, ((plain, (3, 2, 4)),)),
    _norm_case("norm-mat-axes-nuc", {"ord": "nuc", "axis": (-1, -3), "keepdims": True}, ((general, (3, 2, 4)),)),
    # general eigenproblems (complex results for every input; phase-invariant functions of V)
    case("eig", "eigvals", la.eigvals, lambda a: np.linalg.eigvals(a).astype(np.result_type(a.dtype, np.complex64)),
         *SQUARE),
    case("eigvals", "eigvals-sum", lambda a: wnp.sum(la.eigvals(a) * C3), lambda a: np.sum(np.linalg.eigvals(a) * C3),
         ((general, (3, 3)),)),
    case("eig", "eig-abs2", lambda a: wnp.abs2(la.eig(a)[1]) * W3, lambda a: np.abs(np.linalg.eig(a)[1]) ** 2 * W3,
         *SQUARE),
    case("eig", "eig-recon", lambda a: _eig_recon(wnp, la, a), lambda a: _eig_recon(np, np.linalg, a), *SQUARE),
    case("eigvalsh", "eigvalsh", la.eigvalsh, np.linalg.eigvalsh, *HERM, hermitian=True),
    case("svdvals", "svdvals", la.svdvals, np.linalg.svdvals, *RECT),
    case("pinv", "pinv", la.pinv, np.linalg.pinv, *RECT),
    case("lstsq", "lstsq", lambda a, b: la.lstsq(a, b)[0], lambda a, b: np.linalg.lstsq(a, b)[0],
         [(general, (4, 3)), (plain, (4, 2))], [(general, (3, 4)), (plain, (3,))]),
    case("lstsq", "lstsq-residuals", lambda a, b: la.lstsq(a, b)[1], lambda a, b: np.linalg.lstsq(a, b)[1],
         [(general, (4, 3)), (plain, (4, 2))]),
    case("cond", "cond", la.cond, np.linalg.cond, *RECT[:2]),
    # np.real: NumPy 2.0's cond gives a complex dtype for complex input with p other than 2 (later ones a real).
    case("cond", "cond-1", lambda a: la.cond(a, 1), lambda a: np.real(np.linalg.cond(a, 1)), *SQUARE),
    case("multi_dot", "multi_dot", lambda a, b, c: la.multi_dot([a, b, c]),
         lambda a, b, c: np.linalg.multi_dot([a, b, c]), [(plain, (3,)), (plain, (3, 4)), (plain, (4, 2))],
         holomorphic=True),
    case("vector_norm", "vector_norm", lambda x: la.vector_norm(x, axis=1, ord=3),
         lambda x: np.linalg.vector_norm(x, axis=1, ord=3), ((plain, (3, 4)),)),
    case("matrix_norm", "matrix_norm", la.matrix_norm, np.linalg.matrix_norm, ((plain, (2, 3, 4)),)),
    case("matmul", "linalg.matmul", la.matmul, np.linalg.matmul, [(plain, (2, 3)), (plain, (3, 2))],
         holomorphic=True),
    case("outer", "linalg.outer", la.outer, np.linalg.outer, [(plain, (2,)), (plain, (3,))], holomorphic=True),
    case("cross", "linalg.cross", la.cross, np.linalg.cross, [(plain, (2, 3)), (plain, (3,))], holomorphic=True),
    case("tensordot", "linalg.tensordot", lambda a, b: la.tensordot(a, b, axes=1),
         lambda a, b: np.linalg.tensordot(a, b, axes=1), [(plain, (2, 3)), (plain, (3, 2))], holomorphic=True),
    case("vecdot", "linalg.vecdot", la.vecdot, np.linalg.vecdot, [(plain, (2, 3)), (plain, (3,))]),
    case("matrix_transpose", "matrix_transpose", la.matrix_transpose, np.linalg.matrix_transpose,
         ((plain, (2, 3, 4)),), holomorphic=True),
    case("tensorsolve", "tensorsolve", la.tensorsolve, np.linalg.tensorsolve,
         [(general, (2, 3, 6)), (plain, (2, 3))], holomorphic=True),
    case("tensorinv", "tensorinv", lambda a: la.tensorinv(a, ind=1), lambda a: np.linalg.tensorinv(a, ind=1),
         ((general, (6, 2, 3)),), holomorphic=True),
    # NumPy top-level functions defined in linalg.py
    case("trace", "trace", wnp.trace, np.trace, ((plain, (3, 4)),)),
    case("trace", "trace-offset-axes", lambda x: wnp.trace(x, 1, 2, 0), lambda x: np.trace(x, 1, 2, 0),
         ((plain, (3, 2, 4)),)),
    case("trace", "trace-last-axes", lambda x: wnp.trace(x, -1, -2, -1), lambda x: np.trace(x, -1, -2, -1),
         ((plain, (2, 3, 3)),)),
    case("diagonal", "diagonal", wnp.diagonal, np.diagonal, ((plain, (3, 4)),)),
    case("diagonal", "diagonal-offset", lambda x: wnp.diagonal(x, 2), lambda x: np.diagonal(x, 2), ((plain, (3, 4)),)),
    case("diagonal", "diagonal-negative", lambda x: wnp.diagonal(x, -1, 2, 0), lambda x: np.diagonal(x, -1, 2, 0),
         ((plain, (3, 2, 4)),)),
    case("diagonal", "diagonal-empty", lambda x: wnp.diagonal(x, 5), lambda x: np.diagonal(x, 5), ((plain, (3, 4)),)),
    case("trace", "linalg.trace", la.trace, np.linalg.trace, ((plain, (2, 3, 4)),)),
    case("trace", "linalg.trace-offset", lambda x: la.trace(x, offset=-1), lambda x: np.linalg.trace(x, offset=-1),
         ((plain, (2, 3, 4)),)),
    case("diagonal", "linalg.diagonal", la.diagonal, np.linalg.diagonal, ((plain, (2, 3, 4)),)),
    case("diagonal", "linalg.diagonal-offset", lambda x: la.diagonal(x, offset=1),
         lambda x: np.linalg.diagonal(x, offset=1), ((plain, (2, 4, 3)),)),
]

CASES = {c.id: c for c in TABLE}
assert len(CASES) == len(TABLE), "duplicate ids in the linalg table"


def _params(case_filter=lambda c: True, first_input_only=False, dtypes=None):
    params = []
    for c in TABLE:
        if not case_filter(c):
            continue
        for k, inputs in enumerate(c.inputs[:1] if first_input_only else c.inputs):
            for dt in dtypes or c.dtypes:
                if dtypes and dt not in c.dtypes:
                    continue
                sid = "x".join("-".join(map(str, shp)) for _, shp in inputs)
                params.append(pytest.param(c, inputs, np.dtype(dt), id=f"{c.id}-{sid}-{np.dtype(dt).name}"))
    return params


ALL = _params()


def _args(rng, inputs, dtype):
    return tuple(np.asarray(gen(rng, shape, dtype)).astype(dtype) for gen, shape in inputs)


def _leaves(out):
    return list(out) if isinstance(out, tuple) else [out]


def _tree(like, leaves):
    if hasattr(like, "_fields"):
        return type(like)(*leaves)
    if isinstance(like, tuple):
        return tuple(leaves)
    return leaves[0]


def _wide(x):
    x = np.asarray(x)
    return x.astype(np.result_type(x.dtype, np.float64))


def _fd_ref(c):
    if c.hermitian:
        return lambda x, *rest: c.ref(_sym(x), *rest)
    return c.ref


def _cotangents(rng, c, args, out):
    cts = [random_tangent(rng, np.shape(o), np.asarray(o).dtype) for o in _leaves(out)]
    if c.project is not None:
        cts = c.project(args, out, cts)
    return cts


# ---------------------------------------------------------------- coverage


def test_every_linalg_function_has_a_table_entry():
    covered = {c.name for c in TABLE}
    functions = {n for n in la.__all__ if callable(getattr(la, n)) and not isinstance(getattr(la, n), type)}
    values_only = {"matrix_rank"}  # an integer (test_matrix_rank)
    missing = sorted((functions | {"trace", "diagonal"}) - values_only - covered)
    assert not missing, f"linalg functions without an entry in tests/test_linalg.py TABLE: {missing}"


def test_matrix_rank(rng):
    a = plain(rng, (4, 2), C128) @ plain(rng, (2, 5), C128)
    assert la.matrix_rank(wnp.asarray(a)) == np.linalg.matrix_rank(a) == 2
    assert la.matrix_rank(a, tol=1e30) == 0


def test_numpy_dispatch_reaches_linalg_with_numpy_semantics(rng):
    """np.linalg.trace sums the last two axes and np.trace the first two, on wirtinger arrays too."""
    x = plain(rng, (2, 3, 3), C128)
    for fn in (np.trace, np.linalg.trace, np.diagonal, np.linalg.diagonal):
        out, _ = w.jvp(lambda v: fn(v), (x,), (x,))
        assert_close(out, fn(x), 1e-15, 1e-15, err_msg=fn.__module__ + "." + fn.__name__)
    a = general(rng, (3, 3), C128)
    g = w.grad(lambda v: np.real(np.linalg.det(v)) + np.linalg.norm(np.linalg.inv(v)))(a)
    expected = w.grad(lambda v: wnp.real(la.det(v)) + la.norm(la.inv(v)))(a)
    assert_close(g, expected, 1e-15, 1e-15)


# ---------------------------------------------------------------- values


@pytest.mark.parametrize("c,inputs,dtype", ALL)
def test_value_matches_numpy(c, inputs, dtype, rng):
    args = _args(rng, inputs, dtype)
    out = w.jvp(c.fn, args, tuple(random_tangent(rng, a.shape, a.dtype) for a in args))[0]
    expected = c.ref(*args)
    wide_expected = c.ref(*[_wide(a) for a in args])
    assert getattr(out, "_fields", None) == getattr(expected, "_fields", None)
    for o, e, we in zip(_leaves(out), _leaves(expected), _leaves(wide_expected)):
        o, e = np.asarray(o), np.asarray(e)
        assert o.dtype == e.dtype, f"{c.id}: result dtype {o.dtype}, NumPy gives {e.dtype}"
        assert_close(o, we, *tol(dtype, "value"), err_msg=c.id)


# ---------------------------------------------------------------- the dot-product test


@pytest.mark.parametrize("c,inputs,dtype", ALL)
def test_adjoint_vjp_is_the_adjoint_of_the_jvp(c, inputs, dtype, rng):
    args = _args(rng, inputs, dtype)
    ts = tuple(random_tangent(rng, a.shape, a.dtype) for a in args)
    out, t_out = w.jvp(c.fn, args, ts)
    out2, vjp_fn = w.vjp(c.fn, *args)
    cts = _cotangents(rng, c, args, out2)
    back = vjp_fn(_tree(out2, cts))
    assert len(back) == len(args)
    for a, b in zip(args, back):
        assert b.shape == a.shape and b.dtype == a.dtype, (
            f"{c.id}: cotangent {b.shape} {b.dtype} for an input {a.shape} {a.dtype}")
    lhs = sum(inner(ct, t) for ct, t in zip(cts, _leaves(t_out)))
    rhs = sum(inner(b, t) for b, t in zip(back, ts))
    scale = sum(np.linalg.norm(ct) * np.linalg.norm(t) for ct, t in zip(cts, _leaves(t_out))) + sum(
        np.linalg.norm(b) * np.linalg.norm(t) for b, t in zip(back, ts)
    )
    assert abs(lhs - rhs) <= tol(dtype, "exact")[0] * max(scale, 1e-30), f"{c.id}: <w, Jt> = {lhs}, <J*w, t> = {rhs}"


@pytest.mark.parametrize("c,inputs,dtype", _params(dtypes=(C128, C64)))
def test_transpose_vjp_is_conj_adjoint_of_conj(c, inputs, dtype, rng):
    args = _args(rng, inputs, dtype)
    out, vjp_adjoint = w.vjp(c.fn, *args, convention="adjoint")
    _, vjp_transpose = w.vjp(c.fn, *args, convention="transpose")
    cts = _cotangents(rng, c, args, out)
    ct_a = vjp_adjoint(_tree(out, cts))
    ct_t = vjp_transpose(_tree(out, [np.conj(x) for x in cts]))
    for a, x, y in zip(args, ct_a, ct_t):
        assert y.dtype == a.dtype
        assert_close(y, np.conj(x), *tol(dtype, "exact"), err_msg=c.id)


# ---------------------------------------------------------------- finite differences


@pytest.mark.parametrize("c,inputs,dtype", _params(lambda c: c.project is None))
def test_jvp_matches_finite_differences_along_1_and_i(c, inputs, dtype, rng):
    args = _args(rng, inputs, dtype)
    along_1 = tuple(random_tangent(rng, a.shape, F64).astype(a.dtype) for a in args)
    directions = [("along 1", along_1)]
    if is_complex(dtype):
        directions.append(("along i", tuple((1j * random_tangent(rng, a.shape, F64)).astype(a.dtype) for a in args)))
    for label, ts in directions:
        _, t_out = w.jvp(c.fn, args, ts)
        for k, t in enumerate(_leaves(t_out)):
            e = fd_jvp(lambda *xs: _leaves(_fd_ref(c)(*xs))[k], args, ts)
            assert_close(t, e, *tol(dtype, "fd"), err_msg=f"{c.id} {label}")


@pytest.mark.parametrize("c,inputs,dtype",
                         _params(lambda c: c.project is None and not c.id.startswith(("norm-vec-0",)),
                                 first_input_only=True, dtypes=(C128,)))
def test_wirtinger_pair_matches_finite_differences(c, inputs, dtype, rng):
    args = _args(rng, inputs, dtype)
    for k in range(len(args)):
        def f(x, k=k):
            return _leaves(c.fn(*args[:k], x, *args[k + 1:]))[0]

        def ref(x, k=k):
            return _leaves(_fd_ref(c)(*args[:k], x, *args[k + 1:]))[0]

        A, B = fd_wirtinger(ref, (args[k],))
        scale = max(np.max(np.abs(A), initial=0), np.max(np.abs(B), initial=0))
        for mode, pair in (("forward", w.wirtinger(f)(args[k])), ("reverse", w.jacrev(f)(args[k]))):
            assert isinstance(pair, w.Wirtinger)
            assert_close(pair.dz, A, *tol(dtype, "fd"), err_msg=f"{c.id} d/dz ({mode})", scale=scale)
            assert_close(pair.dzbar, B, *tol(dtype, "fd"), err_msg=f"{c.id} d/dzbar ({mode})", scale=scale)
            if c.holomorphic:
                assert np.max(np.abs(pair.dzbar)) <= 1e-12 * max(scale, 1), f"{c.id} is holomorphic"


# ---------------------------------------------------------------- the JAX cookbook's complex Cholesky

COOKBOOK_A = np.array([[5, 2 + 3j, 5j], [2 - 3j, 7, 1 + 7j], [-5j, 1 - 7j, 12]], dtype=np.complex64)
COOKBOOK_GRAD = np.array(
    [
        [-0.7534186 + 0j, -3.0509028 - 10.940545j, 5.9896846 + 3.542303j],
        [-3.0509028 + 10.940545j, -8.904491 + 0j, -5.1351523 - 6.559373j],
        [5.9896846 - 3.542303j, -5.1351523 + 6.559373j, 0.01320427 + 0j],
    ],
    dtype=np.complex64,
)


def _cookbook(x):
    L = la.cholesky(x)
    return wnp.sum((L - wnp.sin(L)) ** 2)


def test_cookbook_cholesky_is_not_holomorphic():
    with pytest.raises(w.NonHolomorphicError):
        w.grad(_cookbook, holomorphic=True)(COOKBOOK_A)


def test_cookbook_cholesky_reproduces_jax_with_check_off():
    g = w.grad(_cookbook, holomorphic=True, check_holomorphic=False)(COOKBOOK_A)
    assert g.dtype == np.complex64
    assert_close(g, COOKBOOK_GRAD, 1e-5, 1e-6)


@pytest.mark.parametrize("dtype", [C128, C64], ids=lambda d: d.name)
def test_cookbook_real_loss_matches_finite_differences_along_hermitian_directions(dtype, rng):
    def loss(x):
        L = la.cholesky(x)
        return wnp.sum(wnp.abs2(L - wnp.sin(L)))

    def loss_np(x):
        L = np.linalg.cholesky(x)
        return np.sum(np.abs(L - np.sin(L)) ** 2)

    a = COOKBOOK_A.astype(dtype)
    g = w.grad(loss)(a)
    assert g.dtype == dtype
    assert_close(g, _mH(g), *tol(dtype, "exact"), err_msg="the gradient of a Hermitian-input function is Hermitian")
    for _ in range(3):
        h = _sym(random_tangent(rng, a.shape, C128))
        expected = fd_jvp(loss_np, (a,), (h,))
        assert_close(inner(g, h), expected, *tol(dtype, "fd"))
    # "transpose" gives the conjugate, as jax.grad of the real loss
    assert_close(w.grad(loss, convention="jax")(a), np.conj(g), *tol(dtype, "exact"))


# ---------------------------------------------------------------- Hermitian input


@pytest.mark.parametrize("name", ["cholesky", "eigh"])
def test_hermitian_input_reads_one_triangle_and_symmetrises_the_derivative(name, rng):
    a = hpd(rng, (3, 3), C128)
    garbage = a + np.triu(random_tangent(rng, (3, 3), C128), 1)  # the strict upper triangle is not read
    if name == "cholesky":
        f = lambda x: wnp.sum(wnp.abs2(la.cholesky(x)) * np.arange(9.0).reshape(3, 3))  # noqa: E731
    else:
        f = lambda x: wnp.sum(la.eigh(x).eigenvalues * C3) + wnp.sum(wnp.abs2(la.eigh(x)[1]) * W3)  # noqa: E731
    assert_close(np.asarray(w.vjp(f, garbage)[0]), np.asarray(w.vjp(f, a)[0]), 1e-12, 1e-12)
    g = w.grad(f)(a)
    assert_close(g, _mH(g), 1e-12, 1e-12)
    g_sym = w.grad(lambda x: f(_wsym(x)))(a)  # explicit symmetrisation changes nothing at a Hermitian point
    assert_close(g, g_sym, 1e-10, 1e-12)


# ---------------------------------------------------------------- vector phases


def _phase_dependent(kind):
    if kind == "eigh-real-part":
        return lambda a: wnp.sum(wnp.real(la.eigh(a)[1]))
    if kind == "eigh-entry":
        return lambda a: wnp.imag(la.eigh(a).eigenvectors[0, 1])
    if kind == "svd-U":
        return lambda a: wnp.sum(wnp.real(la.svd(a, full_matrices=False).U))
    if kind == "svd-Vh":
        return lambda a: wnp.sum(wnp.imag(la.svd(a, full_matrices=False).Vh))
    raise ValueError(kind)


@pytest.mark.parametrize("kind", ["eigh-real-part", "eigh-entry", "svd-U", "svd-Vh"])
@pytest.mark.parametrize("dtype", [C128, C64], ids=lambda d: d.name)
def test_a_loss_depending_on_vector_phases_raises(kind, dtype, rng):
    a = (hpd if kind.startswith("eigh") else general)(rng, (3, 3), dtype)
    name = kind.split("-")[0]
    with pytest.raises(ValueError, match=rf"{name}: .*phase"):
        w.grad(_phase_dependent(kind))(a)
    with pytest.raises(ValueError, match="phase"):  # a reverse-mode Jacobian of the raw vectors too
        w.jacrev(lambda x: la.eigh(x)[1] if name == "eigh" else la.svd(x)[0])(a)


def test_real_vectors_have_no_phase_to_check(rng):
    a = hpd(rng, (3, 3), F64)
    g = w.grad(lambda x: wnp.sum(la.eigh(x)[1] * C3))(a)
    assert np.all(np.isfinite(g))


@pytest.mark.parametrize("dtype", [C128, C64], ids=lambda d: d.name)
def test_phase_invariant_losses_work(dtype, rng):
    a, b = general(rng, (4, 3), dtype), general(rng, (4, 3), dtype)

    def recon(x):
        u, s, vh = la.svd(x, full_matrices=False)
        return wnp.sum(wnp.abs2((u * s[..., None, :]) @ vh - b))

    # U diag(s) Vh = a, so the gradient is that of |a - b|², 2 (a - b)
    assert_close(w.grad(recon)(a), 2 * (a - b), *tol(dtype, "fd"))
    h = hpd(rng, (3, 3), dtype)

    def weighted(x):
        return wnp.sum(wnp.abs2(la.eigh(x)[1]) * W3)

    g = w.grad(weighted)(h)
    assert np.max(np.abs(g)) > 1e-2
    t = _sym(random_tangent(rng, h.shape, C128))
    expected = fd_jvp(lambda x: np.sum(np.abs(np.linalg.eigh(x)[1]) ** 2 * W3), (h,), (t,))
    assert_close(inner(g, t), expected, *tol(dtype, "fd"))


# ---------------------------------------------------------------- degenerate spectra


@pytest.mark.parametrize("dtype", [C128, F64], ids=lambda d: d.name)
def test_degenerate_spectrum(dtype, rng):
    """Documented: derivatives through vectors at repeated eigen/singular values are inf/nan;
    through the values alone they stay finite."""
    a = np.diag([2.0, 1.0, 1.0]).astype(dtype)  # exactly repeated: LAPACK returns 1.0 twice
    g = w.grad(lambda x: wnp.sum(la.eigh(x).eigenvalues * C3))(a)
    assert np.all(np.isfinite(g))
    g = w.grad(lambda x: wnp.sum(wnp.abs2(la.eigh(x).eigenvectors) * W3))(a)
    assert not np.all(np.isfinite(g))
    g = w.grad(lambda x: wnp.sum(la.svd(x, compute_uv=False) * C3))(a)
    assert np.all(np.isfinite(g))
    g = w.grad(lambda x: wnp.sum(wnp.abs2(la.svd(x).U) * W3))(a)
    assert not np.all(np.isfinite(g))
    _, t = w.jvp(lambda x: la.eigh(x).eigenvalues, (a,), (random_tangent(rng, a.shape, dtype),))
    assert np.all(np.isfinite(t))


# ---------------------------------------------------------------- undetermined columns


@pytest.mark.parametrize("dtype", [C128, F64], ids=lambda d: d.name)
def test_completed_basis_columns_have_no_derivative(dtype, rng):
    a = general(rng, (4, 2), dtype)
    q, r = la.qr(a, mode="complete")
    assert q.shape == (4, 4) and r.shape == (4, 2)
    assert_close(np.asarray(q), np.linalg.qr(a, mode="complete")[0], 1e-12, 1e-12)
    # a loss that ignores the completion is fine, one that uses it raises
    g = w.grad(lambda x: wnp.sum(wnp.abs2(la.qr(x, mode="complete").R)))(a)
    assert_close(g, w.grad(lambda x: wnp.sum(wnp.abs2(la.qr(x).R)))(a), 1e-10, 1e-12)
    with pytest.raises(ValueError, match="mode='reduced'"):
        w.grad(lambda x: wnp.sum(wnp.abs2(la.qr(x, mode="complete").Q[:, 3])))(a)
    g = w.grad(lambda x: wnp.sum(la.svd(x).S))(a)  # full_matrices=True by default, as NumPy
    assert np.all(np.isfinite(g))
    with pytest.raises(ValueError, match="full_matrices=False"):
        w.grad(lambda x: wnp.sum(wnp.abs2(la.svd(x).U[:, 3])))(a)
    _, t = w.jvp(lambda x: la.svd(x).U, (a,), (random_tangent(rng, a.shape, dtype),))
    assert np.all(np.isnan(np.asarray(t)[:, 2:]))


# ---------------------------------------------------------------- second derivatives


def _losses():
    b = np.array([[1.0 - 0.5j, 0.3j], [0.2, -1.0 + 1j], [0.5j, 0.7]])
    return {
        "solve": lambda x: wnp.sum(wnp.abs2(la.solve(x, b))),
        "inv": lambda x: wnp.real(wnp.sum(la.inv(x) * b[:, :1])),
        "det": lambda x: wnp.abs2(la.det(x)) + wnp.real(la.det(x)),
        "slogdet": lambda x: la.slogdet(x).logabsdet + wnp.imag(la.slogdet(x).sign),
        "cholesky": lambda x: wnp.sum(wnp.abs2(la.cholesky(_wsym(x)) - wnp.sin(la.cholesky(_wsym(x))))),
        "eigh": lambda x: wnp.sum(la.eigh(_wsym(x)).eigenvalues ** 2 * C3)
        + wnp.sum(wnp.abs2(la.eigh(_wsym(x))[1]) * W3),
        "qr": lambda x: wnp.sum(wnp.abs2(la.qr(x).Q) * W3) + wnp.sum(wnp.real(la.qr(x).R)),
        "svd": lambda x: wnp.sum(la.svd(x).S ** 3) + wnp.sum(wnp.abs2(la.svd(x).U) * W3),
        "norm": lambda x: la.norm(x, "nuc") + la.norm(x, 2) ** 2 + la.norm(x, 1),
    }


@pytest.mark.parametrize("name", list(_losses()))
def test_second_derivatives_match_finite_differences(name, rng):
    """hvp (forward over reverse) against central differences of the gradient, in complex128,
    and check_grads(order=2) for both modes."""
    loss = _losses()[name]
    x = (hpd if name in ("cholesky", "eigh") else general)(rng, (3, 3), C128)
    t = random_tangent(rng, x.shape, C128)
    hv = w.hvp(loss, (x,), (t,))
    g = w.grad(loss)
    h = 1e-5
    expected = (g(x + h * t) - g(x - h * t)) / (2 * h)
    assert_close(hv, expected, 1e-6, 1e-7, err_msg=name)
    if name in ("solve", "det", "cholesky"):
        w.check_grads(loss, (x,), order=2)


@pytest.mark.parametrize("name", ["solve", "det", "cholesky"])
def test_real_hessian_matches_finite_differences(name, rng):
    loss = _losses()[name]
    x = (hpd if name == "cholesky" else general)(rng, (3, 3), F64)
    H = w.hessian(lambda v: wnp.real(loss(v)))(x)
    assert H.shape == (3, 3, 3, 3)
    g = w.grad(lambda v: wnp.real(loss(v)))
    h = 1e-5
    for i, j in [(0, 0), (1, 2), (2, 1)]:
        e = np.zeros((3, 3))
        e[i, j] = 1
        assert_close(H[..., i, j], (g(x + h * e) - g(x - h * e)) / (2 * h), 1e-6, 1e-7)


# ---------------------------------------------------------------- special points and errors


@pytest.mark.parametrize("ord", [None, 2, 3, 1, np.inf, "fro"])
def test_norm_at_zero_has_zero_derivative(ord):
    """As abs'(0) = 0 (README, Points with no derivative): the minimal-norm subgradient, not 0·inf = nan."""
    shape = (2, 2) if ord == "fro" else (3,)
    z = np.zeros(shape, C128)
    g = w.grad(lambda x: la.norm(x, ord))(z)
    assert np.all(g == 0)
    batch = np.array([[0, 0], [3 + 4j, 0]], C128)
    g = w.grad(lambda x: wnp.sum(la.norm(x, axis=1)))(batch)
    assert_close(g, np.array([[0, 0], [0.6 + 0.8j, 0]]), 1e-15, 1e-15)


def test_errors():
    with pytest.raises(np.linalg.LinAlgError, match="square"):
        la.inv(np.ones((2, 3)))
    with pytest.raises(np.linalg.LinAlgError, match="two-dimensional"):
        la.det(np.ones(3))
    with pytest.raises(np.linalg.LinAlgError, match="cholesky"):
        la.cholesky(-np.eye(2))
    with pytest.raises(np.linalg.LinAlgError, match="solve"):
        la.solve(np.zeros((2, 2)), np.ones(2))
    with pytest.raises(np.linalg.LinAlgError, match="inv: Singular"):
        la.inv(np.zeros((2, 2)))
    with pytest.raises(ValueError, match="raw"):
        la.qr(np.eye(2), mode="raw")
    with pytest.raises(ValueError, match="invalid norm order"):
        la.norm(np.ones(3), "fro")
    with pytest.raises(ValueError, match="invalid norm order"):
        la.norm(np.ones((2, 2)), 3)
    with pytest.raises(TypeError, match="integer"):
        la.matrix_power(np.eye(2), 1.5)
    with pytest.raises(ValueError, match="UPLO"):
        la.eigh(np.eye(2), UPLO="X")


def test_solve_with_mixed_dtypes(rng):
    """A real matrix and a complex right-hand side: NumPy's promotion, and a real cotangent for the matrix."""
    a, b = general(rng, (3, 3), F64), plain(rng, (3,), C128)
    out = la.solve(a, b)
    assert np.asarray(out).dtype == C128
    assert_close(np.asarray(out), np.linalg.solve(a, b), 1e-12, 1e-12)
    g = w.grad(lambda x: wnp.sum(wnp.abs2(la.solve(x, b))))(a)
    assert g.dtype == F64
    t = random_tangent(rng, a.shape, F64)
    expected = fd_jvp(lambda x: np.sum(np.abs(np.linalg.solve(x, b)) ** 2), (a,), (t,))
    assert_close(inner(g, t), expected, *tol(F64, "fd"))


def test_outputs_are_named_tuples_as_numpy():
    a = np.eye(2) * 2
    assert la.slogdet(a)._fields == np.linalg.slogdet(a)._fields
    assert la.qr(a)._fields == np.linalg.qr(a)._fields
    assert la.eigh(a)._fields == np.linalg.eigh(a)._fields
    assert la.svd(a)._fields == np.linalg.svd(a)._fields


# ---------------------------------------------------------------- peers (skipped unless installed)


def _peer_losses(xp, linalg):
    """Real losses written once for wirtinger.numpy, jax.numpy and torch."""
    b = np.array([[1.0 - 0.5j, 0.3j], [0.2, -1.0 + 1j], [0.5j, 0.7]])
    c = W3

    def abs2(z):
        return xp.real(z * xp.conj(z))

    return {
        "solve": lambda a: xp.sum(abs2(linalg.solve(a, xp.asarray(b)))),
        "det": lambda a: abs2(linalg.det(a)),
        "inv": lambda a: xp.sum(xp.real(linalg.inv(a) * xp.asarray(b[:, :1]))),
        "cholesky": lambda a: xp.sum(abs2(linalg.cholesky(a) - xp.sin(linalg.cholesky(a)))),
        "eigh": lambda a: xp.sum(linalg.eigh(a)[0] * xp.asarray(c[0]))
        + xp.sum(abs2(linalg.eigh(a)[1]) * xp.asarray(c)),
        "svd": lambda a: xp.sum(linalg.svd(a, full_matrices=False)[1] ** 3)
        + xp.sum(abs2(linalg.svd(a, full_matrices=False)[0]) * xp.asarray(c)),
        "qr": lambda a: xp.sum(abs2(linalg.qr(a)[0]) * xp.asarray(c)) + xp.sum(xp.real(linalg.qr(a)[1])),
        "slogdet": lambda a: linalg.slogdet(a)[1] + xp.imag(linalg.slogdet(a)[0]),
        "norm": lambda a: linalg.norm(a, "nuc") + linalg.norm(a, 2) + linalg.norm(a, 1) + linalg.norm(a),
    }


PEER_NAMES = list(_peer_losses(np, np.linalg))


def _peer_input(name):
    rng = np.random.default_rng(7)
    return (hpd if name in ("cholesky", "eigh") else general)(rng, (3, 3), C128)


@pytest.mark.parametrize("name", PEER_NAMES)
def test_gradients_agree_with_jax(name):
    jax = pytest.importorskip("jax")
    jax.config.update("jax_enable_x64", True)
    import jax.numpy as jnp

    a = _peer_input(name)
    expected = np.asarray(jax.grad(_peer_losses(jnp, jnp.linalg)[name])(jnp.asarray(a)))
    got = w.grad(_peer_losses(wnp, la)[name], convention="jax")(a)
    assert_close(got, expected, 1e-9, 1e-10, err_msg=name)


@pytest.mark.parametrize("name", PEER_NAMES)
def test_gradients_agree_with_pytorch(name):
    torch = pytest.importorskip("torch")

    class _TorchXP:
        sum, real, imag, conj, sin = torch.sum, torch.real, torch.imag, torch.conj, torch.sin

        @staticmethod
        def asarray(x):
            return torch.as_tensor(x)

    a = _peer_input(name)
    x = torch.tensor(a, requires_grad=True)
    _peer_losses(_TorchXP, torch.linalg)[name](x).backward()
    expected = x.grad.numpy()
    if name in ("cholesky", "eigh"):
        # PyTorch's gradient carries a small anti-Hermitian part (a direction a Hermitian input
        # cannot move in); the Hermitian parts agree.
        expected = _sym(expected)
    got = w.grad(_peer_losses(wnp, la)[name])(a)
    assert_close(got, expected, 1e-9, 1e-10, err_msg=name)
