"""The JAX-shaped transforms: argnums, has_aux, pytrees, input and
output types, eager control flow, logistic regression, Hessians, nesting,
check_grads."""

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
    fd_partials,
    inner,
    random_array,
    random_tangent,
    tol,
)

# ---------------------------------------------------------------- argnums


def _h(xp):
    def h(x, y, z):
        return xp.sum(xp.sin(x) * y) + xp.real(xp.sum(z * xp.conj(z) * y))

    return h


def _h_args(rng):
    return (random_array(rng, (3,), F64), random_array(rng, (3,), F64), random_array(rng, (3,), C128))


@pytest.mark.parametrize("argnums", [0, 1, 2, (0,), (0, 2), (2, 0, 1)], ids=str)
@pytest.mark.parametrize("convention", ["adjoint", "transpose"])
def test_argnums(argnums, convention, rng):
    args = _h_args(rng)
    g = w.grad(_h(wnp), argnums=argnums, convention=convention)(*args)
    nums = argnums if isinstance(argnums, tuple) else (argnums,)
    if isinstance(argnums, tuple):
        assert isinstance(g, tuple) and len(g) == len(argnums)
    else:
        g = (g,)
    for k, gk in zip(nums, g):
        assert gk.shape == args[k].shape and gk.dtype == args[k].dtype
        assert_close(gk, fd_grad(_h(np), args, k, convention), 1e-6, 1e-7, err_msg=f"argument {k}")


def test_value_and_grad_argnums_tuple(rng):
    args = _h_args(rng)
    value, (g0, g2) = w.value_and_grad(_h(wnp), argnums=(0, 2))(*args)
    assert np.asarray(value).shape == ()
    assert_close(value, _h(np)(*args), 1e-13, 1e-14)
    assert_close(g0, fd_grad(_h(np), args, 0), 1e-6, 1e-7)
    assert_close(g2, fd_grad(_h(np), args, 2), 1e-6, 1e-7)


@pytest.mark.parametrize("kind", ["float", "complex", "np.float64", "np.complex128", "np.float32", "np.complex64",
                                  "ndarray", "Array"])
def test_value_and_grad_of_one_plain_argument(kind, rng):
    """One differentiated argument that is a plain number or array (the common
    call): the value and gradient of the general path, f run once, the result
    types and dtypes as for a tuple of arguments, either convention, argnums
    counted from the end; results that are not a real scalar array (a Python
    number, a complex or batched value) are handled or reported as always."""
    calls = []

    def f(x, c):
        calls.append(1)
        return wnp.sum(wnp.abs(x * c) ** 2 + wnp.real(x))
    z = complex(rng.standard_normal(), rng.standard_normal())
    x = {"float": z.real, "complex": z, "np.float64": np.float64(z.real), "np.complex128": np.complex128(z),
         "np.float32": np.float32(z.real), "np.complex64": np.complex64(z),
         "ndarray": np.array([z, 2 * z]), "Array": wnp.asarray(np.array([z, -z]))}[kind]
    c = 0.5 - 1.5j
    value, g = w.value_and_grad(f)(x, c)
    assert len(calls) == 1
    xa = np.asarray(x)
    want_value = np.sum(np.abs(xa * c) ** 2 + np.real(xa))
    want_g = 2 * xa * abs(c) ** 2 + 1  # 2 ∂f/∂z̄, in the dtype of x (real x: the real part)
    tol = 1e-5 if xa.dtype in (np.float32, np.complex64) else 1e-12
    assert_close(value, want_value, tol, tol)
    assert_close(g, want_g if xa.dtype.kind == "c" else want_g.real, tol, tol)
    assert np.asarray(g).dtype == xa.dtype and np.asarray(g).shape == xa.shape
    v2, (g2, _) = w.value_and_grad(f, argnums=(0, 1))(x, c)  # (c differentiated: a double-precision array)
    assert_close(g, g2, tol, tol)
    assert_close(value, v2, tol, tol)
    _, gt = w.value_and_grad(f, argnums=-2, convention="transpose")(x, c)
    assert_close(gt, np.conj(g), 0, 0)
    assert w.value_and_grad(lambda x: 3.0)(x)[0] == 3.0  # a Python number: zero gradient
    with pytest.raises(TypeError, match="returns a complex value"):
        w.value_and_grad(lambda x: wnp.sum(x) * 1j)(x)
    with pytest.raises(TypeError, match="must return a scalar"):
        w.value_and_grad(lambda x: wnp.reshape(wnp.sum(x), (1,)))(x)


