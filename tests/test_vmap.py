"""vmap against a Python loop over the samples.

* Every row of the primitive table of tests/test_primitives.py: values against
  NumPy sample by sample (several dtypes, batch axes first and last, unbatched
  operands, out_axes), and derivatives through vmap (jvp and vjp inside vmap,
  and of vmap) against per-sample derivatives.
* fft, linalg, custom rules (custom_jvp, custom_vjp, defwirtinger, checkpoint).
* Compositions with every transform, in both orders, and jit.
* The API (in_axes and out_axes pytrees, keyword arguments) and its errors.
The truth is always computed one sample at a time, without vmap.
"""
import os
import re

import numpy as np
import pytest

import wirtinger as w
import wirtinger.numpy as wnp
from helpers import C64, C128, F32, F64, assert_close, random_array, random_tangent, tol
from test_primitives import ALL_PARAMS as _ALL_PARAMS, _fd_ref

# Functions whose result's shape depends on the values cannot be mapped (nor traced).
ALL_PARAMS = [p for p in _ALL_PARAMS if p.values[0].traced]

B = 3  # samples


def _stack(samples, axis):
    return np.stack([np.asarray(s) for s in samples], axis=axis)


def _sample(x, axis, b):
    return x if axis is None else np.take(x, b, axis=axis)


def _samples(args, in_axes, b):
    return [_sample(a, ax, b) for a, ax in zip(args, in_axes)]


def _stacked_inputs(rng, case, shapes, dtypes, in_axes):
    out = []
    for s, d, dom, ax in zip(shapes, dtypes, case.domains, in_axes):
        if ax is None:
            out.append(random_array(rng, s, d, dom))
        else:
            out.append(_stack([random_array(rng, s, d, dom) for _ in range(B)], ax))
    return tuple(out)


def _wide(a):
    return a.astype(np.result_type(a.dtype, np.float64))


def _axis_configs(case):
    """(in_axes, out_axes): all first; all last (out last too); each operand alone batched."""
    m = case.arity
    configs = [((0,) * m, 0), ((-1,) * m, -1)]
    if m > 1:
        configs += [(tuple(0 if j == k else None for j in range(m)), 0) for k in range(m)]
    return configs


# ---------------------------------------------------------------- every primitive: values


@pytest.mark.parametrize("case,shapes,dtypes", ALL_PARAMS)
def test_vmap_of_every_primitive_matches_a_loop(case, shapes, dtypes, rng):
    for in_axes, out_axes in _axis_configs(case):
        args = _stacked_inputs(rng, case, shapes, dtypes, in_axes)
        got = w.vmap(case.fn, in_axes=in_axes, out_axes=out_axes)(*args)
        assert isinstance(got, np.ndarray), f"{case.id}: vmap returns NumPy arrays at top level"
        dtype = np.asarray(case.ref(*_samples(args, in_axes, 0))).dtype
        expected = _stack([_fd_ref(case)(*[_wide(a) for a in _samples(args, in_axes, b)]) for b in range(B)], out_axes)
        assert got.dtype == dtype, f"{case.id} in_axes={in_axes}: dtype {got.dtype}, NumPy gives {dtype}"
        assert_close(got, expected, *tol(dtypes + (got.dtype,), "value"), err_msg=f"{case.id} in_axes={in_axes}")


# ---------------------------------------------------------------- every primitive: derivatives


def _derivative_configs(case):
    m = case.arity
    return [(0,) * m] + ([(None,) + (0,) * (m - 1)] if m > 1 else [])


@pytest.mark.parametrize("case,shapes,dtypes", ALL_PARAMS)
def test_vmap_derivatives_of_every_primitive_match_a_loop(case, shapes, dtypes, rng):
    m = case.arity
    rtol, atol = tol(dtypes, "exact")
    for in_axes in _derivative_configs(case):
        args = _stacked_inputs(rng, case, shapes, dtypes, in_axes)
        # Tangents differ from sample to sample, also for an unbatched primal.
        ts = tuple(_stack([random_tangent(rng, s, d) for _ in range(B)], 0) for s, d in zip(shapes, dtypes))
        loop = [w.jvp(case.fn, tuple(_samples(args, in_axes, b)), tuple(t[b] for t in ts)) for b in range(B)]
        out_shape, out_dtype = np.shape(loop[0][0]), np.asarray(loop[0][0]).dtype
        label = f"{case.id} in_axes={in_axes}"

        out, t_out = w.vmap(lambda *a: w.jvp(case.fn, a[:m], a[m:]), in_axes=in_axes + (0,) * m)(*args, *ts)
        assert_close(out, _stack([o for o, _ in loop], 0), rtol, atol, err_msg=f"{label}: value of vmap(jvp)")
        assert_close(t_out, _stack([t for _, t in loop], 0), rtol, atol, err_msg=f"{label}: vmap(jvp)")

        ct = _stack([random_tangent(rng, out_shape, out_dtype) for _ in range(B)], 0)
        got = w.vmap(lambda *a: w.vjp(case.fn, *a[:m])[1](a[m]), in_axes=in_axes + (0,))(*args, ct)
        for k in range(m):
            expected = _stack([w.vjp(case.fn, *_samples(args, in_axes, b))[1](ct[b])[k] for b in range(B)], 0)
            assert np.asarray(got[k]).dtype == dtypes[k]
            assert_close(got[k], expected, rtol, atol, err_msg=f"{label}: vmap(vjp), argument {k}")

    # Transforms of vmap: the batched program is differentiated like any other.
    args = _stacked_inputs(rng, case, shapes, dtypes, (0,) * m)
    ts = tuple(random_tangent(rng, a.shape, a.dtype) for a in args)
    _, t_out = w.jvp(w.vmap(case.fn), args, ts)
    expected = _stack([w.jvp(case.fn, tuple(a[b] for a in args), tuple(t[b] for t in ts))[1] for b in range(B)], 0)
    assert_close(t_out, expected, rtol, atol, err_msg=f"{case.id}: jvp(vmap)")
    out, vjp_fn = w.vjp(w.vmap(case.fn), *args)
    ct = random_tangent(rng, np.shape(out), np.asarray(out).dtype)
    got = vjp_fn(ct)
    for k in range(m):
        expected = _stack([w.vjp(case.fn, *[a[b] for a in args])[1](ct[b])[k] for b in range(B)], 0)
        assert_close(got[k], expected, rtol, atol, err_msg=f"{case.id}: vjp(vmap), argument {k}")


