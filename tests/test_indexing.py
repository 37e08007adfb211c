"""Indexing: NumPy's basic and advanced semantics, gather/scatter-add derivatives,
and the functional updates of ``x.at[...]``.

Oracles are NumPy (values, ``np.add.at`` for accumulation), central finite
differences along 1 and i, and the dot-product test <w, J t> = <J* w, t>.
"""

import numpy as np
import pytest

import wirtinger as w
import wirtinger.numpy as wnp
from helpers import (
    ALL_DTYPES,
    C64,
    C128,
    F32,
    F64,
    assert_close,
    fd_jvp,
    inner,
    is_complex,
    random_array,
    random_tangent,
    tol,
)

SHAPE = (4, 5, 3)
_MASK2 = np.array([[1, 0, 1, 1, 0], [0, 0, 0, 1, 1], [1, 1, 0, 0, 0], [0, 1, 0, 1, 0]], bool)

# Keys on an array of SHAPE, with NumPy's meaning; every kind of entry and mix.
KEYS = {
    "int-array": np.array([3, 0, 0, -1]),
    "list": [1, 1, 2],
    "negative": (np.array([-1, -4]), slice(None), -2),
    "2d-index": np.array([[0, 3], [2, 2], [1, 0]]),
    "two-arrays": (np.array([0, 2, 2]), np.array([4, 0, 4])),
    "broadcast-arrays": (np.array([[0], [3]]), np.array([1, 2, 1])),
    "arrays-and-slice": (np.array([1, 3]), slice(1, 4), np.array([0, 2])),
    "separated-arrays": (np.array([1, 3]), slice(None), np.array([0, 2])),
    "slice-array": (slice(None, None, -1), np.array([4, 4, 0])),
    "int-and-array": (2, np.array([4, 0])),
    "array-int-array": (np.array([0, 1]), 3, np.array([2, 0])),
    "ellipsis-array": (Ellipsis, np.array([2, 2, 0, 1])),
    "newaxis-array": (None, np.array([3, 1]), None, slice(1, 3)),
    "mask-full": np.arange(60).reshape(SHAPE) % 7 < 3,
    "mask-2d": _MASK2,
    "mask-axis": (slice(None), np.array([True, False, True, True, False])),
    "mask-last": (Ellipsis, np.array([True, False, True])),
    "mask-and-array": (_MASK2[0][:4], np.array([1, 0, 4])),
    "scalar-true": True,
    "scalar-false": (np.False_, 0),
    "empty-list": [],
    "0d-int-array": np.array(2),
    "basic-mixed": (1, slice(None, None, 2), None),
}


def _complex_or_real(rng, shape, dtype):
    return random_array(rng, shape, dtype)


# ---------------------------------------------------------------- values


@pytest.mark.parametrize("name", list(KEYS))
@pytest.mark.parametrize("dtype", ALL_DTYPES, ids=lambda d: d.name)
def test_getitem_matches_numpy(name, dtype, rng):
    x = _complex_or_real(rng, SHAPE, dtype)
    key = KEYS[name]
    expected = x[key]
    got = np.asarray(wnp.asarray(x)[key])
    assert got.shape == expected.shape and got.dtype == expected.dtype
    np.testing.assert_array_equal(got, expected)


@pytest.mark.parametrize("name", list(KEYS))
def test_getitem_of_constant_inside_a_transform(name, rng):
    """Indexing a constant (a NumPy array) while another input is differentiated."""
    x = random_array(rng, SHAPE, C128)
    y = random_array(rng, (), C128)
    key = KEYS[name]
    out, t = w.jvp(lambda s: wnp.asarray(x)[key] * s, (y,), (np.ones((), C128),))
    np.testing.assert_allclose(out, x[key] * y)
    np.testing.assert_allclose(t, x[key])


def test_large_leading_axes_use_the_same_indices(rng):
    """Above the size where index ramps replace a full arange, results are unchanged."""
    x = random_array(rng, (300, 250, 2), F64)
    for key in [(np.array([3, 299, 3]), slice(None), 1), (slice(10, 20), np.array([0, -1])),
                (np.arange(300) % 3 == 0, slice(5, 9)), (np.array([1, 2]), slice(None), np.array([1, 0]))]:
        np.testing.assert_array_equal(np.asarray(wnp.asarray(x)[key]), x[key])