def test_non_differentiated_arguments_may_be_anything(rng):
    """Arguments outside argnums may be ints, strings, None (as in JAX)."""

    def f(x, n, mode, scale=None):
        assert mode == "cube"
        return wnp.sum(x**n) * (1.0 if scale is None else scale)

    x = random_array(rng, (3,), F64)
    g = w.grad(f)(x, 3, "cube")
    assert_close(g, 3 * x**2, 1e-13, 1e-14)
    g = w.grad(f)(x, 2, "cube", 0.5)
    assert_close(g, x, 1e-13, 1e-14)


# ---------------------------------------------------------------- has_aux


def test_has_aux(rng):
    x = random_array(rng, (3,), F64)

    def f(v):
        s = wnp.sin(v)
        return wnp.sum(s * s), {"s": s, "n": 3}

    g, aux = w.grad(f, has_aux=True)(x)
    assert_close(g, 2 * np.sin(x) * np.cos(x), 1e-13, 1e-14)
    assert_close(np.asarray(aux["s"]), np.sin(x), 1e-14, 1e-15)
    assert aux["n"] == 3
    (value, aux), g = w.value_and_grad(f, has_aux=True)(x)
    assert_close(value, np.sum(np.sin(x) ** 2), 1e-13, 1e-14)
    assert_close(np.asarray(aux["s"]), np.sin(x), 1e-14, 1e-15)
    t = random_tangent(rng, (3,), F64)
    out, t_out, aux = w.jvp(f, (x,), (t,), has_aux=True)
    assert_close(t_out, np.sum(2 * np.sin(x) * np.cos(x) * t), 1e-13, 1e-14)
    assert_close(np.asarray(aux["s"]), np.sin(x), 1e-14, 1e-15)
    out, vjp_fn, aux = w.vjp(f, x, has_aux=True)
    assert_close(vjp_fn(np.float64(2.0))[0], 4 * np.sin(x) * np.cos(x), 1e-13, 1e-14)
    assert_close(np.asarray(aux["s"]), np.sin(x), 1e-14, 1e-15)
    for jac in (w.jacfwd, w.jacrev, w.jacobian):
        J, aux = jac(lambda v: (wnp.sin(v), v[0]), has_aux=True)(x)
        assert_close(J, np.diag(np.cos(x)), 1e-13, 1e-14)
        assert_close(np.asarray(aux), x[0], 1e-15, 1e-15)


# ---------------------------------------------------------------- pytrees


def test_grad_with_respect_to_pytrees(rng):
    a = random_array(rng, (2,), F64)
    b = random_array(rng, (3,), C128)
    c = random_array(rng, (), F32)
    params = {"w": [a, (b,)], "c": c}

    def f(p):
        (b_,) = p["w"][1]
        return wnp.sum(p["w"][0] ** 2) + wnp.sum(wnp.abs2(b_)) * p["c"]

    g = w.grad(f)(params)
    assert isinstance(g, dict) and set(g) == {"w", "c"}
    assert isinstance(g["w"], list) and isinstance(g["w"][1], tuple)
    assert_close(g["w"][0], 2 * a, 1e-13, 1e-14)
    assert g["w"][1][0].dtype == C128
    assert_close(g["w"][1][0], 2 * b * np.float64(c), 1e-6, 1e-7)
    assert g["c"].dtype == F32 and g["c"].shape == ()
    assert_close(g["c"], np.sum(np.abs(b) ** 2), 1e-6, 1e-6)


def test_jvp_and_vjp_with_pytree_outputs(rng):
    x = random_array(rng, (3,), C128)
    t = random_tangent(rng, (3,), C128)

    def f(v):
        return {"sq": v * v, "parts": (wnp.real(v), [wnp.conj(v)])}

    out, t_out = w.jvp(f, (x,), (t,))
    assert set(out) == {"sq", "parts"} and isinstance(out["parts"], tuple)
    assert_close(out["sq"], x * x, 1e-14, 1e-15)
    assert_close(t_out["sq"], 2 * x * t, 1e-13, 1e-14)
    assert_close(t_out["parts"][0], t.real, 1e-14, 1e-15)
    assert_close(t_out["parts"][1][0], np.conj(t), 1e-14, 1e-15)
    out, vjp_fn = w.vjp(f, x)
    cts = {
        "sq": random_tangent(rng, (3,), C128),
        "parts": (random_tangent(rng, (3,), F64), [random_tangent(rng, (3,), C128)]),
    }
    (ct,) = vjp_fn(cts)
    # dot-product test over the whole output tree
    lhs = (
        inner(cts["sq"], t_out["sq"])
        + inner(cts["parts"][0], t_out["parts"][0])
        + inner(cts["parts"][1][0], t_out["parts"][1][0])
    )
    assert abs(lhs - inner(ct, t)) < 1e-12 * (1 + abs(lhs))


