"""Holomorphic derivatives, Wirtinger pairs, Jacobians and real Jacobians (README, The mathematics in brief)."""

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
    fd_partials,
    fd_real_jacobian,
    fd_wirtinger,
    random_array,
    tol,
)

Z = 3 + 4j


def _scalar(g, dtype=C128):
    g = np.asarray(g)
    assert g.shape == () and g.dtype == dtype, f"expected a 0-d {dtype} array, got {g.shape} {g.dtype}"
    return g


# ---------------------------------------------------------------- holomorphic=True


@pytest.mark.parametrize("convention", ["adjoint", "transpose"])
def test_grad_of_sin_is_cos(convention):
    g = _scalar(w.grad(wnp.sin, holomorphic=True, convention=convention)(Z))
    assert_close(g, np.cos(Z), 1e-14, 1e-15)
    with w.convention(convention):
        value, g = w.value_and_grad(wnp.sin, holomorphic=True)(Z)
    assert_close(value, np.sin(Z), 1e-14, 1e-15)
    assert_close(_scalar(g), np.cos(Z), 1e-14, 1e-15)


def test_grad_holomorphic_single_precision():
    g = _scalar(w.grad(wnp.exp, holomorphic=True)(np.complex64(0.5 - 1j)), C64)
    assert_close(g, np.exp(0.5 - 1j), 1e-6, 1e-6)


@pytest.mark.parametrize(
    "fn,deriv",
    [
        (lambda z: z**3 - 2 * z, lambda z: 3 * z**2 - 2),
        (lambda z: wnp.exp(z) * z / (1 + z), lambda z: np.exp(z) * (z * z + z + 1) / (1 + z) ** 2),
        (lambda z: wnp.log(z) * wnp.sqrt(z), lambda z: np.sqrt(z) / z + np.log(z) / (2 * np.sqrt(z))),
        (lambda z: wnp.arctan(wnp.tanh(z)), lambda z: (1 - np.tanh(z) ** 2) / (1 + np.tanh(z) ** 2)),
    ],
    ids=["poly", "exp-ratio", "log-sqrt", "arctan-tanh"],
)
def test_grad_holomorphic_composites(fn, deriv):
    for z in (Z, 0.3 - 0.7j, -1.2 + 0.4j):
        assert_close(_scalar(w.grad(fn, holomorphic=True)(z)), deriv(z), 1e-12, 1e-13)


def test_real_plus_i_imag_is_holomorphic():
    """real(z) + 1j*imag(z) is the identity: holomorphic, although built from non-holomorphic parts."""
    g = _scalar(w.grad(lambda z: wnp.real(z) + 1j * wnp.imag(z), holomorphic=True)(Z))
    assert_close(g, 1.0 + 0j, 1e-15, 1e-15)
    g = _scalar(w.grad(lambda z: wnp.conj(wnp.conj(z)) * z, holomorphic=True)(Z))
    assert_close(g, 2 * Z, 1e-14, 1e-15)


NON_HOLOMORPHIC = {
    "conj": (wnp.conj, lambda z: 1.0),
    "real": (wnp.real, lambda z: 1.0),
    "imag": (wnp.imag, lambda z: -1j),
    "abs": (wnp.abs, lambda z: np.conj(z) / abs(z)),
    "abs2": (wnp.abs2, lambda z: 2 * np.conj(z)),
    "z*conj(z)": (lambda z: z * wnp.conj(z), lambda z: 2 * np.conj(z)),
    "angle": (wnp.angle, lambda z: -1j * np.conj(z) / abs(z) ** 2),
    "z.conj()": (lambda z: z.conj() + z, lambda z: 2.0),
}


@pytest.mark.parametrize("name", list(NON_HOLOMORPHIC))
def test_non_holomorphic_claim_raises(name):
    fn, _ = NON_HOLOMORPHIC[name]
    with pytest.raises(w.NonHolomorphicError) as info:
        w.grad(fn, holomorphic=True)(Z)
    assert isinstance(info.value, ValueError)
    assert "holomorphic" in str(info.value)
    with pytest.raises(ValueError):
        w.value_and_grad(fn, holomorphic=True)(Z)


