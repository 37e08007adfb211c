"""wirtinger.numpy.fft, driven by one table, as tests/test_primitives.py.

Every function of the module's __all__ has rows: norms × n / s × axes on
batched inputs, for each dtype where the function is meaningful. For each row:
  * the value and dtype match numpy.fft (NumPy 2: complex64 stays complex64);
  * the dot-product test <w, JVP(t)> = <VJP_adjoint(w), t>, and the "transpose"
    VJP is conj(VJP_adjoint(conj w));
  * the JVP matches central finite differences of numpy.fft along 1 and i;
  * second order: the Hessian-vector product of a non-quadratic real loss
    through the transform matches finite differences of its gradient, which
    itself matches finite differences of the NumPy loss;
  * check_grads(order=2).
The rfft/irfft rows are where a naive adjoint (irfft for rfft, rfft for irfft)
fails: interior bins count twice, and irfft drops the imaginary parts of the
DC and Nyquist bins.
"""

from dataclasses import dataclass
from typing import Callable

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
    fd_grad,
    fd_jvp,
    inner,
    is_complex,
    random_array,
    random_tangent,
    tol,
)

NORMS = (None, "ortho", "forward")  # None is "backward"
COMPLEX_IN = (C128, C64, F64)  # a real signal is a complex one with zero imaginary part
REAL_IN = (F64, F32)
ALL_IN = (C128, C64, F64, F32)


@dataclass(frozen=True)
class Case:
    """One row: `name` is the function's name in wnp.fft.__all__; fn(wnp.fft, x)
    and fn(np.fft, x) are the function under test and its NumPy reference."""

    name: str
    id: str
    fn: Callable
    shape: tuple
    dtypes: tuple
    holomorphic: bool = False

    def wnp(self, x):
        return self.fn(wnp.fft, x)

    def ref(self, x):
        return self.fn(np.fft, x)


def _rows(name, shape, dtypes, variants, norms=NORMS, holomorphic=False):
    """One row per (keyword variant, norm); a variant is (label, kwargs)."""
    rows = []
    for label, kwargs in variants:
        for norm in norms:
            kw = dict(kwargs, **({} if norm is None else {"norm": norm}))

            def fn(mod, x, kw=kw):
                return getattr(mod, name)(x, **kw)

            rows.append(Case(name, f"{name}-{label}-{norm or 'backward'}", fn, shape, dtypes, holomorphic))
    return rows


ONE_D = [("default", {}), ("n-crop", {"n": 4}), ("n-pad", {"n": 9}), ("axis0-n", {"axis": 0, "n": 4})]
# a (3, 4) half spectrum: n = 6 by default; 7 keeps 4 bins (odd: no Nyquist bin), 5 crops to 3, 10 pads to 6
IRFFT = [("default", {}), ("n-odd", {"n": 7}), ("n-crop", {"n": 5}), ("n-pad", {"n": 10}), ("axis0", {"axis": 0})]
ND = [("default", {}), ("axes02", {"axes": (0, 2)}), ("s-axes", {"s": (3, 2), "axes": (2, 0)}),
      ("s", {"s": (4, 3), "axes": (1, 2)})]
TWO_D = [("default", {}), ("s", {"s": (2, 5)}), ("axes", {"axes": (0, 2)})]
IRFFTN = [("default", {}), ("s-odd", {"s": (3, 5), "axes": (1, 2)}), ("axes20", {"axes": (2, 0)}),
          ("s-pad", {"s": (2, 3, 8), "axes": (0, 1, 2)})]
SHIFT = [("all", {}), ("axis0", {"axes": 0}), ("axes", {"axes": (1, 2)}), ("neg", {"axes": (-1,)})]

