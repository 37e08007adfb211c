"""Arrays of any byte order and memory layout are accepted wherever an array is,
and their values are read in native order."""
import numpy as np
import pytest

import wirtinger as w
import wirtinger.numpy as wnp

Z = np.array([1 + 2j, 3 - 4j, -0.5 + 0.25j])
X = np.array([0.5, 1.5, -2.0])


def swapped(a):
    """a with the other byte order, same values."""
    a = np.asarray(a)
    return a.astype(a.dtype.newbyteorder("S"))


def layouts(a):
    """a in several layouts and byte orders, all with a's values."""
    a = np.asarray(a)
    wide = np.stack([a, a])
    yield "swapped", swapped(a)
    yield "strided", wide.T.copy().T[0] if a.ndim == 1 else a[::1]
    yield "reversed-view", a[::-1].copy()[::-1]
    yield "swapped-strided", swapped(wide)[0]
    yield "fortran", np.asfortranarray(a)


ENTRY_POINTS = {
    "op": lambda a: np.asarray(wnp.sin(a)),
    "binary": lambda a: np.asarray(wnp.multiply(a, a)),
    "asarray": lambda a: np.asarray(wnp.asarray(a)),
    "jit": lambda a: w.jit(lambda x: wnp.sin(x) * 2.0)(a),
    "grad": lambda a: w.grad(lambda x: wnp.sum(wnp.abs2(wnp.sin(x))))(a),
    "jvp-primal": lambda a: w.jvp(wnp.sin, (a,), (np.ones_like(np.asarray(a)),))[1],
    "jvp-tangent": lambda a: w.jvp(wnp.sin, (np.asarray(a).astype(np.asarray(a).dtype.newbyteorder("=")),), (a,))[1],
    "vjp-cotangent": lambda a: w.vjp(wnp.sin, np.asarray(a).astype(np.asarray(a).dtype.newbyteorder("=")))[1](a)[0],
    "jacfwd": lambda a: w.jacfwd(wnp.sin)(a),
    "vmap-grad": lambda a: w.vmap(w.grad(lambda x: wnp.abs2(wnp.sin(x))))(a),
    "vmap-jacfwd": lambda a: w.vmap(w.jacfwd(wnp.sin))(a),
    "jit-grad": lambda a: w.jit(w.grad(lambda x: wnp.sum(wnp.abs2(wnp.sin(x)))))(a),
    "hessian": lambda a: w.hessian(lambda x: wnp.sum(wnp.abs2(wnp.sin(x))))(a),
    "where": lambda a: np.asarray(wnp.where(np.array([True, False, True]), a, 0.0)),
}


def plain(a):
    return np.ascontiguousarray(a, dtype=np.asarray(a).dtype.newbyteorder("="))


@pytest.mark.parametrize("entry", sorted(ENTRY_POINTS))
@pytest.mark.parametrize("values", [X, Z, X.astype(np.float32), Z.astype(np.complex64)],
                         ids=["float64", "complex128", "float32", "complex64"])
def test_every_layout_and_byte_order_gives_the_native_result(entry, values):
    run = ENTRY_POINTS[entry]
    want = run(plain(values))
    for name, a in layouts(values):
        np.testing.assert_array_equal(np.asarray(a), values)  # the layout keeps the values
        got = run(a)
        leaves = got if isinstance(got, tuple) else (got,)
        wants = want if isinstance(want, tuple) else (want,)
        for g, v in zip(leaves, wants):
            g, v = np.asarray(g), np.asarray(v)
            assert g.dtype == v.dtype and g.dtype.isnative, (name, g.dtype, v.dtype)
            np.testing.assert_array_equal(g, v, err_msg=name)


def test_astype_to_a_swapped_dtype_gives_native_values():
    out = np.asarray(wnp.asarray(X).astype(">f4" if np.little_endian else "<f4"))
    assert out.dtype == np.float32 and out.dtype.isnative
    np.testing.assert_array_equal(out, X.astype(np.float32))


def test_jit_keys_a_swapped_array_by_its_shape_and_dtype():
    f = w.jit(lambda x: x * 2.0)
    for k in range(3):
        np.testing.assert_array_equal(f(swapped(X + k)), (X + k) * 2)
    assert len(f.cache_info()) == 1