def test_non_holomorphic_error_is_a_value_error():
    assert issubclass(w.NonHolomorphicError, ValueError)


@pytest.mark.parametrize("jac", ["jacfwd", "jacrev", "jacobian"])
def test_non_holomorphic_claim_raises_for_jacobians(jac):
    z = np.array([1 + 1j, -0.5 + 2j, 0.3 - 0.2j])
    with pytest.raises(w.NonHolomorphicError):
        getattr(w, jac)(lambda v: v * wnp.conj(v[0]), holomorphic=True)(z)
    with pytest.raises(w.NonHolomorphicError):
        getattr(w, jac)(lambda v: wnp.abs(v) + 0j, holomorphic=True)(z)


def test_non_holomorphic_claim_raises_for_hessian():
    with pytest.raises(w.NonHolomorphicError):
        w.hessian(lambda z: wnp.sum(z * z * wnp.conj(z)), holomorphic=True)(np.array([1 + 1j, 2 - 1j]))


def test_holomorphic_check_tolerance():
    """||B|| <= sqrt(eps) (||A|| + 1) passes; a perturbation of 1e-3 does not."""
    g = _scalar(w.grad(lambda z: wnp.sin(z) + 1e-13 * wnp.conj(z), holomorphic=True)(Z))
    assert_close(g, np.cos(Z), 1e-12, 1e-12)
    with pytest.raises(w.NonHolomorphicError):
        w.grad(lambda z: wnp.sin(z) + 1e-3 * wnp.conj(z), holomorphic=True)(Z)


@pytest.mark.parametrize(
    "dtype,ok,bad",
    [(C128, 1e-8, 1e-7), (C64, 1e-4, 1e-3)],
    ids=["complex128", "complex64"],
)
def test_holomorphic_check_default_tolerance_is_sqrt_eps_of_the_dtype(dtype, ok, bad):
    """f(z) = z + c conj(z): A = 1, B = c. The bound rtol*|A| + atol with both
    sqrt(eps) is 2.98e-8 in double and 6.9e-4 in single precision."""
    z = np.asarray(0.3 + 0.4j, dtype)
    g = _scalar(w.grad(lambda v: v + ok * wnp.conj(v), holomorphic=True)(z), dtype)
    assert_close(g, 1.0 + 0j, 1e-6, 1e-6)
    for transform in (w.grad, w.jacfwd, w.jacrev):
        with pytest.raises(w.NonHolomorphicError):
            transform(lambda v: v + bad * wnp.conj(v), holomorphic=True)(z)
    # A grows the allowance: with A = 100 the same B passes in double precision
    if dtype == C128:
        w.grad(lambda v: 100 * v + bad * wnp.conj(v), holomorphic=True)(z)


@pytest.mark.parametrize("convention", ["adjoint", "transpose"])
@pytest.mark.parametrize("name", list(NON_HOLOMORPHIC))
def test_check_holomorphic_false_returns_jax_number(name, convention):
    """Reverse mode without the check returns A + conj(B), as jax.grad(holomorphic=True)."""
    fn, expected = NON_HOLOMORPHIC[name]
    g = _scalar(w.grad(fn, holomorphic=True, check_holomorphic=False, convention=convention)(Z))
    assert_close(g, np.asarray(expected(Z), C128), 1e-13, 1e-14)
    # the same number from finite differences
    A, B = fd_wirtinger(lambda z: np.asarray(_np_version(name)(z)), (np.complex128(Z),))
    assert_close(g, A + np.conj(B), 1e-6, 1e-7)


def _np_version(name):
    return {
        "conj": np.conj,
        "real": np.real,
        "imag": np.imag,
        "abs": np.abs,
        "abs2": lambda z: np.abs(z) ** 2,
        "z*conj(z)": lambda z: z * np.conj(z),
        "angle": np.angle,
        "z.conj()": lambda z: np.conj(z) + z,
    }[name]


