"""Agreement with JAX and PyTorch where they are installed (skipped otherwise).

Conventions (README, Conventions): jax.grad / jax.vjp compute the "transpose" convention;
PyTorch's .backward() / autograd.grad compute the "adjoint" one. Functions are
written once against a module `xp` (wirtinger.numpy, jax.numpy or torch) so the
same formula runs in each library.
"""

import cmath

import numpy as np
import pytest

import wirtinger as w
import wirtinger.numpy as wnp
from helpers import C128, F64, assert_close, random_array, random_tangent


def _real_valued(xp):
    """Real-valued functions of a complex vector (loss functions)."""
    return {
        "worked": lambda z: xp.real(xp.sum(z * cmath.exp(1.5j))),
        "abs2-sin": lambda z: xp.sum(xp.abs(xp.sin(z)) ** 2),
        "abs-log": lambda z: xp.sum(xp.abs(xp.log(z)) * xp.real(z)),
        "imag-exp-conj": lambda z: xp.sum(xp.imag(xp.exp(z) * xp.conj(z))),
        "tanh-real": lambda z: xp.sum(xp.tanh(xp.real(z * z))),
    }


def _holomorphic(xp):
    return {
        "sin-poly": lambda z: xp.sin(z) * z**2,
        "exp-ratio": lambda z: xp.exp(z) / (1 + z * z),
        "sqrt-log": lambda z: xp.sqrt(z) * xp.log(z),
    }


def _any(xp):
    """Complex-valued, not holomorphic."""
    return {
        "conj-mix": lambda z: xp.conj(z) * xp.sin(z),
        "abs-times": lambda z: xp.abs(z) * z,
        "real-exp": lambda z: xp.exp(xp.real(z)) + 1j * xp.imag(z) ** 2,
    }


NAMES_REAL = list(_real_valued(np))
NAMES_HOLO = list(_holomorphic(np))
NAMES_ANY = list(_any(np))


# ---------------------------------------------------------------- JAX


@pytest.fixture(scope="module")
def jax_mods():
    jax = pytest.importorskip("jax")
    jax.config.update("jax_enable_x64", True)
    import jax.numpy as jnp

    return jax, jnp


def _z(rng, n=4):
    return random_array(rng, (n,), C128)


@pytest.mark.parametrize("name", NAMES_REAL)
def test_jax_grad_is_the_transpose_convention(jax_mods, name, rng):
    jax, jnp = jax_mods
    z = _z(rng)
    g_jax = np.asarray(jax.grad(_real_valued(jnp)[name])(jnp.asarray(z)))
    g_t = w.grad(_real_valued(wnp)[name], convention="transpose")(z)
    g_jaxname = w.grad(_real_valued(wnp)[name], convention="jax")(z)
    g_a = w.grad(_real_valued(wnp)[name])(z)
    assert_close(g_t, g_jax, 1e-12, 1e-13)
    assert_close(g_jaxname, g_jax, 1e-12, 1e-13)
    assert_close(g_a, np.conj(g_jax), 1e-12, 1e-13)


@pytest.mark.parametrize("name", NAMES_REAL + NAMES_ANY)
def test_jax_jvp_and_vjp(jax_mods, name, rng):
    jax, jnp = jax_mods
    fns_j = {**_real_valued(jnp), **_any(jnp)}
    fns_w = {**_real_valued(wnp), **_any(wnp)}
    z = _z(rng)
    t = random_tangent(rng, (4,), C128)
    out_j, t_j = jax.jvp(fns_j[name], (jnp.asarray(z),), (jnp.asarray(t),))
    out_w, t_w = w.jvp(fns_w[name], (z,), (t,))
    assert_close(out_w, np.asarray(out_j), 1e-13, 1e-14)
    assert_close(t_w, np.asarray(t_j), 1e-12, 1e-13)
    out_j, vjp_j = jax.vjp(fns_j[name], jnp.asarray(z))
    out_w, vjp_t = w.vjp(fns_w[name], z, convention="transpose")
    _, vjp_a = w.vjp(fns_w[name], z, convention="adjoint")
    ct = random_tangent(rng, np.shape(out_w), np.asarray(out_w).dtype)
    (ct_j,) = vjp_j(jnp.asarray(ct))
    assert_close(vjp_t(ct)[0], np.asarray(ct_j), 1e-12, 1e-13)
    assert_close(vjp_a(np.conj(ct))[0], np.conj(np.asarray(ct_j)), 1e-12, 1e-13)


@pytest.mark.parametrize("jac", ["jacfwd", "jacrev"])
@pytest.mark.parametrize("name", NAMES_HOLO)
def test_jax_holomorphic_jacobians(jax_mods, jac, name, rng):
    jax, jnp = jax_mods
    z = _z(rng)
    J_jax = np.asarray(getattr(jax, jac)(_holomorphic(jnp)[name], holomorphic=True)(jnp.asarray(z)))
    J_w = getattr(w, jac)(_holomorphic(wnp)[name], holomorphic=True)(z)
    assert_close(J_w, J_jax, 1e-12, 1e-13)
    g_jax = jax.grad(lambda v: _holomorphic(jnp)[name](v)[0], holomorphic=True)(jnp.asarray(z))
    g_w = w.grad(lambda v: _holomorphic(wnp)[name](v)[0], holomorphic=True)(z)
    assert_close(g_w, np.asarray(g_jax), 1e-12, 1e-13)


