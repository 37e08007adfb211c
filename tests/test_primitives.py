"""Every differentiable primitive, driven by one table (STYLE §5).

For each entry, dtype and shape:
  * the value and result dtype match NumPy;
  * the dot-product test <w, JVP(t)> = <VJP_adjoint(w), t>, with cotangents of
    the input's shape and dtype (real inputs get real cotangents);
  * the "transpose" VJP is conj(VJP_adjoint(conj w)) and satisfies the bilinear
    identity Re sum(w * JVP(t)) = Re sum(VJP_transpose(w) * t);
  * the JVP matches central finite differences along 1 and along i;
  * the real Jacobian (view_as_real) and the Wirtinger pair match finite
    differences at a scalar (or small) point.
A test fails when w.primitive_names() names a primitive without an entry.
"""

from dataclasses import dataclass
from typing import Callable, Optional

import numpy as np
import pytest

import wirtinger as w
import wirtinger.numpy as wnp
from helpers import (
    C64,
    C128,
    F32,
    F64,
    assert_close,
    directions,
    fd_jvp,
    fd_real_jacobian,
    fd_wirtinger,
    inner,
    is_complex,
    random_array,
    random_tangent,
    real_dtype,
    tol,
)

ELEMENTWISE = (
    "negative exp expm1 log log1p sqrt square reciprocal sin cos tan sinh cosh tanh "
    "arcsin arccos arctan arcsinh arccosh arctanh conj real imag abs abs2 angle "
    "add subtract multiply divide power maximum minimum"
).split()

UNARY_DTYPES = [(F64,), (C128,), (C64,), (F32,)]
REAL_UNARY_DTYPES = [(F64,), (F32,)]
BINARY_DTYPES = [(F64, F64), (C128, C128), (C64, C64), (F32, F32), (F64, C128), (C128, F64), (F32, F64)]
REAL_BINARY_DTYPES = [(F64, F64), (F32, F32), (F32, F64)]
UNARY_SHAPES = [((3, 4),), ((),)]  # the last: a scalar point (the 2x2 real Jacobian tests)
BINARY_SHAPES = [((3, 4), (3, 4)), ((3, 1), (4,)), ((), (3,)), ((), ())]  # the last: a scalar point


@dataclass(frozen=True)
class Case:
    """One row of the table.

    name:     the primitive's name in w.primitive_names()
    id:       a unique test id (a primitive may have several spellings/variants)
    fn:       the function under test, written with wirtinger.numpy / operators
    ref:      the NumPy reference with the same meaning
    shapes:   alternatives, each a tuple with one shape per differentiable argument
    dtypes:   alternatives, each a tuple with one dtype per differentiable argument
    domains:  per argument, a domain name of helpers.random_array
    holomorphic: whether the Wirtinger partial d/dzbar vanishes identically
    fd_ref:   the reference used for finite differences when `ref` rounds to
              single precision (astype); defaults to ref
    """

    name: str
    id: str
    fn: Callable
    ref: Callable
    shapes: tuple
    dtypes: tuple
    domains: tuple
    holomorphic: bool = True
    fd_ref: Optional[Callable] = None

    @property
    def arity(self):
        return len(self.domains)


def _np_abs2(z):
    return np.real(z * np.conj(z))


def unary(name, fn, ref, domain="any", holomorphic=True, real_only=False, id=None):
    return Case(
        name=name,
        id=id or name,
        fn=fn,
        ref=ref,
        shapes=tuple(UNARY_SHAPES),
        dtypes=tuple(REAL_UNARY_DTYPES if real_only else UNARY_DTYPES),
        domains=(domain,),
        holomorphic=holomorphic,
    )


def binary(name, fn, ref, domains=("any", "any"), real_only=False, id=None):
    return Case(
        name=name,
        id=id or name,
        fn=fn,
        ref=ref,
        shapes=tuple(BINARY_SHAPES),
        dtypes=tuple(REAL_BINARY_DTYPES if real_only else BINARY_DTYPES),
        domains=domains,
    )


def structural(name, id, fn, ref, shapes, dtypes=None, domains=None, holomorphic=True, fd_ref=None):
    arity = len(shapes)
    if dtypes is None:
        if arity == 1:
            dtypes = UNARY_DTYPES
        elif arity == 2:
            dtypes = [(F64, F64), (C128, C128), (C64, C64), (F32, F32), (F64, C128)]
        else:
            dtypes = [(d,) * arity for d in (F64, C128, C64)]
    return Case(
        name=name,
        id=id,
        fn=fn,
        ref=ref,
        shapes=(tuple(shapes),),
        dtypes=tuple(tuple(d) for d in dtypes),
        domains=tuple(domains or ("any",) * arity),
        holomorphic=holomorphic,
        fd_ref=fd_ref,
    )


