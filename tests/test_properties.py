"""Property-based tests (hypothesis): random shapes, broadcasts and reshapes
against NumPy's rules, and random short programs of primitives against NumPy
for values and against finite differences and the adjoint identity for
derivatives, eagerly and under jit and vmap.

Shapes include 0-size, negative and overflowing ones; sizes between what the
machine can hold and what overflows (where NumPy makes a view and wirtinger,
whose arrays are contiguous, allocates) are left out, since an allocation there
may succeed and exhaust the machine's memory rather than fail."""
import os
import sys

import numpy as np
import pytest

hypothesis = pytest.importorskip("hypothesis")
from hypothesis import HealthCheck, assume, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

import wirtinger as w  # noqa: E402
import wirtinger.numpy as wnp  # noqa: E402
from helpers import assert_close, fd_jvp, inner  # noqa: E402

# CI runs a fixed set of examples (reproducible); WIRTINGER_HYPOTHESIS_EXAMPLES=N explores N new ones.
_EXPLORE = int(os.environ.get("WIRTINGER_HYPOTHESIS_EXAMPLES", "0"))
SETTINGS = settings(max_examples=_EXPLORE or 60, deadline=None, suppress_health_check=[HealthCheck.too_slow],
                    derandomize=not _EXPLORE)
SMALL_BYTES = 2**24   # arrays up to this size are made for real
ITEM = 8


def nbytes(shape):
    n = 1
    for s in shape:
        n *= s
    return n * ITEM


def expectation(shape):
    """"ok" (NumPy would hold it and so do we), "error" (NumPy's count or byte size
    overflows, or an extent is negative), or None (between the two: not tried)."""
    if any(s < 0 for s in shape):
        return "error"
    nonzero = 1
    for s in shape:
        nonzero *= s if s else 1
    if nonzero * ITEM > sys.maxsize:
        return "error"
    return "ok" if nbytes(shape) <= SMALL_BYTES else None


extent = st.one_of(st.integers(0, 5), st.integers(-3, -1), st.sampled_from([2**31, 2**32, 2**61, 2**62, 2**63 - 1]))
shapes = st.lists(extent, min_size=0, max_size=4).map(tuple)
small_shapes = st.lists(st.integers(0, 4), min_size=0, max_size=3).map(tuple)


def raises_like_numpy(ours, theirs):
    try:
        want = theirs()
    except (ValueError, MemoryError):
        with pytest.raises((ValueError, MemoryError)):
            ours()
        return None
    return want


# ---------------------------------------------------------------- shapes
@SETTINGS
@given(target=shapes, source=small_shapes)
def test_broadcast_to_follows_numpy(target, source):
    expected = expectation(target)
    assume(expected is not None)
    x = np.arange(float(np.prod(source, dtype=np.int64))).reshape(source)
    if expected == "error":
        with pytest.raises(ValueError):
            wnp.broadcast_to(wnp.asarray(x), target)
        return
    want = raises_like_numpy(lambda: wnp.broadcast_to(wnp.asarray(x), target), lambda: np.broadcast_to(x, target))
    if want is not None:
        np.testing.assert_array_equal(np.asarray(wnp.broadcast_to(wnp.asarray(x), target)), want)


@SETTINGS
@given(target=st.lists(st.one_of(extent, st.just(-1)), min_size=0, max_size=4).map(tuple), source=small_shapes)
def test_reshape_follows_numpy(target, source):
    x = np.arange(float(np.prod(source, dtype=np.int64))).reshape(source)
    known = tuple(s for s in target if s >= 0)
    assume(expectation(known) is not None)
    try:
        want = np.reshape(x, target)
    except (ValueError, MemoryError):
        with pytest.raises(ValueError):
            wnp.reshape(wnp.asarray(x), target)
        return
    np.testing.assert_array_equal(np.asarray(wnp.reshape(wnp.asarray(x), target)), want)
    np.testing.assert_array_equal(w.jit(lambda v: wnp.reshape(v, target))(x), want)


