"""The flagged matrix product op_a(A) @ op_b(B) that matmul's adjoint rules record
(op: as stored, transposed, conjugate-transposed), checked on its own: values against
NumPy, first and second derivatives against finite differences, the adjoint identity,
for every pair of flags; and traced gradients of products (which consist of them) under jit."""
import itertools

import numpy as np
import pytest

import wirtinger as w
import wirtinger.numpy as wnp
from wirtinger import _engine
from wirtinger._array import Array

from helpers import fd_grad, fd_jvp, inner

OPS = [lambda x: x, lambda x: np.swapaxes(x, -1, -2), lambda x: np.conj(np.swapaxes(x, -1, -2))]
FLAGS = list(itertools.product(range(3), range(3)))


def flagged(a, b, oa, ob):
    return Array(_engine._core._matmul_flagged(wnp.asarray(a)._v, wnp.asarray(b)._v, oa, ob))


def operands(rng, oa, ob, m=3, k=4, n=2, batch=(2,)):
    sa = batch + ((m, k) if oa == 0 else (k, m))
    sb = batch + ((k, n) if ob == 0 else (n, k))
    c = lambda s: rng.standard_normal(s) + 1j * rng.standard_normal(s)  # noqa: E731
    return c(sa), c(sb)


@pytest.mark.parametrize("oa,ob", FLAGS)
def test_values(oa, ob):
    a, b = operands(np.random.default_rng(oa * 3 + ob), oa, ob)
    np.testing.assert_allclose(np.asarray(flagged(a, b, oa, ob)), OPS[oa](a) @ OPS[ob](b), rtol=1e-13, atol=1e-13)


@pytest.mark.parametrize("oa,ob", FLAGS)
def test_adjoint_identity(oa, ob):
    rng = np.random.default_rng(10 + oa * 3 + ob)
    a, b = operands(rng, oa, ob)
    ta, tb = operands(rng, oa, ob)
    out = OPS[oa](a) @ OPS[ob](b)
    ct = rng.standard_normal(out.shape) + 1j * rng.standard_normal(out.shape)
    _, jv = w.jvp(lambda a, b: flagged(a, b, oa, ob), (a, b), (ta, tb))
    _, pull = w.vjp(lambda a, b: flagged(a, b, oa, ob), a, b)
    ga, gb = pull(ct)
    assert abs(inner(ct, jv) - (inner(ga, ta) + inner(gb, tb))) < 1e-10 * max(1.0, abs(inner(ct, jv)))


@pytest.mark.parametrize("oa,ob", FLAGS)
def test_gradients_and_hvp_against_finite_differences(oa, ob):
    rng = np.random.default_rng(20 + oa * 3 + ob)
    a, b = operands(rng, oa, ob)
    va, vb = operands(rng, oa, ob)
    f_np = lambda a, b: np.sum(np.abs(OPS[oa](a) @ OPS[ob](b)) ** 4)  # noqa: E731
    f_w = lambda a, b: wnp.sum(wnp.abs(flagged(a, b, oa, ob)) ** 4)  # noqa: E731
    for argnum in (0, 1):
        g = w.grad(f_w, argnums=argnum)(a, b)
        np.testing.assert_allclose(np.asarray(g), fd_grad(f_np, (a, b), argnum), rtol=1e-6, atol=1e-6)
    # Second order: the derivative of the gradient along (va, vb), whose reverse pass
    # records flagged products and differentiates them again.
    for argnum in (0, 1):
        h = w.jvp(w.grad(f_w, argnums=argnum), (a, b), (va, vb))[1]
        grad_np = lambda a, b, argnum=argnum: np.asarray(w.grad(f_w, argnums=argnum)(a, b))  # noqa: E731
        np.testing.assert_allclose(np.asarray(h), fd_jvp(grad_np, (a, b), (va, vb)), rtol=1e-6, atol=1e-6)


def test_traced_gradient_of_a_product_records_no_transposed_copies():
    rng = np.random.default_rng(30)
    A = rng.standard_normal((6, 6)) + 1j * rng.standard_normal((6, 6))
    b, x = (rng.standard_normal(6) + 1j * rng.standard_normal(6) for _ in range(2))
    f = lambda x, A, b: wnp.sum(wnp.abs(A @ x - b) ** 2)  # noqa: E731
    jf = w.jit(w.value_and_grad(f, argnums=(0, 1)))
    value, (gx, gA) = jf(x, A, b)
    r = A @ x - b
    np.testing.assert_allclose(value, np.vdot(r, r).real, rtol=1e-13)
    np.testing.assert_allclose(gx, 2 * A.conj().T @ r, rtol=1e-12)
    np.testing.assert_allclose(gA, 2 * np.outer(r, x.conj()), rtol=1e-12)
    # A second call replays the program with new values.
    value2, (gx2, _) = jf(2 * x, A, b)
    r2 = A @ (2 * x) - b
    np.testing.assert_allclose(gx2, 2 * A.conj().T @ r2, rtol=1e-12)


def test_jit_results_do_not_alias_arguments():
    # jit reads NumPy arguments in place; a result that is an argument must still be a copy.
    x = np.arange(4.0) + 1j
    out = w.jit(lambda x, y: (x, y * 2))(x, x)
    assert not np.shares_memory(out[0], x)
    out[0][0] = 99
    assert x[0] == 1j
    y = np.ones((3, 3))
    r = w.jit(lambda y: wnp.reshape(y, (9,)))(y)
    assert not np.shares_memory(r, y)
