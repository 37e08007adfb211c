"""Spherical harmonics, as a composition: the fully normalized associated
Legendre recurrence over the degree, on cos θ and sin θ, so that derivatives in
θ and φ (of every order) come from the operations themselves."""
import math

import numpy as np

from ... import numpy as wnp
from ..._array import Array, concrete


def _integers(v, name, what):
    values = concrete(v) if isinstance(v, Array) else np.asarray(v)
    values = np.asarray(values)
    if values.dtype.kind not in "iu" and not (values.dtype.kind == "f" and np.all(values == np.floor(values))):
        raise TypeError(f"sph_harm_y: {what} must be integers, got {values.dtype}")
    return values.astype(np.int64)


def _legendre_normalized(n, m, x, s):
    """P̄ₙᵐ(cos θ) with the normalization of Yₙᵐ (and the Condon–Shortley phase),
    for 0 ≤ m ≤ n, from P̄ₘᵐ = (−1)ᵐ √((2m+1)!!/(4π (2m)!!)) sinᵐθ upward in the degree."""
    p = 1 / math.sqrt(4 * math.pi)
    for k in range(1, m + 1):
        p = p * (-math.sqrt((2 * k + 1) / (2 * k))) * s
    if n == m:
        return p
    prev, cur = p, math.sqrt(2 * m + 3) * x * p
    a_prev = math.sqrt(2 * m + 3)
    for deg in range(m + 2, n + 1):
        a = math.sqrt((4 * deg * deg - 1) / (deg * deg - m * m))
        prev, cur = cur, a * (x * cur - prev / a_prev)
        a_prev = a
    return cur


def sph_harm_y(n, m, theta, phi, *, diff_n=0):
    """The spherical harmonic Yₙᵐ(θ, φ) (θ polar, φ azimuthal; orthonormal on the
    sphere, with the Condon–Shortley phase), as ``scipy.special.sph_harm_y``:
    complex128, 0 where |m| > n. n and m are concrete integers (arrays
    broadcast); differentiable in θ and φ. ``diff_n`` > 0 (SciPy's derivative
    arrays) is not offered: take derivatives with wirtinger's transforms."""
    if diff_n != 0:
        raise NotImplementedError("sph_harm_y: diff_n > 0 is not offered; differentiate with w.grad or w.jacfwd")
    ns, ms = _integers(n, "n", "n"), _integers(m, "m", "m")
    theta, phi = wnp.asarray(theta, np.float64), wnp.asarray(phi, np.float64)
    shape = np.broadcast_shapes(ns.shape, ms.shape, theta.shape, phi.shape)
    x, s = wnp.cos(theta), wnp.sin(theta)
    out = None
    pairs = sorted({(int(a), int(b)) for a, b in zip(np.broadcast_to(ns, shape).ravel(),
                                                    np.broadcast_to(ms, shape).ravel())}) or [(0, 0)]
    for deg, order in pairs:
        if abs(order) > deg or deg < 0:
            y = wnp.zeros(shape, np.complex128)
        else:
            mm = abs(order)
            y = _legendre_normalized(deg, mm, x, s) * wnp.exp(1j * mm * phi)
            if order < 0:
                y = (-1) ** mm * wnp.conj(y)
            y = wnp.broadcast_to(wnp.asarray(y, np.complex128), shape)
        if len(pairs) == 1:
            return y
        here = (np.broadcast_to(ns, shape) == deg) & (np.broadcast_to(ms, shape) == order)
        out = y if out is None else wnp.where(here, y, out)
    return out