def test_jvp_with_several_primals(rng):
    x, y = random_array(rng, (3,), F64), random_array(rng, (3,), C128)
    tx, ty = random_tangent(rng, (3,), F64), random_tangent(rng, (3,), C128)
    out, t_out = w.jvp(lambda a, b: a * wnp.exp(b), [x, y], [tx, ty])
    assert_close(out, x * np.exp(y), 1e-14, 1e-15)
    assert_close(t_out, tx * np.exp(y) + x * np.exp(y) * ty, 1e-13, 1e-14)
    _, vjp_fn = w.vjp(lambda a, b: a * wnp.exp(b), x, y)
    cx, cy = vjp_fn(np.ones(3, C128))
    assert cx.dtype == F64 and cy.dtype == C128


def test_jacobian_of_pytrees(rng):
    x = random_array(rng, (3,), F64)
    p = {"a": x, "b": random_array(rng, (2,), F64)}
    J = w.jacfwd(lambda q: (wnp.sin(q["a"]), wnp.sum(q["b"])))(p)
    assert isinstance(J, tuple) and len(J) == 2
    assert_close(J[0]["a"], np.diag(np.cos(x)), 1e-13, 1e-14)
    assert J[0]["b"].shape == (3, 2) and np.all(J[0]["b"] == 0)
    assert J[1]["a"].shape == (3,) and J[1]["b"].shape == (2,)
    assert_close(J[1]["b"], np.ones(2), 1e-15, 1e-15)
    Jr = w.jacrev(lambda q: (wnp.sin(q["a"]), wnp.sum(q["b"])))(p)
    assert_close(Jr[0]["a"], J[0]["a"], 1e-14, 1e-15)
    assert_close(Jr[1]["b"], J[1]["b"], 1e-14, 1e-15)


# ---------------------------------------------------------------- inputs and outputs


@pytest.mark.parametrize(
    "x,dtype",
    [
        (0.7, F64),
        (0.7 + 0.2j, C128),
        (np.float32(0.7), F32),
        (np.float64(0.7), F64),
        (np.complex64(0.7 + 0.2j), C64),
        (np.complex128(0.7 + 0.2j), C128),
        (np.array(0.7, F32), F32),
        (np.array([0.7, -0.1], F32), F32),
        (np.array([0.7 + 0.2j], C64), C64),
    ],
    ids=lambda v: repr(v) if not isinstance(v, np.dtype) else v.name,
)
def test_input_types_and_result_dtypes(x, dtype):
    def f(v):
        return wnp.sum(wnp.abs2(wnp.sin(v)))

    value, g = w.value_and_grad(f)(x)
    assert isinstance(g, np.ndarray), f"grad must return a NumPy array, got {type(g)}"
    assert isinstance(value, np.ndarray) and value.shape == ()
    assert g.dtype == dtype and g.shape == np.shape(x)
    assert value.dtype == np.finfo(dtype).dtype
    xd = np.asarray(x).astype(np.complex128 if np.iscomplexobj(x) else np.float64)
    expected = fd_grad(lambda v: np.sum(np.abs(np.sin(v)) ** 2), (xd,))
    assert_close(g, expected, *tol(dtype, "fd"))


def test_outputs_are_numpy_arrays(rng):
    x = random_array(rng, (3,), F64)
    out, t_out = w.jvp(wnp.sin, (x,), (np.ones(3),))
    assert type(out) is np.ndarray and type(t_out) is np.ndarray
    out, vjp_fn = w.vjp(wnp.sum, x)
    assert type(out) is np.ndarray and out.shape == ()
    (ct,) = vjp_fn(1.0)
    assert type(ct) is np.ndarray
    out, t_out = w.jvp(wnp.sum, (2.0,), (1.0,))
    assert type(out) is np.ndarray and out.shape == () and type(t_out) is np.ndarray