# ---------------------------------------------------------------- derivatives


def _direction(rng, shape, dtype, imaginary=False):
    t = random_tangent(rng, shape, np.float64)
    return (1j * t).astype(dtype) if imaginary else t.astype(dtype)


@pytest.mark.parametrize("name", list(KEYS))
@pytest.mark.parametrize("dtype", [C128, C64, F64], ids=lambda d: d.name)
def test_gather_adjoint_identity(name, dtype, rng):
    key = KEYS[name]
    x = random_array(rng, SHAPE, dtype)
    t = random_tangent(rng, SHAPE, dtype)
    out, t_out = w.jvp(lambda v: v[key], (x,), (t,))
    _, vjp_fn = w.vjp(lambda v: v[key], x)
    ct = random_tangent(rng, np.shape(out), dtype)
    (ct_x,) = vjp_fn(ct)
    assert ct_x.shape == x.shape and ct_x.dtype == x.dtype
    lhs, rhs = inner(ct, t_out), inner(ct_x, t)
    rtol, _ = tol(dtype, "exact")
    assert abs(lhs - rhs) <= rtol * max(np.linalg.norm(ct) * np.linalg.norm(t), 1e-30)
    # the VJP is the scatter-add of NumPy's np.add.at
    expected = np.zeros_like(x)
    np.add.at(expected, key, ct)
    assert_close(ct_x, expected, *tol(dtype, "exact"))


@pytest.mark.parametrize("name", ["int-array", "two-arrays", "separated-arrays", "mask-2d", "newaxis-array"])
@pytest.mark.parametrize("dtype", [C128, F64], ids=lambda d: d.name)
def test_gather_jvp_matches_finite_differences_along_1_and_i(name, dtype, rng):
    key = KEYS[name]
    x = random_array(rng, SHAPE, dtype)

    def f(v):
        return wnp.sin(v[key]) * v[key]

    def ref(v):
        return np.sin(v[key]) * v[key]

    for imaginary in ([False, True] if is_complex(dtype) else [False]):
        t = _direction(rng, SHAPE, dtype, imaginary)
        _, t_out = w.jvp(f, (x,), (t,))
        assert_close(t_out, fd_jvp(ref, (x,), (t,)), *tol(dtype, "fd"))


@pytest.mark.parametrize("dtype", ALL_DTYPES, ids=lambda d: d.name)
def test_repeated_indices_accumulate_in_the_backward_pass(dtype):
    x = np.arange(5).astype(dtype)
    g = w.grad(lambda v: wnp.sum(wnp.real(v[np.array([0, 0, 3, 0, -1, 3])])))(x)
    np.testing.assert_array_equal(g, np.array([3, 0, 0, 2, 1], dtype))
    assert g.dtype == dtype
    # and in forward mode, each copy carries the tangent
    _, t = w.jvp(lambda v: v[[1, 1]], (x,), (np.ones(5, dtype),))
    np.testing.assert_array_equal(t, np.ones(2, dtype))


@pytest.mark.parametrize("dtype", [C128, C64], ids=lambda d: d.name)
def test_conventions_for_a_gather(dtype):
    """A gather is holomorphic and linear: "transpose" is the adjoint of conj."""
    x = np.array([1 + 2j, 3 - 1j, -2 + 0.5j], dtype)
    ct = np.array([1j, 2 - 1j], dtype)
    key = np.array([2, 2])
    _, vjp_a = w.vjp(lambda v: v[key], x, convention="adjoint")
    _, vjp_t = w.vjp(lambda v: v[key], x, convention="transpose")
    np.testing.assert_allclose(vjp_t(ct)[0], np.conj(vjp_a(np.conj(ct))[0]))
    np.testing.assert_allclose(vjp_a(ct)[0], np.array([0, 0, ct.sum()], dtype))
    J = w.jacfwd(lambda v: v[key], holomorphic=True)(x)
    np.testing.assert_array_equal(J, np.array([[0, 0, 1], [0, 0, 1]], dtype))


