"""wirtinger.scipy.linalg, driven by one table: values against NumPy references
(or the defining identity), the dot-product test <w, JVP(t)> = <VJP(w), t>, and
the JVP against finite differences of the function's own values along 1 and i.
SciPy, when installed, is a second reference for the values.
A test fails when a name of wirtinger.scipy.linalg.__all__ has no entry."""
from dataclasses import dataclass
from typing import Callable, Optional

import numpy as np
import pytest

import wirtinger as w
import wirtinger.numpy as wnp
import wirtinger.scipy.linalg as sl
from helpers import C128, F64, assert_close, fd_jvp, inner, random_tangent

RNG = np.random.default_rng(11)


def general(rng, shape, dtype):
    x = rng.normal(size=shape) + (1j * rng.normal(size=shape) if np.dtype(dtype).kind == "c" else 0)
    return (x + 2 * np.eye(shape[-1]) if len(shape) >= 2 and shape[-1] == shape[-2] else x).astype(dtype)


def plain(rng, shape, dtype):
    x = rng.normal(size=shape) + (1j * rng.normal(size=shape) if np.dtype(dtype).kind == "c" else 0)
    return x.astype(dtype)


def spd(rng, shape, dtype):
    x = general(rng, shape, dtype)
    return (x @ np.conj(np.swapaxes(x, -1, -2)) + shape[-1] * np.eye(shape[-1])).astype(dtype)


def small(rng, shape, dtype):
    return (0.4 * plain(rng, shape, dtype)).astype(dtype)


def _eig_fn(f):
    """f of a diagonalizable matrix through its eigendecomposition (a NumPy reference)."""
    def ref(a):
        wv, v = np.linalg.eig(a)
        out = v @ np.diag(f(wv)) @ np.linalg.inv(v)
        return out.real if a.dtype.kind != "c" and np.allclose(out.imag, 0, atol=1e-9) else out
    return ref


@dataclass(frozen=True)
class Case:
    """hermitian: the arguments read as Hermitian (one triangle): tangents along
    Hermitian directions, for which the derivative is defined as that of f(sym(X))."""
    name: str
    id: str
    fn: Callable
    ref: Optional[Callable]
    inputs: tuple
    dtypes: tuple = (F64, C128)
    hermitian: tuple = ()


def case(name, id, fn, ref, inputs, dtypes=(F64, C128), hermitian=()):
    return Case(name, id, fn, ref, tuple(inputs), dtypes, tuple(hermitian))


V4 = np.array([0.7, -1.2, 0.4, 2.0])


def _lu_recon(a):
    p, l, u = sl.lu(a)
    return p @ l @ u


def _schur_recon(a, output):
    t, z = sl.schur(a, output=output)
    return z @ t @ wnp.conj(wnp.swapaxes(z, 0, 1))


def _rsf2csf_recon(a):
    t, z = sl.rsf2csf(*sl.schur(a))
    return z @ t @ wnp.conj(wnp.swapaxes(z, 0, 1))


def _hess_recon(a):
    h, q = sl.hessenberg(a, calc_q=True)
    return q @ h @ wnp.conj(wnp.swapaxes(q, 0, 1))


