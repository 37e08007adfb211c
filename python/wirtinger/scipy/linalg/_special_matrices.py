"""SciPy's special matrices. Those built from arrays (block_diag, toeplitz,
circulant, hankel, companion, convolution_matrix, fiedler, fiedler_companion,
leslie) are gathers and placements of their entries, differentiable in them;
the others are constants of a size."""
import math

import numpy as _np

from ... import numpy as wnp


def _vector(x, name):
    x = wnp.asarray(x)
    if x.ndim != 1:
        x = wnp.ravel(x)
    return x


def block_diag(*arrs):
    """``scipy.linalg.block_diag``: the arrays on the diagonal of a zero matrix."""
    if not arrs:
        return wnp.zeros((1, 0))
    mats = [wnp.atleast_2d(wnp.asarray(a)) for a in arrs]
    for a in mats:
        if a.ndim > 2:
            raise ValueError(f"block_diag: arguments must have 2 or fewer dimensions, got shape {a.shape}")
    dtype = _np.result_type(*[a.dtype for a in mats])
    cols = sum(a.shape[1] for a in mats)
    rows, left = [], 0
    for a in mats:
        r, c = a.shape
        parts = []
        if left:
            parts.append(wnp.zeros((r, left), dtype=dtype))
        parts.append(a.astype(dtype))
        if cols - left - c:
            parts.append(wnp.zeros((r, cols - left - c), dtype=dtype))
        rows.append(wnp.concatenate(parts, axis=1) if len(parts) > 1 else parts[0])
        left += c
    return wnp.concatenate(rows, axis=0)


def toeplitz(c, r=None):
    """``scipy.linalg.toeplitz``: constant diagonals, first column c, first row r
    (default conj(c)); r[0] is ignored."""
    c = _vector(c, "toeplitz")
    r = wnp.conj(c) if r is None else _vector(r, "toeplitz")
    dtype = _np.result_type(c.dtype, r.dtype)
    vals = wnp.concatenate([r[:0:-1].astype(dtype), c.astype(dtype)])
    i = _np.arange(c.shape[0])[:, None]
    j = _np.arange(r.shape[0])[None, :]
    return vals[r.shape[0] - 1 + i - j]


def circulant(c):
    """``scipy.linalg.circulant``: A[i, j] = c[(i − j) mod n]."""
    c = _vector(c, "circulant")
    n = c.shape[0]
    i = _np.arange(n)[:, None]
    j = _np.arange(n)[None, :]
    return c[(i - j) % n]


def hankel(c, r=None):
    """``scipy.linalg.hankel``: constant anti-diagonals, first column c, last row r
    (default zeros); r[0] is ignored."""
    c = _vector(c, "hankel")
    r = wnp.zeros_like(c) if r is None else _vector(r, "hankel")
    dtype = _np.result_type(c.dtype, r.dtype)
    vals = wnp.concatenate([c.astype(dtype), r[1:].astype(dtype)])
    i = _np.arange(c.shape[0])[:, None]
    j = _np.arange(r.shape[0])[None, :]
    return vals[i + j]


def companion(a):
    """``scipy.linalg.companion``: first row −a[1:]/a[0], ones below the diagonal."""
    a = _vector(a, "companion")
    n = a.shape[0]
    if n < 2:
        raise ValueError("companion: the length of a must be at least 2")
    first = -a[1:] / a[0]
    if first.dtype.kind not in "fc":
        first = first.astype(float)
    below = _np.eye(n - 2, n - 1, dtype=first.dtype) if n > 2 else _np.zeros((0, n - 1), first.dtype)
    return wnp.concatenate([wnp.reshape(first, (1, n - 1)), wnp.asarray(below)], axis=0)


def convolution_matrix(a, n, mode="full"):
    """``scipy.linalg.convolution_matrix``: A with A @ v = convolve(a, v, mode) for v of length n."""
    a = _vector(a, "convolution_matrix")
    m = a.shape[0]
    if n <= 0:
        raise ValueError("convolution_matrix: n must be a positive integer")
    if m == 0:
        raise ValueError("convolution_matrix: len(a) must be at least 1")
    k = _np.arange(m + n - 1)[:, None] - _np.arange(n)[None, :]
    idx = _np.where((k >= 0) & (k < m), k, m)
    full = wnp.concatenate([a, wnp.zeros((1,), dtype=a.dtype)])[idx]
    if mode == "full":
        return full
    if mode == "same":
        start = (min(n, m) - 1) // 2 if m >= n else (m - 1) // 2
        return full[start:start + max(n, m)] if m >= n else full[start:start + n]
    if mode == "valid":
        return full[min(n, m) - 1:max(n, m)]
    raise ValueError(f"convolution_matrix: mode must be 'full', 'same' or 'valid', got {mode!r}")


def fiedler(a):
    """``scipy.linalg.fiedler``: |a[i] − a[j]| (real a)."""
    a = _vector(a, "fiedler")
    if a.dtype.kind == "c":
        raise TypeError("fiedler: defined for real arrays only")
    return wnp.abs(wnp.reshape(a, (-1, 1)) - wnp.reshape(a, (1, -1)))