def _astype(x, dtype):
    f = getattr(wnp, "astype", None)
    return f(x, dtype) if f is not None else x.astype(dtype)


def _scatter(ct):
    """x[1:, ::2] of a (3, 4) array, transposed: ct is written into zeros, a linear map of ct."""
    _, vjp_fn = w.vjp(lambda y: y[1:, ::2], np.zeros((3, 4), np.dtype(ct.dtype)))
    return vjp_fn(ct)[0]


def _np_scatter(ct):
    out = np.zeros((3, 4), ct.dtype)
    out[1:, ::2] = ct
    return out


_COND = (np.arange(12).reshape(3, 4) % 3) == 0


# ---------------------------------------------------------------- the table

TABLE = [
    # element-wise, holomorphic
    unary("negative", wnp.negative, np.negative),
    unary("negative", lambda x: -x, np.negative, id="negative-op"),
    unary("exp", wnp.exp, np.exp),
    unary("expm1", wnp.expm1, np.expm1),
    unary("log", wnp.log, np.log, "pos"),
    unary("log1p", wnp.log1p, np.log1p, "gtm1"),
    unary("sqrt", wnp.sqrt, np.sqrt, "pos"),
    unary("square", wnp.square, np.square),
    unary("reciprocal", wnp.reciprocal, np.reciprocal),
    unary("sin", wnp.sin, np.sin),
    unary("cos", wnp.cos, np.cos),
    unary("tan", wnp.tan, np.tan),
    unary("sinh", wnp.sinh, np.sinh),
    unary("cosh", wnp.cosh, np.cosh),
    unary("tanh", wnp.tanh, np.tanh),
    unary("arcsin", wnp.arcsin, np.arcsin, "unit"),
    unary("arccos", wnp.arccos, np.arccos, "unit"),
    unary("arctan", wnp.arctan, np.arctan),
    unary("arcsinh", wnp.arcsinh, np.arcsinh),
    unary("arccosh", wnp.arccosh, np.arccosh, "gt1"),
    unary("arctanh", wnp.arctanh, np.arctanh, "unit"),
    # element-wise, not holomorphic
    unary("conj", wnp.conj, np.conj, holomorphic=False),
    unary("conj", wnp.conjugate, np.conjugate, holomorphic=False, id="conjugate"),
    unary("conj", lambda x: x.conj(), np.conj, holomorphic=False, id="conj-method"),
    unary("real", wnp.real, np.real, holomorphic=False),
    unary("real", lambda x: x.real, np.real, holomorphic=False, id="real-attr"),
    unary("imag", wnp.imag, np.imag, holomorphic=False),
    unary("imag", lambda x: x.imag, np.imag, holomorphic=False, id="imag-attr"),
    unary("abs", wnp.abs, np.abs, holomorphic=False),
    unary("abs", wnp.absolute, np.abs, holomorphic=False, id="absolute"),
    unary("abs", abs, np.abs, holomorphic=False, id="abs-builtin"),
    unary("abs2", wnp.abs2, _np_abs2, holomorphic=False),
    unary("angle", wnp.angle, np.angle, holomorphic=False),
    # element-wise, binary
    binary("add", wnp.add, np.add),
    binary("add", lambda a, b: a + b, np.add, id="add-op"),
    binary("subtract", wnp.subtract, np.subtract),
    binary("subtract", lambda a, b: a - b, np.subtract, id="subtract-op"),
    binary("multiply", wnp.multiply, np.multiply),
    binary("multiply", lambda a, b: a * b, np.multiply, id="multiply-op"),
    binary("divide", wnp.divide, np.divide),
    binary("divide", lambda a, b: a / b, np.divide, id="divide-op"),
    binary("power", wnp.power, np.power, ("pos", "any")),
    binary("power", lambda a, b: a**b, np.power, ("pos", "any"), id="power-op"),
    binary("maximum", wnp.maximum, np.maximum, real_only=True),
    binary("minimum", wnp.minimum, np.minimum, real_only=True),
    # reductions
    structural("sum", "sum", wnp.sum, np.sum, [(3, 4)]),
    structural("sum", "sum-axis0", lambda x: wnp.sum(x, axis=0), lambda x: np.sum(x, axis=0), [(3, 4)]),
    structural(
        "sum", "sum-axis-1-keepdims",
        lambda x: wnp.sum(x, axis=-1, keepdims=True),
        lambda x: np.sum(x, axis=-1, keepdims=True), [(3, 4)],
    ),
    structural(
        "sum", "sum-axes02", lambda x: wnp.sum(x, axis=(0, 2)), lambda x: np.sum(x, axis=(0, 2)), [(2, 3, 4)]
    ),
    structural("sum", "sum-method", lambda x: x.sum(), np.sum, [(3, 4)]),
    structural("mean", "mean-axis1", lambda x: wnp.mean(x, axis=1), lambda x: np.mean(x, axis=1), [(3, 4)]),
    structural("mean", "mean", wnp.mean, np.mean, [(3, 4)]),
    structural("prod", "prod", wnp.prod, np.prod, [(2, 3)], domains=("prod",)),
    structural(
        "prod", "prod-axis1-keepdims",
        lambda x: wnp.prod(x, axis=1, keepdims=True),
        lambda x: np.prod(x, axis=1, keepdims=True), [(3, 4)], domains=("prod",),
    ),
    # products
    structural("matmul", "matmul", wnp.matmul, np.matmul, [(3, 4), (4, 2)]),
    structural("matmul", "matmul-op", lambda a, b: a @ b, np.matmul, [(3, 4), (4, 2)]),
    structural("matmul", "matmul-vec-mat", wnp.matmul, np.matmul, [(4,), (4, 2)]),
    structural("matmul", "matmul-mat-vec", wnp.matmul, np.matmul, [(3, 4), (4,)]),
    structural("matmul", "matmul-batched", wnp.matmul, np.matmul, [(2, 3, 4), (4, 2)]),
    structural("dot", "dot-vec", wnp.dot, np.dot, [(4,), (4,)]),
    structural("dot", "dot-mat", wnp.dot, np.dot, [(3, 4), (4, 2)]),
    structural("vdot", "vdot", wnp.vdot, np.vdot, [(4,), (4,)], holomorphic=False),
    structural("inner", "inner", wnp.inner, np.inner, [(3, 4), (2, 4)]),
    structural("outer", "outer", wnp.outer, np.outer, [(3,), (4,)]),
    # shape
    structural("transpose", "transpose", wnp.transpose, np.transpose, [(3, 4)]),
    structural(
        "transpose", "transpose-axes",
        lambda x: wnp.transpose(x, (2, 0, 1)), lambda x: np.transpose(x, (2, 0, 1)), [(2, 3, 4)],
    ),
    structural("transpose", "transpose-T", lambda x: x.T, lambda x: x.T, [(3, 4)]),
    structural("reshape", "reshape", lambda x: wnp.reshape(x, (2, 6)), lambda x: np.reshape(x, (2, 6)), [(3, 4)]),
    structural("reshape", "reshape-minus1", lambda x: wnp.reshape(x, (-1,)), lambda x: np.reshape(x, (-1,)), [(3, 4)]),
    structural("reshape", "reshape-method", lambda x: x.reshape(4, 3), lambda x: x.reshape(4, 3), [(12,)]),
    structural(
        "reshape", "squeeze-axis", lambda x: wnp.squeeze(x, axis=1), lambda x: np.squeeze(x, axis=1), [(3, 1, 4)]
    ),
    structural("reshape", "squeeze", wnp.squeeze, np.squeeze, [(1, 3, 1)]),
    structural(
        "reshape", "expand_dims", lambda x: wnp.expand_dims(x, 1), lambda x: np.expand_dims(x, 1), [(3, 4)]
    ),
    structural(
        "broadcast_to", "broadcast_to",
        lambda x: wnp.broadcast_to(x, (2, 3, 4)), lambda x: np.broadcast_to(x, (2, 3, 4)), [(3, 1)],
    ),
    structural("getitem", "getitem-int", lambda x: x[1], lambda x: x[1], [(3, 4)]),
    structural("getitem", "getitem-neg", lambda x: x[-1], lambda x: x[-1], [(3, 4)]),
    structural("getitem", "getitem-scalar", lambda x: x[1, 2], lambda x: x[1, 2], [(3, 4)]),
    structural("getitem", "getitem-slices", lambda x: x[:, 1:3], lambda x: x[:, 1:3], [(3, 4)]),
    structural("getitem", "getitem-steps", lambda x: x[::-1, ::2], lambda x: x[::-1, ::2], [(3, 4)]),
    structural("getitem", "getitem-newaxis", lambda x: x[..., None], lambda x: x[..., None], [(3, 4)]),
    structural("getitem", "getitem-mixed", lambda x: x[1:, None, -1], lambda x: x[1:, None, -1], [(3, 4)]),
    # the transpose of getitem (reached by differentiating a VJP of getitem)
    structural("slice_scatter", "slice_scatter", _scatter, _np_scatter, [(2, 2)]),
    structural(
        "concatenate", "concatenate-axis0",
        lambda a, b: wnp.concatenate([a, b]), lambda a, b: np.concatenate([a, b]), [(2, 3), (4, 3)],
    ),
    structural(
        "concatenate", "concatenate-axis1",
        lambda a, b: wnp.concatenate((a, b), axis=1), lambda a, b: np.concatenate((a, b), axis=1), [(3, 2), (3, 1)],
    ),
    structural(
        "concatenate", "concatenate-three",
        lambda a, b, c: wnp.concatenate([a, b, c], axis=-1),
        lambda a, b, c: np.concatenate([a, b, c], axis=-1), [(2, 1), (2, 2), (2, 3)],
    ),
    structural("concatenate", "stack", lambda a, b: wnp.stack([a, b]), lambda a, b: np.stack([a, b]), [(3,), (3,)]),
    structural(
        "concatenate", "stack-axis1",
        lambda a, b: wnp.stack([a, b], axis=1), lambda a, b: np.stack([a, b], axis=1), [(3, 2), (3, 2)],
    ),
    structural(
        "where", "where", lambda a, b: wnp.where(_COND, a, b), lambda a, b: np.where(_COND, a, b), [(3, 4), (3, 4)]
    ),
    structural(
        "where", "where-broadcast",
        lambda a, b: wnp.where(_COND, a, b), lambda a, b: np.where(_COND, a, b), [(3, 1), (4,)],
    ),
    structural(
        "where", "where-scalar",
        lambda a: wnp.where(_COND, a, 0.0), lambda a: np.where(_COND, a, 0.0), [(3, 4)],
        dtypes=[(F64,), (C128,), (F32,), (C64,)],
    ),
    structural(
        "astype", "astype-complex128", lambda x: _astype(x, np.complex128), lambda x: x.astype(np.complex128),
        [(3, 4)], dtypes=[(F64,), (F32,), (C64,), (C128,)],
    ),
    structural(
        "astype", "astype-complex64", lambda x: _astype(x, np.complex64), lambda x: x.astype(np.complex64),
        [(3, 4)], dtypes=[(C128,), (F64,), (F32,)], fd_ref=lambda x: x.astype(np.complex128),
    ),
    structural(
        "astype", "astype-float32", lambda x: _astype(x, np.float32), lambda x: x.astype(np.float32),
        [(3, 4)], dtypes=[(F64,)], fd_ref=lambda x: x,
    ),
    structural(
        "astype", "astype-float64", lambda x: _astype(x, np.float64), lambda x: x.astype(np.float64),
        [(3, 4)], dtypes=[(F32,)],
    ),
]