def test_every_engine_primitive_has_a_batching_rule():
    """Each function of the C++ module that computes on arrays has a batching-aware
    counterpart, and the package calls the engine's primitives only through it.
    The entries of the primitive table are their own (their batching rules are
    checked in test_primitive_table.py)."""
    from wirtinger import _core, _engine
    not_primitives = {
        "binary_names", "cuda_available", "cuda_describe", "device_put", "batch_run_cuda", "depth", "enter", "exit", "set_recording",
        "finish_recording", "buffer_bytes", "reset_buffer_peak", "frame_names",
        "escaped", "check_escaped",  # whether a value outlived its transform
        "structural_names", "unary_holomorphic", "unary_names", "unary_real_only", "binary_real_only",
        "make_program", "batch_plan",  # programs of jit (which vmap(jit(f)) does not use)
        "cpu_has_avx2",  # the instruction set of jit's compiled groups
        "custom",  # Python-rule primitives: _primitive.primitive, with their own batching rules
        "from_numpy", "scalar",  # constants
        "betainc_values", "hyp1f1_values", "hyp2f1_values",  # NumPy values of special functions, called through nondifferentiable
        "set_batching_rule",
        "set_array_class", "array_unary", "array_binary",  # Array's operators on engine values; None when batched
        "watch_number",  # a transform's input from a number, outside vmap
    } | {entry[0] for entry in _core.primitives}
    primitives = {n for n, f in vars(_core).items()
                  if not n.startswith("_") and callable(f) and not isinstance(f, type)} - not_primitives
    # a batching rule of its own, not the C++ function passed through
    missing = sorted(p for p in primitives
                     if not callable(getattr(_engine, p, None)) or getattr(_engine, p) is getattr(_core, p))
    assert not missing, f"engine functions without a batching rule in wirtinger/_engine.py: {missing}"
    package = os.path.dirname(w.__file__)
    direct = []
    for root, _, files in os.walk(package):
        for name in files:
            path = os.path.join(root, name)
            if not name.endswith(".py") or name == "_engine.py":
                continue
            for k, line in enumerate(open(path, encoding="utf-8"), 1):
                for call in re.findall(r"_core\.(\w+)\(", line):
                    if call in primitives:
                        direct.append(f"{os.path.relpath(path, package)}:{k} _core.{call}")
    assert not direct, f"engine primitives called around their batching rules: {direct}"


# ---------------------------------------------------------------- compositions with the transforms


def _z(rng, *shape, dtype=C128):
    x = rng.standard_normal(shape) + 1j * rng.standard_normal(shape)
    return x.astype(dtype)


def _pair_close(got, expected, rtol=1e-12, atol=1e-12):
    assert isinstance(got, w.Wirtinger)
    assert_close(got.dz, expected.dz, rtol, atol)
    assert_close(got.dzbar, expected.dzbar, rtol, atol)


def _stack_pairs(pairs):
    return w.Wirtinger(_stack([p.dz for p in pairs], 0), _stack([p.dzbar for p in pairs], 0))


def loss(z):
    return wnp.sum(wnp.abs2(wnp.sin(z) * wnp.conj(z))) + wnp.real(wnp.prod(z))


def vec(z):
    return wnp.exp(z[::-1]) * wnp.conj(z) + wnp.sum(z ** 2)


def holo(z):
    return wnp.tanh(wnp.sum(z) * z) + z[0] * z


@pytest.mark.parametrize("convention", ["adjoint", "transpose"])
def test_vmap_grad(convention, rng):
    Z = _z(rng, B, 4)
    got = w.vmap(w.grad(loss, convention=convention))(Z)
    assert_close(got, _stack([w.grad(loss, convention=convention)(z) for z in Z], 0), 1e-12, 1e-12)


def test_grad_of_a_sum_over_vmap(rng):
    Z = _z(rng, B, 4)
    got = w.grad(lambda Z: wnp.sum(w.vmap(loss)(Z)))(Z)
    assert_close(got, _stack([w.grad(loss)(z) for z in Z], 0), 1e-12, 1e-12)


def test_value_and_grad_with_aux_under_vmap(rng):
    Z = _z(rng, B, 4)
    (v, aux), g = w.vmap(w.value_and_grad(lambda z: (loss(z), wnp.abs(z)), has_aux=True))(Z)
    for b in range(B):
        (vb, auxb), gb = w.value_and_grad(lambda z: (loss(z), wnp.abs(z)), has_aux=True)(Z[b])
        assert_close(v[b], vb, 1e-12, 1e-12)
        assert_close(aux[b], auxb, 1e-12, 1e-12)
        assert_close(g[b], gb, 1e-12, 1e-12)


def test_per_sample_gradients_of_shared_parameters(rng):
    """An unbatched argument still gets one gradient per sample (in_axes None, argnums on it)."""
    X, p = rng.standard_normal((B, 5)), rng.standard_normal(5)
    model = lambda p, x: wnp.sum(wnp.tanh(p * x) ** 2)  # noqa: E731
    got = w.vmap(w.grad(model), in_axes=(None, 0))(p, X)
    assert got.shape == (B, 5)
    assert_close(got, _stack([w.grad(model)(p, x) for x in X], 0), 1e-12, 1e-12)
    total = w.grad(lambda p: wnp.sum(w.vmap(model, in_axes=(None, 0))(p, X)))(p)
    assert_close(total, got.sum(0), 1e-12, 1e-12)


@pytest.mark.parametrize("transform", ["jacfwd", "jacrev"])
def test_jacobians_of_vmap_are_block_diagonal(transform, rng):
    X = rng.standard_normal((B, 3))
    f = lambda x: wnp.sin(x) * wnp.sum(x ** 2)  # noqa: E731
    J = getattr(w, transform)(w.vmap(f))(X)
    assert J.shape == (B, 3, B, 3)
    for b in range(B):
        for c in range(B):
            expected = w.jacfwd(f)(X[b]) if b == c else np.zeros((3, 3))
            assert_close(J[b, :, c, :], expected, 1e-12, 1e-12)
    Z = _z(rng, B, 3)
    pair = getattr(w, transform)(w.vmap(vec))(Z)
    for b in range(B):
        ref = w.jacfwd(vec)(Z[b])
        assert_close(pair.dz[b, :, b, :], ref.dz, 1e-12, 1e-12)
        assert_close(pair.dzbar[b, :, b, :], ref.dzbar, 1e-12, 1e-12)


@pytest.mark.parametrize("transform", ["jacfwd", "jacrev", "jacobian", "wirtinger", "real_jacobian"])
def test_vmap_of_jacobians(transform, rng):
    Z = _z(rng, B, 3)
    got = w.vmap(getattr(w, transform)(vec))(Z)
    loop = [getattr(w, transform)(vec)(z) for z in Z]
    if isinstance(loop[0], w.Wirtinger):
        _pair_close(got, _stack_pairs(loop))
    else:
        assert_close(got, _stack(loop, 0), 1e-12, 1e-12)