@SETTINGS
@given(a=small_shapes, b=small_shapes, dtype=st.sampled_from([np.float64, np.complex128, np.float32]))
def test_broadcasting_binary_operations_follow_numpy(a, b, dtype):
    x = (np.arange(np.prod(a, dtype=np.int64)) + 1.0).reshape(a).astype(dtype)
    y = (np.arange(np.prod(b, dtype=np.int64)) * 0.5 - 1.0).reshape(b)
    want = raises_like_numpy(lambda: wnp.multiply(x, y), lambda: np.multiply(x, y))
    if want is None:
        return
    got = np.asarray(wnp.multiply(x, y))
    assert got.shape == want.shape and got.dtype == want.dtype
    np.testing.assert_allclose(got, want, rtol=1e-6)
    g = w.grad(lambda u: wnp.sum(wnp.abs2(wnp.multiply(u, y))))(x)
    assert g.shape == x.shape and g.dtype == x.dtype


@SETTINGS
@given(shape=small_shapes.filter(lambda s: len(s) >= 1), data=st.data())
def test_indexing_and_reductions_of_empty_and_small_arrays_follow_numpy(shape, data):
    x = np.arange(float(np.prod(shape, dtype=np.int64))).reshape(shape) + 0.5
    axis = data.draw(st.integers(-len(shape), len(shape) - 1))
    start, stop = data.draw(st.integers(-6, 6)), data.draw(st.integers(-6, 6))
    step = data.draw(st.sampled_from([1, 2, -1, 3]))
    key = tuple(slice(None) for _ in range(axis % len(shape))) + (slice(start, stop, step),)
    np.testing.assert_array_equal(np.asarray(wnp.asarray(x)[key]), x[key])
    np.testing.assert_array_equal(np.asarray(wnp.sum(wnp.asarray(x), axis=axis)), np.sum(x, axis=axis))
    g = w.grad(lambda v: wnp.sum(v[key] ** 2))(x)
    want = np.zeros_like(x)
    want[key] = 2 * x[key]
    np.testing.assert_allclose(g, want)


# ---------------------------------------------------------------- random programs
# Each step: (name, a function of wirtinger arrays, the same function of NumPy arrays).
# Smooth on the inputs drawn (entries of modulus below 2), so finite differences apply.
UNARY = {
    "sin": (wnp.sin, np.sin), "cos": (wnp.cos, np.cos), "exp": (wnp.exp, np.exp), "tanh": (wnp.tanh, np.tanh),
    "square": (wnp.square, np.square), "negative": (wnp.negative, np.negative), "conj": (wnp.conj, np.conj),
    "real": (wnp.real, np.real), "imag": (wnp.imag, np.imag), "abs2": (wnp.abs2, lambda v: np.abs(v) ** 2),
    "sinh": (wnp.sinh, np.sinh), "expm1": (wnp.expm1, np.expm1), "arctan": (lambda v: wnp.arctan(0.3 * v),
                                                                              lambda v: np.arctan(0.3 * v)),
}


def step_strategy(shape_holder):
    return st.one_of(
        st.sampled_from(sorted(UNARY)).map(lambda n: ("unary", n)),
        st.tuples(st.just("scale"), st.sampled_from([0.5, -1.25, 0.5 + 0.25j])),
        st.just(("sum_last", None)),
        st.just(("transpose", None)),
        st.just(("flip", None)),
        st.just(("reshape_flat", None)),
        st.just(("square_mix", None)),
        st.just(("matmul", None)),
        st.just(("slice", None)),
    )