def test_arrays_inside_f_behave_like_numpy(rng):
    x = random_array(rng, (3, 4), C64)
    seen = {}

    def f(v):
        assert isinstance(v, w.Array)
        seen["shape"], seen["dtype"] = v.shape, np.dtype(v.dtype)
        seen["T"] = v.T.shape
        seen["real"] = np.dtype(v.real.dtype)
        seen["weak"] = np.dtype((v * 2.5).dtype)
        seen["weakc"] = np.dtype((v.real * 1j).dtype)
        seen["strong"] = np.dtype((v.real * np.float64(2.0)).dtype)
        seen["mixed"] = np.dtype((v.real + np.ones(4, np.float64)).dtype)
        return wnp.sum(wnp.abs2(v.conj().T @ v))

    w.grad(f)(x)
    assert seen["shape"] == (3, 4) and seen["dtype"] == C64 and seen["T"] == (4, 3)
    assert seen["real"] == F32 and seen["weak"] == C64 and seen["weakc"] == C64
    # NumPy 2 (NEP 50): NumPy scalars and arrays are not weak
    assert seen["strong"] == F64 and seen["mixed"] == F64


def test_numpy_operands_on_the_left(rng):
    """ndarray <op> traced array must defer to the traced array, as with JAX arrays."""
    x = random_array(rng, (3,), F64)
    a = random_array(rng, (3,), F64)
    M = random_array(rng, (2, 3), F64)

    def f(v):
        return (
            wnp.sum(a + v) + wnp.sum(a * v) + wnp.sum(M @ v) + wnp.sum(a / v) + wnp.sum(a - v)
            + np.float64(2.0) * v[0]
        )

    g = w.grad(f)(x)
    expected = 1 + a + M.sum(0) - a / x**2 - 1 + np.array([2.0, 0, 0])
    assert isinstance(g, np.ndarray)
    assert_close(g, expected, 1e-13, 1e-14)


def test_derivatives_of_constant_parts_are_zero(rng):
    x = random_array(rng, (3,), C128)

    def f(v):
        return wnp.sum(wnp.abs2(v * wnp.ones_like(v) + wnp.zeros_like(v) + wnp.asarray(np.arange(3.0))))

    assert_close(w.grad(f)(x), 2 * (x + np.arange(3.0)), 1e-13, 1e-14)
    # an output that does not depend on the input at all: zeros, as in JAX
    assert_close(w.grad(lambda v: wnp.real(wnp.sum(wnp.zeros_like(v))) + 1.0)(x), np.zeros(3, C128), 0, 0)


# ---------------------------------------------------------------- eager control flow


@pytest.mark.eager_only  # value-dependent control flow or shape: a ConcretizationError under jit
def test_python_control_flow_on_values():
    def f(x):
        if x > 0:
            return x**2
        y = x
        for _ in range(3):
            y = wnp.sin(y)
        return -(x**3) + y

    assert_close(w.grad(f)(2.0), 4.0, 1e-15, 1e-15)
    x = -0.5
    d_sin3 = np.cos(np.sin(np.sin(x))) * np.cos(np.sin(x)) * np.cos(x)
    assert_close(w.grad(f)(x), -3 * x**2 + d_sin3, 1e-13, 1e-14)


@pytest.mark.eager_only  # value-dependent control flow or shape: a ConcretizationError under jit
def test_while_loop_with_data_dependent_trip_count():
    def halve_until_small(x):
        while wnp.abs(x) > 1.0:
            x = x / 2
        return wnp.real(x * wnp.conj(x))

    # 5+5j halves three times: |z|^2 / 64
    z = 5.0 + 5.0j
    assert_close(w.grad(halve_until_small)(z), 2 * z / 64, 1e-15, 1e-15)


# ---------------------------------------------------------------- logistic regression (JAX autodiff cookbook)

INPUTS = np.array([[0.52, 1.12, 0.77], [0.88, -1.08, 0.15], [0.52, 0.06, -1.30], [0.74, -2.49, 1.39]])
TARGETS = np.array([True, True, False, True])


def _logistic(xp, sigmoid):
    def predict(W, b, inputs):
        return sigmoid(xp, xp.dot(inputs, W) + b)

    def loss(W, b):
        preds = predict(W, b, INPUTS)
        label_probs = xp.where(TARGETS, preds, 1 - preds)
        return -xp.sum(xp.log(label_probs))

    return loss, predict