@pytest.mark.parametrize("transform", ["jacfwd", "jacrev"])
def test_vmap_of_holomorphic_jacobians_and_the_check(transform, rng):
    Z = _z(rng, B, 3)
    got = w.vmap(getattr(w, transform)(holo, holomorphic=True))(Z)
    assert_close(got, _stack([getattr(w, transform)(holo, holomorphic=True)(z) for z in Z], 0), 1e-12, 1e-12)
    pair = w.vmap(w.wirtinger(holo))(Z)
    assert_close(pair.dz, got, 1e-12, 1e-12)
    assert np.abs(pair.dzbar).max() < 1e-12
    # The claim is checked for every sample: only the last one is not holomorphic.
    f = lambda z, c: holo(z) + c * wnp.conj(z)  # noqa: E731
    with pytest.raises(w.NonHolomorphicError, match="sample 2"):
        w.vmap(getattr(w, transform)(f, holomorphic=True))(Z, np.array([0.0, 0.0, 1.0]))
    with pytest.raises(w.NonHolomorphicError, match="sample 0"):
        w.vmap(w.grad(lambda z: wnp.abs2(z), holomorphic=True))(Z[:, 0])


def test_vmap_of_hessian_and_hvp(rng):
    X = rng.standard_normal((B, 3))
    f = lambda x: wnp.sum(wnp.sin(x) * x[::-1]) ** 2  # noqa: E731
    assert_close(w.vmap(w.hessian(f))(X), _stack([w.hessian(f)(x) for x in X], 0), 1e-12, 1e-12)
    Z = _z(rng, B, 3)
    _pair_close(w.vmap(w.hessian(loss))(Z), _stack_pairs([w.hessian(loss)(z) for z in Z]))
    T = _z(rng, B, 3)
    got = w.vmap(lambda z, t: w.hvp(loss, (z,), (t,)))(Z, T)
    assert_close(got, _stack([w.hvp(loss, (z,), (t,)) for z, t in zip(Z, T)], 0), 1e-12, 1e-12)
    H = w.vmap(w.hessian(lambda z: wnp.sum(wnp.sin(z) ** 2), holomorphic=True))(Z)
    assert_close(H, _stack([w.hessian(lambda z: wnp.sum(wnp.sin(z) ** 2), holomorphic=True)(z) for z in Z], 0),
                 1e-12, 1e-12)


def test_vmap_of_jvp_with_a_shared_primal_is_the_jacobian(rng):
    """vmap over tangents only (JAX's jacfwd): the primal is the same for every sample."""
    z = _z(rng, 3)
    basis = np.eye(3, dtype=complex)
    cols = w.vmap(lambda t: w.jvp(vec, (z,), (t,))[1])(basis)
    assert_close(cols.T, w.jacfwd(vec)(z).dz + w.jacfwd(vec)(z).dzbar, 1e-12, 1e-12)  # real directions: A + B


def test_vmap_of_a_vjp_function_made_outside(rng):
    """JAX's jacrev: vmap(vjp_fn)(basis), vjp_fn made once outside vmap."""
    z = _z(rng, 3)
    _, vjp_fn = w.vjp(vec, z)
    rows = w.vmap(vjp_fn)(np.eye(3, dtype=complex))[0]
    expected = _stack([vjp_fn(e)[0] for e in np.eye(3, dtype=complex)], 0)
    assert_close(rows, expected, 1e-12, 1e-12)
    x = rng.standard_normal(4)
    _, vjp_fn = w.vjp(lambda x: wnp.sin(x) * x[0], x)
    assert_close(w.vmap(vjp_fn)(np.eye(4))[0], w.jacrev(lambda x: wnp.sin(x) * x[0])(x), 1e-12, 1e-12)


def test_vmap_of_vjp_with_a_shared_cotangent(rng):
    """Primals batched, the cotangent the same for every sample (a plain number):
    each sample's vjp with that cotangent (this recursed without end)."""
    x = rng.standard_normal(5) + 1j * rng.standard_normal(5)
    ct = np.complex128(0.75 + 0.5j)
    got = w.vmap(lambda x: w.vjp(wnp.sin, x)[1](ct)[0])(x)
    assert_close(got, ct * np.conj(np.cos(x)), 1e-14, 1e-14)
    got = w.vmap(lambda x: w.vjp(wnp.sin, x, convention="transpose")[1](ct)[0])(x)
    assert_close(got, ct * np.cos(x), 1e-14, 1e-14)


def test_vmap_of_vmap_with_different_axes(rng):
    X = rng.standard_normal((4, 3, 2))  # samples along axes 0 (outer) and 2 (inner)
    y = rng.standard_normal(3)
    f = lambda x, y: wnp.sum(wnp.sin(x) * y) * x  # noqa: E731
    got = w.vmap(w.vmap(f, in_axes=(1, None), out_axes=1), in_axes=(0, None))(X, y)
    expected = np.stack([np.stack([np.sum(np.sin(X[i, :, j]) * y) * X[i, :, j] for j in range(2)], 1)
                         for i in range(4)], 0)
    assert got.shape == (4, 3, 2)
    assert_close(got, expected, 1e-13, 1e-13)
    g = w.vmap(w.vmap(w.grad(lambda x, y: wnp.sum(f(x, y))), in_axes=(0, None)), in_axes=(2, None))(X, y)
    for j in range(2):
        for i in range(4):
            assert_close(g[j, i], w.grad(lambda x: wnp.sum(f(x, y)))(X[i, :, j]), 1e-12, 1e-12)
    # the inner vmap maps an argument of the outer one
    got = w.vmap(lambda x, ys: w.vmap(lambda y: wnp.sum(x * y))(ys), in_axes=(0, None))(X[:, :, 0], X[0].T)
    assert_close(got, X[:, :, 0] @ X[0], 1e-13, 1e-13)


def test_jit_and_vmap_in_both_orders(rng):
    Z = _z(rng, B, 4)
    jv = w.jit(w.vmap(loss))
    for _ in range(2):  # trace, then replay
        assert_close(jv(Z), _stack([loss(z) for z in Z], 0), 1e-12, 1e-12)
    jg = w.jit(w.vmap(w.grad(loss)))
    for _ in range(2):
        Z = _z(rng, B, 4)
        assert_close(jg(Z), _stack([w.grad(loss)(z) for z in Z], 0), 1e-12, 1e-12)
    assert len(jg.cache_info()) == 1
    jh = w.jit(w.vmap(w.hessian(loss)))
    for _ in range(2):
        Z = _z(rng, B, 4)
        _pair_close(jh(Z), _stack_pairs([w.hessian(loss)(z) for z in Z]), 1e-11, 1e-11)
    assert_close(w.vmap(w.jit(loss))(Z), _stack([loss(z) for z in Z], 0), 1e-12, 1e-12)
    assert_close(w.vmap(w.jit(w.grad(loss)))(Z), _stack([w.grad(loss)(z) for z in Z], 0), 1e-12, 1e-12)
    # jit of unbatched arguments closing over batched values: run, not cached (the samples change)
    closure = w.vmap(lambda x: w.jit(lambda s: s * x)(2.0))
    for _ in range(2):
        assert_close(closure(Z), 2 * Z, 0, 0)
    masked = w.jit(w.vmap(lambda x: wnp.where(x > 0.2, x, -x) * wnp.maximum(x, 0.0)))
    for _ in range(2):
        x = rng.standard_normal((B, 5))
        assert_close(masked(x), np.where(x > 0.2, x, -x) * np.maximum(x, 0.0), 1e-13, 1e-13)