def apply(step, x, lib):
    kind, arg = step
    if kind == "unary":
        return UNARY[arg][0 if lib is wnp else 1](x)
    if kind == "scale":
        return x * arg
    if kind == "sum_last":
        return lib.sum(x, axis=-1) if x.ndim else x
    if kind == "transpose":
        return lib.transpose(x)
    if kind == "flip":
        return x[::-1] if x.ndim else x
    if kind == "reshape_flat":
        return lib.reshape(x, (-1,))
    if kind == "square_mix":
        return x * lib.conj(x) + x  # not holomorphic
    if kind == "matmul":
        if x.ndim == 0:
            return x
        m = np.linspace(-1.0, 1.0, x.shape[-1] * 2).reshape(x.shape[-1], 2)
        return x @ m
    if kind == "slice":
        return x[1:] if x.ndim and x.shape[0] > 1 else x
    raise AssertionError(kind)


def program(steps, lib):
    def f(x):
        for s in steps:
            x = apply(s, x, lib)
        return x

    return f


inputs = st.tuples(st.lists(st.integers(1, 3), min_size=0, max_size=2).map(tuple),
                   st.sampled_from([np.float64, np.complex128]), st.integers(0, 2**32 - 1))
programs = st.lists(step_strategy(None), min_size=1, max_size=4)


def draw_input(shape, dtype, seed):
    rng = np.random.default_rng(seed)
    x = rng.uniform(-1, 1, shape)
    if np.dtype(dtype).kind == "c":
        x = x + 1j * rng.uniform(-1, 1, shape)
    return np.asarray(x, dtype)


@SETTINGS
@given(steps=programs, inp=inputs)
def test_random_programs_match_numpy_and_finite_differences(steps, inp):
    x = draw_input(*inp)
    f, ref = program(steps, wnp), program(steps, np)
    want = np.asarray(ref(x))
    got = np.asarray(f(x))
    assert got.shape == want.shape and got.dtype == want.dtype
    assert_close(got, want, 1e-12, 1e-12)
    np.testing.assert_allclose(w.jit(f)(x), got, rtol=1e-13, atol=1e-13)
    # The JVP against central differences, and the VJP against the JVP (the adjoint identity).
    rng = np.random.default_rng(inp[2] + 1)
    t = draw_input(x.shape, x.dtype, inp[2] + 2)
    _, jvp_t = w.jvp(f, (x,), (t,))
    assert_close(jvp_t, fd_jvp(ref, (x,), (t,)), 1e-6, 1e-6)
    ct = draw_input(want.shape, want.dtype, inp[2] + 3) if want.ndim else np.asarray(
        rng.standard_normal() + (1j * rng.standard_normal() if want.dtype.kind == "c" else 0), want.dtype)
    (vjp_ct,) = w.vjp(f, x)[1](ct)
    lhs, rhs = inner(ct, jvp_t), inner(vjp_ct, t)
    assert abs(lhs - rhs) <= 1e-10 * max(1.0, abs(lhs))
    (vjp_jit,) = w.jit(lambda x, c: w.vjp(f, x)[1](c))(x, ct)
    assert_close(vjp_jit, vjp_ct, 1e-12, 1e-12)


@SETTINGS
@given(steps=programs, inp=inputs, batch=st.integers(0, 3))
def test_random_programs_under_vmap_match_a_loop(steps, inp, batch):
    shape, dtype, seed = inp
    xs = draw_input((batch,) + shape, dtype, seed)
    f = program(steps, wnp)
    loss = lambda x: wnp.sum(wnp.abs2(f(x)))  # noqa: E731
    out_shape = np.asarray(program(steps, np)(draw_input(shape, dtype, seed))).shape
    got = w.vmap(f)(xs)
    assert np.asarray(got).shape == (batch,) + out_shape
    for k in range(batch):
        assert_close(np.asarray(got)[k], np.asarray(f(xs[k])), 1e-13, 1e-13)
    grads = w.vmap(w.grad(loss))(xs)
    for k in range(batch):
        assert_close(grads[k], w.grad(loss)(xs[k]), 1e-12, 1e-12)
    if batch:
        assert_close(w.jit(w.vmap(w.grad(loss)))(xs), grads, 1e-12, 1e-12)
