"""Independent oracles for the Python tests: finite differences, the real inner
product, random inputs per dtype and domain, and tolerances per dtype.

Nothing here calls wirtinger. Finite differences are central differences of a
NumPy reference function evaluated in double precision (float64/complex128),
with complex inputs perturbed along 1 and along i (README, The mathematics in brief).
"""

import numpy as np

F32 = np.dtype(np.float32)
F64 = np.dtype(np.float64)
C64 = np.dtype(np.complex64)
C128 = np.dtype(np.complex128)
ALL_DTYPES = (F32, F64, C64, C128)
REAL_DTYPES = (F32, F64)
COMPLEX_DTYPES = (C64, C128)

FD_STEP = 1e-5


# ---------------------------------------------------------------- dtypes


def is_complex(dtype):
    return np.issubdtype(np.dtype(dtype), np.complexfloating)


def is_single(dtype):
    return np.dtype(dtype) in (F32, C64)


def real_dtype(dtype):
    """float32 for complex64, float64 for complex128, the dtype itself if real."""
    return np.finfo(np.dtype(dtype)).dtype


def wide(dtype):
    """The double-precision dtype of the same kind (where differences are taken)."""
    return C128 if is_complex(dtype) else F64


def upcast(x):
    x = np.asarray(x)
    return x.astype(wide(x.dtype))


def inner(a, b):
    """The real inner product <a, b> = Re sum conj(a_k) b_k of the README's mathematics section."""
    return float(np.vdot(np.asarray(a), np.asarray(b)).real)


# ---------------------------------------------------------------- tolerances


def tol(dtypes, kind="fd"):
    """(rtol, atol) for a comparison involving arrays of these dtypes.

    kind="fd": AD against finite differences (or a NumPy reference value of a
    transcendental function); kind="exact": two results both computed by the
    library in the same precision, equal up to rounding (adjoint identity,
    analytic formulas built from + and *).
    The atol is relative: assert_close scales it by the size of the expected array.
    """
    if isinstance(dtypes, (np.dtype, type, str)):
        dtypes = (dtypes,)
    single = any(is_single(d) for d in dtypes)
    if kind == "fd":
        return (2e-3, 2e-3) if single else (2e-6, 2e-7)
    if kind == "value":
        return (2e-5, 2e-5) if single else (1e-11, 1e-12)
    if kind == "exact":
        return (1e-4, 1e-5) if single else (1e-10, 1e-11)
    raise ValueError(kind)


def assert_close(actual, expected, rtol, atol, err_msg="", scale=None):
    """assert_allclose with equal shapes required and atol relative to max|expected|
    (or to `scale` when given, e.g. the size of a related array)."""
    actual = np.asarray(actual)
    expected = np.asarray(expected)
    assert actual.shape == expected.shape, (
        f"shape {actual.shape} != expected {expected.shape}. {err_msg}"
    )
    if scale is None:
        finite = expected[np.isfinite(expected)]
        scale = float(np.max(np.abs(finite))) if finite.size else 1.0
    scale = max(1.0, scale)
    np.testing.assert_allclose(
        actual, expected, rtol=rtol, atol=atol * scale, err_msg=err_msg
    )


# ---------------------------------------------------------------- random inputs

# Real intervals per domain name; a leading "±" means a random sign.
_REAL_DOMAINS = {
    "any": ("±", 0.2, 1.5),  # away from 0 (abs, angle, reciprocal, divide)
    "pos": ("", 0.2, 2.0),  # log, sqrt, base of power
    "unit": ("±", 0.1, 0.9),  # arcsin, arccos, arctanh
    "gt1": ("", 1.2, 3.0),  # arccosh
    "gtm1": ("", -0.8, 2.0),  # log1p
    "prod": ("±", 0.5, 1.5),  # factors of a product
    "prob": ("", 0.1, 0.9),  # logit
}


def random_array(rng, shape, dtype, domain="any"):
    """Random inputs of a dtype inside a function's domain.

    Real inputs come from the interval of `domain`. Complex inputs have real and
    imaginary parts of magnitude in [0.2, 1.5] with random signs: off both axes,
    hence at distance >= 0.2 from every branch cut and pole of NumPy's principal
    branches (log, sqrt, arcsin, arccos, arccosh, arctanh on the real axis;
    arctan, arcsinh on the imaginary axis; poles at 0, ±1, ±i).
    """
    dtype = np.dtype(dtype)
    if is_complex(dtype):
        mag = rng.uniform(0.2, 1.5, size=(2,) + tuple(shape))
        sign = rng.choice([-1.0, 1.0], size=(2,) + tuple(shape))
        x = mag[0] * sign[0] + 1j * mag[1] * sign[1]
    else:
        signed, lo, hi = _REAL_DOMAINS[domain]
        x = rng.uniform(lo, hi, size=shape)
        if signed:
            x = x * rng.choice([-1.0, 1.0], size=shape)
    return np.asarray(x).astype(dtype)