def _sigmoid_tanh(xp, x):
    return 0.5 * (xp.tanh(x / 2) + 1)


def _sigmoid_exp(xp, x):
    return 1 / (1 + xp.exp(-x))


@pytest.mark.parametrize("sigmoid", [_sigmoid_tanh, _sigmoid_exp], ids=["tanh", "exp"])
@pytest.mark.parametrize("convention", ["adjoint", "transpose"])
def test_logistic_regression(sigmoid, convention, rng):
    W = rng.standard_normal(3)
    b = rng.standard_normal()
    loss_w, predict = _logistic(wnp, sigmoid)
    loss_np, predict_np = _logistic(np, sigmoid)
    # analytic gradient of the cross-entropy: inputs^T (p - y), sum(p - y)
    resid = predict_np(W, b, INPUTS) - TARGETS
    gW_true, gb_true = INPUTS.T @ resid, np.sum(resid)
    # and finite differences
    assert_close(fd_grad(loss_np, (W, b), 0), gW_true, 1e-6, 1e-7)

    with w.convention(convention):
        gW = w.grad(loss_w)(W, b)
        gb = w.grad(loss_w, argnums=1)(W, b)
        gW2, gb2 = w.grad(loss_w, argnums=(0, 1))(W, b)
        value, (gW3, gb3) = w.value_and_grad(loss_w, (0, 1))(W, b)
    assert gW.shape == (3,) and gW.dtype == F64
    assert np.asarray(gb).shape == () and np.asarray(gb).dtype == F64
    for g in (gW, gW2, gW3):
        assert_close(g, gW_true, 1e-12, 1e-13)
    for g in (gb, gb2, gb3):
        assert_close(g, gb_true, 1e-12, 1e-13)
    assert_close(value, loss_np(W, b), 1e-13, 1e-14)

    # through a dict of parameters
    def loss_params(params):
        return loss_w(params["W"], params["b"])

    g = w.grad(loss_params)({"W": W, "b": b})
    assert_close(g["W"], gW_true, 1e-12, 1e-13)
    assert_close(g["b"], gb_true, 1e-12, 1e-13)
    # a few steps of gradient descent reduce the loss
    params = {"W": W, "b": b}
    start = loss_np(W, b)
    for _ in range(20):
        g = w.grad(loss_params)(params)
        params = {k: params[k] - 0.1 * g[k] for k in params}
    assert loss_np(params["W"], params["b"]) < start


def test_logistic_regression_float32(rng):
    W = rng.standard_normal(3).astype(np.float32)
    b = np.float32(0.3)
    loss_w, predict = _logistic(wnp, _sigmoid_tanh)
    loss_np, predict_np = _logistic(np, _sigmoid_tanh)
    gW, gb = w.grad(loss_w, argnums=(0, 1))(W, b)
    assert gW.dtype == F32 and gb.dtype == F32
    resid = predict_np(W.astype(F64), np.float64(b), INPUTS) - TARGETS
    # INPUTS is float64: the loss is computed in float64 (NumPy promotion) but
    # derivatives keep the dtype of their input
    assert_close(gW, INPUTS.T @ resid, 1e-5, 1e-5)
    assert_close(gb, np.sum(resid), 1e-5, 1e-5)


# ---------------------------------------------------------------- Hessians, hvp, nesting


def _real_f(xp):
    def f(x):
        return xp.sum(xp.sin(x) * x**2) + x[0] * x[1] ** 3

    return f


def test_hessian_of_real_function_of_real_input(rng):
    x = random_array(rng, (3,), F64)
    H = w.hessian(_real_f(wnp))(x)
    assert isinstance(H, np.ndarray) and H.shape == (3, 3) and H.dtype == F64
    expected = np.diag(-np.sin(x) * x**2 + 4 * x * np.cos(x) + 2 * np.sin(x))
    expected[0, 1] = expected[1, 0] = 3 * x[1] ** 2
    expected[1, 1] += 6 * x[0] * x[1]
    assert_close(H, expected, 1e-12, 1e-13)
    # against finite differences of the gradient
    grad_f = lambda v: w.grad(_real_f(wnp))(v)  # noqa: E731
    fd_H, _ = fd_partials(grad_f, (x,))
    assert_close(H, fd_H, 1e-6, 1e-7)
    # quadratic form: the Hessian is the symmetric part of M
    M = rng.standard_normal((3, 3))
    H = w.hessian(lambda v: 0.5 * wnp.dot(v, wnp.matmul(M, v)))(x)
    assert_close(H, 0.5 * (M + M.T), 1e-13, 1e-14)


