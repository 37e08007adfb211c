"""The two VJP conventions (README, Conventions) and every way of choosing one."""

import cmath

import numpy as np
import pytest

import wirtinger as w
import wirtinger.numpy as wnp
from helpers import C64, C128, F32, F64, assert_close, fd_grad, random_array, tol

# The README's worked example: f(z) = real(z * exp(1.5j)) at z = 2.3 + 4.5j.
Z0 = 2.3 + 4.5j
VALUE = -4.326031875882528
GRAD_ADJOINT = 0.0707372016677029 - 0.9974949866040544j
GRAD_TRANSPOSE = 0.0707372016677029 + 0.9974949866040544j

ROT = cmath.exp(1.5j)


def f(z):
    return wnp.real(z * ROT)


def f_np(z):
    return np.real(z * ROT)


SPELLINGS = {
    "adjoint": GRAD_ADJOINT,
    "torch": GRAD_ADJOINT,
    "pytorch": GRAD_ADJOINT,
    "tensorflow": GRAD_ADJOINT,
    "zygote": GRAD_ADJOINT,
    "transpose": GRAD_TRANSPOSE,
    "jax": GRAD_TRANSPOSE,
}


def _check_grad(g, expected):
    g = np.asarray(g)
    assert g.shape == () and g.dtype == C128
    assert_close(g, np.asarray(expected), 1e-13, 1e-15)


def test_worked_example_oracles_agree():
    """The README's numbers are the finite-difference gradient (guards the constants above)."""
    z = np.complex128(Z0)
    assert abs(f_np(z) - VALUE) < 1e-14
    assert_close(fd_grad(f_np, (z,), convention="adjoint"), GRAD_ADJOINT, 1e-8, 1e-9)
    assert_close(fd_grad(f_np, (z,), convention="transpose"), GRAD_TRANSPOSE, 1e-8, 1e-9)


def test_worked_example_default_is_adjoint():
    _check_grad(w.grad(f)(Z0), GRAD_ADJOINT)
    value, g = w.value_and_grad(f)(Z0)
    assert np.asarray(value).shape == ()
    assert abs(float(value) - VALUE) < 1e-14
    _check_grad(g, GRAD_ADJOINT)


@pytest.mark.parametrize("name", list(SPELLINGS))
def test_worked_example_convention_keyword(name):
    expected = SPELLINGS[name]
    _check_grad(w.grad(f, convention=name)(Z0), expected)
    value, g = w.value_and_grad(f, convention=name)(Z0)
    assert abs(float(value) - VALUE) < 1e-14
    _check_grad(g, expected)
    out, vjp_fn = w.vjp(f, Z0, convention=name)
    assert abs(float(out) - VALUE) < 1e-14
    (ct,) = vjp_fn(1.0)
    _check_grad(ct, expected)


@pytest.mark.parametrize("name", list(SPELLINGS))
def test_worked_example_set_convention(name):
    try:
        w.set_convention(name)
        _check_grad(w.grad(f)(Z0), SPELLINGS[name])
        _check_grad(w.value_and_grad(f)(Z0)[1], SPELLINGS[name])
        _check_grad(w.vjp(f, Z0)[1](1.0)[0], SPELLINGS[name])
    finally:
        w.set_convention("adjoint")
    _check_grad(w.grad(f)(Z0), GRAD_ADJOINT)


@pytest.mark.parametrize("name", list(SPELLINGS))
def test_worked_example_convention_context(name):
    with w.convention(name):
        _check_grad(w.grad(f)(Z0), SPELLINGS[name])
        _check_grad(w.vjp(f, Z0)[1](1.0)[0], SPELLINGS[name])
    _check_grad(w.grad(f)(Z0), GRAD_ADJOINT)


def test_context_manager_with_jax_spelling():
    with w.convention("jax"):
        _check_grad(w.grad(f)(Z0), GRAD_TRANSPOSE)
    _check_grad(w.grad(f)(Z0), GRAD_ADJOINT)