@pytest.mark.parametrize("name", ["conj", "abs", "abs2", "real-plus-conj"])
def test_jax_grad_holomorphic_unchecked(jax_mods, name):
    """check_holomorphic=False reproduces what jax.grad(holomorphic=True) returns."""
    jax, jnp = jax_mods

    def fn(xp):
        return {
            "conj": lambda z: xp.conj(z),
            "abs": lambda z: xp.abs(z) + 0j,
            "abs2": lambda z: z * xp.conj(z),
            "real-plus-conj": lambda z: xp.real(z) + xp.conj(z) * z * z,
        }[name]

    z0 = 0.8 - 1.3j
    g_jax = complex(jax.grad(fn(jnp), holomorphic=True)(jnp.asarray(z0)))
    g_w = w.grad(fn(wnp), holomorphic=True, check_holomorphic=False)(z0)
    assert_close(g_w, g_jax, 1e-13, 1e-14)
    with pytest.raises(w.NonHolomorphicError):
        w.grad(fn(wnp), holomorphic=True)(z0)


def test_jax_real_inputs(jax_mods, rng):
    jax, jnp = jax_mods
    x = random_array(rng, (3,), F64)

    def f(xp):
        return lambda v: xp.sum(xp.abs(xp.exp(1j * v) + v) ** 2)

    assert_close(w.grad(f(wnp))(x), np.asarray(jax.grad(f(jnp))(jnp.asarray(x))), 1e-12, 1e-13)
    J_jax = np.asarray(jax.jacfwd(lambda v: jnp.exp(1j * v))(jnp.asarray(x)))
    assert_close(w.jacfwd(lambda v: wnp.exp(1j * v))(x), J_jax, 1e-13, 1e-14)


# ---------------------------------------------------------------- PyTorch


@pytest.fixture(scope="module")
def torch():
    return pytest.importorskip("torch")


def _leaf(torch, z):
    return torch.tensor(z, dtype=torch.complex128 if np.iscomplexobj(z) else torch.float64, requires_grad=True)


@pytest.mark.parametrize("name", NAMES_REAL)
def test_torch_backward_is_the_adjoint_convention(torch, name, rng):
    z = _z(rng)
    zt = _leaf(torch, z)
    loss = _real_valued(torch)[name](zt)
    loss.backward()
    g_torch = zt.grad.detach().numpy()
    for convention in (None, "adjoint", "torch", "pytorch"):
        assert_close(w.grad(_real_valued(wnp)[name], convention=convention)(z), g_torch, 1e-12, 1e-13)
    assert_close(w.grad(_real_valued(wnp)[name], convention="transpose")(z), np.conj(g_torch), 1e-12, 1e-13)


@pytest.mark.parametrize("name", NAMES_ANY + NAMES_HOLO)
def test_torch_vjp_is_the_adjoint_convention(torch, name, rng):
    fns_t = {**_any(torch), **_holomorphic(torch)}
    fns_w = {**_any(wnp), **_holomorphic(wnp)}
    z = _z(rng)
    zt = _leaf(torch, z)
    out_t = fns_t[name](zt)
    ct = random_tangent(rng, (4,), C128)
    (g_t,) = torch.autograd.grad(out_t, zt, grad_outputs=torch.tensor(ct))
    out_w, vjp_fn = w.vjp(fns_w[name], z)
    assert_close(out_w, out_t.detach().numpy(), 1e-13, 1e-14)
    assert_close(vjp_fn(ct)[0], g_t.numpy(), 1e-12, 1e-13)


def test_torch_abs_and_angle_at_zero(torch):
    """wirtinger chooses PyTorch's answer at 0: derivative 0 for abs and angle."""
    for fn_t, fn_w in ((torch.abs, wnp.abs), (torch.angle, wnp.angle)):
        for x in (np.array([0.0]), np.array([0j])):
            xt = _leaf(torch, x)
            fn_t(xt).sum().backward()
            g_w = w.grad(lambda v: wnp.sum(fn_w(v)))(x)
            assert_close(g_w, xt.grad.numpy(), 0, 0)


def test_torch_real_parameter_complex_graph(torch, rng):
    """A real parameter feeding a complex computation gets a real gradient in both."""
    x = random_array(rng, (3,), F64)
    c = random_array(rng, (3,), C128)

    def f(xp, cc):
        return lambda v: xp.sum(xp.abs(xp.exp(1j * v) * cc) ** 2 + xp.real(cc * v * v))

    xt = _leaf(torch, x)
    f(torch, torch.tensor(c))(xt).backward()
    g = w.grad(f(wnp, c))(x)
    assert g.dtype == F64
    assert_close(g, xt.grad.numpy(), 1e-12, 1e-13)
