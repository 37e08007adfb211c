"""User-defined rules: custom_jvp, custom_vjp, defwirtinger, and check_grads on wrong rules."""
import numpy as np
import pytest

import wirtinger as w
import wirtinger.numpy as wnp

from helpers import assert_close

Z = np.array([0.3 + 1.2j, -0.7 + 0.4j, 1.1 - 0.5j])
X = np.array([0.3, -0.7, 1.1])


def inner(a, b):
    return float(np.vdot(np.asarray(a), np.asarray(b)).real)


# ---------------------------------------------------------------- custom_jvp
@w.custom_jvp
def my_sin(x):
    return wnp.sin(x)


@my_sin.defjvp
def _my_sin_jvp(primals, tangents):
    (x,), (t,) = primals, tangents
    return my_sin(x), wnp.cos(x) * t


@pytest.mark.parametrize("x", [X, Z])
def test_custom_jvp_forward_reverse_and_second_order(x):
    out, t = w.jvp(my_sin, (x,), (np.ones_like(x),))
    assert_close(out, np.sin(x), 1e-14, 1e-14)
    assert_close(t, np.cos(x), 1e-14, 1e-14)
    ct = np.linspace(1, 2, x.size).astype(x.dtype) * (1 - 0.5j if np.iscomplexobj(x) else 1)
    (back,) = w.vjp(my_sin, x)[1](ct)
    assert_close(back, np.conj(np.cos(x)) * ct, 1e-14, 1e-14)  # adjoint: conj(f') ct
    (back_t,) = w.vjp(my_sin, x, convention="transpose")[1](ct)
    assert_close(back_t, np.cos(x) * ct, 1e-14, 1e-14)
    if not np.iscomplexobj(x):
        h = w.hessian(lambda v: wnp.sum(my_sin(v)))(x)
        assert_close(h, np.diag(-np.sin(x)), 1e-12, 1e-12)


def test_custom_jvp_rule_is_used_instead_of_the_function():
    @w.custom_jvp
    def f(x):
        return x * x

    @f.defjvp
    def f_jvp(primals, tangents):
        return f(primals[0]), 3.0 * tangents[0]  # deliberately not 2x

    assert float(w.grad(f)(5.0)) == 3.0
    assert float(w.jvp(f, (5.0,), (1.0,))[1]) == 3.0


def test_custom_jvp_nondiff_argnums():
    def scaled(k, x):
        return k * wnp.exp(x)

    f = w.custom_jvp(scaled, nondiff_argnums=(0,))

    @f.defjvp
    def f_jvp(k, primals, tangents):
        return f(k, primals[0]), k * wnp.exp(primals[0]) * tangents[0]

    assert_close(w.grad(lambda x: f(3, x))(0.5), 3 * np.exp(0.5), 1e-14, 1e-14)


def test_custom_jvp_without_rule_raises():
    f = w.custom_jvp(lambda x: x)
    with pytest.raises(TypeError, match="defjvp"):
        w.grad(f)(1.0)


# ---------------------------------------------------------------- custom_vjp
@w.custom_vjp
def scale_c(z):
    return (2 - 3j) * z


scale_c.defvjp(lambda z: (scale_c(z), None), lambda res, ct: (np.conj(2 - 3j) * ct,))


def test_custom_vjp_adjoint_convention_and_derived_jvp():
    t = np.array([1 + 1j, -2j, 0.5 + 0j])
    out, t_out = w.jvp(scale_c, (Z,), (t,))
    assert_close(out, (2 - 3j) * Z, 1e-14, 1e-14)
    assert_close(t_out, (2 - 3j) * t, 1e-14, 1e-14)  # the adjoint of bwd
    wv = np.array([0.2 - 1j, 1 + 0j, 3j])
    (ct,) = w.vjp(scale_c, Z)[1](wv)
    assert np.isclose(inner(wv, t_out), inner(ct, t))
    assert_close(w.vjp(scale_c, Z, convention="jax")[1](wv)[0], (2 - 3j) * wv, 1e-14, 1e-14)
    assert w.grad(scale_c, holomorphic=True)(1j) == pytest.approx(2 - 3j)


def test_custom_vjp_residuals_keep_second_derivatives():
    @w.custom_vjp
    def f(x):
        return wnp.sin(x)

    f.defvjp(lambda x: (f(x), wnp.cos(x)), lambda c, ct: (c * ct,))
    assert_close(w.hessian(lambda v: wnp.sum(f(v)))(X), np.diag(-np.sin(X)), 1e-12, 1e-12)
    w.check_grads(lambda v: wnp.sum(f(v)), (X,), order=2)