TABLE = [
    case("expm", "expm", sl.expm, _eig_fn(np.exp), [(general, (3, 3))]),
    case("expm", "expm-large-norm", lambda a: sl.expm(4 * a), lambda a: _eig_fn(np.exp)(4 * a), [(general, (3, 3))]),
    case("expm", "expm-batched", sl.expm, lambda a: np.stack([_eig_fn(np.exp)(m) for m in a]), [(small, (2, 3, 3))]),
    case("expm_frechet", "expm_frechet", lambda a, e: sl.expm_frechet(a, e)[1], None,
         [(small, (3, 3)), (plain, (3, 3))]),
    case("sqrtm", "sqrtm", sl.sqrtm, _eig_fn(np.sqrt), [(spd, (3, 3))]),
    case("funm", "funm", lambda a: sl.funm(a, np.cos), _eig_fn(np.cos), [(general, (3, 3))]),
    case("polar", "polar", lambda a: sl.polar(a)[0] + sl.polar(a)[1], None, [(general, (3, 3))]),
    case("polar", "polar-left", lambda a: sl.polar(a, side="left")[1], None, [(general, (3, 3))]),
    case("lu", "lu", lambda a: sl.lu(a)[1] + sl.lu(a)[2], None, [(general, (3, 3))]),
    case("lu", "lu-recon", _lu_recon, lambda a: a, [(general, (4, 4))]),
    case("lu_factor", "lu_factor", lambda a: sl.lu_factor(a)[0], None, [(general, (3, 3))]),
    case("lu_solve", "lu_solve", lambda a, b: sl.lu_solve(sl.lu_factor(a), b), np.linalg.solve,
         [(general, (3, 3)), (plain, (3,))]),
    case("lu_solve", "lu_solve-trans", lambda a, b: sl.lu_solve(sl.lu_factor(a), b, trans=2),
         lambda a, b: np.linalg.solve(np.conj(a.T), b), [(general, (3, 3)), (plain, (3, 2))]),
    case("cho_factor", "cho_factor", lambda a: sl.cho_factor(a, lower=True)[0], np.linalg.cholesky,
         [(spd, (3, 3))], hermitian=[0]),
    case("cho_solve", "cho_solve", lambda a, b: sl.cho_solve(sl.cho_factor(a), b), np.linalg.solve,
         [(spd, (3, 3)), (plain, (3, 2))], hermitian=[0]),
    case("cholesky", "cholesky", sl.cholesky, lambda a: np.conj(np.linalg.cholesky(a).T), [(spd, (3, 3))],
         hermitian=[0]),
    case("solve_triangular", "solve_triangular", lambda a, b: sl.solve_triangular(a, b, lower=True),
         lambda a, b: np.linalg.solve(np.tril(a), b), [(general, (3, 3)), (plain, (3,))]),
    case("solve_triangular", "solve_triangular-unit-trans",
         lambda a, b: sl.solve_triangular(a, b, trans=1, unit_diagonal=True),
         lambda a, b: np.linalg.solve((np.triu(a, 1) + np.eye(3)).T, b), [(general, (3, 3)), (plain, (3, 2))]),
    case("solve", "solve-pos", lambda a, b: sl.solve(a, b, assume_a="pos"), np.linalg.solve,
         [(spd, (3, 3)), (plain, (3,))]),
    case("solve", "solve", sl.solve, np.linalg.solve, [(general, (3, 3)), (plain, (3, 2))]),
    case("inv", "inv", sl.inv, np.linalg.inv, [(general, (3, 3))]),
    case("det", "det", sl.det, np.linalg.det, [(general, (3, 3))]),
    case("svd", "svd-values", lambda a: sl.svd(a, compute_uv=False), lambda a: np.linalg.svd(a, compute_uv=False),
         [(general, (4, 3))]),
    case("qr", "qr-r", lambda a: sl.qr(a, mode="economic")[1], lambda a: np.linalg.qr(a)[1], [(general, (4, 3))]),
    case("qr_multiply", "qr_multiply", lambda a, c: sl.qr_multiply(a, c)[0], lambda a, c: c @ np.linalg.qr(a)[0],
         [(general, (4, 3)), (plain, (2, 4))]),
    case("eigh", "eigh-generalized", lambda a, b: sl.eigh(a, b, eigvals_only=True),
         lambda a, b: np.sort(np.linalg.eigvals(np.linalg.solve(b, a)).real), [(spd, (3, 3)), (spd, (3, 3))],
         hermitian=[0, 1]),
    case("eigh_tridiagonal", "eigh_tridiagonal", lambda d, e: sl.eigh_tridiagonal(d, e, eigvals_only=True),
         lambda d, e: np.linalg.eigvalsh(np.diag(d) + np.diag(e, 1) + np.diag(e, -1)),
         [(plain, (4,)), (plain, (3,))], dtypes=(F64,)),
    case("schur", "schur-complex", lambda a: _schur_recon(a, "complex"), lambda a: a, [(general, (3, 3))]),
    case("schur", "schur-eigenvalues", lambda a: wnp.diagonal(sl.schur(a, output="complex")[0]),
         lambda a: np.linalg.eigvals(a).astype(complex), [(general, (3, 3))]),
    case("schur", "schur-real", lambda a: _schur_recon(a, "real"), lambda a: a, [(general, (4, 4))], dtypes=(F64,)),
    case("rsf2csf", "rsf2csf", _rsf2csf_recon, lambda a: a.astype(complex), [(general, (4, 4))], dtypes=(F64,)),
    case("hessenberg", "hessenberg", _hess_recon, lambda a: a, [(general, (4, 4))]),
    case("solve_sylvester", "solve_sylvester", sl.solve_sylvester, None,
         [(general, (3, 3)), (general, (2, 2)), (plain, (3, 2))]),
    case("block_diag", "block_diag", lambda a, b: sl.block_diag(a, b), None, [(plain, (2, 3)), (plain, (1, 2))]),
    case("toeplitz", "toeplitz", sl.toeplitz, None, [(plain, (3,)), (plain, (4,))]),
    case("circulant", "circulant", sl.circulant, None, [(plain, (4,))]),
    case("hankel", "hankel", sl.hankel, None, [(plain, (3,)), (plain, (4,))]),
    case("companion", "companion", sl.companion, None, [(general, (4,))]),
    case("convolution_matrix", "convolution_matrix", lambda a: sl.convolution_matrix(a, 3) @ V4[:3],
         lambda a: np.convolve(a, V4[:3]), [(plain, (4,))]),
    case("fiedler", "fiedler", sl.fiedler, lambda a: np.abs(a[:, None] - a[None, :]), [(plain, (4,))],
         dtypes=(F64,)),
    case("fiedler_companion", "fiedler_companion", lambda a: wnp.linalg.eigvals(sl.fiedler_companion(a)),
         None, [(general, (5,))], dtypes=(F64,)),
    case("leslie", "leslie", sl.leslie, None, [(plain, (3,)), (plain, (2,))]),
]
CONSTANTS = {"dft", "hadamard", "helmert", "hilbert", "invhilbert", "pascal", "invpascal"}