def test_batched_gather_jacobians(rng):
    """Batched shapes: rows of a (batch, n, d) array picked per batch, Jacobians both ways."""
    x = random_array(rng, (2, 4, 3), C128)
    key = (np.array([[0], [1]]), np.array([[3, 3, 0], [1, 2, 2]]))
    jf = w.jacfwd(lambda v: v[key])(x)
    jr = w.jacrev(lambda v: v[key])(x)
    assert isinstance(jf, w.Wirtinger)
    assert jf.dz.shape == (2, 3, 3) + x.shape
    np.testing.assert_allclose(jf.dz, jr.dz)
    np.testing.assert_array_equal(jf.dzbar, 0)
    e = np.eye(x.size).reshape((x.size,) + x.shape)
    expected = np.moveaxis(np.stack([m[key] for m in e]), 0, -1).reshape((2, 3, 3) + x.shape)
    np.testing.assert_allclose(jf.dz, expected)


def test_second_derivatives_through_gather_and_scatter(rng):
    x = random_array(rng, (5,), F64)
    key = np.array([0, 4, 4, 2])

    def f(v):
        y = v[key] ** 3
        return wnp.sum(v.at[key].add(y) ** 2)

    H = w.hessian(f)(x)
    h = 1e-5
    g = w.grad(f)
    fd = np.stack([(g(x + h * e) - g(x - h * e)) / (2 * h) for e in np.eye(5)], axis=-1)
    assert_close(H, fd, *tol(F64, "fd"))
    # forward over reverse, and a nested VJP of the scatter's gather
    t = random_tangent(rng, (5,), F64)
    assert_close(w.hvp(f, (x,), (t,)), H @ t, *tol(F64, "exact"))


@pytest.mark.eager_only  # value-dependent control flow or shape: a ConcretizationError under jit
def test_mask_from_values_is_a_constant(rng):
    """A mask computed from x's values selects; the derivative flows through the selection."""
    x = random_array(rng, (6,), F64)
    g = w.grad(lambda v: wnp.sum(v[v > 0] ** 2))(x)
    np.testing.assert_allclose(g, np.where(x > 0, 2 * x, 0))


# ---------------------------------------------------------------- x.at[...]


def _np_update(x, key, v, op):
    out = np.array(x, copy=True)
    if op == "set":
        out[key] = v
    else:
        {"add": np.add, "multiply": np.multiply, "divide": np.divide}[op].at(out, key, v)
    return out


AT_KEYS = {
    "int-array-repeated": (np.array([3, 0, 3, -1, 3]), (5, 5, 3)),
    "two-arrays": ((np.array([0, 2, 0]), np.array([4, 1, 4])), (3, 3)),
    "slices": ((slice(1, 3), slice(None, None, -2)), (2, 3, 3)),
    "mask": (np.arange(60).reshape(SHAPE) % 5 == 1, (12,)),
    "int": ((2, 1), (3,)),
    "broadcast-values": ((slice(None), np.array([1, 1, 2])), (3,)),
    "scalar-value": (np.array([[1, 1], [0, 3]]), ()),
}


@pytest.mark.parametrize("op", ["set", "add", "multiply", "divide"])
@pytest.mark.parametrize("name", list(AT_KEYS))
@pytest.mark.parametrize("dtype", [C128, C64, F64, F32], ids=lambda d: d.name)
def test_at_updates_match_numpy(op, name, dtype, rng):
    key, vshape = AT_KEYS[name]
    x = random_array(rng, SHAPE, dtype)
    v = random_array(rng, vshape, dtype)
    xa = wnp.asarray(x)
    out = getattr(xa.at[key], op)(v)
    expected = _np_update(x, key, v, op)
    assert out.dtype == x.dtype and out.shape == x.shape
    assert_close(out, expected, *tol(dtype, "exact"))
    np.testing.assert_array_equal(np.asarray(xa), x)  # x itself is unchanged


