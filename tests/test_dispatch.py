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


def test_unsupported_numpy_function_is_a_type_error_naming_it():
    with pytest.raises(TypeError, match="datetime_as_string"):
        w.grad(lambda x: np.sum(np.datetime_as_string(x)))(np.array([2.0, 1.0]))


def test_sorting_and_order_statistics_dispatch():
    x = np.array([2.0, -1.0, 0.5, 3.0])
    weights = np.arange(4.0)
    assert_close(w.grad(lambda x: np.sum(np.sort(x) * weights))(x), np.array([2.0, 0.0, 1.0, 3.0]), 0, 0)
    assert_close(w.grad(lambda x: np.median(x))(x), np.array([0.5, 0.0, 0.5, 0.0]), 0, 0)
    assert_close(w.grad(lambda x: np.max(x) + np.min(x))(x), np.array([0.0, 1.0, 0.0, 1.0]), 0, 0)
    assert list(np.argsort(wnp.asarray(x))) == [1, 2, 0, 3]


def test_dtype_and_shape_predicates_work_on_traced_values():
    seen = []

    def f(x):
        seen.append((np.iscomplexobj(x), np.isrealobj(x), np.ndim(x), np.shape(x), np.size(x),
                     np.result_type(x, np.float32)))
        return np.sum(np.abs(x) ** 2)

    w.jit(w.grad(f))(np.array([1 + 1j, 2.0]))
    assert seen[0] == (True, False, 1, (2,), 2, np.dtype(np.complex128))


def test_ufunc_methods():
    a, b = np.array([1.0, 2.0]), np.array([0.5, -1.0, 3.0])
    g = w.grad(lambda a: np.sum(np.multiply.outer(a, b) ** 2))(a)
    assert_close(g, 2 * a * np.sum(b ** 2), 1e-14, 1e-14)
    g = w.grad(lambda b: np.sum(np.add.accumulate(b) * np.array([1.0, 2.0, 3.0])))(b)
    assert_close(g, np.array([6.0, 5.0, 3.0]), 0, 0)
    assert_close(np.asarray(np.maximum.reduce(wnp.asarray(b))), 3.0, 0, 0)


def test_unsupported_ufunc_and_out_argument():
    with pytest.raises(TypeError, match="isnat"):
        w.grad(lambda x: np.sum(x * np.isnat(x)))(np.array([2.0, 1.0]))
    with pytest.raises(TypeError, match="immutable"):
        w.grad(lambda x: np.sum(np.sin(x, out=np.empty(2))))(np.array([2.0, 1.0]))


def test_asarray_of_a_traced_value_refuses_to_drop_the_derivative():
    with pytest.raises(TypeError, match="derivative would be"):
        w.grad(lambda x: np.asarray(x).sum())(np.array([2.0, 1.0]))