TABLE = (
    _rows("fft", (3, 6), COMPLEX_IN, ONE_D, holomorphic=True)
    + _rows("ifft", (3, 6), COMPLEX_IN, ONE_D, holomorphic=True)
    + _rows("fft2", (2, 3, 4), COMPLEX_IN, TWO_D, holomorphic=True)
    + _rows("ifft2", (2, 3, 4), COMPLEX_IN, TWO_D, holomorphic=True)
    + _rows("fftn", (2, 3, 4), COMPLEX_IN, ND, holomorphic=True)
    + _rows("ifftn", (2, 3, 4), COMPLEX_IN, ND, holomorphic=True)
    + _rows("rfft", (3, 6), REAL_IN, ONE_D + [("n-odd", {"n": 5})])
    + _rows("irfft", (3, 4), COMPLEX_IN, IRFFT)
    + _rows("rfftn", (2, 3, 4), REAL_IN, ND + [("s-odd", {"s": (3, 5), "axes": (0, 2)})])
    + _rows("irfftn", (2, 3, 4), COMPLEX_IN, IRFFTN)
    + _rows("rfft2", (2, 3, 4), REAL_IN, TWO_D)
    + _rows("irfft2", (2, 3, 4), COMPLEX_IN, [("default", {}), ("s", {"s": (2, 5)}), ("axes", {"axes": (0, 2)})])
    + _rows("hfft", (3, 4), COMPLEX_IN, IRFFT)
    + _rows("ihfft", (3, 6), REAL_IN, ONE_D + [("n-odd", {"n": 5})])
    + _rows("fftshift", (3, 4, 5), ALL_IN, SHIFT, norms=(None,), holomorphic=True)
    + _rows("ifftshift", (3, 4, 5), ALL_IN, SHIFT, norms=(None,), holomorphic=True)
)
CASES = {case.id: case for case in TABLE}
assert len(CASES) == len(TABLE), "duplicate ids in the fft table"


def _params(dtype_filter=lambda d: True):
    return [pytest.param(case, d, id=f"{case.id}-{d.name}") for case in TABLE for d in case.dtypes if dtype_filter(d)]


ALL_PARAMS = _params()
DOUBLE_PARAMS = _params(lambda d: d in (F64, C128))


def _wide_ref(case, x):
    """The NumPy reference in double precision (what finite differences use)."""
    return case.ref(x.astype(C128 if is_complex(x.dtype) else F64))


def _fd_tol(dtype, out_dtype):
    # The transforms sum n terms: single-precision rounding grows like n eps.
    rtol, atol = tol((dtype, out_dtype), "fd")
    return rtol, (5 * atol if rtol > 1e-4 else atol)


# ---------------------------------------------------------------- coverage


def test_every_fft_function_has_a_table_entry():
    constants = {"fftfreq", "rfftfreq"}  # sample frequencies: no derivative (test_frequencies)
    missing = sorted(set(wnp.fft.__all__) - constants - {case.name for case in TABLE})
    assert not missing, f"wnp.fft functions without a row in tests/test_fft.py TABLE: {missing}"


@pytest.mark.parametrize("n,d", [(1, 1.0), (6, 0.1), (7, 2.5)])
def test_frequencies(n, d):
    np.testing.assert_array_equal(np.asarray(wnp.fft.fftfreq(n, d)), np.fft.fftfreq(n, d))
    np.testing.assert_array_equal(np.asarray(wnp.fft.rfftfreq(n, d)), np.fft.rfftfreq(n, d))
    assert np.asarray(wnp.fft.fftfreq(n, d, dtype=np.float32)).dtype == np.float32


def test_module_names_follow_numpy():
    for name in wnp.fft.__all__:
        assert hasattr(np.fft, name), f"wnp.fft.{name} is not a numpy.fft name"
    import wirtinger.numpy.fft as module

    assert module is wnp.fft


# ---------------------------------------------------------------- value and dtype


@pytest.mark.parametrize("case,dtype", ALL_PARAMS)
def test_value_matches_numpy_fft(case, dtype, rng):
    x = random_array(rng, case.shape, dtype)
    expected = np.asarray(case.ref(x))
    out, t_out = w.jvp(case.wnp, (x,), (random_tangent(rng, x.shape, dtype),))
    out = np.asarray(out)
    assert out.dtype == expected.dtype, f"{case.id}: dtype {out.dtype}, numpy.fft gives {expected.dtype}"
    assert np.asarray(t_out).dtype == expected.dtype
    assert_close(out, expected, *tol((dtype, out.dtype), "value"), err_msg=case.id)


# ---------------------------------------------------------------- the dot-product test