def _w4(rng, dtype=C128):
    W1, W2 = _z(rng, 8, 8, dtype=dtype) / 3, _z(rng, 8, 8, dtype=dtype) / 3
    c1, c2 = _z(rng, 8, dtype=dtype), _z(rng, 8, dtype=dtype)
    return lambda z: wnp.tanh(W2 @ wnp.tanh(W1 @ z + c1) + c2)


@pytest.mark.parametrize("transform", ["jacfwd", "jacrev", "wirtinger"])
def test_jit_vmap_jacobian_of_the_w4_network(transform, rng):
    """g(z) = tanh(W2 tanh(W1 z + c1) + c2), 8×8 complex: per-sample Jacobians, traced then replayed."""
    g = _w4(rng)
    opts = {"holomorphic": True} if transform != "wirtinger" else {}
    jitted = w.jit(w.vmap(getattr(w, transform)(g, **opts)))
    for _ in range(3):
        Z = _z(rng, 16, 8) / 2
        got = jitted(Z)
        loop = [getattr(w, transform)(g, **opts)(z) for z in Z]
        if transform == "wirtinger":
            _pair_close(got, _stack_pairs(loop))
            assert np.abs(got.dzbar).max() < 1e-12  # holomorphic
        else:
            assert_close(got, _stack(loop, 0), 1e-12, 1e-12)
    assert len(jitted.cache_info()) == 1
    # not holomorphic: a Wirtinger pair per sample
    h = lambda z: g(z) * wnp.conj(z[0])  # noqa: E731
    Z = _z(rng, 4, 8) / 2
    _pair_close(w.jit(w.vmap(w.jacfwd(h)))(Z), _stack_pairs([w.jacfwd(h)(z) for z in Z]))


def test_vmap_in_single_precision(rng):
    g = _w4(rng, C64)
    Z = (_z(rng, 5, 8) / 2).astype(C64)
    got = w.vmap(w.jacfwd(g, holomorphic=True))(Z)
    assert got.dtype == C64
    assert_close(got, _stack([w.jacfwd(g, holomorphic=True)(z) for z in Z], 0), *tol(C64, "exact"))
    X = rng.standard_normal((B, 4)).astype(F32)
    got = w.vmap(w.grad(lambda x: wnp.sum(wnp.exp(x) * x)))(X)
    assert got.dtype == F32
    assert_close(got, _stack([w.grad(lambda x: wnp.sum(wnp.exp(x) * x))(x) for x in X], 0), *tol(F32, "exact"))


# ---------------------------------------------------------------- fft


FFTS = {
    "fft": (lambda x: wnp.fft.fft(x), lambda x: np.fft.fft(x), C128),
    "fft-n-ortho": (lambda x: wnp.fft.fft(x, n=6, norm="ortho"), lambda x: np.fft.fft(x, n=6, norm="ortho"), C128),
    "ifft-axis0": (lambda x: wnp.fft.ifft(x, axis=0), lambda x: np.fft.ifft(x, axis=0), C128),
    "fft2": (lambda x: wnp.fft.fft2(x), lambda x: np.fft.fft2(x), C128),
    "fftn-s": (lambda x: wnp.fft.fftn(x, s=(2, 5), axes=(0, 1)), lambda x: np.fft.fftn(x, s=(2, 5), axes=(0, 1)),
               C64),
    "rfft": (lambda x: wnp.fft.rfft(x, axis=0), lambda x: np.fft.rfft(x, axis=0), F64),
    "irfft": (lambda x: wnp.fft.irfft(x, n=7), lambda x: np.fft.irfft(x, n=7), C128),
    "rfftn": (lambda x: wnp.fft.rfftn(x), lambda x: np.fft.rfftn(x), F32),
    "irfftn": (lambda x: wnp.fft.irfftn(x, axes=(0, 1)), lambda x: np.fft.irfftn(x, axes=(0, 1)), C128),
    "fftshift": (lambda x: wnp.fft.fftshift(x), lambda x: np.fft.fftshift(x), C128),
    "ifft2": (lambda x: wnp.fft.ifft2(x, norm="forward"), lambda x: np.fft.ifft2(x, norm="forward"), C128),
    "ifftn": (lambda x: wnp.fft.ifftn(x, axes=(1,)), lambda x: np.fft.ifftn(x, axes=(1,)), F64),
    "ifftshift": (lambda x: wnp.fft.ifftshift(x, axes=0), lambda x: np.fft.ifftshift(x, axes=0), F32),
    "rfft2": (lambda x: wnp.fft.rfft2(x), lambda x: np.fft.rfft2(x), F64),
    "irfft2": (lambda x: wnp.fft.irfft2(x), lambda x: np.fft.irfft2(x), C128),
    "hfft": (lambda x: wnp.fft.hfft(x, n=5), lambda x: np.fft.hfft(x, n=5), C128),
    "ihfft": (lambda x: wnp.fft.ihfft(x, axis=0), lambda x: np.fft.ihfft(x, axis=0), F64),
    "frequencies": (lambda x: x * wnp.fft.fftfreq(3) + wnp.fft.rfftfreq(4)[:3],
                    lambda x: x * np.fft.fftfreq(3) + np.fft.rfftfreq(4)[:3], F64),
}


@pytest.mark.parametrize("name", list(FFTS))
def test_fft_under_vmap(name, rng):
    fn, ref, dtype = FFTS[name]
    X = random_array(rng, (B, 4, 3), dtype)
    for axis in (0, 2):
        Xa = np.moveaxis(X, 0, axis)
        got = w.vmap(fn, in_axes=axis)(Xa)
        expected = _stack([ref(x) for x in X], 0)
        assert got.dtype == expected.dtype
        assert_close(got, expected, *tol(dtype, "value"))
    real_loss = lambda x: wnp.sum(wnp.abs2(fn(x)) * np.linspace(0.5, 1.5, np.size(ref(X[0]))).reshape(  # noqa: E731
        np.shape(ref(X[0]))))
    got = w.vmap(w.grad(real_loss))(X)
    assert_close(got, _stack([w.grad(real_loss)(x) for x in X], 0), *tol(dtype, "exact"))


# ---------------------------------------------------------------- linalg


def _spd(rng, n, dtype, batch=()):
    a = random_array(rng, batch + (n, n), dtype)
    return (a @ np.conj(np.swapaxes(a, -1, -2)) + n * np.eye(n)).astype(dtype)


