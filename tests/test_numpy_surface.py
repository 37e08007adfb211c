"""The NumPy and SciPy surface beyond the differentiable primitives: functions
that act on values (index, integer and boolean results) against NumPy,
predicates traced under jit, the tie rule of extremes, stop_gradient, the
array methods, SciPy's special values, and the README's list of what each
namespace offers, which must match the package."""
import importlib.util
import os

import numpy as np
import pytest

import wirtinger as w
import wirtinger.numpy as wnp
import wirtinger.scipy.special as wss
from helpers import assert_close

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
X = np.array([[3.0, -1.0, 2.0, np.nan], [0.5, 7.0, -2.5, 1.0]])
V = np.array([0.2, 1.5, 1.5, -3.0, 0.0, 9.0])
I = np.array([[5, 3, 0], [12, 4, 4]])


def _same(a, b):
    if isinstance(b, tuple):
        assert isinstance(a, tuple) and len(a) == len(b)
        for x, y in zip(a, b):
            _same(x, y)
        return
    if isinstance(b, list):
        for x, y in zip(a, b):
            _same(x, y)
        return
    np.testing.assert_array_equal(np.asarray(a), np.asarray(b))


# (name, arguments); each wirtinger array argument is given as a NumPy array and passed wrapped.
VALUE_CALLS = [
    ("nonzero", (V,)), ("flatnonzero", (V,)), ("argwhere", (V,)), ("searchsorted", (np.sort(V), V)),
    ("digitize", (V, np.array([0.0, 1.0, 2.0]))), ("count_nonzero", (V,)), ("argmax", (V,)), ("argmin", (V,)),
    ("argsort", (V,)), ("nanargmax", (X[0],)), ("nanargmin", (X[0],)), ("unique", (V,)),
    ("histogram", (V,)), ("intersect1d", (V, np.array([1.5, 9.0, 4.0]))), ("isin", (V, np.array([1.5, 0.0]))),
    ("union1d", (V, np.array([4.0]))), ("setdiff1d", (V, np.array([1.5]))),
    ("isnan", (X,)), ("isfinite", (X,)), ("isinf", (X,)), ("signbit", (np.array([-0.0, 0.0, -1.0]),)),
    ("isreal", (V,)), ("iscomplex", (V,)), ("isclose", (V, V + 1e-9)), ("allclose", (V, V)),
    ("array_equal", (V, V)), ("array_equiv", (V, V[None])), ("floor", (V,)), ("ceil", (V,)), ("trunc", (V,)),
    ("rint", (V,)), ("round", (V,)), ("fix", (-V,)), ("spacing", (V,)), ("floor_divide", (V, 0.7)),
    ("nan_to_num", (X,)), ("logical_and", (V > 0, V < 2)), ("logical_not", (V > 0,)), ("equal", (V, 1.5)),
    ("less", (V, 1.0)), ("greater_equal", (V, 1.5)),
]
INT_CALLS = [
    ("bitwise_and", (I, 6)), ("bitwise_or", (I, 1)), ("bitwise_xor", (I, 3)), ("invert", (I,)),
    ("left_shift", (I, 1)), ("right_shift", (I, 1)), ("gcd", (I, 6)), ("lcm", (I, 4)), ("bincount", (I[0],)),
    ("indices", ((2, 3),)), ("tril_indices", (3,)), ("triu_indices", (3, 1)), ("diag_indices", (3,)),
    ("unravel_index", (np.array([1, 5]), (2, 3))), ("ravel_multi_index", ((np.array([0, 1]), np.array([2, 0])), (2, 3))),
    ("packbits", (np.array([1, 0, 1], np.uint8),)), ("mask_indices", (3, np.triu)),
]


@pytest.mark.parametrize("name,args", VALUE_CALLS, ids=[c[0] for c in VALUE_CALLS])
def test_value_functions_match_numpy(name, args):
    wrapped = tuple(wnp.asarray(a) if isinstance(a, np.ndarray) and a.dtype.kind == "f" else a for a in args)
    with np.errstate(invalid="ignore"):
        _same(getattr(wnp, name)(*wrapped), getattr(np, name)(*args))


@pytest.mark.parametrize("name,args", INT_CALLS, ids=[c[0] for c in INT_CALLS])
def test_integer_functions_match_numpy(name, args):
    _same(getattr(wnp, name)(*args), getattr(np, name)(*args))