def test_check_holomorphic_false_on_holomorphic_function_is_the_derivative():
    g = _scalar(w.grad(wnp.sin, holomorphic=True, check_holomorphic=False)(Z))
    assert_close(g, np.cos(Z), 1e-14, 1e-15)


# ---------------------------------------------------------------- the check at IEEE values
NONFINITE = [
    ("sin-nan", wnp.sin, complex(np.nan, 0)),
    ("sin-nan-imag", wnp.sin, complex(0, np.nan)),
    ("exp-inf", wnp.exp, complex(np.inf, 0)),
    ("log-pole", wnp.log, 0j),
    ("reciprocal-pole", wnp.reciprocal, 0j),
    ("sqrt-branch-point", wnp.sqrt, 0j),
]


@pytest.mark.parametrize("name,fn,z", NONFINITE, ids=[n[0] for n in NONFINITE])
def test_non_finite_partials_are_not_evidence_against_holomorphy(name, fn, z):
    """At a pole, a branch point or a nan input, the partials are IEEE arithmetic:
    the check leaves those entries out and returns ∂f/∂z as computed."""
    want = w.grad(fn, holomorphic=True, check_holomorphic=False)(z)
    got = w.grad(fn, holomorphic=True)(z)
    np.testing.assert_array_equal(np.isfinite(got), np.isfinite(want))
    assert not np.all(np.isfinite(got))
    for jac in (w.jacfwd, w.jacrev):
        j = jac(fn, holomorphic=True)(np.array([z, 1 + 1j]))
        assert not np.isfinite(j[0, 0]) and np.isfinite(j[1, 1])


def test_the_finite_entries_are_still_checked():
    f = lambda z: wnp.log(z) + 0.1 * wnp.conj(z)  # noqa: E731  (not holomorphic anywhere)
    with pytest.raises(w.NonHolomorphicError):
        w.jacfwd(f, holomorphic=True)(np.array([0j, 1 + 1j]))
    with pytest.raises(w.NonHolomorphicError):
        w.vmap(w.jacfwd(f, holomorphic=True))(np.array([[0j, 1 + 1j]]))


@pytest.mark.parametrize("path", ["generic", "batch-kernel", "grad"])
def test_under_vmap_each_sample_is_judged_on_its_own(path):
    zs = np.array([[1 + 1j, 2], [np.nan, 1j], [0j, 1]])
    if path == "grad":
        got = w.vmap(w.grad(lambda z: wnp.sum(wnp.log(z)), holomorphic=True))(zs)
        assert_close(got[0], 1 / zs[0], 1e-14, 0)
        return
    jac = w.jacfwd(wnp.log, holomorphic=True)
    if path == "generic":
        from wirtinger import _batch_jacobian
        with _batch_jacobian.generic_only():
            got = w.vmap(jac)(zs)
    else:
        got = w.vmap(jac)(zs)
    assert_close(got[0], np.diag(1 / zs[0]), 1e-14, 0)
    assert got[2, 1, 1] == 1


@pytest.mark.parametrize("scale", [1e-200, 1e200])
def test_the_check_works_at_extreme_magnitudes(scale):
    """Norms of partials near the limits of double neither overflow nor underflow."""
    z = np.array([1 + 1j, 2 - 1j])
    holo = lambda z: scale * wnp.sin(z)  # noqa: E731
    not_holo = lambda z: scale * (wnp.sin(z) + 1e-3 * wnp.conj(z))  # noqa: E731
    # atol=0: the default absolute tolerance would pass anything at 1e-200.
    assert_close(w.jacfwd(holo, holomorphic=True, atol=0)(z), np.diag(scale * np.cos(z)), 1e-14, 0)
    assert_close(w.vmap(w.jacfwd(holo, holomorphic=True, atol=0))(z[None])[0], np.diag(scale * np.cos(z)), 1e-14, 0)
    with pytest.raises(w.NonHolomorphicError):
        w.jacfwd(not_holo, holomorphic=True, atol=0)(z)
    with pytest.raises(w.NonHolomorphicError):
        w.vmap(w.jacfwd(not_holo, holomorphic=True, atol=0))(z[None])