@pytest.mark.parametrize("op", ["set", "add", "multiply", "divide"])
@pytest.mark.parametrize("name", ["int-array-repeated", "mask", "broadcast-values"])
@pytest.mark.parametrize("dtype", [C128, F64], ids=lambda d: d.name)
def test_at_updates_derivatives(op, name, dtype, rng):
    """Dot-product test and finite differences along 1 and i, in x and in the values."""
    key, vshape = AT_KEYS[name]
    x = random_array(rng, SHAPE, dtype)
    v = random_array(rng, vshape, dtype)

    def f(a, b):
        return getattr(a.at[key], op)(b)

    def ref(a, b):
        return _np_update(a, key, b, op)

    for imaginary in ([False, True] if is_complex(dtype) else [False]):
        ts = (_direction(rng, SHAPE, dtype, imaginary), _direction(rng, vshape, dtype, imaginary))
        out, t_out = w.jvp(f, (x, v), ts)
        assert_close(t_out, fd_jvp(ref, (x, v), ts), *tol(dtype, "fd"))
    _, vjp_fn = w.vjp(f, x, v)
    ct = random_tangent(rng, SHAPE, dtype)
    cts = vjp_fn(ct)
    lhs = inner(ct, t_out)
    rhs = inner(cts[0], ts[0]) + inner(cts[1], ts[1])
    assert abs(lhs - rhs) <= 1e-10 * max(1.0, abs(lhs))


def test_at_set_last_occurrence_wins_and_earlier_values_get_no_gradient():
    x = np.zeros(4)
    v = np.array([1.0, 2.0, 3.0])
    key = np.array([1, 1, 2])
    out = wnp.asarray(x).at[key].set(v)
    np.testing.assert_array_equal(out, [0, 2, 3, 0])
    gx, gv = w.grad(lambda a, b: wnp.sum(a.at[key].set(b) * np.arange(1.0, 5.0)), argnums=(0, 1))(x, v)
    np.testing.assert_array_equal(gx, [1, 0, 0, 4])
    np.testing.assert_array_equal(gv, [0, 2, 3])


def test_at_add_accumulates_repeats_unlike_numpy_fancy_assignment():
    out = wnp.zeros(3).at[np.array([0, 0, 0, 2])].add(1.0)
    np.testing.assert_array_equal(out, [3, 0, 1])
    gv = w.grad(lambda b: wnp.sum(wnp.zeros(3).at[np.array([0, 0, 2])].add(b) ** 2))(np.array([1.0, 2.0, 5.0]))
    np.testing.assert_array_equal(gv, [6, 6, 10])  # d/db of (b0 + b1)² + b2²


def test_at_multiply_is_exact_with_zeros_and_repeats():
    x = np.array([2.0, 3.0, 5.0])
    key = np.array([0, 0, 0, 2])
    v = np.array([0.0, 4.0, -1.0, 7.0])
    out = wnp.asarray(x).at[key].multiply(v)
    np.testing.assert_array_equal(out, [0.0, 3.0, 35.0])
    gv = w.grad(lambda b: wnp.sum(wnp.asarray(x).at[key].multiply(b)))(v)
    np.testing.assert_array_equal(gv, [2 * 4 * -1, 0.0, 0.0, 5.0])


def test_at_values_dtype_rules():
    x32 = wnp.asarray(np.zeros(3, np.float32))
    out = x32.at[0].set(np.float64(1.5))
    assert out.dtype == np.float32
    with pytest.raises(TypeError, match="complex"):
        x32.at[0].set(1j)
    with pytest.raises(TypeError, match="complex"):
        wnp.zeros(3).at[1].add(wnp.asarray(np.ones(1, complex)))
    xc = wnp.zeros(3, dtype=np.complex64)
    assert xc.at[np.array([0])].add(np.array([2.0])).dtype == np.complex64


def test_at_value_shape_errors():
    x = wnp.zeros((3, 4))
    with pytest.raises(ValueError, match="broadcast"):
        x.at[np.array([0, 1])].set(np.ones(3))
    out = x.at[0].set(np.ones((1, 1, 4)))  # leading unit axes are dropped, as in NumPy
    np.testing.assert_array_equal(out[0], np.ones(4))


def test_at_get_and_repr():
    x = wnp.asarray(np.arange(6.0))
    np.testing.assert_array_equal(x.at[np.array([5, 0])].get(), [5, 0])
    assert "IndexUpdate" in repr(x.at) and "IndexUpdate" in repr(x.at[0])