def random_tangent(rng, shape, dtype):
    """A random direction (standard normal, complex if the dtype is)."""
    dtype = np.dtype(dtype)
    t = rng.standard_normal(shape)
    if is_complex(dtype):
        t = t + 1j * rng.standard_normal(shape)
    return np.asarray(t).astype(dtype)


# ---------------------------------------------------------------- finite differences


def fd_jvp(f, args, tangents, h=FD_STEP):
    """Central difference (f(x + h t) - f(x - h t)) / 2h, in double precision.

    f is a NumPy function of len(args) arrays; tangents of real args must be real.
    """
    xs = [upcast(a) for a in args]
    ts = [upcast(t) for t in tangents]
    for x, t in zip(xs, ts):
        if not is_complex(x.dtype) and is_complex(t.dtype):
            raise ValueError("a real input has only real tangents")
    plus = np.asarray(f(*[x + h * t for x, t in zip(xs, ts)]))
    minus = np.asarray(f(*[x - h * t for x, t in zip(xs, ts)]))
    return (plus - minus) / (2 * h)


def fd_partials(f, args, argnum=0, h=FD_STEP):
    """(df/dx, df/dy) with respect to args[argnum], each of shape out.shape + in.shape.

    Every element of the argument is perturbed along 1 (df/dx) and, for a complex
    argument, along i (df/dy); df/dy is None for a real argument.
    """
    xs = [upcast(a) for a in args]
    x = xs[argnum]
    out = np.asarray(f(*xs))
    directions = (1.0, 1j) if is_complex(x.dtype) else (1.0,)
    partials = []
    for d in directions:
        cols = np.empty((x.size,) + out.shape, dtype=np.result_type(out.dtype, F64))
        for k in range(x.size):
            t = np.zeros(x.size, dtype=x.dtype)
            t[k] = d
            ts = [np.zeros_like(a) for a in xs]
            ts[argnum] = t.reshape(x.shape)
            cols[k] = fd_jvp(f, xs, ts, h)
        jac = np.moveaxis(
            cols.reshape(x.shape + out.shape),
            list(range(x.ndim)),
            list(range(out.ndim, out.ndim + x.ndim)),
        )
        partials.append(jac)
    if len(partials) == 1:
        partials.append(None)
    return tuple(partials)


def fd_wirtinger(f, args, argnum=0, h=FD_STEP):
    """The Wirtinger pair (A, B) = (df/dz, df/dzbar) by finite differences.

    A = (df/dx - i df/dy) / 2, B = (df/dx + i df/dy) / 2; for a real argument
    A = B = (df/dx) / 2 (README, The mathematics in brief).
    """
    fx, fy = fd_partials(f, args, argnum, h)
    if fy is None:
        return 0.5 * fx, 0.5 * fx
    return 0.5 * (fx - 1j * fy), 0.5 * (fx + 1j * fy)


def view_as_real(x):
    """Complex arrays gain a trailing axis (real, imag); real arrays are unchanged."""
    x = np.asarray(x)
    if is_complex(x.dtype):
        return np.stack([x.real, x.imag], axis=-1)
    return x


def fd_real_jacobian(f, args, argnum=0, h=FD_STEP):
    """The Jacobian of x -> view_as_real(f(view_as_complex(x))) by finite differences."""
    fx, fy = fd_partials(f, args, argnum, h)
    x = np.asarray(args[argnum])
    out_ndim = fx.ndim - x.ndim

    def realify(jac):  # complex output: insert the (real, imag) axis after out.shape
        if is_complex(jac.dtype):
            return np.stack([jac.real, jac.imag], axis=out_ndim)
        return jac

    if fy is None:
        return realify(fx)
    return np.stack([realify(fx), realify(fy)], axis=-1)


def fd_grad(f, args, argnum=0, convention="adjoint", h=FD_STEP):
    """Gradient of a real-valued f: df/dx + i df/dy ("adjoint") or df/dx - i df/dy ("transpose")."""
    fx, fy = fd_partials(f, args, argnum, h)
    if fy is None:
        return fx.real
    sign = 1.0 if convention == "adjoint" else -1.0
    return fx.real + sign * 1j * fy.real


def directions(dtype):
    """The unit directions of a scalar of this dtype: 1, and i for complex."""
    return (1.0, 1j) if is_complex(dtype) else (1.0,)