LINALG = {
    "inv": (lambda a: wnp.linalg.inv(a), lambda a: np.linalg.inv(a), "general"),
    "det": (lambda a: wnp.linalg.det(a), lambda a: np.linalg.det(a), "general"),
    "slogdet": (lambda a: wnp.linalg.slogdet(a), lambda a: np.linalg.slogdet(a), "general"),
    "cholesky": (lambda a: wnp.linalg.cholesky(a), lambda a: np.linalg.cholesky(a), "spd"),
    "cholesky-upper": (lambda a: wnp.linalg.cholesky(a, upper=True), lambda a: np.linalg.cholesky(a, upper=True),
                       "spd"),
    "eigvalsh": (lambda a: wnp.linalg.eigh(a).eigenvalues, lambda a: np.linalg.eigh(a).eigenvalues, "spd"),
    "eigh-projector": (lambda a: (lambda v: v[..., :, :1] @ wnp.conj(wnp.swapaxes(v[..., :, :1], -1, -2)))(
        wnp.linalg.eigh(a).eigenvectors),
        lambda a: (lambda v: v[:, :1] @ np.conj(v[:, :1]).T)(np.linalg.eigh(a).eigenvectors), "spd"),
    "qr": (lambda a: wnp.linalg.qr(a), lambda a: np.linalg.qr(a), "general"),
    "svdvals": (lambda a: wnp.linalg.svd(a, compute_uv=False), lambda a: np.linalg.svd(a, compute_uv=False), "tall"),
    "svd-recompose": (lambda a: (lambda u, s, vh: (u * s[..., None, :]) @ vh)(*wnp.linalg.svd(a, full_matrices=False)),
                      lambda a: a, "tall"),
    "norm-fro": (lambda a: wnp.linalg.norm(a), lambda a: np.linalg.norm(a), "general"),
    "norm-nuc": (lambda a: wnp.linalg.norm(a, "nuc"), lambda a: np.linalg.norm(a, "nuc"), "general"),
    "norm-2": (lambda a: wnp.linalg.norm(a, 2), lambda a: np.linalg.norm(a, 2), "general"),
    "norm-inf": (lambda a: wnp.linalg.norm(a, np.inf), lambda a: np.linalg.norm(a, np.inf), "general"),
    "norm-1-axis": (lambda a: wnp.linalg.norm(a, 1, axis=0), lambda a: np.linalg.norm(a, 1, axis=0), "general"),
    "norm-vec-minf": (lambda a: wnp.linalg.norm(a, -np.inf, axis=1), lambda a: np.linalg.norm(a, -np.inf, axis=1),
                      "general"),
    "norm-vec-0": (lambda a: wnp.linalg.norm(a, 0, axis=1), lambda a: np.linalg.norm(a, 0, axis=1), "general"),
    "matrix_power": (lambda a: wnp.linalg.matrix_power(a, -2), lambda a: np.linalg.matrix_power(a, -2), "general"),
    "trace-diagonal": (lambda a: wnp.trace(a) * wnp.diagonal(a, 1), lambda a: np.trace(a) * np.diagonal(a, 1),
                       "general"),
    "linalg-trace-diagonal": (lambda a: wnp.linalg.trace(a) * wnp.linalg.diagonal(a, offset=-1),
                              lambda a: np.linalg.trace(a) * np.linalg.diagonal(a, offset=-1), "general"),
    "eig-abs2": (lambda a: wnp.abs2(wnp.linalg.eig(a).eigenvectors) + wnp.abs2(wnp.linalg.eigvals(a))[..., None, :],
                 lambda a: np.abs(np.linalg.eig(a).eigenvectors) ** 2 + np.abs(np.linalg.eigvals(a))[..., None, :] ** 2,
                 "general"),
    "pinv": (lambda a: wnp.linalg.pinv(a), lambda a: np.linalg.pinv(a), "tall"),
    "lstsq": (lambda a: wnp.linalg.lstsq(a, a[:, 0])[0], lambda a: np.linalg.lstsq(a, a[:, 0])[0], "tall"),
    "cond": (lambda a: wnp.linalg.cond(a), lambda a: np.linalg.cond(a), "general"),
    "multi_dot": (lambda a: wnp.linalg.multi_dot([a, a, a[0]]), lambda a: np.linalg.multi_dot([a, a, a[0]]),
                  "general"),
    "svdvals-eigvalsh": (lambda a: wnp.linalg.svdvals(a) + wnp.linalg.eigvalsh(a),
                         lambda a: np.linalg.svdvals(a) + np.linalg.eigvalsh(a), "spd"),
    "norms": (lambda a: wnp.linalg.vector_norm(a, axis=0) + wnp.linalg.matrix_norm(a),
              lambda a: np.linalg.vector_norm(a, axis=0) + np.linalg.matrix_norm(a), "general"),
    "products": (lambda a: wnp.linalg.matmul(a, a) + wnp.linalg.outer(a[0], a[1]) + wnp.linalg.cross(a[0], a[1])
                 + wnp.linalg.tensordot(a, a, axes=1) + wnp.linalg.vecdot(a, a) + wnp.linalg.matrix_transpose(a),
                 lambda a: np.linalg.matmul(a, a) + np.linalg.outer(a[0], a[1]) + np.linalg.cross(a[0], a[1])
                 + np.linalg.tensordot(a, a, axes=1) + np.linalg.vecdot(a, a) + np.linalg.matrix_transpose(a),
                 "general"),
    "tensorsolve-tensorinv": (lambda a: wnp.linalg.tensorsolve(a, a[0]) + wnp.linalg.tensorinv(a, ind=1)[0],
                              lambda a: np.linalg.tensorsolve(a, a[0]) + np.linalg.tensorinv(a, ind=1)[0], "general"),
}


# Functions of one matrix, as NumPy's (no stacks of matrices).
ONE_MATRIX = {"trace-diagonal", "lstsq", "multi_dot", "norms", "products", "tensorsolve-tensorinv"}


def test_matrix_rank_reads_values():
    """An integer of the values: under vmap there is no single value to read."""
    a = np.eye(3)[None].repeat(2, axis=0)
    assert wnp.linalg.matrix_rank(a[0]) == 3
    with pytest.raises(w.ConcretizationError):
        w.vmap(lambda m: wnp.linalg.matrix_rank(m))(a)


def test_every_fft_and_linalg_function_is_tested_under_vmap():
    source = open(__file__, encoding="utf-8").read()
    for module, names in (("fft", wnp.fft.__all__), ("linalg", wnp.linalg.__all__)):
        missing = [n for n in names if n != "LinAlgError" and f"wnp.{module}.{n}(" not in source]
        assert not missing, f"wnp.{module} functions without a vmap test here: {missing}"


