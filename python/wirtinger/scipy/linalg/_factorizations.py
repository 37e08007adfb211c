"""scipy.linalg's factorizations and solvers: LU (one primitive), Cholesky and
triangular solves, Schur and Hessenberg forms, the tridiagonal eigenproblem,
Sylvester equations, and SciPy's signatures of numpy.linalg's functions.

The Schur form is built from the eigendecomposition: Q is the orthonormal
factor of an eigenbasis (for real input with output="real", of the real and
imaginary parts of each conjugate pair), so T = Qᴴ A Q is (quasi-)triangular.
Its derivative is then that of eig and qr, which holds where the eigenvalues
are distinct; at a defective matrix there is none."""
import collections

import numpy as _np

from ... import numpy as wnp
from ..._array import value_of as _value, real_of as _real_of
from ..._primitive import over_leading_axes as _over_leading_axes
from ...numpy import linalg as _la
from ...numpy.linalg._decompositions import _H, _check_matrix, _multi_output

LinAlgError = _np.linalg.LinAlgError


def _square(a, name):
    a = wnp.asarray(a)
    _check_matrix(a, name)
    return a


# ---------------------------------------------------------------- LU
def _lu_values(a):
    """(perm, L, U) of one square matrix by Gaussian elimination with partial
    pivoting: a[perm] = L U, as LAPACK's getrf pivots."""
    a = _np.array(a, copy=True)
    n = a.shape[0]
    perm = _np.arange(n)
    for k in range(n - 1):
        p = k + int(_np.argmax(_np.abs(a[k:, k])))
        if p != k:
            a[[k, p]] = a[[p, k]]
            perm[[k, p]] = perm[[p, k]]
        if a[k, k] != 0:
            a[k + 1:, k] /= a[k, k]
            a[k + 1:, k + 1:] -= _np.outer(a[k + 1:, k], a[k, k + 1:])
    return perm, _np.tril(a, -1) + _np.eye(n, dtype=a.dtype), _np.triu(a)


@_over_leading_axes()
def _lu(a):
    """(P, L, U) with a = P L U; P a permutation matrix (a constant)."""
    batch = a.shape[:-2]
    n = a.shape[-1]
    va = _value(a).reshape((-1, n, n))
    perms, ls, us = zip(*[_lu_values(m) for m in va]) if va.shape[0] else ((), (), ())
    P = _np.zeros(va.shape, dtype=a.dtype)
    for i, perm in enumerate(perms):
        P[i, perm, _np.arange(n)] = 1
    P = P.reshape(batch + (n, n))
    L = _np.asarray(ls, dtype=a.dtype).reshape(batch + (n, n))
    U = _np.asarray(us, dtype=a.dtype).reshape(batch + (n, n))
    Pc = wnp.asarray(P)

    def jvp(ins, outs, ts):
        Lo, Uo = outs
        X = _la.solve(Lo, _H(Pc) @ ts[0]) @ _la.inv(Uo)
        return [Lo @ wnp.tril(X, -1), wnp.triu(X) @ Uo]

    def vjp(ins, outs, cts, needed):
        Lo, Uo = outs
        ct_l, ct_u = cts
        G = wnp.zeros_like(Lo)
        if ct_l is not None:
            G = G + wnp.tril(_H(Lo) @ ct_l, -1)
        if ct_u is not None:
            G = G + wnp.triu(ct_u @ _H(Uo))
        return (Pc @ _la.solve(_H(Lo), G @ _la.inv(_H(Uo))),)

    L_out, U_out = _multi_output("lu", [a], [L, U], a.ndim - 2, jvp, vjp, lambda a: list(_lu(a)[1:]))
    return Pc, L_out, U_out


def lu(a, permute_l=False, overwrite_a=False, check_finite=True, p_indices=False):
    """``scipy.linalg.lu`` of a square matrix: (P, L, U) with a = P L U (or
    (P L, U) with permute_l). With K = L⁻¹ Pᵀ dA U⁻¹, dL = L tril(K, −1),
    dU = triu(K) U; P is constant (it changes only where pivots tie)."""
    a = _square(a, "lu")
    P, L, U = _lu(a)
    if permute_l:
        return P @ L, U
    if p_indices:
        return _np.argmax(_np.asarray(_value(P)), axis=-2), L, U
    return P, L, U


