"""NumPy dispatch: functions written with plain numpy are differentiated unchanged."""
import numpy as np
import pytest

import wirtinger as w
import wirtinger.numpy as wnp

from helpers import assert_close

Z = np.array([1 + 2j, 0.3 - 1j, -0.5 + 0.25j])


def loss_np(z):
    return np.sum(np.abs(np.sin(z) * np.exp(1j * z) + np.conj(z) * z) ** 2)


def loss_wnp(z):
    return wnp.sum(wnp.abs(wnp.sin(z) * wnp.exp(1j * z) + wnp.conj(z) * z) ** 2)


def test_plain_numpy_function_gets_the_same_gradient():
    assert_close(w.grad(loss_np)(Z), w.grad(loss_wnp)(Z), 1e-14, 1e-14)
    w.check_grads(loss_np, (Z,), order=2)


def test_array_functions_and_reductions_dispatch():
    A = np.array([[1.0, 2.0, 0.5], [0.0, -1.0, 3.0]])

    def f(x):
        y = np.dot(A, x) + np.matmul(A, x) + np.reshape(np.outer(x, x), (9,))[:2]
        s = np.stack([y, np.flip(y) if hasattr(wnp, "flip") else y])
        return np.mean(np.concatenate([np.ravel(s), np.real(x * 1j)])) + np.add.reduce(x * x)

    x = np.array([0.4, -1.0, 2.0])
    g = w.grad(f)(x)
    eps = 1e-6
    fd = np.array([(f(x + eps * e) - f(x - eps * e)) / (2 * eps) for e in np.eye(3)])
    assert_close(g, fd, 1e-8, 1e-8)


def test_numpy_scalars_on_the_left_defer_to_wirtinger():
    g = w.grad(lambda x: np.float64(3.0) * x + np.sum(np.float32(2.0) ** x))(1.5)
    assert_close(g, 3.0 + np.log(2.0) * 2.0 ** 1.5, 1e-6, 1e-6)


def test_comparisons_are_constants():
    g = w.grad(lambda x: np.sum(np.where(np.greater(x, 0.0), x * x, -x)))(np.array([-1.0, 2.0]))
    assert_close(g, np.array([-1.0, 4.0]), 1e-15, 1e-15)


@pytest.mark.parametrize("fn,name", [(np.sort, "sort"), (np.median, "median"), (np.argsort, "argsort")])
def test_unsupported_numpy_function_is_a_type_error_naming_it(fn, name):
    with pytest.raises(TypeError, match=name):
        w.grad(lambda x: np.sum(fn(x)))(np.array([2.0, 1.0]))


def test_unsupported_ufunc_and_out_argument():
    with pytest.raises(TypeError, match="frexp"):
        w.grad(lambda x: np.sum(np.frexp(x)[0]))(np.array([2.0, 1.0]))
    with pytest.raises(TypeError, match="immutable"):
        w.grad(lambda x: np.sum(np.sin(x, out=np.empty(2))))(np.array([2.0, 1.0]))


def test_asarray_of_a_traced_value_refuses_to_drop_the_derivative():
    with pytest.raises(TypeError, match="derivative would be"):
        w.grad(lambda x: np.asarray(x).sum())(np.array([2.0, 1.0]))