CASES = {case.id: case for case in TABLE}
assert len(CASES) == len(TABLE), "duplicate ids in the primitive table"


def _params(case_filter=lambda case: True, shapes="all", dtype_filter=lambda dtypes: True):
    params = []
    for case in TABLE:
        if not case_filter(case):
            continue
        shape_sets = case.shapes if shapes == "all" else case.shapes[-1:]
        for shp in shape_sets:
            for dts in case.dtypes:
                if not dtype_filter(dts):
                    continue
                sid = "x".join("s" if s == () else "-".join(map(str, s)) for s in shp)
                did = "-".join(np.dtype(d).name for d in dts)
                params.append(pytest.param(case, shp, dts, id=f"{case.id}-{sid}-{did}"))
    return params


ALL_PARAMS = _params()


def _inputs(rng, case, shapes, dtypes):
    return tuple(random_array(rng, s, d, dom) for s, d, dom in zip(shapes, dtypes, case.domains))


def _tangents(rng, args):
    return tuple(random_tangent(rng, a.shape, a.dtype) for a in args)


def _fd_ref(case):
    return case.fd_ref or case.ref


# ---------------------------------------------------------------- coverage of the core


def test_primitive_names_is_a_tuple_of_strings():
    names = w.primitive_names()
    assert isinstance(names, tuple)
    assert names and all(isinstance(n, str) for n in names)
    assert len(set(names)) == len(names), "duplicate primitive names"