def test_explicit_keyword_beats_the_scoped_default():
    with w.convention("jax"):
        _check_grad(w.grad(f, convention="adjoint")(Z0), GRAD_ADJOINT)
    try:
        w.set_convention("transpose")
        _check_grad(w.grad(f, convention="torch")(Z0), GRAD_ADJOINT)
    finally:
        w.set_convention("adjoint")


def test_contexts_nest_and_restore():
    with w.convention("transpose"):
        with w.convention("adjoint"):
            _check_grad(w.grad(f)(Z0), GRAD_ADJOINT)
        _check_grad(w.grad(f)(Z0), GRAD_TRANSPOSE)
    _check_grad(w.grad(f)(Z0), GRAD_ADJOINT)


def test_context_restores_after_an_exception():
    with pytest.raises(RuntimeError):
        with w.convention("jax"):
            raise RuntimeError("boom")
    _check_grad(w.grad(f)(Z0), GRAD_ADJOINT)


def test_context_inside_set_convention_restores_the_process_default():
    try:
        w.set_convention("jax")
        with w.convention("torch"):
            _check_grad(w.grad(f)(Z0), GRAD_ADJOINT)
        _check_grad(w.grad(f)(Z0), GRAD_TRANSPOSE)
    finally:
        w.set_convention("adjoint")


def test_convention_is_read_when_the_gradient_is_evaluated():
    """grad(f) built outside a context and called inside it follows the context
    (convention=None means "the default active at the call")."""
    g = w.grad(f)
    with w.convention("transpose"):
        _check_grad(g(Z0), GRAD_TRANSPOSE)
    _check_grad(g(Z0), GRAD_ADJOINT)


# ---------------------------------------------------------------- unknown names


@pytest.mark.parametrize("bad", ["Adjoint-ish", "conj", "", "numpy"])
def test_unknown_convention_is_a_value_error(bad):
    with pytest.raises(ValueError) as info:
        w.grad(f, convention=bad)(Z0)
    assert "adjoint" in str(info.value) and "transpose" in str(info.value), (
        "the message should list the valid conventions"
    )
    with pytest.raises(ValueError):
        w.vjp(f, Z0, convention=bad)
    with pytest.raises(ValueError):
        w.value_and_grad(f, convention=bad)(Z0)
    with pytest.raises(ValueError):
        w.set_convention(bad)
    with pytest.raises(ValueError):
        with w.convention(bad):
            pass
    # nothing changed
    _check_grad(w.grad(f)(Z0), GRAD_ADJOINT)


def test_none_convention_means_default():
    _check_grad(w.grad(f, convention=None)(Z0), GRAD_ADJOINT)


# ---------------------------------------------------------------- what each convention computes


@pytest.mark.parametrize("dtype", [C128, C64], ids=lambda d: d.name)
def test_adjoint_gradient_is_steepest_ascent(dtype, rng):
    """f(z) = sum |z - c|^2: adjoint grad 2(z - c), transpose 2 conj(z - c); a step
    z - lr * grad_adjoint decreases f."""
    z = random_array(rng, (5,), dtype)
    c = random_array(rng, (5,), dtype)

    def loss(v):
        return wnp.sum(wnp.abs2(v - c))

    ga = w.grad(loss)(z)
    gt = w.grad(loss, convention="transpose")(z)
    assert ga.dtype == dtype and gt.dtype == dtype
    rtol, atol = tol(dtype, "exact")
    assert_close(ga, 2 * (z - c), rtol, atol)
    assert_close(gt, 2 * np.conj(z - c), rtol, atol)

    def loss_np(v):
        return np.sum(np.abs(v - c) ** 2)

    zw = z.astype(np.complex128)
    assert loss_np(zw - 0.1 * ga) < loss_np(zw)
    assert_close(np.conj(gt), ga, rtol, atol)