LUFactor = collections.namedtuple("LUFactor", ["lu", "piv"])


def lu_factor(a, overwrite_a=False, check_finite=True):
    """``scipy.linalg.lu_factor``: (lu, piv), L below the diagonal of lu (unit
    diagonal implied) and U on and above it; piv are LAPACK's row interchanges."""
    a = _square(a, "lu_factor")
    P, L, U = _lu(a)
    perm = _np.argmax(_np.asarray(_value(P)), axis=-2)
    return wnp.tril(L, -1) + U, _interchanges(perm)


def _interchanges(perm):
    """LAPACK's piv (row i swapped with row piv[i], for i in order) that arranges
    the rows as perm (a[perm] = L U)."""
    perm = _np.asarray(perm)
    flat = perm.reshape((-1, perm.shape[-1]))
    out = _np.empty_like(flat)
    for k, p in enumerate(flat):
        rows = _np.arange(p.shape[0])      # the row now at each position
        where = _np.arange(p.shape[0])     # the position of each row
        for i, target in enumerate(p):
            j = where[target]
            out[k, i] = j
            rows[i], rows[j] = rows[j], rows[i]
            where[rows[i]], where[rows[j]] = i, j
    return out.reshape(perm.shape).astype(_np.int32)


def lu_solve(lu_and_piv, b, trans=0, overwrite_b=False, check_finite=True):
    """``scipy.linalg.lu_solve``: solves a x = b (trans 0), aᵀ x = b (1) or aᴴ x = b (2)
    from lu_factor's result; differentiable in lu and b."""
    lu_, piv = lu_and_piv
    lu_ = wnp.asarray(lu_)
    n = lu_.shape[-1]
    perm = _np.arange(n)
    for i, j in enumerate(_np.asarray(piv).reshape(-1)[:n]):
        perm[[i, j]] = perm[[j, i]]
    L = wnp.tril(lu_, -1) + _np.eye(n, dtype=lu_.dtype)
    U = wnp.triu(lu_)
    b = wnp.asarray(b)
    if trans in (0, "N"):
        return solve_triangular(U, solve_triangular(L, b[perm], lower=True, unit_diagonal=True))
    inverse = _np.argsort(perm)
    conj = trans in (2, "C")
    y = solve_triangular(U, b, trans=2 if conj else 1)
    x = solve_triangular(L, y, trans=2 if conj else 1, lower=True, unit_diagonal=True)
    return x[inverse]


# ---------------------------------------------------------------- triangular and Cholesky
def solve_triangular(a, b, trans=0, lower=False, unit_diagonal=False, overwrite_b=False, check_finite=True):
    """``scipy.linalg.solve_triangular``: only the triangle named by ``lower`` is
    read (and gets a cotangent); ``unit_diagonal`` takes the diagonal as ones."""
    a = _square(a, "solve_triangular")
    t = wnp.tril(a, -1 if unit_diagonal else 0) if lower else wnp.triu(a, 1 if unit_diagonal else 0)
    if unit_diagonal:
        t = t + _np.eye(a.shape[-1], dtype=a.dtype)
    if trans in (1, "T"):
        t = wnp.swapaxes(t, -1, -2)
    elif trans in (2, "C"):
        t = _H(t)
    elif trans not in (0, "N"):
        raise ValueError(f"solve_triangular: trans must be 0, 1, 2, 'N', 'T' or 'C', got {trans!r}")
    return _la.solve(t, b)


def cholesky(a, lower=False, overwrite_a=False, check_finite=True):
    """``scipy.linalg.cholesky``: the upper factor U (aᴴ... a = Uᴴ U) by default, as SciPy."""
    return _la.cholesky(a, upper=not lower)


def cho_factor(a, lower=False, overwrite_a=False, check_finite=True):
    """``scipy.linalg.cho_factor``: (c, lower); the other triangle of c is zero."""
    return cholesky(a, lower=lower), lower