@pytest.mark.parametrize("x", [1.5, np.float64(1.5), np.float32(1.5), np.array([1.0, 2.0])], ids=str)
def test_holomorphic_requires_complex_input(x):
    fn = lambda v: wnp.sum(wnp.sin(v))  # noqa: E731
    for transform in (w.grad, w.value_and_grad, w.jacfwd, w.jacrev, w.jacobian, w.hessian):
        with pytest.raises(TypeError):
            transform(fn, holomorphic=True)(x)


@pytest.mark.parametrize("transform", ["grad", "value_and_grad"])
def test_grad_of_complex_output_points_to_the_alternatives(transform):
    with pytest.raises(TypeError) as info:
        getattr(w, transform)(wnp.sin)(Z)
    msg = str(info.value)
    for hint in ("holomorphic=True", "wirtinger", "vjp"):
        assert hint in msg, f"the message should mention {hint!r}: {msg!r}"


def test_grad_of_complex_output_of_real_input_is_a_type_error():
    with pytest.raises(TypeError):
        w.grad(lambda x: wnp.exp(1j * x))(0.5)


# ---------------------------------------------------------------- Jacobians

M = np.array([[1.0 + 2j, -0.5j, 0.25], [0.3 - 1j, 2.0, 1j]])


@pytest.mark.parametrize("jac", ["jacfwd", "jacrev", "jacobian"])
@pytest.mark.parametrize("dtype", [C128, C64], ids=lambda d: d.name)
def test_holomorphic_jacobian_is_df_dz(jac, dtype, rng):
    z = random_array(rng, (3,), dtype)
    Mc = M.astype(dtype)
    J = np.asarray(getattr(w, jac)(lambda v: wnp.matmul(Mc, v * v), holomorphic=True)(z))
    assert J.shape == (2, 3) and J.dtype == dtype
    assert_close(J, Mc @ np.diag(2 * z), *tol(dtype, "exact"))
    # any input shape: out.shape + in.shape
    z2 = random_array(rng, (2, 2), dtype)
    J = np.asarray(getattr(w, jac)(lambda v: wnp.sin(wnp.reshape(v, (4,)))[1:], holomorphic=True)(z2))
    assert J.shape == (3, 2, 2)
    expected = np.zeros((3, 4), np.complex128)
    expected[np.arange(3), np.arange(1, 4)] = np.cos(z2.reshape(4).astype(np.complex128))[1:]
    assert_close(J, expected.reshape(3, 2, 2), *tol(dtype, "value"))


@pytest.mark.parametrize("jac", ["jacfwd", "jacrev", "jacobian"])
def test_non_holomorphic_jacobian_is_a_wirtinger_pair(jac, rng):
    z = random_array(rng, (3,), C128)
    pair = getattr(w, jac)(lambda v: wnp.matmul(M, wnp.conj(v)) + (v * v)[:2])(z)
    assert isinstance(pair, w.Wirtinger) and isinstance(pair, tuple)
    assert w.Wirtinger._fields == ("dz", "dzbar")
    dz, dzbar = pair
    assert isinstance(dz, np.ndarray) and isinstance(dzbar, np.ndarray)
    assert dz.shape == dzbar.shape == (2, 3)
    assert dz.dtype == dzbar.dtype == C128
    expected_dz = np.zeros((2, 3), C128)
    expected_dz[[0, 1], [0, 1]] = 2 * z[:2]
    assert_close(pair.dz, expected_dz, 1e-13, 1e-14)
    assert_close(pair.dzbar, M, 1e-13, 1e-14)


def _f_general(xp):
    def f(z):
        return xp.sum(xp.exp(z) * xp.conj(z[::-1]), axis=0) + xp.abs(z[0]) ** 2

    return f