@pytest.mark.parametrize("name", list(SPELLINGS))
def test_vjp_of_holomorphic_map(name, rng):
    """f(z) = c z: adjoint VJP w -> conj(c) w, transpose VJP w -> c w."""
    c = 0.3 - 1.7j
    z = random_array(rng, (3,), C128)
    ct = random_array(rng, (3,), C128)
    _, vjp_fn = w.vjp(lambda v: v * c, z, convention=name)
    (got,) = vjp_fn(ct)
    expected = (np.conj(c) if SPELLINGS[name] == GRAD_ADJOINT else c) * ct
    assert_close(got, expected, 1e-13, 1e-15)


@pytest.mark.parametrize("convention", ["adjoint", "transpose"])
@pytest.mark.parametrize("dtype", [F64, F32], ids=lambda d: d.name)
def test_real_inputs_get_real_cotangents(convention, dtype, rng):
    """x real, f(x) = c x complex: the cotangent of x is real,
    Re(conj(c) w) ("adjoint") or Re(c w) ("transpose")."""
    c = 0.6 + 0.8j
    x = random_array(rng, (4,), dtype)
    out, vjp_fn = w.vjp(lambda v: v * c, x, convention=convention)
    cdt = np.result_type(dtype, np.complex64)
    assert np.asarray(out).dtype == cdt
    ct = random_array(rng, (4,), cdt)
    (got,) = vjp_fn(ct)
    got = np.asarray(got)
    assert got.dtype == dtype, f"cotangent of a {dtype} input must be {dtype}, got {got.dtype}"
    wct = ct.astype(np.complex128)
    expected = (np.conj(c) * wct).real if convention == "adjoint" else (c * wct).real
    assert_close(got, expected.astype(dtype), *tol(dtype, "exact"))


@pytest.mark.parametrize("dtype", [F64, F32], ids=lambda d: d.name)
def test_real_functions_of_real_inputs_agree_in_both_conventions(dtype, rng):
    x = random_array(rng, (4,), dtype)

    def loss(v):
        return wnp.sum(wnp.sin(v) * v)

    ga = w.grad(loss, convention="adjoint")(x)
    gt = w.grad(loss, convention="transpose")(x)
    assert ga.dtype == dtype and gt.dtype == dtype
    xd = x.astype(np.float64)
    expected = np.cos(xd) * xd + np.sin(xd)
    assert_close(ga, expected.astype(dtype), *tol(dtype, "value"))
    np.testing.assert_array_equal(ga, gt)


@pytest.mark.parametrize("convention", ["adjoint", "transpose"])
@pytest.mark.parametrize(
    "fn,arg",
    [(wnp.abs, 1 + 2j), (wnp.real, 1 + 2j), (wnp.sin, 0.5), (lambda z: wnp.sum(wnp.abs2(z)), np.ones(3, C64))],
    ids=["abs", "real", "real-sin", "abs2-sum"],
)
def test_complex_cotangent_for_real_output_is_a_type_error(convention, fn, arg):
    out, vjp_fn = w.vjp(fn, arg, convention=convention)
    out = np.asarray(out)
    assert not np.iscomplexobj(out)
    with pytest.raises(TypeError):
        vjp_fn(np.asarray(1j, np.result_type(out.dtype, np.complex64)) * np.ones(out.shape))
    # a real cotangent is fine
    vjp_fn(np.ones(out.shape, out.dtype))


def test_set_convention_is_process_wide():
    """set_convention sets the process-wide default, so a thread started
    afterwards sees it too (the context manager is the scoped form)."""
    import threading

    seen = {}
    try:
        w.set_convention("jax")
        t = threading.Thread(target=lambda: seen.setdefault("g", w.grad(f)(Z0)))
        t.start()
        t.join()
    finally:
        w.set_convention("adjoint")
    _check_grad(seen["g"], GRAD_TRANSPOSE)