def cho_solve(c_and_lower, b, overwrite_b=False, check_finite=True):
    """``scipy.linalg.cho_solve``: solves a x = b from cho_factor's result."""
    c, lower = c_and_lower
    c = wnp.asarray(c)
    t = wnp.tril(c) if lower else wnp.triu(c)
    factor = t if lower else _H(t)  # a = factor · factorᴴ
    return _la.solve(_H(factor), _la.solve(factor, b))


# ---------------------------------------------------------------- SciPy's signatures of numpy.linalg's functions
def solve(a, b, lower=False, overwrite_a=False, overwrite_b=False, check_finite=True, assume_a=None,
          transposed=False):
    """``scipy.linalg.solve``; with assume_a "sym", "her" or "pos" only the triangle
    named by ``lower`` is read (and gets a cotangent)."""
    a = wnp.asarray(a)
    if assume_a in ("her", "hermitian", "pos", "positive definite", "sym", "symmetric"):
        mirror = _H if assume_a not in ("sym", "symmetric") else (lambda x: wnp.swapaxes(x, -1, -2))
        a = wnp.tril(a) + mirror(wnp.tril(a, -1)) if lower else wnp.triu(a) + mirror(wnp.triu(a, 1))
    if transposed:
        a = wnp.swapaxes(a, -1, -2)
    return _la.solve(a, b)


def inv(a, overwrite_a=False, check_finite=True):
    return _la.inv(a)


def det(a, overwrite_a=False, check_finite=True):
    return _la.det(a)


def svd(a, full_matrices=True, compute_uv=True, overwrite_a=False, check_finite=True, lapack_driver="gesdd"):
    if not compute_uv:
        return _la.svd(a, compute_uv=False)
    return tuple(_la.svd(a, full_matrices=full_matrices))


def qr(a, overwrite_a=False, lwork=None, mode="full", pivoting=False, check_finite=True):
    """``scipy.linalg.qr``: modes "full", "economic" and "r" (no pivoting)."""
    if pivoting:
        raise TypeError("qr: pivoting=True is not supported (its permutation is not differentiable); use the default")
    modes = {"full": "complete", "economic": "reduced", "r": "r"}
    if mode not in modes:
        raise ValueError(f"qr: mode must be 'full', 'economic' or 'r', got {mode!r}")
    if mode == "r":
        return (_la.qr(a, mode="complete").R,)
    return tuple(_la.qr(a, mode=modes[mode]))


def qr_multiply(a, c, mode="right", pivoting=False, conjugate=False, overwrite_a=False, overwrite_c=False):
    """``scipy.linalg.qr_multiply``: (Q·c or c·Q, R) with Q the economic factor of a."""
    if pivoting:
        raise TypeError("qr_multiply: pivoting=True is not supported")
    Q, R = _la.qr(a)
    if conjugate:
        Q = wnp.conj(Q)
    c = wnp.asarray(c)
    if mode == "left":
        return (Q @ c if c.ndim > 1 else Q @ c), R
    if mode == "right":
        return (c @ Q), R
    raise ValueError(f"qr_multiply: mode must be 'left' or 'right', got {mode!r}")


def eigh(a, b=None, *, lower=True, eigvals_only=False, overwrite_a=False, overwrite_b=False, type=1,
         check_finite=True, subset_by_index=None, subset_by_value=None, driver=None):
    """``scipy.linalg.eigh``, with the generalized problem a v = w b v (b Hermitian
    positive definite) reduced through b's Cholesky factor."""
    a = wnp.asarray(a)
    uplo = "L" if lower else "U"
    if b is None:
        w, v = _la.eigh(a, UPLO=uplo)
    else:
        if type != 1:
            raise TypeError("eigh: only type=1 (a v = w b v) is supported")
        L = _la.cholesky(b)
        ah = wnp.tril(a) + _H(wnp.tril(a, -1)) if lower else wnp.triu(a) + _H(wnp.triu(a, 1))
        C = _la.solve(L, _H(_la.solve(L, ah)))
        w, y = _la.eigh(C)
        v = _la.solve(_H(L), y)
    if subset_by_index is not None:
        lo, hi = subset_by_index
        w, v = w[..., lo:hi + 1], v[..., lo:hi + 1]
    if subset_by_value is not None:
        lo, hi = subset_by_value
        keep = _np.flatnonzero((_np.asarray(_value(w)) > lo) & (_np.asarray(_value(w)) <= hi))
        w, v = w[..., keep], v[..., keep]
    return w if eigvals_only else (w, v)