def _matrices(rng, kind, dtype, batch=(B,)):
    if kind == "spd":
        return _spd(rng, 3, dtype, batch)
    shape = batch + ((4, 3) if kind == "tall" else (3, 3))
    return random_array(rng, shape, dtype) + np.asarray(2 * np.eye(*shape[-2:]) if kind == "general" else 0, dtype)


def _leaves(x):
    return list(x) if isinstance(x, tuple) else [x]


@pytest.mark.parametrize("dtype", [F64, C128], ids=lambda d: d.name)
@pytest.mark.parametrize("name", list(LINALG))
def test_linalg_under_vmap(name, dtype, rng):
    fn, ref, kind = LINALG[name]
    A = _matrices(rng, kind, dtype)
    got = _leaves(w.vmap(fn)(A))
    expected = [_stack(parts, 0) for parts in zip(*[_leaves(ref(a)) for a in A])]
    if name == "qr":  # Q and R up to the signs (phases) of R's diagonal: compare Q R and |R|
        assert_close(got[0] @ got[1], A, *tol(dtype, "value"))
        assert_close(np.abs(got[1]), np.abs(expected[1]), *tol(dtype, "value"))
    else:
        for g, e in zip(got, expected):
            assert_close(g, e, *tol(dtype, "value"), err_msg=name)
    # Derivatives: a real loss of every output, per sample.
    weights = [random_array(rng, np.shape(e)[1:], e.dtype) for e in expected]

    def real_loss(a):
        outs = _leaves(fn(a))
        if name == "qr":  # phase-invariant: Q R and R's magnitudes
            outs = [outs[0] @ outs[1], wnp.abs(outs[1])]
        return sum(wnp.sum(wnp.real(c * o)) for c, o in zip(weights, outs))

    got = w.vmap(w.grad(real_loss))(A)
    assert_close(got, _stack([w.grad(real_loss)(a) for a in A], 0), *tol(dtype, "exact"), err_msg=name)
    if name in ONE_MATRIX or (name.startswith("norm") and "axis" not in name and "vec" not in name):
        return  # functions of one matrix only
    # A batched stack of matrices: leading axes broadcast as in one sample.
    A2 = _matrices(rng, kind, dtype, (B, 2))
    got2 = _leaves(w.vmap(fn)(A2))
    for g, e in zip(got2, [_stack(parts, 0) for parts in zip(*[_leaves(fn(a)) for a in A2])]):
        if name != "qr":
            assert_close(g, e, *tol(dtype, "exact"), err_msg=name)


@pytest.mark.parametrize("dtype", [F64, C128, C64], ids=lambda d: d.name)
def test_solve_under_vmap_with_every_batching(dtype, rng):
    A = _matrices(rng, "general", dtype, (B,))
    Bs = random_array(rng, (B, 3, 2), dtype)
    bs = random_array(rng, (B, 3), dtype)
    a, b2 = A[0], Bs[0]
    rt = tol(dtype, "value")
    solve = lambda a, b: wnp.linalg.solve(a, b)  # noqa: E731
    assert_close(w.vmap(solve)(A, Bs), _stack([np.linalg.solve(x, y) for x, y in zip(A, Bs)], 0), *rt)
    assert_close(w.vmap(solve)(A, bs), _stack([np.linalg.solve(x, y) for x, y in zip(A, bs)], 0), *rt)
    assert_close(w.vmap(solve, in_axes=(0, None))(A, b2), _stack([np.linalg.solve(x, b2) for x in A], 0), *rt)
    assert_close(w.vmap(solve, in_axes=(None, 0))(a, bs), _stack([np.linalg.solve(a, y) for y in bs], 0), *rt)
    stack3 = random_array(rng, (2, 3, 2), dtype)  # unbatched right-hand sides with a batch axis of their own
    assert_close(w.vmap(solve, in_axes=(0, None))(A, stack3), _stack([np.linalg.solve(x, stack3) for x in A], 0),
                 *rt)
    loss_ = lambda a, b: wnp.sum(wnp.abs2(wnp.linalg.solve(a, b)))  # noqa: E731
    ga, gb = w.vmap(w.grad(loss_, argnums=(0, 1)), in_axes=(0, None))(A, b2)
    for k in range(B):
        ra, rb = w.grad(loss_, argnums=(0, 1))(A[k], b2)
        assert_close(ga[k], ra, *tol(dtype, "exact"))
        assert_close(gb[k], rb, *tol(dtype, "exact"))


# ---------------------------------------------------------------- user-defined rules


@w.custom_jvp
def soft(x):
    return wnp.log1p(wnp.exp(x))


@soft.defjvp
def _soft_jvp(primals, tangents):
    (x,), (t,) = primals, tangents
    return soft(x), t * wnp.exp(x) / (1 + wnp.exp(x))


@w.custom_vjp
def scaled(z, c):
    return c * wnp.sin(z)


scaled.defvjp(lambda z, c: (scaled(z, c), (z, c)),
              lambda res, ct: (wnp.conj(res[1] * wnp.cos(res[0])) * ct, wnp.sum(wnp.conj(wnp.sin(res[0])) * ct)))

my_abs2 = w.defwirtinger(lambda z: wnp.real(z * wnp.conj(z)), lambda z: wnp.conj(z), lambda z: z)
block = w.checkpoint(lambda z: wnp.sin(wnp.exp(z)) * wnp.conj(z))


def _with_rules(x):
    return soft(wnp.real(x)) * scaled(x, 0.5 + 1j) + my_abs2(block(x))


def _plain(x):
    return wnp.log1p(wnp.exp(wnp.real(x))) * (0.5 + 1j) * wnp.sin(x) + wnp.abs2(wnp.sin(wnp.exp(x)) * wnp.conj(x))


@pytest.mark.parametrize("dtype", [F64, C128], ids=lambda d: d.name)
def test_custom_rules_under_vmap(dtype, rng):
    X = random_array(rng, (B, 4), dtype)
    assert_close(w.vmap(_with_rules)(X), _stack([_plain(x) for x in X], 0), 1e-12, 1e-12)
    f = lambda x: wnp.sum(wnp.abs2(_with_rules(x)))  # noqa: E731
    expected = _stack([w.grad(lambda x: wnp.sum(wnp.abs2(_plain(x))))(x) for x in X], 0)
    assert_close(w.vmap(w.grad(f))(X), expected, 1e-11, 1e-11)
    assert_close(w.grad(lambda X: wnp.sum(w.vmap(f)(X)))(X), expected, 1e-11, 1e-11)
    jg = w.jit(w.vmap(w.grad(f)))
    for _ in range(2):
        assert_close(jg(X), expected, 1e-11, 1e-11)
    T = random_tangent(rng, X.shape, dtype)
    _, t = w.jvp(w.vmap(_with_rules), (X,), (T,))
    _, tr = w.jvp(w.vmap(_plain), (X,), (T,))
    assert_close(t, tr, 1e-11, 1e-11)
    J = w.vmap(w.jacfwd(_with_rules))(X)
    Jr = w.vmap(w.jacfwd(_plain))(X)
    for a, b in ((J, Jr),) if dtype == F64 else zip(J, Jr):
        assert_close(a, b, 1e-11, 1e-11)


