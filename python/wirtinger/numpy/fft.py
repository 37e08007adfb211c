"""Discrete Fourier transforms with ``numpy.fft``'s names and semantics, differentiable.

The values come from NumPy's own ``numpy.fft`` (pocketfft). Each transform is
a linear primitive whose JVP is the transform itself and whose "adjoint" VJP
is another transform of this module, so derivatives of any order are recorded
like any other operation. The complex transforms are C-linear (holomorphic);
``rfft`` and ``irfft`` are R-linear maps between real and complex spaces, and
their adjoints under ⟨a, b⟩ = Re Σ conj(a) b weigh the half spectrum (see
``_r2c`` and ``_c2r``).

Dtypes follow NumPy 2: complex64 and float32 inputs give complex64 spectra
(and ``irfft`` gives float32), anything else double precision.

>>> import numpy as np, wirtinger as w, wirtinger.numpy as wnp
>>> z = np.array([1 + 2j, 3 - 1j, 0.5j])
>>> g = w.grad(lambda z: wnp.sum(wnp.abs2(wnp.fft.fft(z, norm="ortho"))))(z)
>>> np.allclose(g, 2 * z)  # Parseval: the unitary DFT keeps sum |z|², whose gradient is 2z
True
"""
import warnings

import numpy as _np

from .._array import complex_of as _complex_of, value_of as _concrete, real_of as _real_of
from .._primitive import over_leading_axes as _over_leading_axes, primitive as _primitive
from ._functions import asarray as _asarray, concatenate as _concatenate, conj as _conj

__all__ = ["fft", "ifft", "fft2", "ifft2", "fftn", "ifftn", "rfft", "irfft", "rfft2", "irfft2", "rfftn", "irfftn",
           "hfft", "ihfft", "fftfreq", "rfftfreq", "fftshift", "ifftshift"]

_NORMS = {None: "backward", "backward": "backward", "ortho": "ortho", "forward": "forward"}
# The adjoint of c·F (F the unscaled DFT, c = 1, 1/√n or 1/n) is c·Fᴴ, and Fᴴ is
# the unscaled inverse DFT: the inverse transform under the norm that puts the
# same factor c on it.
_ADJOINT_NORM = {"backward": "forward", "ortho": "ortho", "forward": "backward"}

_AxisError = getattr(getattr(_np, "exceptions", _np), "AxisError")


# ---------------------------------------------------------------- the primitives
# Each transform works along an axis counted from the end, so it maps over
# leading axes: its batching rule (vmap) is one call with the batch leading.
def _linear(name, x, value, apply, adjoint, key):
    """Records ``value = apply(x)`` for a linear map given with its adjoint; ``key``
    holds the map's parameters (equal keys on the same input: the same value)."""
    def jvp(ins, out, ts):
        return None if ts[0] is None else apply(ts[0])

    def vjp(ins, out, ct, needed):
        return (adjoint(ct) if needed[0] else None,)

    return _primitive(name, [x], value, jvp, vjp, apply, key=(name,) + key)


@_over_leading_axes()
def _c2c(x, axis, inverse, norm):
    """The complex DFT of x along one axis (x is complex, already of the transform's length)."""
    transform = _np.fft.ifft if inverse else _np.fft.fft
    value = transform(_concrete(x), axis=axis, norm=norm).astype(x.dtype, copy=False)
    return _linear("ifft" if inverse else "fft", x, value,
                   lambda t: _c2c(t, axis, inverse, norm),
                   lambda ct: _c2c(ct, axis, not inverse, _ADJOINT_NORM[norm]), (axis, norm))


def _half_spectrum_weights(n, axis, dtype):
    """How often each bin of an n-point real signal's half spectrum occurs in the
    full spectrum: once for DC (and Nyquist when n is even), twice for the rest."""
    m = n // 2 + 1
    counts = _np.full(m, 2.0, dtype=_real_of(dtype))
    counts[0] = 1.0
    if n % 2 == 0:
        counts[-1] = 1.0
    return counts.reshape((m,) + (1,) * (-axis - 1))


