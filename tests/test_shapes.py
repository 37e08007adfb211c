"""Shapes are checked as NumPy checks them, in the package and again in the
engine: negative extents, and element or byte counts that overflow, are the
ValueError NumPy raises, never a read of memory an array does not own."""
import numpy as np
import pytest

import wirtinger as w
import wirtinger.numpy as wnp
from wirtinger import _core

X4 = np.arange(4.0)
X5 = np.arange(5.0)


def numpy_raises(fn):
    with pytest.raises((ValueError, MemoryError)):
        fn()


# ---------------------------------------------------------------- element counts that overflow int64
HUGE = [
    ("reshape", lambda: wnp.reshape(wnp.asarray(X4), (2**62 + 1, 4)), lambda: np.reshape(X4, (2**62 + 1, 4))),
    ("reshape-empty", lambda: wnp.reshape(wnp.zeros(0), (2**32, 2**32)), lambda: np.reshape(np.zeros(0), (2**32, 2**32))),
    ("reshape-wraps-to-size", lambda: wnp.reshape(wnp.asarray(X4), (2**64 // 4 + 1, 4)),
     lambda: np.reshape(X4, (2**64 // 4 + 1, 4))),
    ("broadcast_to-3d", lambda: wnp.broadcast_to(wnp.asarray(X5), (2**31, 2**31, 5)),
     lambda: np.broadcast_to(X5, (2**31, 2**31, 5))),
    ("broadcast_to-2d", lambda: wnp.broadcast_to(wnp.asarray(X5), (2**61, 5)), lambda: np.broadcast_to(X5, (2**61, 5))),
    ("broadcast_to-zero-extent", lambda: wnp.broadcast_to(wnp.asarray(X5), (0, 2**62, 5)),
     lambda: np.zeros((0, 2**62, 5))),
    ("full", lambda: wnp.full((2**62, 4), wnp.asarray(1.0)), lambda: np.full((2**62, 4), 1.0)),
    ("method-reshape", lambda: wnp.asarray(X4).reshape(2**62 + 1, 4), lambda: X4.reshape(2**62 + 1, 4)),
    ("pad", lambda: wnp.pad(wnp.asarray(X4), (0, 2**62)), lambda: np.pad(X4, (0, 2**62))),
]


@pytest.mark.parametrize("name,ours,theirs", HUGE, ids=[h[0] for h in HUGE])
def test_overflowing_shapes_raise_as_numpy_does(name, ours, theirs):
    numpy_raises(theirs)
    with pytest.raises(ValueError):
        ours()


def test_overflowing_shapes_name_the_operation_and_the_shape():
    with pytest.raises(ValueError, match=r"reshape: .*\(4611686018427387905, 4\).*too big"):
        wnp.reshape(wnp.asarray(X4), (2**62 + 1, 4))
    with pytest.raises(ValueError, match=r"broadcast_to: .*too big"):
        wnp.sum(wnp.broadcast_to(wnp.asarray(X5), (2**61, 5)))


@pytest.mark.parametrize("transform", ["grad", "jit", "jit-grad"])
def test_overflowing_shapes_raise_under_transforms(transform):
    def f(x):
        return wnp.sum(wnp.broadcast_to(x, (2**31, 2**31, 5)))

    def g(x):
        return wnp.sum(wnp.reshape(x, (2**62 + 1, 4))[1])

    wrap = {"grad": w.grad, "jit": w.jit, "jit-grad": lambda h: w.jit(w.grad(h))}[transform]
    with pytest.raises(ValueError):
        wrap(f)(X5)
    with pytest.raises(ValueError):
        wrap(g)(X4)


# ---------------------------------------------------------------- negative extents
def test_negative_extents_raise_as_numpy_does():
    numpy_raises(lambda: np.broadcast_to(X5, (-2, -3, 5)))
    for shape in [(-2, -3, 5), (-1, 5), (-3, 5)]:
        with pytest.raises(ValueError, match="non-negative"):
            wnp.broadcast_to(wnp.asarray(X5), shape)
    with pytest.raises(ValueError, match="negative"):
        w.grad(lambda z: wnp.sum(wnp.broadcast_to(z, (-3, 5))))(np.ones(5))
    with pytest.raises(ValueError, match="negative"):
        w.jit(lambda z: wnp.broadcast_to(z, (-3, 5)))(np.ones(5))


def test_reshape_reads_negative_entries_as_numpy_does():
    x = wnp.asarray(np.arange(6.0))
    for shape in [(-2, -3), (-1, -1), (2, -1, -1)]:
        numpy_raises(lambda: np.reshape(np.arange(6.0), shape))
        with pytest.raises(ValueError, match="one unknown dimension"):
            wnp.reshape(x, shape)
    for shape in [(-2, 3), (2, -1), (-1,), (3, -7)]:  # NumPy reads any negative entry as the unknown one
        assert np.asarray(wnp.reshape(x, shape)).shape == np.reshape(np.arange(6.0), shape).shape
    for shape in [(0, -1), (4, -1)]:
        numpy_raises(lambda: np.reshape(np.arange(6.0), shape))
        with pytest.raises(ValueError, match="cannot reshape"):
            wnp.reshape(x, shape)
    assert np.asarray(wnp.reshape(wnp.zeros(0), (2, -1))).shape == (2, 0)


def test_shape_entries_must_be_integers():
    with pytest.raises(TypeError, match="reshape"):
        wnp.reshape(wnp.asarray(X4), (1.5, 2))
    with pytest.raises(TypeError, match="broadcast_to"):
        wnp.broadcast_to(wnp.asarray(X4), "4")
    assert np.asarray(wnp.reshape(wnp.asarray(X4), (np.int64(2), np.int32(2)))).shape == (2, 2)


# ---------------------------------------------------------------- the engine checks too
VAR4 = _core.from_numpy(X4)
ENGINE = [
    ("reshape-overflow", lambda: _core.reshape(VAR4, [2**62 + 1, 4])),
    ("reshape-wraps", lambda: _core.reshape(VAR4, [2**62, 4])),
    ("reshape-negative", lambda: _core.reshape(VAR4, [-2, -2])),
    ("broadcast_to-negative", lambda: _core.broadcast_to(VAR4, [-3, 4])),
    ("broadcast_to-overflow", lambda: _core.broadcast_to(VAR4, [2**61, 4])),
    ("slice-past-the-end", lambda: _core.slice(VAR4, [2], [1], [3])),
    ("slice-negative-start", lambda: _core.slice(VAR4, [-1], [1], [1])),
    ("slice-step-past-the-end", lambda: _core.slice(VAR4, [0], [2], [3])),
    ("slice-step-overflow", lambda: _core.slice(VAR4, [0], [2**62], [3])),
    ("slice-rank", lambda: _core.slice(VAR4, [0, 0], [1, 1], [1, 1])),
    ("slice_scatter-outside", lambda: _core.slice_scatter(VAR4, [0], [1], [3])),
    ("slice_scatter-negative-shape", lambda: _core.slice_scatter(VAR4, [0], [1], [-4])),
    ("sum-axis", lambda: _core.sum(VAR4, [1])),
    ("sum-repeated-axis", lambda: _core.sum(_core.from_numpy(np.ones((2, 2))), [0, 0])),
    ("prod-axis", lambda: _core.prod(VAR4, [-1])),
    ("transpose-axis", lambda: _core.transpose(VAR4, [3])),
    ("transpose-not-a-permutation", lambda: _core.transpose(_core.from_numpy(np.ones((2, 2))), [1, 1])),
    ("cumsum-axis", lambda: _core.cumsum(VAR4, 2)),
    ("cumprod-axis", lambda: _core.cumprod(VAR4, -1)),
    ("gather-index", lambda: _core.gather(VAR4, np.array([5]), 1, [1])),
    ("gather-negative-index", lambda: _core.gather(VAR4, np.array([-1]), 1, [1])),
    ("gather-shape", lambda: _core.gather(VAR4, np.array([0]), 1, [2**62, 4])),
    ("gather-block", lambda: _core.gather(VAR4, np.array([0]), 3, [3])),
    ("scatter_add-index", lambda: _core.scatter_add(VAR4, np.array([0, 1, 2, 9]), 1, [4])),
    ("scatter_add-shape", lambda: _core.scatter_add(VAR4, np.array([0, 1, 2, 3]), 1, [-4])),
    ("concat-axis", lambda: _core.concat([VAR4, VAR4], 1)),
    ("concat-shapes", lambda: _core.concat([VAR4, _core.from_numpy(np.ones((2, 2)))], 0)),
]


@pytest.mark.parametrize("name,call", ENGINE, ids=[e[0] for e in ENGINE])
def test_engine_entry_points_check_their_arguments(name, call):
    with pytest.raises(ValueError, match=r"^[a-z_]+: "):
        call()


def test_a_wrong_shape_never_reads_memory_it_does_not_own():
    # Before the checks, this returned heap contents.
    with pytest.raises(ValueError):
        np.asarray(wnp.reshape(wnp.asarray(X4), (2**62 + 1, 4))[1])
    with pytest.raises(ValueError):
        w.jit(lambda x: wnp.reshape(x, (2**62 + 1, 4))[1])(X4)
    with pytest.raises(ValueError):
        wnp.reshape(wnp.zeros(0), (2**32, 2**32))[1, 2:4]


def test_large_valid_shapes_still_work():
    big = wnp.broadcast_to(wnp.asarray(1.0), (2**20,))
    assert float(wnp.sum(big)) == 2**20
    assert np.asarray(wnp.reshape(wnp.zeros((0, 5)), (0, 2**40, 5))).shape == (0, 2**40, 5)


def test_a_shape_that_fits_but_cannot_be_allocated_is_a_memory_error():
    # 8 EiB: a valid byte count, beyond any address space.
    with pytest.raises(MemoryError, match=r"unable to allocate .* GiB for an array of shape \(1099511627776, 1024\)"):
        wnp.broadcast_to(wnp.asarray(1.0), (2**40, 2**10))