def _params():
    return [pytest.param(c, np.dtype(d), id=f"{c.id}-{np.dtype(d).name}") for c in TABLE for d in c.dtypes]


def _args(c, dtype, rng):
    return tuple(gen(rng, shape, dtype) for gen, shape in c.inputs)


def _numpy(fn):
    def f(*a):
        return np.asarray(fn(*a))
    return f


def test_every_function_has_a_table_entry():
    missing = sorted(set(sl.__all__) - CONSTANTS - {c.name for c in TABLE})
    assert not missing, f"wirtinger.scipy.linalg functions without a row in tests/test_scipy_linalg.py: {missing}"


@pytest.mark.parametrize("c,dtype", _params())
def test_value(c, dtype):
    args = _args(c, dtype, np.random.default_rng(1))
    out = np.asarray(c.fn(*args))
    if c.ref is not None:
        assert_close(out, c.ref(*args), 1e-9, 1e-9, err_msg=c.id)
    assert np.all(np.isfinite(out))


@pytest.mark.parametrize("c,dtype", _params())
def test_adjoint_identity(c, dtype):
    rng = np.random.default_rng(2)
    args = _args(c, dtype, rng)
    ts = tuple(random_tangent(rng, a.shape, a.dtype) for a in args)
    out, t_out = w.jvp(c.fn, args, ts)
    _, vjp_fn = w.vjp(c.fn, *args)
    ct = random_tangent(rng, np.shape(out), np.asarray(out).dtype)
    cts = vjp_fn(ct)
    lhs = inner(ct, t_out)
    rhs = sum(inner(cv, t) for cv, t in zip(cts, ts))
    assert abs(lhs - rhs) <= 1e-9 * max(1.0, abs(lhs)), f"{c.id}: <w, Jt> = {lhs}, <J*w, t> = {rhs}"


@pytest.mark.parametrize("c,dtype", _params())
def test_jvp_matches_finite_differences(c, dtype):
    rng = np.random.default_rng(3)
    args = _args(c, dtype, rng)
    for unit in ((1.0, 1j) if np.dtype(dtype).kind == "c" else (1.0,)):
        ts = tuple((random_tangent(rng, a.shape, F64) * unit).astype(a.dtype) for a in args)
        ts = tuple((t + np.conj(t.T)) / 2 if k in c.hermitian else t for k, t in enumerate(ts))
        _, t_out = w.jvp(c.fn, args, ts)
        assert_close(t_out, fd_jvp(_numpy(c.fn), args, ts), 1e-5, 1e-6, err_msg=f"{c.id} along {unit}")