def test_frexp_ldexp_modf_divmod():
    m, e = wnp.frexp(V)
    mn, en = np.frexp(V)
    assert_close(m, mn, 0, 0)
    np.testing.assert_array_equal(e, en)
    assert_close(wnp.ldexp(V, np.array([1, 2, 3, 0, 1, -1])), np.ldexp(V, np.array([1, 2, 3, 0, 1, -1])), 0, 0)
    for got, want in zip(wnp.modf(V), np.modf(V)):
        assert_close(got, want, 0, 0)
    for got, want in zip(wnp.divmod(V, 0.7), np.divmod(V, 0.7)):
        assert_close(got, want, 1e-15, 1e-15)
    assert_close(wnp.heaviside(V, 0.5), np.heaviside(V, 0.5), 0, 0)


def test_constructors_from_buffers_and_files(tmp_path):
    data = np.array([1.5, -2.0, 3.25])
    assert_close(wnp.frombuffer(data.tobytes()), data, 0, 0)
    assert_close(wnp.fromiter(iter([1.0, 2.0]), float), np.array([1.0, 2.0]), 0, 0)
    assert_close(wnp.fromstring("1 2 3", sep=" "), np.array([1.0, 2.0, 3.0]), 0, 0)
    path = tmp_path / "x.npy"
    wnp.save(path, wnp.asarray(data))
    assert_close(wnp.load(path), data, 0, 0)
    raw = tmp_path / "x.bin"
    data.tofile(raw)
    assert_close(wnp.fromfile(raw), data, 0, 0)
    assert_close(wnp.from_dlpack(data), data, 0, 0)


def test_metadata_functions():
    z = wnp.asarray(np.ones((2, 3), np.complex64))
    assert wnp.iscomplexobj(z) and not wnp.isrealobj(z)
    assert wnp.ndim(z) == 2 and wnp.shape(z) == (2, 3) and wnp.size(z) == 6
    assert wnp.result_type(z, np.float64) == np.complex128
    assert not wnp.isscalar(z)
    assert wnp.can_cast(z, np.complex128)


def test_windows_and_constants():
    for name in ("bartlett", "blackman", "hamming", "hanning"):
        assert_close(getattr(wnp, name)(7), getattr(np, name)(7), 0, 0)
    assert_close(wnp.kaiser(6, 2.5), np.kaiser(6, 2.5), 0, 0)
    assert_close(wnp.tri(3, 4, 1), np.tri(3, 4, 1), 0, 0)
    assert_close(wnp.geomspace(1.0, 100.0, 5), np.geomspace(1.0, 100.0, 5), 1e-14, 1e-14)
    assert_close(wnp.logspace(0.0, 2.0, 4), np.logspace(0.0, 2.0, 4), 1e-14, 1e-14)


def test_predicates_are_recomputed_under_jit():
    f = w.jit(lambda x: wnp.where(wnp.isnan(x), 0.0, x) + wnp.where(wnp.signbit(x), 1.0, 0.0))
    a = np.array([np.nan, -1.0, 2.0])
    b = np.array([1.0, np.nan, -2.0])
    assert_close(f(a), np.array([0.0, 0.0, 2.0]), 0, 0)
    assert_close(f(b), np.array([1.0, 0.0, -1.0]), 0, 0)
    g = w.jit(lambda x: wnp.where(wnp.any(x > 2.0), x, -x))
    assert_close(g(np.array([1.0, 3.0])), np.array([1.0, 3.0]), 0, 0)
    assert_close(g(np.array([1.0, 2.0])), np.array([-1.0, -2.0]), 0, 0)


def test_reading_a_traced_index_is_a_concretization_error():
    with pytest.raises(w.ConcretizationError):
        w.jit(lambda x: x * wnp.argmax(x))(np.array([1.0, 3.0]))


def test_ties_share_the_derivative_equally():
    x = np.array([1.0, 3.0, 3.0, 3.0, -2.0])
    assert_close(w.grad(wnp.max)(x), np.array([0.0, 1.0, 1.0, 1.0, 0.0]) / 3, 1e-15, 1e-15)
    assert_close(w.grad(wnp.min)(x), np.array([0.0, 0.0, 0.0, 0.0, 1.0]), 0, 0)
    assert float(wnp.max(x)) == 3.0
    # The same rule as maximum's, for two operands.
    assert_close(w.grad(lambda a: wnp.maximum(a, 3.0))(3.0), 0.5, 0, 0)
    # Recomputed on every jit call: the maximum moves.
    f = w.jit(w.grad(lambda x: wnp.max(x)))
    assert_close(f(np.array([1.0, 2.0])), np.array([0.0, 1.0]), 0, 0)
    assert_close(f(np.array([5.0, 2.0])), np.array([1.0, 0.0]), 0, 0)