def test_hvp_of_real_function_of_real_input(rng):
    x = random_array(rng, (3,), F64)
    v = random_tangent(rng, (3,), F64)
    H = w.hessian(_real_f(wnp))(x)
    hv = w.hvp(_real_f(wnp), (x,), (v,))
    assert_close(hv, H @ v, 1e-12, 1e-13)
    assert_close(hv, fd_jvp(lambda y: w.grad(_real_f(wnp))(y), (x,), (v,)), 1e-6, 1e-7)


def _complex_real_f(xp):
    def f(z):
        return xp.sum(xp.abs(xp.sin(z)) ** 2) + xp.real(z[0] * z[1] ** 2)

    return f


@pytest.mark.parametrize("convention", ["adjoint", "transpose"])
def test_hessian_of_real_function_of_complex_input(convention, rng):
    """A Wirtinger pair describing v -> H v, the derivative of the (convention's) gradient."""
    z = random_array(rng, (3,), C128)
    v = random_tangent(rng, (3,), C128)
    grad_f = w.grad(_complex_real_f(wnp), convention=convention)
    with w.convention(convention):
        H = w.hessian(_complex_real_f(wnp))(z)
        hv = w.hvp(_complex_real_f(wnp), (z,), (v,))
    assert isinstance(H, w.Wirtinger)
    assert H.dz.shape == H.dzbar.shape == (3, 3)
    applied = H.dz @ v + H.dzbar @ np.conj(v)
    assert_close(hv, applied, 1e-12, 1e-13)
    assert_close(hv, fd_jvp(grad_f, (z,), (v,)), 1e-6, 1e-7)
    # and the gradient itself is the convention's
    assert_close(grad_f(z), fd_grad(_complex_real_f(np), (z,), 0, convention), 1e-6, 1e-7)


@pytest.mark.parametrize("convention", ["adjoint", "transpose"])
def test_hessian_of_hermitian_form(convention, rng):
    """f(z) = Re(z^H M z), M Hermitian: adjoint grad 2 M z, so H = (2M, 0);
    transpose grad 2 conj(M z), so H = (0, 2 conj(M))."""
    N = rng.standard_normal((3, 3)) + 1j * rng.standard_normal((3, 3))
    M = N + N.conj().T
    z = random_array(rng, (3,), C128)

    def f(v):
        return wnp.real(wnp.vdot(v, wnp.matmul(M, v)))

    with w.convention(convention):
        H = w.hessian(f)(z)
    if convention == "adjoint":
        assert_close(H.dz, 2 * M, 1e-13, 1e-14)
        assert_close(H.dzbar, np.zeros((3, 3)), 1e-13, 1e-14)
    else:
        assert_close(H.dz, np.zeros((3, 3)), 1e-13, 1e-14)
        assert_close(H.dzbar, 2 * np.conj(M), 1e-13, 1e-14)


def test_hessian_holomorphic_is_second_derivative(rng):
    z = random_array(rng, (3,), C128)
    H = w.hessian(lambda v: wnp.sum(v**3) + v[0] * v[2], holomorphic=True)(z)
    assert isinstance(H, np.ndarray) and H.dtype == C128 and H.shape == (3, 3)
    expected = np.diag(6 * z)
    expected[0, 2] = expected[2, 0] = 1
    assert_close(H, expected, 1e-13, 1e-14)
    z0 = 0.4 - 1.1j
    h = w.hessian(lambda v: wnp.sin(v) * v, holomorphic=True)(z0)
    assert_close(h, 2 * np.cos(z0) - z0 * np.sin(z0), 1e-13, 1e-14)