def test_primitive_names_include_every_elementwise_rule():
    missing = sorted(set(ELEMENTWISE) - set(w.primitive_names()))
    assert not missing, f"w.primitive_names() lacks element-wise primitives {missing}"


def test_every_primitive_has_a_table_entry():
    covered = {case.name for case in TABLE}
    missing = sorted(set(w.primitive_names()) - covered)
    assert not missing, (
        f"primitives without an entry in tests/test_primitives.py TABLE: {missing}; "
        "add a row with its domain, dtypes and a NumPy reference"
    )


# ---------------------------------------------------------------- value and dtype


@pytest.mark.parametrize("case,shapes,dtypes", ALL_PARAMS)
def test_value_matches_numpy(case, shapes, dtypes, rng):
    args = _inputs(rng, case, shapes, dtypes)
    expected = np.asarray(case.ref(*args))
    out, t_out = w.jvp(case.fn, args, _tangents(rng, args))
    out = np.asarray(out)
    assert out.dtype == expected.dtype, f"{case.id}: result dtype {out.dtype}, NumPy gives {expected.dtype}"
    assert np.asarray(t_out).dtype == expected.dtype, f"{case.id}: tangent dtype {np.asarray(t_out).dtype}"
    wide_expected = np.asarray(_fd_ref(case)(*[a.astype(np.result_type(a.dtype, np.float64)) for a in args]))
    assert_close(out, wide_expected, *tol(dtypes + (out.dtype,), "value"), err_msg=case.id)