@pytest.mark.parametrize("case,dtype", ALL_PARAMS)
def test_adjoint_vjp_is_the_adjoint_of_the_jvp(case, dtype, rng):
    x = random_array(rng, case.shape, dtype)
    t = random_tangent(rng, x.shape, dtype)
    _, t_out = w.jvp(case.wnp, (x,), (t,))
    out, vjp_fn = w.vjp(case.wnp, x, convention="adjoint")
    out = np.asarray(out)
    ct = random_tangent(rng, out.shape, out.dtype)
    (c,) = vjp_fn(ct)
    c = np.asarray(c)
    assert c.shape == x.shape and c.dtype == x.dtype, f"{case.id}: cotangent {c.shape} {c.dtype}"
    lhs, rhs = inner(ct, t_out), inner(c, t)
    scale = np.linalg.norm(ct) * np.linalg.norm(t_out) + np.linalg.norm(c) * np.linalg.norm(t)
    rtol, _ = tol((dtype, out.dtype), "exact")
    assert abs(lhs - rhs) <= rtol * scale, f"{case.id}: <w, Jt> = {lhs} but <J*w, t> = {rhs}"


@pytest.mark.parametrize("case,dtype", ALL_PARAMS)
def test_transpose_vjp_is_conj_adjoint_of_conj(case, dtype, rng):
    x = random_array(rng, case.shape, dtype)
    t = random_tangent(rng, x.shape, dtype)
    _, t_out = w.jvp(case.wnp, (x,), (t,))
    out, vjp_adjoint = w.vjp(case.wnp, x, convention="adjoint")
    _, vjp_transpose = w.vjp(case.wnp, x, convention="transpose")
    ct = random_tangent(rng, np.shape(out), np.asarray(out).dtype)
    (c_t,), (c_a,) = vjp_transpose(ct), vjp_adjoint(np.conj(ct))
    rtol, atol = tol((dtype, np.asarray(out).dtype), "exact")
    assert_close(c_t, np.conj(c_a), rtol, atol, err_msg=case.id)
    # the bilinear pairing of JAX: Re sum(w * Jt) = Re sum(vjp_transpose(w) * t)
    lhs, rhs = float(np.sum(ct * t_out).real), float(np.sum(np.asarray(c_t) * t).real)
    scale = np.linalg.norm(ct) * np.linalg.norm(t_out) + np.linalg.norm(c_t) * np.linalg.norm(t)
    assert abs(lhs - rhs) <= rtol * scale, f"{case.id}: {lhs} != {rhs}"


# ---------------------------------------------------------------- finite differences


@pytest.mark.parametrize("case,dtype", ALL_PARAMS)
def test_jvp_matches_finite_differences_along_1_and_i(case, dtype, rng):
    x = random_array(rng, case.shape, dtype)
    along = {"1": random_tangent(rng, x.shape, F64).astype(dtype)}
    if is_complex(dtype):
        along["i"] = (1j * random_tangent(rng, x.shape, F64)).astype(dtype)
    for label, t in along.items():
        _, t_out = w.jvp(case.wnp, (x,), (t,))
        t_out = np.asarray(t_out)
        expected = fd_jvp(lambda v: _wide_ref(case, v), (x,), (t,))
        assert_close(t_out, expected, *_fd_tol(dtype, t_out.dtype), err_msg=f"{case.id} along {label}")


def _loss(xp, case):
    """A real loss through the transform, not quadratic, so its Hessian depends on the point."""
    def loss(x):
        y = case.fn(xp.fft, x)
        return xp.sum(xp.sin(xp.real(y)) + xp.cos(xp.imag(y)) * xp.real(y))

    return loss


# "transpose" on the backward-norm rows only: check_grads(order=2) below covers both conventions everywhere.
HVP_PARAMS = [pytest.param(*p.values, "adjoint", id=f"{p.id}-adjoint") for p in DOUBLE_PARAMS] + [
    pytest.param(*p.values, "transpose", id=f"{p.id}-transpose") for p in DOUBLE_PARAMS if "-backward-" in p.id
]


@pytest.mark.parametrize("case,dtype,convention", HVP_PARAMS)
def test_second_order_hvp_matches_finite_differences_of_the_gradient(case, dtype, convention, rng):
    x = random_array(rng, case.shape, dtype) * 0.3  # keeps the spectrum O(1)
    v = random_tangent(rng, x.shape, dtype)
    loss = _loss(wnp, case)
    with w.convention(convention):
        g = w.grad(loss)(x)
        assert_close(g, fd_grad(_loss(np, case), (x,), convention=convention), *tol(dtype, "fd"), err_msg=case.id)
        hv = w.hvp(loss, (x,), (v,))
        h = 1e-5
        expected = (np.asarray(w.grad(loss)(x + h * v)) - np.asarray(w.grad(loss)(x - h * v))) / (2 * h)
    assert np.asarray(hv).dtype == dtype
    assert_close(hv, expected, *tol(dtype, "fd"), err_msg=f"{case.id} hvp")