def test_grad_of_grad():
    def f(x):
        return wnp.sin(x) * x**2

    def f2(x):
        return -np.sin(x) * x**2 + 4 * x * np.cos(x) + 2 * np.sin(x)

    for x in (0.3, -1.7, 2.5):
        assert_close(w.grad(w.grad(f))(x), f2(x), 1e-13, 1e-14)
    # third derivative of x^4 / 4 is 6x
    assert_close(w.grad(w.grad(w.grad(lambda x: x**4 / 4)))(1.5), 9.0, 1e-13, 1e-14)
    # forward over reverse and reverse over forward agree
    x = np.array([0.3, -0.8])
    H1 = w.jacfwd(w.grad(lambda v: wnp.sum(f(v))))(x)
    H2 = w.jacrev(w.jacfwd(lambda v: wnp.sum(f(v))))(x)
    assert_close(H1, np.diag(f2(x)), 1e-13, 1e-14)
    assert_close(H2, np.diag(f2(x)), 1e-13, 1e-14)


def test_nested_differentiation_has_no_perturbation_confusion():
    """d/dx [x * d/dy (x + y)] = 1 (Siskind & Pearlmutter)."""
    assert_close(w.grad(lambda x: x * w.grad(lambda y: x + y)(1.0))(2.0), 1.0, 0, 0)
    # d/dx d/dy (x y^2) at y = 1 is 2
    assert_close(w.grad(lambda x: w.grad(lambda y: x * y**2)(1.0))(2.0), 2.0, 1e-15, 1e-15)


def test_grad_of_grad_complex_input(rng):
    """grad of Re(sum(grad f)) for a real f of complex z, against finite differences."""
    z = random_array(rng, (2,), C128)

    def inner_f(v):
        return wnp.sum(wnp.abs2(wnp.exp(v)))

    def outer(v):
        return wnp.real(wnp.sum(w.grad(inner_f)(v) * wnp.conj(v)))

    def outer_np(v):
        # adjoint grad of sum |exp v|^2 = sum exp(2 Re v) is 2 exp(2 Re v)
        return np.real(np.sum(2 * np.exp(2 * v.real) * np.conj(v)))

    assert_close(w.grad(outer)(z), fd_grad(outer_np, (z,)), 1e-6, 1e-7)


# ---------------------------------------------------------------- check_grads


def test_check_grads_passes_on_library_rules(rng):
    z = random_array(rng, (3,), C128)
    x = random_array(rng, (3,), F64)
    w.check_grads(lambda v: wnp.sin(v) * wnp.conj(v) + wnp.abs(v), (z,))
    w.check_grads(lambda v: wnp.sum(wnp.abs2(wnp.log(v))), (z,), order=2)
    w.check_grads(_real_f(wnp), (x,), order=2)
    w.check_grads(lambda a, b: a * wnp.exp(b), (x, z), modes=("rev",))
    w.check_grads(lambda a, b: a * wnp.exp(b), (x, z), modes=("fwd",))
    w.check_grads(wnp.arccosh, (z,), atol=1e-5, rtol=1e-5, eps=1e-6)


def test_check_grads_catches_a_wrong_derivative():
    """At a discontinuity, AD (the derivative of the branch taken) disagrees with
    finite differences; check_grads must say so."""

    def jump(x):
        return x if x > 0 else x + 1.0

    with pytest.raises(AssertionError):
        w.check_grads(jump, (0.0,), modes=("fwd",))
    with pytest.raises(AssertionError):
        w.check_grads(jump, (0.0,), modes=("rev",))
    with pytest.raises(AssertionError):
        w.check_grads(lambda x: wnp.where(x > 0, x, x + 1.0), (np.zeros(2),))
    # angle jumps by pi across the negative real axis; at 0 AD returns the
    # subgradient 0 while differences along 1 blow up
    with pytest.raises(AssertionError):
        w.check_grads(wnp.angle, (0j,))
    # and it passes just beside the jump
    w.check_grads(jump, (0.5,))


def test_check_grads_rejects_a_non_function():
    with pytest.raises(TypeError):
        w.check_grads(3.0, (1.0,))


# ---------------------------------------------------------------- public surface


def test_public_api_surface():
    for name in (
        "jvp vjp grad value_and_grad jacfwd jacrev jacobian hessian hvp wirtinger real_jacobian "
        "check_grads set_convention convention cuda_available primitive_names"
    ).split():
        assert callable(getattr(w, name)), name
    assert issubclass(w.NonHolomorphicError, ValueError)
    assert isinstance(w.cuda_available(), bool)
    assert w.Wirtinger(1, 2).dz == 1 and w.Wirtinger(1, 2).dzbar == 2
    for name in (
        "negative exp expm1 log log1p sqrt square reciprocal sin cos tan sinh cosh tanh arcsin arccos "
        "arctan arcsinh arccosh arctanh conj conjugate real imag abs absolute abs2 angle maximum minimum "
        "add subtract multiply divide power where sum mean prod dot vdot matmul inner outer transpose "
        "reshape squeeze expand_dims broadcast_to concatenate stack zeros_like ones_like asarray"
    ).split():
        assert callable(getattr(wnp, name)), f"wirtinger.numpy.{name}"