# ---------------------------------------------------------------- the dot-product test


@pytest.mark.parametrize("case,shapes,dtypes", ALL_PARAMS)
def test_adjoint_vjp_is_the_adjoint_of_the_jvp(case, shapes, dtypes, rng):
    args = _inputs(rng, case, shapes, dtypes)
    ts = _tangents(rng, args)
    out, t_out = w.jvp(case.fn, args, ts)
    out2, vjp_fn = w.vjp(case.fn, *args, convention="adjoint")
    out, out2 = np.asarray(out), np.asarray(out2)
    assert out2.shape == out.shape and out2.dtype == out.dtype
    ct = random_tangent(rng, out.shape, out.dtype)
    cts = vjp_fn(ct)
    assert isinstance(cts, tuple) and len(cts) == len(args)
    for a, c in zip(args, cts):
        c = np.asarray(c)
        assert c.shape == a.shape, f"{case.id}: cotangent shape {c.shape} for input {a.shape}"
        assert c.dtype == a.dtype, f"{case.id}: cotangent dtype {c.dtype} for input {a.dtype}"
    lhs = inner(ct, t_out)
    rhs = sum(inner(c, t) for c, t in zip(cts, ts))
    rtol, _ = tol(dtypes + (out.dtype,), "exact")
    scale = np.linalg.norm(ct) * np.linalg.norm(t_out) + sum(
        np.linalg.norm(c) * np.linalg.norm(t) for c, t in zip(cts, ts)
    )
    assert abs(lhs - rhs) <= rtol * max(scale, 1e-30), f"{case.id}: <w, Jt> = {lhs} but <J*w, t> = {rhs}"


@pytest.mark.parametrize("case,shapes,dtypes", ALL_PARAMS)
def test_transpose_vjp_is_conj_adjoint_of_conj(case, shapes, dtypes, rng):
    args = _inputs(rng, case, shapes, dtypes)
    ts = _tangents(rng, args)
    _, t_out = w.jvp(case.fn, args, ts)
    out, vjp_adjoint = w.vjp(case.fn, *args, convention="adjoint")
    _, vjp_transpose = w.vjp(case.fn, *args, convention="transpose")
    out = np.asarray(out)
    ct = random_tangent(rng, out.shape, out.dtype)
    ct_t = vjp_transpose(ct)
    ct_a = vjp_adjoint(np.conj(ct))
    rtol, atol = tol(dtypes + (out.dtype,), "exact")
    for a, c_t, c_a in zip(args, ct_t, ct_a):
        c_t = np.asarray(c_t)
        assert c_t.shape == a.shape and c_t.dtype == a.dtype
        assert_close(c_t, np.conj(c_a), rtol, atol, err_msg=case.id)
    # the bilinear pairing: Re sum(w * Jt) = Re sum(vjp_transpose(w) * t)
    lhs = float(np.sum(ct * np.asarray(t_out)).real)
    rhs = sum(float(np.sum(np.asarray(c) * t).real) for c, t in zip(ct_t, ts))
    scale = np.linalg.norm(ct) * np.linalg.norm(t_out) + sum(
        np.linalg.norm(c) * np.linalg.norm(t) for c, t in zip(ct_t, ts)
    )
    assert abs(lhs - rhs) <= rtol * max(scale, 1e-30), f"{case.id}: {lhs} != {rhs}"


# ---------------------------------------------------------------- finite differences


@pytest.mark.parametrize("case,shapes,dtypes", ALL_PARAMS)
def test_jvp_matches_finite_differences_along_1_and_i(case, shapes, dtypes, rng):
    args = _inputs(rng, case, shapes, dtypes)
    real_dirs = tuple(random_tangent(rng, a.shape, np.float64).astype(a.dtype) for a in args)
    imag_dirs = tuple(
        (1j * random_tangent(rng, a.shape, np.float64)).astype(a.dtype) if is_complex(a.dtype) else np.zeros_like(a)
        for a in args
    )
    for label, ts in (("along 1", real_dirs), ("along i", imag_dirs)):
        if label == "along i" and not any(is_complex(a.dtype) for a in args):
            continue
        _, t_out = w.jvp(case.fn, args, ts)
        expected = fd_jvp(_fd_ref(case), args, ts)
        t_out = np.asarray(t_out)
        assert_close(t_out, expected, *tol(dtypes + (t_out.dtype,), "fd"), err_msg=f"{case.id} {label}")