def test_constants_match_their_definitions():
    n = 5
    k = np.arange(n)
    assert_close(sl.dft(n), np.exp(-2j * np.pi * np.outer(k, k) / n), 1e-14, 1e-14)
    h = np.asarray(sl.hadamard(8))
    assert_close(h @ h.T, 8 * np.eye(8), 0, 0)
    hm = np.asarray(sl.helmert(n, full=True))
    assert_close(hm @ hm.T, np.eye(n), 1e-14, 1e-14)
    assert_close(hm[1:], np.asarray(sl.helmert(n)), 0, 0)
    hil = np.asarray(sl.hilbert(n))
    assert_close(hil, 1.0 / (k[:, None] + k[None, :] + 1), 0, 0)
    assert_close(np.asarray(sl.invhilbert(n)) @ hil, np.eye(n), 1e-6, 1e-6)
    for kind in ("symmetric", "lower", "upper"):
        assert_close(np.asarray(sl.invpascal(n, kind)) @ np.asarray(sl.pascal(n, kind)), np.eye(n), 0, 0)
    assert np.asarray(sl.pascal(4))[3, 3] == 20


def test_schur_forms():
    a = general(RNG, (4, 4), F64)
    t, z = (np.asarray(x) for x in sl.schur(a, output="complex"))
    assert_close(z @ t @ z.conj().T, a, 1e-10, 1e-10)
    assert_close(np.tril(t, -1), np.zeros_like(t), 0, 0)
    tr, zr = (np.asarray(x) for x in sl.schur(a))
    assert tr.dtype == np.float64 and zr.dtype == np.float64
    assert_close(zr @ tr @ zr.T, a, 1e-10, 1e-10)
    assert_close(np.tril(tr, -2), np.zeros_like(tr), 0, 0)
    tc, zc = (np.asarray(x) for x in sl.rsf2csf(tr, zr))
    assert_close(np.tril(tc, -1), np.zeros_like(tc), 0, 0)
    assert_close(zc @ tc @ zc.conj().T, a, 1e-10, 1e-10)


def test_lu_factors():
    a = general(RNG, (4, 4), C128)
    p, l, u = (np.asarray(x) for x in sl.lu(a))
    assert_close(p @ l @ u, a, 1e-12, 1e-12)
    assert_close(np.diag(l), np.ones(4, l.dtype), 0, 0)
    assert np.all(np.abs(np.tril(l, -1)) <= 1 + 1e-12)  # partial pivoting
    lu_, piv = sl.lu_factor(a)
    assert piv.dtype == np.int32 and piv.shape == (4,)


def test_expm_frechet_is_the_derivative():
    a, e = small(RNG, (3, 3), C128), plain(RNG, (3, 3), C128)
    ea, l = sl.expm_frechet(a, e)
    assert_close(ea, sl.expm(a), 1e-13, 1e-13)
    assert_close(l, w.jvp(sl.expm, (a,), (e,))[1], 1e-12, 1e-12)
    assert_close(l, fd_jvp(_numpy(sl.expm), (a,), (e,)), 1e-7, 1e-8)


def test_second_derivative_of_expm():
    a = small(RNG, (3, 3), F64)
    w.check_grads(lambda x: wnp.sum(sl.expm(x) ** 2), (a,), order=2)


def test_against_scipy_when_installed():
    scipy_linalg = pytest.importorskip("scipy.linalg")
    a, s = general(RNG, (4, 4), C128), spd(RNG, (4, 4), F64)
    for name, args in [("expm", (a,)), ("sqrtm", (s,)), ("toeplitz", (a[0], a[1])), ("hankel", (a[0], a[1])),
                       ("circulant", (a[0],)), ("companion", (a[0],)), ("fiedler_companion", (s[0],)),
                       ("invhilbert", (5,)), ("helmert", (5,)), ("dft", (4,))]:
        assert_close(getattr(sl, name)(*args), getattr(scipy_linalg, name)(*args), 1e-10, 1e-10, err_msg=name)