@pytest.mark.parametrize("case,dtype", DOUBLE_PARAMS)
def test_check_grads_order_2(case, dtype, rng):
    w.check_grads(case.wnp, (random_array(rng, case.shape, dtype),), order=2)


@pytest.mark.parametrize("case", [c for c in TABLE if c.holomorphic], ids=lambda c: c.id)
def test_complex_transforms_are_holomorphic(case, rng):
    """The complex transforms and the shifts are C-linear: d/dzbar is exactly 0, d/dz is the matrix."""
    x = random_array(rng, case.shape, C128)
    pair = w.wirtinger(case.wnp)(x)
    assert np.all(np.asarray(pair.dzbar) == 0), case.id
    J = w.jacfwd(case.wnp, holomorphic=True)(x)
    assert_close(J, pair.dz, 0, 0)
    t = random_tangent(rng, x.shape, C128)
    Jt = np.tensordot(J, t, axes=t.ndim)
    assert_close(Jt, case.ref(t), *tol(C128, "exact"), err_msg=case.id)


# ---------------------------------------------------------------- the real transforms, by hand


@pytest.mark.parametrize("n", [5, 6])
def test_rfft_adjoint_weighs_the_half_spectrum(n, rng):
    """The adjoint of rfft is not irfft: bins other than DC and Nyquist stand for two frequencies."""
    x = random_array(rng, (n,), F64)
    ct = random_tangent(rng, (n // 2 + 1,), C128)
    _, vjp_fn = w.vjp(wnp.fft.rfft, x)
    F = np.fft.fft(np.eye(n))[: n // 2 + 1]  # rfft as a matrix of the real signal
    assert_close(vjp_fn(ct)[0], (F.conj().T @ ct).real, *tol(F64, "exact"))
    assert not np.allclose(vjp_fn(ct)[0], np.fft.irfft(ct, n) * n)


def test_irfft_ignores_imaginary_dc_and_nyquist(rng):
    v = random_tangent(rng, (4,), C128)  # n = 6: bins 0..3, 3 is Nyquist
    for k in (0, 3):
        e = np.zeros(4, complex)
        e[k] = 1j
        _, t_out = w.jvp(wnp.fft.irfft, (v,), (e,))
        assert np.all(np.asarray(t_out) == 0), f"bin {k}"
        (g,) = w.vjp(wnp.fft.irfft, v)[1](random_tangent(rng, (6,), F64))
        assert np.asarray(g)[k].imag == 0, f"bin {k} gets an imaginary cotangent"


# ---------------------------------------------------------------- composites


def test_convolution_theorem_gradients_match_finite_differences(rng):
    """Circular convolution by fft: grad of sum |ifft(fft(x) fft(k))|² in x and k."""
    x = random_array(rng, (8,), C128)
    k = random_array(rng, (8,), C128)

    def loss(xp):
        return lambda x, k: xp.sum(xp.abs2(xp.fft.ifft(xp.fft.fft(x) * xp.fft.fft(k))))

    def np_loss(x, k):
        return np.sum(np.abs(np.fft.ifft(np.fft.fft(x) * np.fft.fft(k))) ** 2)

    for convention in ("adjoint", "transpose"):
        gx, gk = w.grad(loss(wnp), argnums=(0, 1), convention=convention)(x, k)
        assert_close(gx, fd_grad(np_loss, (x, k), 0, convention), *tol(C128, "fd"))
        assert_close(gk, fd_grad(np_loss, (x, k), 1, convention), *tol(C128, "fd"))
    # the same circular convolution written directly
    conv = np.array([sum(x[j] * k[(i - j) % 8] for j in range(8)) for i in range(8)])
    gx = w.grad(loss(wnp))(x, k)
    C = np.array([[k[(i - j) % 8] for j in range(8)] for i in range(8)])
    assert_close(gx, 2 * C.conj().T @ conv, *tol(C128, "exact"))


def test_real_convolution_through_rfft_and_irfft(rng):
    x = random_array(rng, (2, 7), F64)
    k = random_array(rng, (7,), F64)

    def loss(xp):
        return lambda x: xp.sum(xp.sin(xp.fft.irfft(xp.fft.rfft(x) * xp.fft.rfft(k), n=7)))

    g = w.grad(loss(wnp))(x)
    assert g.dtype == F64
    assert_close(g, fd_grad(loss(np), (x,)), *tol(F64, "fd"))
    w.check_grads(loss(wnp), (x,), order=2)


def test_s_without_axes_means_the_last_axes_as_in_numpy(rng):
    """Deprecated in NumPy 2.0, and warned about in the same way."""
    x = random_array(rng, (2, 3, 4), C128)
    for name in ("fftn", "ifftn", "rfftn", "irfftn"):
        arg = x.real if name == "rfftn" else x
        with pytest.warns(DeprecationWarning):
            expected = getattr(np.fft, name)(arg, s=(2, 5))
        with pytest.warns(DeprecationWarning, match="axes"):
            out = getattr(wnp.fft, name)(arg, s=(2, 5))
        assert_close(out, expected, *tol(C128, "value"), err_msg=name)


def test_numpy_fft_dispatches_to_wirtinger(rng):
    z = random_array(rng, (5,), C128)

    def loss(z):
        return np.sum(np.abs(np.fft.fftshift(np.fft.fft(z, norm="ortho"))) ** 2)

    assert_close(w.grad(loss)(z), 2 * z, *tol(C128, "exact"))  # Parseval


def test_fft_jacobian_is_the_dft_matrix():
    n = 5
    J = w.jacrev(wnp.fft.fft, holomorphic=True)(np.zeros(n, complex))
    assert_close(J, np.fft.fft(np.eye(n), axis=0), *tol(C128, "exact"))


# ---------------------------------------------------------------- errors


@pytest.mark.parametrize(
    "call,error",
    [
        (lambda: wnp.fft.fft(np.ones(4), norm="unitary"), ValueError),
        (lambda: wnp.fft.fft(np.ones(4), n=0), ValueError),
        (lambda: wnp.fft.fftn(np.ones((2, 3)), s=(2,), axes=(0, 1)), ValueError),
        (lambda: wnp.fft.fft(np.ones(4), axis=1), IndexError),
        (lambda: wnp.fft.rfft(np.ones(4, complex)), TypeError),
        (lambda: wnp.fft.fft(np.ones(4), out=np.ones(4, complex)), TypeError),
    ],
    ids=["norm", "n0", "s-axes", "axis", "rfft-complex", "out"],
)
def test_errors_match_numpy_fft(call, error):
    with pytest.raises(error):
        call()


# ---------------------------------------------------------------- peers


def _peer_losses(xp):
    """Real losses through the transforms, written once for wirtinger.numpy, jax.numpy and torch."""
    return (
        lambda v: xp.sum(xp.sin(xp.real(xp.fft.fft2(v, norm="ortho")))) + xp.sum(xp.abs(xp.fft.ifft(v, n=8)) ** 3),
        lambda v: xp.sum(xp.cos(xp.fft.irfft(xp.fft.rfft(v) * (1 + 2j), n=6))) + xp.sum(xp.abs(xp.fft.rfft(v))),
    )


def _peer_args(rng):
    return random_array(rng, (3, 6), C128), random_array(rng, (3, 6), F64)


def test_jax_grad_through_fft_is_the_transpose_convention(rng):
    jax = pytest.importorskip("jax")
    jax.config.update("jax_enable_x64", True)
    import jax.numpy as jnp

    for fn_j, fn_w, arg in zip(_peer_losses(jnp), _peer_losses(wnp), _peer_args(rng)):
        g_jax = np.asarray(jax.grad(fn_j)(jnp.asarray(arg)))
        assert_close(w.grad(fn_w, convention="jax")(arg), g_jax, *tol(C128, "exact"))
        assert_close(w.grad(fn_w)(arg), np.conj(g_jax), *tol(C128, "exact"))


def test_torch_grad_through_fft_is_the_adjoint_convention(rng):
    torch = pytest.importorskip("torch")
    for fn_t, fn_w, arg in zip(_peer_losses(torch), _peer_losses(wnp), _peer_args(rng)):
        leaf = torch.tensor(arg, requires_grad=True)
        fn_t(leaf).backward()
        assert_close(w.grad(fn_w, convention="torch")(arg), leaf.grad.numpy(), *tol(C128, "exact"))