SMALL_PARAMS = _params(shapes="last", dtype_filter=lambda dts: all(d in (F64, C128) for d in dts))


@pytest.mark.parametrize("case,shapes,dtypes", SMALL_PARAMS)
def test_real_jacobian_matches_finite_differences(case, shapes, dtypes, rng):
    """The 2x2 real Jacobian of each scalar rule (a larger one for structural ones)."""
    args = _inputs(rng, case, shapes, dtypes)
    for k in range(case.arity):

        def f(x, k=k):  # the other arguments enter as constants
            consts = [wnp.asarray(a) for a in args]
            return case.fn(*consts[:k], x, *consts[k + 1:])

        def ref(x, k=k):
            return _fd_ref(case)(*args[:k], x, *args[k + 1:])

        jac = np.asarray(w.real_jacobian(f)(args[k]))
        expected = fd_real_jacobian(ref, (args[k],))
        assert jac.dtype in (F32, F64), f"real_jacobian must be real, got {jac.dtype}"
        assert_close(jac, expected, *tol(dtypes, "fd"), err_msg=f"{case.id} argument {k}")


@pytest.mark.parametrize("case,shapes,dtypes", SMALL_PARAMS)
def test_wirtinger_pair_matches_finite_differences(case, shapes, dtypes, rng):
    args = _inputs(rng, case, shapes, dtypes)
    for k in range(case.arity):
        pair = w.wirtinger(case.fn, argnums=k)(*args)
        assert isinstance(pair, w.Wirtinger)
        A, B = fd_wirtinger(_fd_ref(case), args, k)
        rtol, atol = tol(dtypes, "fd")
        # difference errors scale with the whole derivative, not with one partial
        scale = max(np.max(np.abs(A), initial=0), np.max(np.abs(B), initial=0))
        assert_close(pair.dz, A, rtol, atol, err_msg=f"{case.id} d/dz, argument {k}", scale=scale)
        assert_close(pair.dzbar, B, rtol, atol, err_msg=f"{case.id} d/dzbar, argument {k}", scale=scale)
        if case.holomorphic and is_complex(args[k].dtype):
            assert np.all(np.asarray(pair.dzbar) == 0), f"{case.id} is holomorphic: d/dzbar must be exactly 0"


# ---------------------------------------------------------------- special points


def _zero(dtype):
    return np.zeros((), dtype)


@pytest.mark.parametrize("name", ["abs", "angle"])
@pytest.mark.parametrize("dtype", [F32, F64, C64, C128], ids=lambda d: d.name)
def test_derivative_at_zero_is_zero_forward_and_reverse(name, dtype):
    """SPEC §1: abs and angle have derivative 0 at 0 on every path and dtype."""
    fn = getattr(wnp, name)
    x = _zero(dtype)
    for d in directions(dtype):
        out, t_out = w.jvp(fn, (x,), (np.asarray(d, dtype),))
        assert np.asarray(t_out) == 0, f"forward {name}'(0) along {d}: {t_out}"
    for convention in ("adjoint", "transpose"):
        out, vjp_fn = w.vjp(fn, x, convention=convention)
        (ct,) = vjp_fn(np.ones((), np.asarray(out).dtype))
        assert np.asarray(ct).dtype == dtype
        assert np.asarray(ct) == 0, f"reverse ({convention}) {name}'(0): {ct}"
        assert np.asarray(w.grad(fn, convention=convention)(x)) == 0
    pair = w.wirtinger(fn)(x)
    assert pair.dz == 0 and pair.dzbar == 0
    assert np.all(np.asarray(w.real_jacobian(fn)(x)) == 0)