def test_custom_vjp_errors():
    f = w.custom_vjp(lambda x: x)
    with pytest.raises(TypeError, match="defvjp"):
        w.grad(f)(1.0)
    g = w.custom_vjp(lambda x: x)
    g.defvjp(lambda x: (x, None), lambda res, ct: (ct, ct))
    with pytest.raises(TypeError, match="one cotangent per"):
        w.grad(g)(1.0)


# ---------------------------------------------------------------- defwirtinger
my_abs2 = w.defwirtinger(lambda z: wnp.real(z * wnp.conj(z)), lambda z: wnp.conj(z), lambda z: z)
my_exp = w.defwirtinger(wnp.exp, wnp.exp, None)
my_mul = w.defwirtinger(lambda a, b: a * b, lambda a, b: (b, a), lambda a, b: (0 * a, 0 * b))


def test_defwirtinger_pair_and_both_conventions():
    pair = w.wirtinger(my_abs2)(1 + 2j)
    assert complex(pair.dz) == 1 - 2j and complex(pair.dzbar) == 1 + 2j
    assert complex(w.grad(my_abs2)(1 + 2j)) == 2 + 4j  # 2 ∂f/∂z̄
    assert complex(w.grad(my_abs2, convention="jax")(1 + 2j)) == 2 - 4j
    assert_close(w.jacfwd(my_exp, holomorphic=True)(Z), np.diag(np.exp(Z)), 1e-14, 1e-14)
    assert_close(w.jacrev(my_exp, holomorphic=True)(Z), np.diag(np.exp(Z)), 1e-14, 1e-14)
    with pytest.raises(w.NonHolomorphicError):
        w.grad(my_abs2, holomorphic=True)(1 + 2j)


def test_defwirtinger_broadcasting_two_arguments():
    a, b = Z.reshape(3, 1), np.array([1 + 1j, 2 - 1j])
    out = lambda a, b: wnp.sum(wnp.abs2(my_mul(a, b)))  # noqa: E731
    ga, gb = w.grad(out, argnums=(0, 1))(a, b)
    ra, rb = w.grad(lambda a, b: wnp.sum(wnp.abs2(a * b)), argnums=(0, 1))(a, b)
    assert_close(ga, ra, 1e-13, 1e-13)
    assert_close(gb, rb, 1e-13, 1e-13)
    w.check_grads(my_mul, (a, b), order=2)


def test_defwirtinger_higher_order():
    assert_close(w.hessian(my_abs2)(1 + 2j).dz, 2.0, 1e-14, 1e-14)
    w.check_grads(my_abs2, (Z,), order=2)


# ---------------------------------------------------------------- check_grads on wrong rules
def test_check_grads_names_the_transpose_convention_mistake():
    @w.custom_vjp
    def f(z):
        return wnp.sin(z)

    f.defvjp(lambda z: (f(z), z), lambda z, ct: (wnp.cos(z) * ct,))  # JAX's habit: no conj
    with pytest.raises(AssertionError, match="'transpose'") as info:
        w.check_grads(f, (Z,), modes=("rev",))
    assert "is holomorphic" in str(info.value)


def test_check_grads_names_a_conjugated_partial():
    bad = w.defwirtinger(lambda z: z * z, lambda z: 2 * wnp.conj(z), None)
    with pytest.raises(AssertionError, match="off by a conjugate"):
        w.check_grads(bad, (Z,), modes=("fwd",))


def test_check_grads_names_swapped_partials_of_a_non_holomorphic_rule():
    swapped = w.defwirtinger(lambda z: 2 * wnp.conj(z), lambda z: 2 + 0 * z, lambda z: 0 * z)
    with pytest.raises(AssertionError, match="swapped") as info:
        w.check_grads(swapped, (Z,), modes=("fwd",))
    assert "not holomorphic" in str(info.value)


def test_check_grads_accepts_correct_rules():
    w.check_grads(my_exp, (Z,), order=2)
    w.check_grads(scale_c, (Z,))


def test_complex_tangent_for_a_real_output_is_rejected():
    @w.custom_jvp
    def f(z):
        return wnp.real(z)

    @f.defjvp
    def f_jvp(primals, tangents):
        return f(primals[0]), tangents[0] * (2 + 3j)  # wrong: Re(z) has real tangents

    with pytest.raises(TypeError, match="real tangents"):
        w.jvp(f, (1 + 1j,), (1 + 0j,))
    out, t = w.jvp(my_abs2, (1 + 2j,), (1 + 1j,))  # complex formula, real result: accepted
    assert float(t) == pytest.approx(6.0)