def test_custom_rules_second_order_under_vmap(rng):
    X = rng.standard_normal((B, 3))
    f = lambda x: wnp.sum(soft(x) * x[::-1])  # noqa: E731
    fr = lambda x: wnp.sum(wnp.log1p(wnp.exp(x)) * x[::-1])  # noqa: E731
    assert_close(w.vmap(w.hessian(f))(X), _stack([w.hessian(fr)(x) for x in X], 0), 1e-12, 1e-12)
    Z = _z(rng, B, 3)
    g = lambda z: wnp.sum(my_abs2(block(z)))  # noqa: E731
    gr = lambda z: wnp.sum(wnp.abs2(wnp.sin(wnp.exp(z)) * wnp.conj(z)))  # noqa: E731
    _pair_close(w.vmap(w.hessian(g))(Z), _stack_pairs([w.hessian(gr)(z) for z in Z]), 1e-11, 1e-11)


def test_custom_rules_with_a_shared_argument(rng):
    """custom_vjp with c unbatched and z batched: per-sample cotangents for c."""
    Z, c = _z(rng, B, 4), 0.3 - 0.7j
    f = lambda z, c: wnp.sum(wnp.abs2(scaled(z, c)))  # noqa: E731
    fr = lambda z, c: wnp.sum(wnp.abs2(c * wnp.sin(z)))  # noqa: E731
    gz, gc = w.vmap(w.grad(f, argnums=(0, 1)), in_axes=(0, None))(Z, c)
    for b in range(B):
        rz, rc = w.grad(fr, argnums=(0, 1))(Z[b], c)
        assert_close(gz[b], rz, 1e-12, 1e-12)
        assert_close(gc[b], rc, 1e-12, 1e-12)
    # c shared by the samples inside one node: its cotangent is the sum over them
    total = w.grad(lambda c: wnp.sum(w.vmap(f, in_axes=(0, None))(Z, c)))(c)
    assert_close(total, gc.sum(0), 1e-12, 1e-12)
    # nested: c batched by an outer vmap, z by an inner one; each c gets the sum over the z's
    Cs = _z(rng, 2)
    got = w.vmap(w.grad(lambda c: wnp.sum(w.vmap(f, in_axes=(0, None))(Z, c))))(Cs)
    expected = [sum(w.grad(fr, argnums=1)(z, c) for z in Z) for c in Cs]
    assert_close(got, np.array(expected), 1e-12, 1e-12)


@w.custom_jvp
def sin2(x):
    return wnp.sin(2.0 * x)


@sin2.defjvp
def _sin2_jvp(primals, tangents):
    (x,), (t,) = primals, tangents
    # A transform inside the rule, of a closure over x: d/ds sin(s x) = x cos(s x), at s = 2.
    return sin2(x), t * 2.0 * w.grad(lambda s: wnp.sin(s * x))(2.0) / x


def test_custom_rule_with_a_transform_runs_per_sample_after_vmap_returns(rng):
    """grad(sum ∘ vmap(f)) sweeps after vmap has returned: the rule's own grad must still be per sample."""
    X = random_array(rng, (B,), F64)
    expected = 2 * np.cos(2 * X)
    assert_close(w.grad(lambda X: wnp.sum(w.vmap(sin2)(X)))(X), expected, 1e-13, 1e-13)
    assert_close(w.jvp(w.vmap(sin2), (X,), (np.ones(B),))[1], expected, 1e-13, 1e-13)
    assert_close(w.vmap(w.grad(sin2))(X), expected, 1e-13, 1e-13)


@w.custom_jvp
def first(x, y):
    return x * wnp.ones_like(y)  # does not depend on y's values


@first.defjvp
def _first_jvp(primals, tangents):
    (x, y), (tx, ty) = primals, tangents
    return first(x, y), tx * wnp.ones_like(y) + 0.0 * ty


def test_custom_rule_whose_value_ignores_a_batched_argument(rng):
    x, Y = rng.standard_normal(2), rng.standard_normal((B, 2))
    out, t = w.vmap(lambda x, y, ty: w.jvp(first, (x, y), (np.ones(2), ty)), in_axes=(None, 0, 0))(x, Y, Y)
    assert_close(out, np.tile(x, (B, 1)), 0, 0)
    assert_close(t, np.ones((B, 2)), 0, 0)
    out, t = w.jvp(w.vmap(first, in_axes=(None, 0)), (x, Y), (np.ones(2), Y))  # x not batched at all
    assert_close(out, np.tile(x, (B, 1)), 0, 0)
    assert_close(t, np.ones((B, 2)), 0, 0)


# ---------------------------------------------------------------- the API


def test_in_axes_pytrees_negative_axes_and_out_axes(rng):
    p = {"w": rng.standard_normal((3, B)), "b": rng.standard_normal(2)}
    xs = [rng.standard_normal((B, 3)), rng.standard_normal((3, B))]

    def f(p, xs, scale):
        y = wnp.sum(p["w"] * xs[0] * xs[1]) * scale
        return {"y": y, "pair": (y * p["b"], xs[0])}

    got = w.vmap(f, in_axes=({"w": -1, "b": None}, [0, 1], None), out_axes={"y": 0, "pair": (1, -1)})(p, xs, 2.0)
    for b in range(B):
        ref = f({"w": p["w"][:, b], "b": p["b"]}, [xs[0][b], xs[1][:, b]], 2.0)
        assert_close(got["y"][b], ref["y"], 1e-13, 1e-13)
        assert_close(got["pair"][0][:, b], ref["pair"][0], 1e-13, 1e-13)
        assert_close(got["pair"][1][:, b], ref["pair"][1], 1e-13, 1e-13)
    assert isinstance(got["y"], np.ndarray) and got["pair"][0].shape == (2, B) and got["pair"][1].shape == (3, B)
    # dict entries mapped along different axes (keys not in sorted order)
    q = {"z": rng.standard_normal((B, 2)), "a": rng.standard_normal((2, B))}
    got = w.vmap(lambda q: q["z"] - 2 * q["a"], in_axes=({"z": 0, "a": 1},))(q)
    assert_close(got, q["z"] - 2 * q["a"].T, 0, 0)
    # a list in_axes is the tuple of per-argument entries; out_axes None for an unbatched output
    got = w.vmap(lambda x, y: (x * y, y * 2.0), in_axes=[0, None], out_axes=(0, None))(xs[0], 3.0)
    assert_close(got[0], xs[0] * 3.0, 0, 0)
    assert float(got[1]) == 6.0