def test_wirtinger_numpy_on_plain_arrays_matches_numpy(rng):
    """Outside a transform, wirtinger.numpy computes NumPy's values (check_grads relies on it)."""
    x = random_array(rng, (3,), C128)
    np.testing.assert_allclose(np.asarray(wnp.sin(x)), np.sin(x), rtol=1e-14)
    np.testing.assert_allclose(np.asarray(wnp.sum(wnp.abs2(x))), np.sum(np.abs(x) ** 2), rtol=1e-14)


# ---------------------------------------------------------------- robustness


def test_empty_arrays():
    g = w.grad(lambda x: wnp.sum(wnp.sin(x)))(np.zeros(0))
    assert g.shape == (0,) and g.dtype == F64
    J = w.jacfwd(wnp.sin)(np.zeros(0))
    assert J.shape == (0, 0)
    pair = w.jacrev(wnp.sin)(np.zeros((0, 3), C128))
    assert pair.dz.shape == (0, 3, 0, 3)


def test_output_independent_of_input_has_zero_gradient():
    assert w.grad(lambda x: 1.0)(2.0) == 0.0
    np.testing.assert_array_equal(w.grad(lambda x: wnp.sum(x * 0))(np.ones(2)), np.zeros(2))
    g = w.grad(lambda x, y: wnp.sum(y * y), argnums=0)(np.ones(2, C64), np.ones(3))
    assert g.dtype == C64
    np.testing.assert_array_equal(g, np.zeros(2, C64))


def test_non_contiguous_and_read_only_inputs_are_not_modified(rng):
    base = random_array(rng, (4, 6), C128)
    x = base.T[::2]  # non-contiguous view
    x_before = x.copy()
    ro = random_array(rng, (3,), F64)
    ro.setflags(write=False)
    g = w.grad(lambda v, r: wnp.sum(wnp.abs2(v)) + wnp.sum(r * r), argnums=(0, 1))(x, ro)
    assert_close(g[0], 2 * x_before, 1e-14, 1e-15)
    assert_close(g[1], 2 * ro, 1e-14, 1e-15)
    np.testing.assert_array_equal(x, x_before)
    # results are fresh arrays the caller may write to
    g[0][...] = 0
    assert_close(w.grad(lambda v: wnp.sum(wnp.abs2(v)))(x), 2 * x_before, 1e-14, 1e-15)


def test_nan_input_propagates_without_exception():
    assert np.isnan(w.grad(wnp.sin)(np.nan))
    _, t = w.jvp(wnp.exp, (np.array([np.nan, 0.0]),), (np.ones(2),))
    assert np.isnan(t[0]) and t[1] == 1.0


def test_deep_graph():
    """A flat tape: 20000 sequential operations neither recurse nor lose accuracy."""
    n = 20000

    def f(x):
        for _ in range(n):
            x = x * 0.99999 + 1e-5 * wnp.sin(x)
        return x

    x, dx = 0.5, 1.0
    for _ in range(n):
        x, dx = x * 0.99999 + 1e-5 * np.sin(x), dx * (0.99999 + 1e-5 * np.cos(x))
    assert_close(w.grad(f)(0.5), dx, 1e-11, 1e-12)
    _, t = w.jvp(f, (0.5,), (1.0,))
    assert_close(t, dx, 1e-11, 1e-12)


def test_threads_differentiate_independently():
    """Each thread has its own tape: concurrent grads do not mix."""
    import threading

    results, errors = {}, []

    def work(k):
        try:
            c = 0.5 + k
            for _ in range(30):
                g = w.grad(lambda x: wnp.sum(wnp.sin(c * x) * x))(np.linspace(0, 1, 50))
            x = np.linspace(0, 1, 50)
            results[k] = np.max(np.abs(g - (c * np.cos(c * x) * x + np.sin(c * x))))
        except Exception as e:  # noqa: BLE001 - reported below
            errors.append(e)

    threads = [threading.Thread(target=work, args=(k,)) for k in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors, errors
    assert len(results) == 4 and max(results.values()) < 1e-12