def test_custom_jvp_and_custom_vjp_take_and_return_pytrees():
    @w.custom_jvp
    def polar(p):
        return {"r": wnp.abs(p["z"]) * p["s"], "z2": p["z"] * p["z"]}

    @polar.defjvp
    def polar_jvp(primals, tangents):
        (p,), (t,) = primals, tangents
        z, s = p["z"], p["s"]
        dr = wnp.real(wnp.conj(z) * t["z"]) / wnp.abs(z) * s + wnp.abs(z) * t["s"]
        return polar(p), {"r": dr, "z2": 2 * z * t["z"]}

    def loss(p, f):
        out = f(p)
        return wnp.sum(out["r"] ** 2) + wnp.sum(wnp.abs2(out["z2"]))

    plain = lambda p: {"r": wnp.abs(p["z"]) * p["s"], "z2": p["z"] * p["z"]}  # noqa: E731
    p = {"z": Z, "s": np.array([1.0, 2.0, 0.5])}
    got, want = w.grad(lambda q: loss(q, polar))(p), w.grad(lambda q: loss(q, plain))(p)
    for k in p:
        assert_close(got[k], want[k], 1e-12, 1e-12)
    w.check_grads(lambda q: loss(q, polar), (p,), order=2)

    @w.custom_vjp
    def split(z):
        return wnp.real(z), wnp.imag(z)

    split.defvjp(lambda z: (split(z), None), lambda res, ct: (ct[0] + 1j * ct[1],))
    out, t = w.jvp(split, (Z,), (np.ones(3) * (1 - 2j),))
    assert_close(out[1], Z.imag, 0, 0)
    assert_close(t[0], np.ones(3), 1e-15, 1e-15)
    assert_close(t[1], -2 * np.ones(3), 1e-15, 1e-15)
    w.check_grads(lambda z: split(z)[0] * split(z)[1], (Z,))


# ---------------------------------------------------------------- partials of the wrong shape
def test_defwirtinger_refuses_partials_of_another_shape():
    f = w.defwirtinger(wnp.sin, lambda z: np.ones((4, 1)), lambda z: np.zeros((1, 4)))
    x = np.ones(4)
    with pytest.raises(ValueError, match=r"defwirtinger sin: dz .*\(4, 1\).*\(4,\)"):
        w.grad(lambda z: wnp.sum(f(z)))(x)
    with pytest.raises(ValueError, match="defwirtinger sin"):
        w.jvp(f, (x,), (x,))
    g = w.defwirtinger(wnp.sin, wnp.cos, lambda z: np.zeros((1, 4)))
    with pytest.raises(ValueError, match=r"dzbar .*\(1, 4\)"):
        w.jvp(g, (x + 0j,), (x + 0j,))


def test_defwirtinger_accepts_scalar_partials():
    g = w.defwirtinger(lambda z: 2 * z, lambda z: 2.0, lambda z: 0.0)
    assert_close(w.grad(lambda z: wnp.sum(g(z)))(np.ones(4)), 2 * np.ones(4), 0, 0)


def test_defwirtinger_refuses_partials_that_are_not_numbers():
    f = w.defwirtinger(wnp.sin, lambda z: "cos", None)
    with pytest.raises(ValueError, match="must be an array or a number"):
        w.grad(lambda z: wnp.sum(f(z)))(np.ones(2))


def test_custom_vjp_refuses_cotangents_of_another_shape():
    @w.custom_vjp
    def h(x):
        return wnp.sin(x)

    h.defvjp(lambda x: (h(x), x), lambda x, ct: (np.ones((4, 4)),))
    with pytest.raises(ValueError, match=r"custom_vjp h: bwd returned the cotangent of argument 0 of shape \(4, 4\)"):
        w.grad(lambda z: wnp.sum(h(z)))(np.ones(4))
    h.defvjp(lambda x: (h(x), x), lambda x, ct: (1.0,))  # a scalar broadcasts
    assert_close(w.grad(lambda z: wnp.sum(h(z)))(np.ones(4)), np.ones(4), 0, 0)


def test_custom_jvp_refuses_tangents_of_another_shape():
    @w.custom_jvp
    def k(x):
        return wnp.sin(x)

    k.defjvp(lambda p, t: (k(p[0]), np.ones((4, 4))))
    with pytest.raises(ValueError, match=r"custom_jvp k: the JVP rule returned a tangent of shape \(4, 4\)"):
        w.jvp(k, (np.ones(4),), (np.ones(4),))