def eigh_tridiagonal(d, e, eigvals_only=False, select="a", select_range=None, check_finite=True, tol=0.0,
                     lapack_driver="auto"):
    """``scipy.linalg.eigh_tridiagonal``: the eigenproblem of the real symmetric
    tridiagonal matrix with diagonal d and off-diagonal e, through eigh."""
    d, e = wnp.asarray(d), wnp.asarray(e)
    if d.ndim != 1 or e.ndim != 1 or e.shape[0] != d.shape[0] - 1:
        raise ValueError("eigh_tridiagonal: d must be 1-d of length n and e 1-d of length n - 1")
    if d.dtype.kind == "c" or e.dtype.kind == "c":
        raise TypeError("eigh_tridiagonal: d and e must be real")
    T = wnp.diag(d) + wnp.diag(e, 1) + wnp.diag(e, -1)
    w, v = _la.eigh(T)
    if select in ("i", 1):
        lo, hi = select_range
        w, v = w[lo:hi + 1], v[:, lo:hi + 1]
    elif select in ("v", 2):
        lo, hi = select_range
        keep = _np.flatnonzero((_np.asarray(_value(w)) > lo) & (_np.asarray(_value(w)) <= hi))
        w, v = w[keep], v[:, keep]
    elif select not in ("a", 0):
        raise ValueError(f"eigh_tridiagonal: select must be 'a', 'v' or 'i', got {select!r}")
    return w if eigvals_only else (w, v)


# ---------------------------------------------------------------- Schur and Hessenberg
def _schur_basis(a, real):
    """(an eigenbasis whose QR gives Schur vectors, the first rows of T's 2×2 blocks):
    eigenvectors in LAPACK's order, and for real output the real and imaginary
    parts of one of each conjugate pair."""
    w, V = _la.eig(a)
    if not real:
        return V, []
    wv = _np.asarray(_value(w))
    cols, blocks, k, n = [], [], 0, wv.shape[-1]
    while k < n:
        pair = k + 1 < n and wv[k].imag != 0 and \
            abs(wv[k + 1] - _np.conj(wv[k])) <= 1e3 * _np.finfo(wv.real.dtype).eps * max(1.0, abs(wv[k]))
        if pair:
            cols += [wnp.real(V[:, k]), wnp.imag(V[:, k])]
            blocks.append(k)
            k += 2
        else:
            cols.append(wnp.real(V[:, k]))
            k += 1
    return wnp.stack(cols, axis=1), blocks


def schur(a, output="real", lwork=None, overwrite_a=False, sort=None, check_finite=True):
    """``scipy.linalg.schur``: (T, Z) with a = Z T Zᴴ, T upper triangular (complex
    output) or quasi-triangular with 2×2 blocks for conjugate pairs (real output
    of a real matrix). Z's columns are fixed up to a phase (sign) each, as SciPy's;
    derivatives hold where the eigenvalues are distinct."""
    a = _square(a, "schur")
    if a.ndim != 2:
        raise ValueError("schur: expected a 2-d matrix")
    if output not in ("real", "complex", "r", "c"):
        raise ValueError(f"schur: output must be 'real' or 'complex', got {output!r}")
    if sort is not None:
        raise TypeError("schur: sort= is not supported")
    real = output in ("real", "r") and a.dtype.kind != "c"
    basis, blocks = _schur_basis(a, real)
    Z, _ = _la.qr(basis)
    T = _H(Z) @ a.astype(Z.dtype) @ Z
    # Zero below the (block) diagonal analytically; the rounding there is dropped, as LAPACK does.
    n = a.shape[-1]
    mask = _np.triu(_np.ones((n, n)))
    for k in blocks:
        mask[k + 1, k] = 1
    return T * mask.astype(_real_of(T.dtype)), Z