def test_at_with_an_empty_selection_returns_x():
    x = wnp.asarray(np.arange(3.0))
    for op in ("set", "add", "multiply", "divide"):
        np.testing.assert_array_equal(getattr(x.at[np.array([], int)], op)(1.0), [0, 1, 2])


# ---------------------------------------------------------------- errors


def test_index_errors():
    x = wnp.asarray(np.arange(12.0).reshape(3, 4))
    with pytest.raises(IndexError, match="out of bounds"):
        x[np.array([0, 3])]
    with pytest.raises(IndexError, match="out of bounds"):
        x[:, [-5]]
    with pytest.raises(IndexError):
        x[np.array([True, False])]  # a mask of the wrong length
    with pytest.raises(IndexError, match="integer or boolean"):
        x[np.array([0.0, 1.0])]
    with pytest.raises(IndexError, match="wirtinger array"):
        x[wnp.asarray(np.array([0.0]))]
    with pytest.raises(IndexError, match="too many indices"):
        x[np.array([0]), 1, 2]
    with pytest.raises(IndexError, match="single ellipsis"):
        x[..., np.array([0]), ...]
    with pytest.raises(IndexError, match="unsupported index"):
        x["a"]
    with pytest.raises(TypeError, match=r"\.at\[key\]\.set"):
        x[0] = 1.0


# ---------------------------------------------------------------- functions built on gathers


@pytest.mark.parametrize("dtype", ALL_DTYPES, ids=lambda d: d.name)
def test_sort_by_take_along_axis_has_the_permutation_as_derivative(dtype, rng):
    x = random_array(rng, (3, 5), dtype)
    order = np.argsort(np.abs(x), axis=1)
    out = wnp.take_along_axis(wnp.asarray(x), order, axis=1)
    np.testing.assert_array_equal(out, np.take_along_axis(x, order, axis=1))
    ct = random_tangent(rng, (3, 5), dtype)
    _, vjp_fn = w.vjp(lambda v: wnp.take_along_axis(v, order, axis=1), x)
    expected = np.zeros_like(x)
    np.put_along_axis(expected, order, ct, axis=1)
    np.testing.assert_array_equal(vjp_fn(ct)[0], expected)


def test_take_modes_and_errors():
    x = wnp.asarray(np.arange(5.0))
    np.testing.assert_array_equal(wnp.take(x, [7, -8], mode="wrap"), np.take(np.arange(5.0), [7, -8], mode="wrap"))
    np.testing.assert_array_equal(wnp.take(x, [7, -8], mode="clip"), np.take(np.arange(5.0), [7, -8], mode="clip"))
    with pytest.raises(IndexError, match="out of bounds"):
        wnp.take(x, [5])
    with pytest.raises(ValueError, match="mode"):
        wnp.take(x, [0], mode="nope")
    with pytest.raises(IndexError, match="integers"):
        wnp.take(x, [0.5])


def test_numpy_functions_dispatch_to_gathers(rng):
    """Plain NumPy calls on wirtinger arrays route here (and are differentiated)."""
    x = random_array(rng, (4,), C128)
    idx = np.array([3, 3, 0])
    _, t = w.jvp(lambda v: np.take(v, idx) + np.cumsum(v)[idx] + np.flip(v)[:3], (x,), (np.ones(4, C128),))
    np.testing.assert_allclose(t, np.ones(3) + np.array([4, 4, 1]) + 1)


def test_docstring_examples_run():
    import doctest

    import wirtinger._array
    import wirtinger.numpy._indexing
    import wirtinger.scipy.special

    for module in (wirtinger.numpy._indexing, wirtinger.scipy.special):
        result = doctest.testmod(module)
        assert result.failed == 0 and result.attempted > 0, module.__name__
    finder = doctest.DocTestFinder()
    runner = doctest.DocTestRunner()
    for name, obj in (("at", wirtinger._array.Array.at), ("einsum", wnp.einsum), ("linspace", wnp.linspace),
                      ("arange", wnp.arange)):
        tests = finder.find(obj, name=name, globs={})
        assert tests and tests[0].examples, name
        for test in tests:
            runner.run(test)
    assert runner.failures == 0