@_over_leading_axes()
def _r2c(x, axis, norm):
    """The half spectrum (n // 2 + 1 bins) of the real x along one axis of length n.

    Adjoint: ⟨w, c·(Fx)[:m]⟩ = Σⱼ xⱼ · c·Re Σₖ wₖ e^{2πijk/n}, the real part of an
    unscaled inverse DFT of w padded with zeros. irfft rebuilds the negative
    frequencies, counting the interior bins twice, so it is given w with those
    bins halved; it ignores the imaginary parts of DC and Nyquist, which the
    real part above drops too.
    """
    n = x.shape[axis]
    value = _np.fft.rfft(_concrete(x), axis=axis, norm=norm).astype(_complex_of(x.dtype), copy=False)

    def adjoint(ct):
        return _c2r(ct / _half_spectrum_weights(n, axis, ct.dtype), n, axis, _ADJOINT_NORM[norm])

    return _linear("rfft", x, value, lambda t: _r2c(t, axis, norm), adjoint, (axis, norm))


@_over_leading_axes()
def _c2r(x, n, axis, norm):
    """The real n-point signal with half spectrum x (n // 2 + 1 bins along axis).

    It reads only the real parts of the DC and Nyquist bins and counts every
    other bin twice (once for its conjugate), so its adjoint is the half
    spectrum of the cotangent with those bins doubled: DC and Nyquist come out
    real, and a change of their imaginary parts correctly gets no cotangent.
    """
    value = _np.fft.irfft(_concrete(x), n=n, axis=axis, norm=norm).astype(_real_of(x.dtype), copy=False)

    def adjoint(ct):
        return _r2c(ct, axis, _ADJOINT_NORM[norm]) * _half_spectrum_weights(n, axis, ct.dtype)

    return _linear("irfft", x, value, lambda t: _c2r(t, n, axis, norm), adjoint, (n, axis, norm))


# ---------------------------------------------------------------- arguments, as numpy.fft reads them
def _norm(norm):
    try:
        return _NORMS[norm]
    except (KeyError, TypeError):
        raise ValueError(f'Invalid norm value {norm!r}; should be "backward", "ortho" or "forward"') from None


def _axis(axis, ndim, name):
    try:
        a = int(axis)
    except TypeError:
        raise TypeError(f"{name}: an axis must be an integer, got {type(axis).__name__}") from None
    if not -ndim <= a < ndim:
        raise _AxisError(a, ndim, name)
    return a % ndim


def _resize(x, axis, n):
    """x cropped or zero-padded at the end of axis to length n, as numpy.fft does with n= and s=."""
    axis %= x.ndim
    size = x.shape[axis]
    if n == size:
        return x
    if n < size:
        return x[(slice(None),) * axis + (slice(0, n),)]
    shape = tuple(x.shape)
    pad = _np.zeros(shape[:axis] + (n - size,) + shape[axis + 1:], dtype=x.dtype)
    return _concatenate([x, pad], axis=axis)


def _input(a, out, name, real=None):
    if out is not None:
        raise TypeError(f"{name}: out= is not supported (wirtinger arrays are immutable)")
    x = _asarray(a)
    if real is True and x.dtype.kind == "c":
        raise TypeError(f"{name}: takes a real array, got {x.dtype}; use fft for a complex signal, "
                        f"or pass wnp.real(x) to transform its real part")
    if real is False and x.dtype.kind != "c":
        x = x.astype(_complex_of(x.dtype))
    if x.ndim == 0:
        raise ValueError(f"{name}: needs an array of at least one dimension, got a 0-d array")
    return x


def _plan(x, s, axes, name, half_spectrum=False):
    """(sizes, axes) of an n-d transform: NumPy's defaults, -1 in s for "the
    input's length", and s without axes meaning the last len(s) axes."""
    if isinstance(axes, (int, _np.integer)):
        axes = (axes,)
    if isinstance(s, (int, _np.integer)):
        s = (s,)
    if axes is None and s is not None:
        warnings.warn(f"{name}: s without axes transforms the last len(s) axes; NumPy 2.0 deprecates this and will "
                      f"read s[i] as the size along axes[i]: pass axes explicitly", DeprecationWarning, stacklevel=4)
    if axes is None:
        axes = range(x.ndim) if s is None else range(-len(s), 0)
    axes = [_axis(a, x.ndim, name) for a in axes]
    if s is None:
        s = [None] * len(axes)
    s = list(s)
    if len(s) != len(axes):
        raise ValueError(f"{name}: s and axes have different lengths ({len(s)} and {len(axes)})")
    sizes = []
    for k, (n, a) in enumerate(zip(s, axes)):
        if n is None:
            n = 2 * (x.shape[a] - 1) if half_spectrum and k == len(axes) - 1 else x.shape[a]
        elif int(n) == -1:
            n = x.shape[a]
        n = int(n)
        if n < 1:
            raise ValueError(f"{name}: invalid number of FFT data points ({n}) along axis {a}")
        sizes.append(n)
    # Counted from the end: the rules then also fit tangents that carry leading batch axes.
    return sizes, [a - x.ndim for a in axes]