def fiedler_companion(a):
    """``scipy.linalg.fiedler_companion``: Fiedler's pentadiagonal companion matrix
    of the polynomial a (leading coefficient first, nonzero)."""
    a = _vector(a, "fiedler_companion")
    if a.shape[0] < 2:
        return wnp.zeros((0, 0), dtype=a.dtype if a.dtype.kind in "fc" else float)
    a = a / a[0]
    n = a.shape[0] - 1
    # Entry sources: k means −a[k], ONE the constant 1, ZERO 0.
    one, zero = n + 1, n + 2
    src = _np.full((n, n), zero)
    src[0, 0], src[min(1, n - 1), 0] = 1, (one if n > 1 else 1)
    rows = _np.arange(2, n, 2)
    src[rows, rows - 1] = rows + 1          # −a[3], −a[5], ... below the diagonal
    rows = _np.arange(3, n, 2)
    src[rows, rows - 2] = one               # ones two below
    rows = _np.arange(0, n - 1, 2)
    src[rows, rows + 1] = rows + 2          # −a[2], −a[4], ... above the diagonal
    rows = _np.arange(0, n - 2, 2)
    src[rows, rows + 2] = one               # ones two above
    values = wnp.concatenate([wnp.zeros((1,), dtype=a.dtype), -a[1:],
                              wnp.asarray(_np.array([1.0, 0.0], dtype=a.dtype))])
    return values[src]


def leslie(f, s):
    """``scipy.linalg.leslie``: fecundities f on the first row, survivals s below the diagonal."""
    f, s = _vector(f, "leslie"), _vector(s, "leslie")
    n = f.shape[0]
    if s.shape[0] != n - 1:
        raise ValueError("leslie: incorrect lengths for f and s: the length of s must be one less than f")
    if n == 1:
        return wnp.reshape(f, (1, 1))
    dtype = _np.result_type(f.dtype, s.dtype)
    below = wnp.concatenate([wnp.diag(s.astype(dtype)), wnp.zeros((n - 1, 1), dtype=dtype)], axis=1)
    return wnp.concatenate([wnp.reshape(f.astype(dtype), (1, n)), below], axis=0)


# ---------------------------------------------------------------- constants
def dft(n, scale=None):
    """``scipy.linalg.dft``: the DFT matrix ω^(jk), ω = exp(−2πi/n), scaled by
    1/n ("n"), 1/√n ("sqrtn") or 1 (None)."""
    if scale not in (None, "sqrtn", "n"):
        raise ValueError(f"dft: scale must be None, 'sqrtn' or 'n', got {scale!r}")
    k = _np.arange(n)
    m = _np.exp(-2j * _np.pi * _np.outer(k, k) / n) if n else _np.zeros((0, 0), complex)
    m = m / (math.sqrt(n) if scale == "sqrtn" else n if scale == "n" else 1)
    return wnp.asarray(m)


def hadamard(n, dtype=int):
    """``scipy.linalg.hadamard`` (n a power of 2), as a float64 constant."""
    if n < 1 or n & (n - 1):
        raise ValueError("hadamard: n must be a positive integer power of 2")
    h = _np.array([[1.0]])
    while h.shape[0] < n:
        h = _np.block([[h, h], [h, -h]])
    return wnp.asarray(h)


def helmert(n, full=False):
    """``scipy.linalg.helmert``: the (n−1)×n (or n×n with full=True) Helmert matrix."""
    h = _np.tril(_np.ones((n, n)), -1) - _np.diag(_np.arange(n, dtype=float))
    d = _np.arange(n) * _np.arange(1, n + 1)
    h[0] = 1
    d[0] = n
    h = h / _np.sqrt(d)[:, None]
    return wnp.asarray(h if full else h[1:])


def hilbert(n):
    """``scipy.linalg.hilbert``: 1/(i + j + 1)."""
    i = _np.arange(n)
    return wnp.asarray(1.0 / (i[:, None] + i[None, :] + 1.0))


def invhilbert(n, exact=False):
    """``scipy.linalg.invhilbert``: the exact inverse of the Hilbert matrix (as float64)."""
    out = _np.empty((n, n))
    for i in range(n):
        for j in range(i + 1):
            s = i + j
            v = ((-1) ** s * (s + 1) * math.comb(n + i, n - j - 1) * math.comb(n + j, n - i - 1)
                 * math.comb(s, i) ** 2)
            out[i, j] = out[j, i] = v
    return wnp.asarray(out)


def pascal(n, kind="symmetric", exact=True):
    """``scipy.linalg.pascal``: binomial coefficients (kind "symmetric", "lower" or "upper")."""
    if kind not in ("symmetric", "lower", "upper"):
        raise ValueError("pascal: kind must be 'symmetric', 'lower', or 'upper'")
    lower = _np.array([[math.comb(i, j) for j in range(n)] for i in range(n)], dtype=float)
    if kind == "lower":
        return wnp.asarray(lower)
    if kind == "upper":
        return wnp.asarray(lower.T.copy())
    return wnp.asarray(lower @ lower.T)


def invpascal(n, kind="symmetric", exact=True):
    """``scipy.linalg.invpascal``: the exact inverse of ``pascal(n, kind)``."""
    if kind not in ("symmetric", "lower", "upper"):
        raise ValueError("invpascal: kind must be 'symmetric', 'lower', or 'upper'")
    lower_inv = _np.array([[(-1) ** (i - j) * math.comb(i, j) if j <= i else 0 for j in range(n)]
                           for i in range(n)], dtype=float)
    if kind == "lower":
        return wnp.asarray(lower_inv)
    if kind == "upper":
        return wnp.asarray(lower_inv.T.copy())
    return wnp.asarray(lower_inv.T @ lower_inv)