@pytest.mark.parametrize("name", ["abs", "angle"])
@pytest.mark.parametrize("dtype", [F32, F64, C64, C128], ids=lambda d: d.name)
def test_derivative_at_zero_is_zero_batched(name, dtype):
    """A zero inside an array: 0 there, the analytic derivative elsewhere."""
    fn = getattr(wnp, name)
    if is_complex(dtype):
        z = np.array([0, 1.5 - 0.5j, 0, -2 + 1j], dtype)
    else:
        z = np.array([0, 1.5, 0, -2], dtype)
    zw = z.astype(np.complex128)
    r = np.abs(zw)
    with np.errstate(divide="ignore", invalid="ignore"):
        if name == "abs":
            A = np.where(r == 0, 0, np.conj(zw) / (2 * r))
            B = np.where(r == 0, 0, zw / (2 * r))
        else:
            A = np.where(r == 0, 0, -0.5j * np.conj(zw) / r**2)
            B = np.where(r == 0, 0, 0.5j * zw / r**2)
    if not is_complex(dtype):  # a real input: A = B = (df/dx)/2
        A = B = 0.5 * (A + B).real
    rtol, atol = tol(dtype, "exact")
    for jac in (w.jacfwd, w.jacrev):
        j = jac(lambda v: fn(v))(z)
        if is_complex(dtype):
            assert isinstance(j, w.Wirtinger)
            assert_close(j.dz, np.diag(A), rtol, atol)
            assert_close(j.dzbar, np.diag(B), rtol, atol)
        else:
            assert not isinstance(j, tuple)
            assert_close(j, np.diag(A + B), rtol, atol)
    ts = np.ones_like(z) * (1 + 1j if is_complex(dtype) else 1)
    _, t_out = w.jvp(fn, (z,), (ts.astype(dtype),))
    assert t_out[0] == 0 and t_out[2] == 0
    for convention in ("adjoint", "transpose"):
        _, vjp_fn = w.vjp(fn, z, convention=convention)
        (ct,) = vjp_fn(np.ones(4, real_dtype(dtype)))
        assert ct[0] == 0 and ct[2] == 0
        assert np.all(np.isfinite(ct))


@pytest.mark.parametrize("name", ["sqrt", "log", "reciprocal"])
@pytest.mark.parametrize("dtype", [F32, F64, C64, C128], ids=lambda d: d.name)
def test_poles_and_branch_points_follow_ieee(name, dtype):
    """SPEC §1: at 0, values and derivatives are inf/nan as IEEE gives them, no exception."""
    fn = getattr(wnp, name)
    x = _zero(dtype)
    out, t_out = w.jvp(fn, (x,), (np.ones((), dtype),))
    out = np.asarray(out)
    _, vjp_fn = w.vjp(fn, x)
    (ct,) = vjp_fn(np.ones((), out.dtype))
    assert not np.isfinite(t_out), f"{name}'(0) forward should be inf/nan, got {t_out}"
    assert not np.isfinite(ct), f"{name}'(0) reverse should be inf/nan, got {ct}"
    if name == "sqrt":
        assert out == 0
    elif name == "log":
        assert np.real(out) == -np.inf
    else:
        assert not np.isfinite(out)
    if not is_complex(dtype):
        expected_value = {"sqrt": 0.0, "log": -np.inf, "reciprocal": np.inf}[name]
        expected_slope = {"sqrt": np.inf, "log": np.inf, "reciprocal": -np.inf}[name]
        assert out == expected_value
        assert t_out == expected_slope and ct == expected_slope
    # batched: the pole does not poison its neighbours
    z = np.array([0, 4, 0.25], dtype)
    _, t_out = w.jvp(fn, (z,), (np.ones(3, dtype),))
    with np.errstate(divide="ignore"):
        slope = {"sqrt": 0.5 / np.sqrt(z[1:]), "log": 1 / z[1:], "reciprocal": -1 / z[1:] ** 2}[name]
    assert not np.isfinite(t_out[0])
    assert_close(t_out[1:], slope.astype(dtype), *tol(dtype, "exact"))


def test_log_of_negative_real_follows_numpy():
    """Real log of a negative number is nan as in NumPy (not an exception)."""
    out, t_out = w.jvp(wnp.log, (np.float64(-1.0),), (np.float64(1.0),))
    assert np.isnan(out)