def _one(n, name):
    if n is not None and int(n) < 1:
        raise ValueError(f"{name}: invalid number of FFT data points ({n})")
    return None if n is None else (n,)


# ---------------------------------------------------------------- the transforms
def _complex_nd(x, s, axes, norm, inverse, name):
    sizes, axes = _plan(x, s, axes, name)
    norm = _norm(norm)
    # Axis by axis, last first, as numpy.fft does: a repeated axis is transformed twice.
    for n, a in reversed(list(zip(sizes, axes))):
        x = _c2c(_resize(x, a, n), a, inverse, norm)
    return x


def _real_nd(x, s, axes, norm, name):
    sizes, axes = _plan(x, s, axes, name)
    if not axes:
        raise ValueError(f"{name}: needs at least one axis to transform")
    norm = _norm(norm)
    x = _r2c(_resize(x, axes[-1], sizes[-1]), axes[-1], norm)
    for n, a in reversed(list(zip(sizes[:-1], axes[:-1]))):
        x = _c2c(_resize(x, a, n), a, False, norm)
    return x


def _inverse_real_nd(x, s, axes, norm, name):
    sizes, axes = _plan(x, s, axes, name, half_spectrum=True)
    if not axes:
        raise ValueError(f"{name}: needs at least one axis to transform")
    norm = _norm(norm)
    for n, a in zip(sizes[:-1], axes[:-1]):
        x = _c2c(_resize(x, a, n), a, True, norm)
    n, a = sizes[-1], axes[-1]
    return _c2r(_resize(x, a, n // 2 + 1), n, a, norm)


def fft(a, n=None, axis=-1, norm=None, out=None):
    """One-dimensional DFT, as ``numpy.fft.fft``; ``n`` crops or zero-pads the input."""
    return _complex_nd(_input(a, out, "fft", real=False), _one(n, "fft"), (axis,), norm, False, "fft")


def ifft(a, n=None, axis=-1, norm=None, out=None):
    """One-dimensional inverse DFT, as ``numpy.fft.ifft``."""
    return _complex_nd(_input(a, out, "ifft", real=False), _one(n, "ifft"), (axis,), norm, True, "ifft")


def fftn(a, s=None, axes=None, norm=None, out=None):
    """N-dimensional DFT over ``axes`` (all by default), as ``numpy.fft.fftn``."""
    return _complex_nd(_input(a, out, "fftn", real=False), s, axes, norm, False, "fftn")


def ifftn(a, s=None, axes=None, norm=None, out=None):
    """N-dimensional inverse DFT, as ``numpy.fft.ifftn``."""
    return _complex_nd(_input(a, out, "ifftn", real=False), s, axes, norm, True, "ifftn")


def fft2(a, s=None, axes=(-2, -1), norm=None, out=None):
    """Two-dimensional DFT over the last two axes, as ``numpy.fft.fft2``."""
    return _complex_nd(_input(a, out, "fft2", real=False), s, axes, norm, False, "fft2")


def ifft2(a, s=None, axes=(-2, -1), norm=None, out=None):
    """Two-dimensional inverse DFT, as ``numpy.fft.ifft2``."""
    return _complex_nd(_input(a, out, "ifft2", real=False), s, axes, norm, True, "ifft2")


def rfft(a, n=None, axis=-1, norm=None, out=None):
    """The ``n // 2 + 1`` non-negative frequencies of a real signal's DFT, as ``numpy.fft.rfft``.

    Its VJP is not ``irfft``, which would count the interior bins twice (as
    frequencies k and -k): the cotangent of bin k is Re(ct_k e^{2πijk/n}) once.

    >>> import numpy as np, wirtinger as w, wirtinger.numpy as wnp
    >>> _, vjp_fn = w.vjp(wnp.fft.rfft, np.array([1.0, 2.0, 3.0, 4.0]))
    >>> vjp_fn(np.array([0, 1, 0], complex))[0]  # cos(2πj/4); 4 * irfft gives twice that
    array([ 1.,  0., -1.,  0.])
    """
    return _real_nd(_input(a, out, "rfft", real=True), _one(n, "rfft"), (axis,), norm, "rfft")


def irfft(a, n=None, axis=-1, norm=None, out=None):
    """The real signal of length ``n`` (default ``2 * (m - 1)``) with half spectrum ``a``, as ``numpy.fft.irfft``.

    The imaginary parts of the DC and Nyquist bins are ignored, so they get zero cotangents.
    """
    return _inverse_real_nd(_input(a, out, "irfft", real=False), _one(n, "irfft"), (axis,), norm, "irfft")


def rfftn(a, s=None, axes=None, norm=None, out=None):
    """N-dimensional DFT of a real array, halved along the last axis, as ``numpy.fft.rfftn``."""
    return _real_nd(_input(a, out, "rfftn", real=True), s, axes, norm, "rfftn")


def irfftn(a, s=None, axes=None, norm=None, out=None):
    """The inverse of ``rfftn``, as ``numpy.fft.irfftn``."""
    return _inverse_real_nd(_input(a, out, "irfftn", real=False), s, axes, norm, "irfftn")


def rfft2(a, s=None, axes=(-2, -1), norm=None, out=None):
    """Two-dimensional DFT of a real array, as ``numpy.fft.rfft2``."""
    return _real_nd(_input(a, out, "rfft2", real=True), s, axes, norm, "rfft2")


def irfft2(a, s=None, axes=(-2, -1), norm=None, out=None):
    """The inverse of ``rfft2``, as ``numpy.fft.irfft2``."""
    return _inverse_real_nd(_input(a, out, "irfft2", real=False), s, axes, norm, "irfft2")


# The Hermitian transforms: a signal with a Hermitian-symmetric spectrum, given by its
# half (hfft), and back. hfft(a, n) = irfft(conj(a), n) with the norm that swaps
# 1/n for 1 (NumPy's definition), so both are the real transforms above.
_SWAPPED_NORM = {"backward": "forward", "ortho": "ortho", "forward": "backward"}


def hfft(a, n=None, axis=-1, norm=None, out=None):
    """The real spectrum of a signal with Hermitian symmetry given by its first half, as ``numpy.fft.hfft``."""
    x = _input(a, out, "hfft", real=False)
    return irfft(_conj(x), n, axis, _SWAPPED_NORM[_norm(norm)])


def ihfft(a, n=None, axis=-1, norm=None, out=None):
    """The inverse of ``hfft``, as ``numpy.fft.ihfft``: a real signal's half spectrum, conjugated."""
    x = _input(a, out, "ihfft", real=True)
    return _conj(rfft(x, n, axis, _SWAPPED_NORM[_norm(norm)]))


# ---------------------------------------------------------------- frequencies
def fftfreq(n, d=1.0, *, dtype=None, device=None):
    """The sample frequencies of an n-point DFT, as ``numpy.fft.fftfreq`` (a constant)."""
    return _asarray(_np.fft.fftfreq(n, d).astype(dtype or _np.float64))


def rfftfreq(n, d=1.0, *, dtype=None, device=None):
    """The non-negative sample frequencies of ``rfft``, as ``numpy.fft.rfftfreq`` (a constant)."""
    return _asarray(_np.fft.rfftfreq(n, d).astype(dtype or _np.float64))


# ---------------------------------------------------------------- shifts
def _roll(x, shift, axis):
    start = -shift % x.shape[axis] if x.shape[axis] else 0
    if start == 0:
        return x
    before = (slice(None),) * axis
    return _concatenate([x[before + (slice(start, None),)], x[before + (slice(0, start),)]], axis=axis)


def _shift(x, axes, name, sign):
    x = _asarray(x)
    if axes is None:
        axes = range(x.ndim)
    elif isinstance(axes, (int, _np.integer)):
        axes = (axes,)
    for a in axes:
        a = _axis(a, x.ndim, name)
        x = _roll(x, sign * (x.shape[a] // 2), a)
    return x


def fftshift(x, axes=None):
    """Moves the zero frequency to the centre, as ``numpy.fft.fftshift`` (a permutation)."""
    return _shift(x, axes, "fftshift", +1)


def ifftshift(x, axes=None):
    """The inverse of ``fftshift``, as ``numpy.fft.ifftshift``."""
    return _shift(x, axes, "ifftshift", -1)