def test_extremes_are_real_only_and_need_an_identity_for_empty_input():
    with pytest.raises(TypeError, match="max: defined for real arrays only"):
        wnp.max(np.array([1 + 1j]))
    with pytest.raises(ValueError, match="zero-size"):
        wnp.max(np.zeros((0, 2)), axis=0)
    assert_close(wnp.max(np.zeros((0, 2)), axis=0, initial=-1.0), np.array([-1.0, -1.0]), 0, 0)


def test_sort_moves_derivatives_with_the_elements():
    x = np.array([2.0, -1.0, 5.0, 0.0])
    weights = np.array([1.0, 10.0, 100.0, 1000.0])
    g = w.grad(lambda x: wnp.sum(wnp.sort(x) * weights))(x)
    assert_close(g, np.array([100.0, 1.0, 1000.0, 10.0]), 0, 0)
    f = w.jit(lambda x: wnp.sort(x))
    assert_close(f(x), np.sort(x), 0, 0)
    assert_close(f(-x), np.sort(-x), 0, 0)
    assert_close(w.vmap(wnp.sort)(np.stack([x, -x])), np.stack([np.sort(x), np.sort(-x)]), 0, 0)


def test_stop_gradient():
    x = np.array([1.5, -2.0])
    assert_close(w.grad(lambda x: wnp.sum(x * w.stop_gradient(x)))(x), x, 0, 0)
    f = w.jit(lambda x: w.stop_gradient(x) * 2)
    assert_close(f(x), 2 * x, 0, 0)
    assert_close(f(-x), -2 * x, 0, 0)


def test_array_methods():
    a = wnp.asarray(np.array([[3.0, -1.0], [0.5, 2.0]]))
    n = np.asarray(a)
    assert_close(a.max(), n.max(), 0, 0)
    assert_close(a.min(axis=0), n.min(axis=0), 0, 0)
    assert a.argmax() == n.argmax() and a.argmin() == n.argmin()
    assert_close(a.std(), n.std(), 1e-15, 1e-15)
    assert_close(a.var(ddof=1), n.var(ddof=1), 1e-15, 1e-15)
    assert_close(a.clip(0.0, 1.0), n.clip(0.0, 1.0), 0, 0)
    assert_close(a.round(), n.round(), 0, 0)
    assert_close(a.copy(), n, 0, 0)
    assert_close(a.flatten(), n.flatten(), 0, 0)
    assert_close(a.cumsum(axis=1), n.cumsum(axis=1), 0, 0)
    assert bool(a.any()) and not bool(a.all() & False)
    assert a.astype(np.complex64).dtype == np.complex64


def test_scipy_special_values_at_their_edges():
    assert_close(wss.xlogy(0.0, 0.0), 0.0, 0, 0)
    assert_close(wss.xlog1py(0.0, -1.0), 0.0, 0, 0)
    assert_close(wss.entr(np.array([0.0, -1.0])), np.array([0.0, -np.inf]), 0, 0)
    assert_close(wss.rel_entr(np.array([0.0, 1.0, -1.0]), np.array([2.0, 0.0, 1.0])),
                 np.array([0.0, np.inf, np.inf]), 0, 0)
    assert_close(wss.kl_div(np.array([0.0, 1.0]), np.array([2.0, -1.0])), np.array([2.0, np.inf]), 0, 0)
    # The branch not taken contributes nothing: no 0·inf = nan.
    assert_close(w.grad(lambda x: wss.xlogy(x, 0.0))(0.0), 0.0, 0, 0)
    assert_close(w.grad(lambda y: wss.xlogy(0.0, y))(0.0), 0.0, 0, 0)


# ---------------------------------------------------------------- the README's list


def _coverage_tool():
    spec = importlib.util.spec_from_file_location("api_coverage", os.path.join(ROOT, "tools", "api_coverage.py"))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_readme_lists_what_each_namespace_has_and_lacks():
    tool = _coverage_tool()
    ref = tool.reference()
    readme = open(os.path.join(ROOT, "README.md"), encoding="utf-8").read()
    block = readme[readme.index(tool.BEGIN):readme.index(tool.END) + len(tool.END) + 1]
    assert block == tool.readme_block(ref), "README's coverage list is stale: run python tools/api_coverage.py --readme"


def test_every_listed_function_exists_and_every_missing_one_has_a_reason():
    tool = _coverage_tool()
    for namespace, (have, missing) in tool.coverage().items():
        module = importlib.import_module("wirtinger." + namespace)
        for name in have:
            assert callable(getattr(module, name)), f"wirtinger.{namespace}.{name}"
        for name in missing:
            assert tool.why_not(namespace, name), f"wirtinger.{namespace}.{name} is missing without a reason"