@pytest.mark.parametrize("jac", ["jacfwd", "jacrev", "jacobian"])
@pytest.mark.parametrize("dtype", [C128, C64], ids=lambda d: d.name)
def test_wirtinger_jacobian_matches_finite_differences(jac, dtype, rng):
    z = random_array(rng, (2, 3), dtype)
    pair = getattr(w, jac)(_f_general(wnp))(z)
    assert isinstance(pair, w.Wirtinger)
    A, B = fd_wirtinger(_f_general(np), (z,))
    assert A.shape == (3, 2, 3)
    assert pair.dz.dtype == dtype and pair.dzbar.dtype == dtype
    assert_close(pair.dz, A, *tol(dtype, "fd"))
    assert_close(pair.dzbar, B, *tol(dtype, "fd"))


@pytest.mark.parametrize("jac", ["jacfwd", "jacrev", "jacobian"])
@pytest.mark.parametrize("dtype", [F64, F32], ids=lambda d: d.name)
def test_real_inputs_give_ordinary_jacobians(jac, dtype, rng):
    x = random_array(rng, (3,), dtype)
    J = getattr(w, jac)(lambda v: wnp.sin(v) * v[0])(x)
    assert isinstance(J, np.ndarray) and not isinstance(J, tuple)
    assert J.shape == (3, 3) and J.dtype == dtype
    fx, _ = fd_partials(lambda v: np.sin(v) * v[0], (x,))
    assert_close(J, fx, *tol(dtype, "fd"))
    # complex-valued f of a real input: the complex array df/dx
    J = getattr(w, jac)(lambda v: wnp.exp(1j * v))(x)
    cdt = np.result_type(dtype, np.complex64)
    assert isinstance(J, np.ndarray) and J.dtype == cdt and J.shape == (3, 3)
    xd = x.astype(np.float64)
    assert_close(J, np.diag(1j * np.exp(1j * xd)), *tol(dtype, "value"))


@pytest.mark.parametrize("jac", ["jacfwd", "jacrev", "jacobian"])
def test_tuple_argnums_give_each_argument_its_form(jac, rng):
    x = random_array(rng, (2,), F64)
    z = random_array(rng, (3,), C128)

    def f(a, b, c):
        return wnp.sum(a) * wnp.conj(b) + c

    def f_np(a, b, c):
        return np.sum(a) * np.conj(b) + c

    c = random_array(rng, (3,), C128)
    jx, jz = getattr(w, jac)(f, argnums=(0, 1))(x, z, c)
    assert isinstance(jx, np.ndarray) and jx.shape == (3, 2) and jx.dtype == C128
    assert isinstance(jz, w.Wirtinger) and jz.dz.shape == (3, 3)
    fx, _ = fd_partials(f_np, (x, z, c), 0)
    assert_close(jx, fx, 1e-6, 1e-7)
    A, B = fd_wirtinger(f_np, (x, z, c), 1)
    assert_close(jz.dz, A, 1e-6, 1e-7)
    assert_close(jz.dzbar, B, 1e-6, 1e-7)


# ---------------------------------------------------------------- wirtinger(f)


def _g(xp):
    def g(x, z):
        return xp.sin(z) * xp.conj(z) * x + xp.abs(z) ** 3

    return g


@pytest.mark.parametrize("zdtype", [C128, C64, F64], ids=lambda d: d.name)
def test_wirtinger_matches_finite_differences(zdtype, rng):
    x = random_array(rng, (2, 1), F64)
    z = random_array(rng, (3,), zdtype)
    for argnums in (0, 1):
        pair = w.wirtinger(_g(wnp), argnums=argnums)(x, z)
        assert isinstance(pair, w.Wirtinger)
        A, B = fd_wirtinger(_g(np), (x, z), argnums)
        assert pair.dz.shape == A.shape == (2, 3) + (x, z)[argnums].shape
        assert pair.dz.dtype == pair.dzbar.dtype
        assert_close(pair.dz, A, *tol(zdtype, "fd"))
        assert_close(pair.dzbar, B, *tol(zdtype, "fd"))