def test_keyword_arguments_are_mapped_along_axis_0(rng):
    x, k = rng.standard_normal((B, 2)), rng.standard_normal((B, 2))
    got = w.vmap(lambda x, scale=None: x * scale, in_axes=(None,))(x[0], scale=k)
    assert_close(got, x[0] * k, 0, 0)


def test_unmapped_scalars_integer_indices_and_constant_outputs(rng):
    X = rng.standard_normal((B, 5))
    idx = np.array([4, 0, 0])
    got = w.vmap(lambda x, i, s, name: (x[i] * s, 1.5, np.arange(2)), in_axes=(0, None, None, None))(X, idx, 2, "x")
    assert_close(got[0], X[:, idx] * 2, 0, 0)
    np.testing.assert_array_equal(got[1], np.full(B, 1.5))
    np.testing.assert_array_equal(got[2], np.tile(np.arange(2), (B, 1)))
    assert got[2].dtype.kind == "i"
    const = w.vmap(lambda x: wnp.ones(2))(X)  # independent of the samples: broadcast
    np.testing.assert_array_equal(const, np.ones((B, 2)))


def test_results_are_arrays_inside_transforms_and_numpy_outside(rng):
    X = rng.standard_normal((B, 2))
    seen = []

    def outer(X):
        out = w.vmap(wnp.sin)(X)
        seen.append(type(out))
        return wnp.sum(out)

    g = w.grad(outer)(X)
    assert seen == [w.Array]
    assert_close(g, np.cos(X), 1e-15, 1e-15)
    assert isinstance(w.vmap(wnp.sin)(X), np.ndarray)
    inner = []
    w.vmap(lambda x: inner.append(w.vmap(wnp.sin)(wnp.reshape(x, (2, 1)))) or x)(X)
    assert isinstance(inner[0], w.Array) and inner[0].shape == (2, 1)  # logical shape, batched under the outer vmap


def test_logical_shapes_and_a_single_sample(rng):
    shapes = []
    X = rng.standard_normal((1, 3, 4))
    out = w.vmap(lambda x: shapes.append((x.shape, x.ndim, x.size, len(x), x.dtype)) or x.T)(X)
    assert shapes == [((3, 4), 2, 12, 3, np.dtype(np.float64))]
    np.testing.assert_array_equal(out, np.swapaxes(X, 1, 2))
    reprs = []
    w.vmap(lambda x: reprs.append(repr(x)) or x)(X)
    assert reprs == ["wirtinger.Array(<batched by vmap>, shape=(3, 4), dtype=float64)"]


def test_batched_conditions_select_per_sample(rng):
    X = rng.standard_normal((B, 6))
    relu = lambda x: wnp.where(x > 0, x, 0.0) + wnp.where(x, 1.0, 0.0) * 0.0  # noqa: E731
    assert_close(w.vmap(relu)(X), np.maximum(X, 0), 0, 0)
    g = w.vmap(w.grad(lambda x: wnp.sum(wnp.where((x > 0) & (x < 1), x ** 2, 0.0))))(X)
    assert_close(g, np.where((X > 0) & (X < 1), 2 * X, 0.0), 1e-15, 1e-15)
    m = w.vmap(lambda x: x > 0)(X)  # a mask per sample comes back as a boolean array
    np.testing.assert_array_equal(m, X > 0)


# ---------------------------------------------------------------- errors


def test_python_control_flow_on_batched_values_raises_naming_vmap_and_the_line():
    def f(x):
        if x > 0:  # the offending line
            return x
        return -x

    with pytest.raises(w.ConcretizationError, match=r"vmap: bool\(\) .*test_vmap\.py:\d+ \(if x > 0:"):
        w.vmap(f)(np.array([1.0, -1.0]))
    for bad, what in ((float, "float"), (np.asarray, "NumPy array"), (lambda x: x.item(), "item"),
                      (lambda x: x[x > 0], "boolean indexing")):
        with pytest.raises(w.ConcretizationError, match=f"vmap: .*{what}.*wnp.where"):
            w.vmap(bad)(np.array([1.0, -1.0]))


def test_argument_errors():
    x, y = np.ones((3, 2)), np.ones((4, 2))
    with pytest.raises(ValueError, match="at least one non-None value in in_axes"):
        w.vmap(lambda x: x, in_axes=None)(x)
    with pytest.raises(ValueError, match=r"inconsistent sizes.*argument 0 \(a\) has size 3 along axis 0.*"
                                         r"argument 1 \(b\) has size 4 along axis 0"):
        w.vmap(lambda a, b: a + b)(x, y)
    with pytest.raises(ValueError, match=r"map argument 0 \(a\) along axis 2.*rank.*only 2.*\(3, 2\)"):
        w.vmap(lambda a: a, in_axes=2)(x)
    with pytest.raises(ValueError, match=r"rank should be at least 1, but it is only 0"):
        w.vmap(lambda a, b: a * b)(x, 2.0)
    with pytest.raises(ValueError, match=r"one entry per positional argument.*len\(in_axes\)=1.*2 positional"):
        w.vmap(lambda a, b: a * b, in_axes=(0,))(x, x)
    with pytest.raises(ValueError, match="tree prefix"):
        w.vmap(lambda p: p["a"], in_axes=({"b": 0},))({"a": x})
    with pytest.raises(TypeError, match="in_axes must be an int, None"):
        w.vmap(lambda a: a, in_axes="0")
    with pytest.raises(TypeError, match=r"integer.*in_axes=None"):
        w.vmap(lambda a, i: a[i])(x, np.array([0, 1, 1]))
    with pytest.raises(TypeError, match="expected a function"):
        w.vmap(3)


def test_output_errors():
    x = np.ones((3, 2))
    with pytest.raises(ValueError, match="out_axes is None for the output, but it differs from sample to sample"):
        w.vmap(lambda a: a * 2, out_axes=None)(x)
    with pytest.raises(ValueError, match="out_axes 3 is out of range"):
        w.vmap(lambda a: a * 2, out_axes=3)(x)
    with pytest.raises(TypeError, match="returned a str"):
        w.vmap(lambda a: "no")(x)
    with pytest.raises(TypeError, match=r"grad.*must return a scalar \(shape \(\)\), got \(2,\)"):
        w.vmap(w.grad(lambda a: a * 2))(x)  # one sample's output is a vector


def test_no_python_loop_over_samples():
    """The batch is one C++ call per operation: a large batch costs about one sample's Python work."""
    import time

    g = _w4(np.random.default_rng(0))
    jac = w.vmap(w.jacfwd(g, holomorphic=True))
    jac(np.ones((2, 8), complex))
    t0 = time.perf_counter()
    jac(np.ones((2, 8), complex))
    small = time.perf_counter() - t0
    t0 = time.perf_counter()
    jac(np.ones((2000, 8), complex))
    large = time.perf_counter() - t0
    assert large < 20 * small + 0.5, f"2000 samples took {large:.3f}s, 2 samples {small:.3f}s"