@pytest.mark.parametrize("dtype", [F64, C128, F32, C64], ids=lambda d: d.name)
def test_power_with_python_exponents(dtype):
    """x**n (int), x**r (real), x**c (complex) with weak Python scalar exponents."""
    rtol, atol = tol(dtype, "exact")
    x = np.asarray(-2.0, dtype)
    # integer exponent on a negative base: exact, as NumPy
    out, t_out = w.jvp(lambda v: v**3, (x,), (np.ones((), dtype),))
    assert np.asarray(out).dtype == dtype
    assert_close(out, np.asarray(-8.0, dtype), rtol, atol)
    assert_close(t_out, np.asarray(12.0, dtype), rtol, atol)
    assert_close(w.grad(lambda v: wnp.real(v**3))(x), np.asarray(12.0, dtype), rtol, atol)
    # zero base, positive integer exponent: value and slope 0
    out, t_out = w.jvp(lambda v: v**2, (np.zeros((), dtype),), (np.ones((), dtype),))
    assert out == 0 and t_out == 0
    # real exponent on a positive base
    x = np.asarray(4.0, dtype)
    out, t_out = w.jvp(lambda v: v**0.5, (x,), (np.ones((), dtype),))
    assert np.asarray(out).dtype == dtype
    assert_close(out, np.asarray(2.0, dtype), rtol, atol)
    assert_close(t_out, np.asarray(0.25, dtype), rtol, atol)
    # complex exponent: the result is complex; a real base gets a real cotangent
    c = 0.5 + 1j
    out, t_out = w.jvp(lambda v: v**c, (x,), (np.ones((), dtype),))
    out_dtype = np.result_type(dtype, np.complex64)
    assert np.asarray(out).dtype == out_dtype
    xd = complex(x)
    assert_close(out, np.asarray(xd**c, out_dtype), *tol(dtype, "value"))
    assert_close(t_out, np.asarray(c * xd ** (c - 1), out_dtype), *tol(dtype, "value"))
    _, vjp_fn = w.vjp(lambda v: v**c, x)
    (ct,) = vjp_fn(np.asarray(1j, out_dtype))
    assert np.asarray(ct).dtype == dtype
    # adjoint VJP: conj(f'(x)) * ct, projected on the reals for a real input
    expected = np.conj(c * xd ** (c - 1)) * 1j
    if not is_complex(dtype):
        expected = expected.real
    assert_close(ct, np.asarray(expected, dtype), *tol(dtype, "value"))


@pytest.mark.parametrize("dtype", [F64, C128, F32, C64], ids=lambda d: d.name)
def test_scalar_base_power(dtype, rng):
    """2.0 ** x (reflected power): derivative 2**x log 2."""
    x = random_array(rng, (3,), dtype)
    _, t_out = w.jvp(lambda v: 2.0**v, (x,), (np.ones(3, dtype),))
    xd = x.astype(np.complex128 if is_complex(dtype) else np.float64)
    assert_close(t_out, (2.0**xd * np.log(2.0)).astype(dtype), *tol(dtype, "value"))


@pytest.mark.parametrize("dtype", [F64, F32], ids=lambda d: d.name)
def test_relu_by_maximum_with_scalar(dtype):
    x = np.array([-1.5, -0.25, 0.5, 2.0], dtype)
    g = w.grad(lambda v: wnp.sum(wnp.maximum(v, 0.0)))(x)
    assert g.dtype == dtype
    np.testing.assert_array_equal(g, np.array([0, 0, 1, 1], dtype))
    g = w.grad(lambda v: wnp.sum(wnp.minimum(v, 0.0)))(x)
    np.testing.assert_array_equal(g, np.array([1, 1, 0, 0], dtype))


@pytest.mark.parametrize("name", ["maximum", "minimum"])
@pytest.mark.parametrize("dtype", [F64, F32], ids=lambda d: d.name)
def test_maximum_minimum_at_ties(name, dtype):
    """On the diagonal max(x, x) = x, so the derivative along (t, t) is t; the
    split between the two arguments is 1/2 each, as in JAX."""
    fn = getattr(wnp, name)
    x = np.array([0.5, -1.0, 2.0], dtype)
    g = w.grad(lambda v: wnp.sum(fn(v, v)))(x)
    np.testing.assert_array_equal(g, np.ones(3, dtype))
    _, t_out = w.jvp(fn, (x, x.copy()), (np.ones(3, dtype), np.ones(3, dtype)))
    np.testing.assert_array_equal(t_out, np.ones(3, dtype))
    ga, gb = w.grad(lambda a, b: wnp.sum(fn(a, b)), argnums=(0, 1))(x, x.copy())
    np.testing.assert_array_equal(ga, np.full(3, 0.5, dtype))
    np.testing.assert_array_equal(gb, np.full(3, 0.5, dtype))


@pytest.mark.parametrize("dtype", [F64, C128, F32, C64], ids=lambda d: d.name)
def test_power_zero_base_traced_exponent(dtype):
    """0**b = 0 for every b > 0, so d(0**b)/db = 0 (JAX's limit), not 0 * log(0) = nan."""
    a, b = np.zeros((), dtype), np.asarray(2.5, dtype)
    out, t_out = w.jvp(wnp.power, (a, b), (np.ones((), dtype), np.ones((), dtype)))
    assert out == 0
    assert t_out == 0, f"d(0**b) along (1, 1) at b = 2.5: {t_out}"
    ga, gb = w.grad(lambda x, y: wnp.real(x**y), argnums=(0, 1))(a, b)
    assert ga == 0 and gb == 0