def test_wirtinger_default_argnum_and_tuple():
    pair = w.wirtinger(lambda z: z * wnp.conj(z))(Z)
    assert_close(pair.dz, np.conj(Z), 1e-15, 1e-15)
    assert_close(pair.dzbar, Z, 1e-15, 1e-15)
    pairs = w.wirtinger(lambda a, b: a * wnp.conj(b), argnums=(0, 1))(Z, 1j)
    assert isinstance(pairs, tuple) and len(pairs) == 2
    assert_close(pairs[0].dz, -1j, 1e-15, 1e-15)
    assert_close(pairs[0].dzbar, 0, 1e-15, 1e-15)
    assert_close(pairs[1].dz, 0, 1e-15, 1e-15)
    assert_close(pairs[1].dzbar, Z, 1e-15, 1e-15)


def test_wirtinger_of_real_input_is_half_the_derivative():
    """For a real input A = B = (df/dx) / 2."""
    pair = w.wirtinger(lambda x: wnp.exp(1j * x))(0.7)
    expected = 0.5j * np.exp(0.7j)
    assert_close(pair.dz, expected, 1e-14, 1e-15)
    assert_close(pair.dzbar, expected, 1e-14, 1e-15)


@pytest.mark.parametrize("fn", [wnp.sin, wnp.exp, lambda z: 1 / (z - 2)], ids=["sin", "exp", "pole"])
def test_wirtinger_of_holomorphic_function(fn):
    pair = w.wirtinger(fn)(Z)
    assert np.asarray(pair.dzbar) == 0
    assert_close(pair.dz, w.grad(fn, holomorphic=True)(Z), 1e-14, 1e-15)


# ---------------------------------------------------------------- real_jacobian


def test_real_jacobian_shapes():
    z = np.array([1 + 1j, 2 - 1j, 0.5j])
    x = np.array([1.0, 2.0, 3.0])
    assert np.asarray(w.real_jacobian(lambda v: v[:2] * v[1])(z)).shape == (2, 2, 3, 2)
    assert np.asarray(w.real_jacobian(lambda v: wnp.abs(v[:2]))(z)).shape == (2, 3, 2)
    assert np.asarray(w.real_jacobian(lambda v: wnp.exp(1j * v[:2]))(x)).shape == (2, 2, 3)
    assert np.asarray(w.real_jacobian(lambda v: v[:2] * 2)(x)).shape == (2, 3)
    assert np.asarray(w.real_jacobian(wnp.sin)(Z)).shape == (2, 2)
    assert np.asarray(w.real_jacobian(wnp.abs)(Z)).shape == (2,)


@pytest.mark.parametrize("dtype", [C128, C64], ids=lambda d: d.name)
def test_real_jacobian_matches_finite_differences(dtype, rng):
    z = random_array(rng, (2, 3), dtype)
    J = np.asarray(w.real_jacobian(_f_general(wnp))(z))
    assert J.shape == (3, 2, 2, 3, 2)
    assert J.dtype == np.finfo(dtype).dtype
    assert_close(J, fd_real_jacobian(_f_general(np), (z,)), *tol(dtype, "fd"))


def test_real_jacobian_of_holomorphic_scalar_is_cauchy_riemann():
    """f' = a + ib  =>  J = [[a, -b], [b, a]]."""
    J = np.asarray(w.real_jacobian(wnp.sin)(Z))
    a, b = np.cos(Z).real, np.cos(Z).imag
    assert_close(J, np.array([[a, -b], [b, a]]), 1e-13, 1e-14)


def test_real_jacobian_agrees_with_wirtinger_pair(rng):
    """df/dx = A + B and df/dy = i(A - B)."""
    z = random_array(rng, (2, 3), C128)
    A, B = w.wirtinger(_f_general(wnp))(z)
    fx, fy = A + B, 1j * (A - B)
    J = np.asarray(w.real_jacobian(_f_general(wnp))(z))
    expected = np.stack(
        [np.stack([fx.real, fx.imag], axis=1), np.stack([fy.real, fy.imag], axis=1)], axis=-1
    )
    assert_close(J, expected, 1e-12, 1e-13)