def rsf2csf(T, Z, check_finite=True):
    """``scipy.linalg.rsf2csf``: the complex Schur form from the real one, each 2×2
    block split by a Givens rotation computed from the block (so differentiable
    in T and Z)."""
    T = wnp.asarray(T)
    Z = wnp.asarray(Z)
    dtype = _np.result_type(T.dtype, Z.dtype, _np.complex64)
    T, Z = T.astype(dtype), Z.astype(dtype)
    n = T.shape[0]
    eps = _np.finfo(_real_of(dtype)).eps
    for m in range(n - 1, 0, -1):
        tv = _np.asarray(_value(T))
        if abs(tv[m, m - 1]) > eps * (abs(tv[m - 1, m - 1]) + abs(tv[m, m])):
            mu = _la.eigvals(T[m - 1:m + 1, m - 1:m + 1])[0] - T[m, m]
            r = wnp.sqrt(wnp.abs2(mu) + wnp.abs2(T[m, m - 1]))
            c, s_ = mu / r, T[m, m - 1] / r
            G = wnp.stack([wnp.stack([wnp.conj(c), s_]), wnp.stack([-s_, c])])
            T = T.at[m - 1:m + 1, m - 1:].set(G @ T[m - 1:m + 1, m - 1:])
            T = T.at[:m + 1, m - 1:m + 1].set(T[:m + 1, m - 1:m + 1] @ _H(G))
            Z = Z.at[:, m - 1:m + 1].set(Z[:, m - 1:m + 1] @ _H(G))
        T = T.at[m, m - 1].set(0.0)
    return T, Z


def hessenberg(a, calc_q=False, overwrite_a=False, check_finite=True):
    """``scipy.linalg.hessenberg`` by Householder reflections (written with
    wirtinger.numpy, so differentiable): H = Qᴴ a Q, zero below the first subdiagonal."""
    a = _square(a, "hessenberg")
    if a.ndim != 2:
        raise ValueError("hessenberg: expected a 2-d matrix")
    n = a.shape[0]
    H = a
    Q = wnp.asarray(_np.eye(n, dtype=a.dtype))
    for k in range(n - 2):
        x = H[k + 1:, k]
        alpha = wnp.linalg.norm(x)
        x0 = x[0]
        phase = x0 / wnp.abs(x0) if float(_np.abs(_value(x0))) > 0 else 1.0
        v = x + wnp.concatenate([wnp.reshape(phase * alpha, (1,)), wnp.zeros((n - k - 2,), dtype=x.dtype)])
        vnorm2 = wnp.sum(wnp.abs2(v))
        if float(_value(vnorm2)) == 0:
            continue
        full = wnp.concatenate([wnp.zeros((k + 1,), dtype=v.dtype), v])
        P = _np.eye(n, dtype=a.dtype) - 2.0 * wnp.outer(full, wnp.conj(full)) / vnorm2
        H = P @ H @ P
        Q = Q @ P
    mask = _np.triu(_np.ones((n, n)), -1)
    H = H * mask
    return (H, Q) if calc_q else H


# ---------------------------------------------------------------- Sylvester
def solve_sylvester(a, b, q):
    """``scipy.linalg.solve_sylvester``: X with a X + X b = q, through the
    Kronecker form (I ⊗ a + bᵀ ⊗ I) vec X = vec q (column-major vec)."""
    a, b, q = wnp.asarray(a), wnp.asarray(b), wnp.asarray(q)
    m, n = q.shape
    dtype = _np.result_type(a.dtype, b.dtype, q.dtype)
    a, b, q = a.astype(dtype), b.astype(dtype), q.astype(dtype)
    K = wnp.kron(_np.eye(n, dtype=dtype), a) + wnp.kron(wnp.swapaxes(b, 0, 1), _np.eye(m, dtype=dtype))
    x = _la.solve(K, wnp.reshape(wnp.swapaxes(q, 0, 1), (m * n,)))
    return wnp.swapaxes(wnp.reshape(x, (n, m)), 0, 1)

