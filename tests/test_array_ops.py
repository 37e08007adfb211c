"""Eager operations on wirtinger arrays take a C++ path in the common case (an
Array with an Array or a Python number): its results, dtypes and derivatives are
NumPy's and the general path's."""
import operator

import numpy as np
import pytest

import wirtinger as w
import wirtinger.numpy as wnp
from wirtinger import _engine

DTYPES = [np.float32, np.float64, np.complex64, np.complex128]
OPS = [operator.add, operator.sub, operator.mul, operator.truediv, operator.pow]


@pytest.mark.parametrize("dtype", DTYPES, ids=lambda d: np.dtype(d).name)
@pytest.mark.parametrize("op", OPS, ids=lambda o: o.__name__)
def test_operators_promote_as_numpy(op, dtype):
    x = np.array([0.75, 1.5, 2.25], dtype=dtype)
    y = np.array([1.25, 0.5, 3.0], dtype=np.complex64 if np.dtype(dtype).kind == "f" else np.float32)
    for other in (2.5, 0.5 - 1.25j, y, wnp.asarray(y)):
        for args in ((wnp.asarray(x), other), (other, wnp.asarray(x))):
            got = op(*args)
            want = op(*[np.asarray(a) if isinstance(a, w.Array) else a for a in args])
            assert isinstance(got, w.Array) and got.dtype == want.dtype, (args, got.dtype, want.dtype)
            tol = 1e-5 if want.dtype in (np.float32, np.complex64) else 1e-13
            np.testing.assert_allclose(np.asarray(got), want, rtol=tol)


def test_the_c_path_serves_plain_arrays_and_numbers_only():
    a = wnp.asarray(np.array([1.0, 2.0]))
    assert _engine.array_binary(a, 2.0, 2) is not None
    assert _engine.array_binary(a, np.float64(2.0), 2) is None  # NumPy scalars: the general path
    assert _engine.array_binary(a, 2, 2) is None  # ints: the general path
    assert _engine.array_unary(np.array([1.0]), 0) is None
    seen = []

    def f(x):
        seen.append(_engine.array_unary(x, 0))
        return wnp.sin(x)
    w.vmap(f)(np.ones((2, 3)))
    assert seen == [None]  # under vmap the value is batched: the general path


@pytest.mark.parametrize("dtype", [np.float64, np.complex128], ids=lambda d: np.dtype(d).name)
def test_derivatives_through_the_c_path(dtype, rng):
    x = (rng.standard_normal(4) + (1j * rng.standard_normal(4) if dtype == np.complex128 else 0)).astype(dtype)

    def f(x):
        y = wnp.sin(x) * 2.5 + x * x / (x + 3.0) - 1.5j * x if dtype == np.complex128 else \
            wnp.sin(x) * 2.5 + x * x / (x + 3.0) - 1.5 * x
        return wnp.sum(wnp.abs(y) ** 2)
    g = w.grad(f)(x)
    eps = 1e-6
    fd = np.empty_like(x)
    for k in range(x.size):
        e = np.zeros_like(x)
        e[k] = eps
        d = (f(x + e) - f(x - e)) / (2 * eps)
        if dtype == np.complex128:
            d = d + 1j * (f(x + 1j * e) - f(x - 1j * e)) / (2 * eps)
        fd[k] = d
    np.testing.assert_allclose(g, fd, rtol=1e-6, atol=1e-6)
    assert np.asarray(w.jit(w.grad(f))(x)).dtype == dtype
    np.testing.assert_allclose(w.jit(w.grad(f))(x), g, rtol=1e-13)


def test_functions_of_python_numbers_are_numpy_s():
    for x in (1.5, -0.25 + 2j):
        for name in ("exp", "sin", "real", "conj", "abs", "sqrt"):
            got, want = getattr(wnp, name)(x), getattr(np, name)(x)
            assert isinstance(got, w.Array) and got.dtype == np.asarray(want).dtype, (name, x)
            np.testing.assert_allclose(np.asarray(got), want, rtol=1e-15)


def test_results_of_a_transform_are_arrays_of_their_own():
    """value_and_grad's results are new writable NumPy arrays, also where the
    gradient is an argument passed through."""
    x = np.array([1.0, 2.0])
    value, g = w.value_and_grad(lambda x: wnp.sum(x))(x)
    assert isinstance(value, np.ndarray) and isinstance(g, np.ndarray) and g.flags.writeable
    g[0] = 5.0
    assert w.value_and_grad(lambda x: wnp.sum(x))(x)[1][0] == 1.0
    (v2, gz) = w.value_and_grad(lambda z: wnp.real(z))(np.complex64(1 + 2j))
    assert v2.dtype == np.float32 and gz.dtype == np.complex64
