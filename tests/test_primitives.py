"""Every differentiable primitive, driven by one table.

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

import warnings
from dataclasses import dataclass
from typing import Callable, Optional

import mpmath
import numpy as np
import pytest

import wirtinger as w
import wirtinger.numpy as wnp
import wirtinger.scipy.special as wss
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
    "exp2 log2 log10 sign expit "
    "erf erfc erfcx erfinv ndtri gammaln gamma loggamma digamma i0 i1 i0e i1e exp1 expi "
    "add subtract multiply divide power maximum minimum hypot arctan2 logaddexp zeta expn gammainc gammaincc"
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
    traced: bool = True  # False: its result's shape depends on values (no jit, no vmap)

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


def structural(name, id, fn, ref, shapes, dtypes=None, domains=None, holomorphic=True, fd_ref=None, traced=True):
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
        traced=traced,
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

# Advanced indices: repeated and negative entries, a mask, and a mix with slices.
_IDX = np.array([2, 0, -1, 2])
_MASK = np.array([[True, False, True, True], [False, False, True, False], [True, True, False, True]])
_ROWS = np.array([[0, 2], [1, 1]])
_ORDER = np.array([[3, 0, 1, 2], [1, 1, 0, 3], [2, 3, 0, 0]])


def _np_set(x, v, key):
    out = np.array(x, copy=True)
    out[key] = v
    return out


def _np_ufunc_at(ufunc):
    def ref(x, v, key):
        out = np.array(x, copy=True)
        ufunc.at(out, key, v)
        return out

    return ref


def _np_cumprod_nested(x):
    return np.cumprod(x, axis=1)


def _np_gather_adjoint(ct):
    """The transpose of x[_IDX] on a (4, 3) array: rows added back, repeats summed."""
    out = np.zeros((4, 3), ct.dtype)
    np.add.at(out, _IDX, ct)
    return out


def _gather_adjoint(ct):
    _, vjp_fn = w.vjp(lambda y: y[_IDX], np.zeros((4, 3), np.dtype(ct.dtype)))
    return vjp_fn(ct)[0]


def _at(x):
    """x.at, for x a wirtinger array or a constant (a NumPy array when x is not differentiated)."""
    return wnp.asarray(x).at


def _expit_ref(z):
    with np.errstate(over="ignore"):
        return 1 / (1 + np.exp(-z))


def _mp(fn):
    """A reference from an mpmath function, element by element, in the input's dtype."""
    def ref(x):
        x = np.asarray(x)
        with mpmath.workdps(30):
            out = np.vectorize(lambda v: complex(fn(mpmath.mpc(complex(v)) if x.dtype.kind == "c" else mpmath.mpf(float(v)))),
                               otypes=[complex])(x)
        return (out if x.dtype.kind == "c" else out.real).astype(x.dtype)
    return ref


def _np_logsumexp(a, axis=None, b=None, keepdims=False, return_sign=False):
    """The definition, for inputs where it does not overflow (SciPy is not a test dependency)."""
    s = np.sum(np.exp(a) if b is None else b * np.exp(a), axis=axis, keepdims=keepdims)
    return (np.log(np.abs(s)), np.sign(s)) if return_sign else np.log(s)


def _np_softmax(x, axis=None):
    e = np.exp(x)
    return e / np.sum(e, axis=axis, keepdims=True)


def _np_put_along_axis(a, idx, v, axis):
    out = np.array(a, copy=True)
    np.put_along_axis(out, idx, v, axis)
    return out


def _at_dtypes():
    return [(F64, F64), (C128, C128), (C64, C64), (F32, F32), (C128, F64)]


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
    unary("sign", wnp.sign, np.sign, holomorphic=False),
    # element-wise, holomorphic, added with indexing
    unary("exp2", wnp.exp2, np.exp2),
    unary("log2", wnp.log2, np.log2, "pos"),
    unary("log10", wnp.log10, np.log10, "pos"),
    unary("expit", wss.expit, _expit_ref),
    # element-wise, special functions (SciPy's; real-only where SciPy's are)
    unary("erf", wss.erf, _mp(mpmath.erf), real_only=True),
    unary("erfc", wss.erfc, _mp(mpmath.erfc), real_only=True),
    unary("erfcx", wss.erfcx, _mp(lambda x: mpmath.exp(x * x) * mpmath.erfc(x)), real_only=True),
    unary("erfinv", wss.erfinv, _mp(mpmath.erfinv), "unit", real_only=True),
    unary("ndtri", wss.ndtri, _mp(lambda p: mpmath.sqrt(2) * mpmath.erfinv(2 * p - 1)), "prob", real_only=True),
    unary("gammaln", wss.gammaln, _mp(lambda x: mpmath.log(abs(mpmath.gamma(x)))), "pos", real_only=True),
    unary("gamma", wss.gamma, _mp(mpmath.gamma), "pos"),
    unary("loggamma", wss.loggamma, _mp(mpmath.loggamma), "pos"),
    unary("digamma", wss.digamma, _mp(mpmath.digamma), "pos"),
    unary("i0", wss.i0, _mp(lambda x: mpmath.besseli(0, x)), real_only=True),
    unary("i0", wnp.i0, np.i0, real_only=True, id="numpy-i0"),
    unary("i1", wss.i1, _mp(lambda x: mpmath.besseli(1, x)), real_only=True),
    unary("i0e", wss.i0e, _mp(lambda x: mpmath.besseli(0, x) * mpmath.exp(-abs(x))), real_only=True),
    unary("i1e", wss.i1e, _mp(lambda x: mpmath.besseli(1, x) * mpmath.exp(-abs(x))), real_only=True),
    structural("zeta", "zeta", lambda q: wss.zeta(2.5, q), _mp(lambda q: mpmath.zeta(2.5, q)), [(3, 4)],
               domains=("pos",), dtypes=[(F64,), (F32,)]),
    unary("exp1", wss.exp1, _mp(mpmath.e1), "pos", real_only=True),
    unary("expi", wss.expi, _mp(mpmath.ei), real_only=True),
    structural("expn", "expn", lambda x: wss.expn(3, x), _mp(lambda x: mpmath.expint(3, x)), [(3, 4)],
               domains=("pos",), dtypes=[(F64,), (F32,)]),
    structural("gammainc", "gammainc", lambda x: wss.gammainc(1.7, x),
               _mp(lambda x: mpmath.gammainc(1.7, 0, x, regularized=True)), [(3, 4)], domains=("pos",),
               dtypes=[(F64,), (F32,)]),
    structural("gammaincc", "gammaincc", lambda x: wss.gammaincc(1.7, x),
               _mp(lambda x: mpmath.gammainc(1.7, x, mpmath.inf, regularized=True)), [(3, 4)], domains=("pos",),
               dtypes=[(F64,), (F32,)]),
    # special functions as Gauss rules, and of parameters (differentiated in x)
    structural("dawsn", "dawsn", wss.dawsn,
               _mp(lambda x: mpmath.sqrt(mpmath.pi) / 2 * mpmath.exp(-x * x) * mpmath.erfi(x)), [(3, 4)],
               dtypes=[(F64,), (F32,)]),
    structural("fresnel", "fresnel-S", lambda x: wss.fresnel(x)[0], _mp(mpmath.fresnels), [(3, 4)],
               dtypes=[(F64,), (F32,)]),
    structural("fresnel", "fresnel-C", lambda x: wss.fresnel(x)[1], _mp(mpmath.fresnelc), [(3, 4)],
               dtypes=[(F64,), (F32,)]),
    structural("sici", "sici-Si", lambda x: wss.sici(x)[0], _mp(mpmath.si), [(3, 4)], dtypes=[(F64,), (F32,)]),
    structural("sici", "sici-Ci", lambda x: wss.sici(x)[1], _mp(mpmath.ci), [(3, 4)], domains=("pos",),
               dtypes=[(F64,), (F32,)]),
    structural("spence", "spence", wss.spence, _mp(lambda x: mpmath.polylog(2, 1 - x)), [(3, 4)], domains=("pos",),
               dtypes=[(F64,), (F32,)]),
    structural("owens_t", "owens_t-h", lambda h: wss.owens_t(h, 0.7),
               _mp(lambda h: mpmath.quad(lambda t: mpmath.exp(-h * h * (1 + t * t) / 2) / (1 + t * t), [0, 0.7])
                   / (2 * mpmath.pi)), [(3, 4)], dtypes=[(F64,), (F32,)]),
    structural("owens_t", "owens_t-a", lambda a: wss.owens_t(1.3, a),
               _mp(lambda a: mpmath.quad(lambda t: mpmath.exp(-1.69 * (1 + t * t) / 2) / (1 + t * t), [0, a])
                   / (2 * mpmath.pi)), [(3, 4)], dtypes=[(F64,), (F32,)]),
    structural("betainc", "betainc", lambda x: wss.betainc(1.5, 2.5, x),
               _mp(lambda x: mpmath.betainc(1.5, 2.5, 0, x, regularized=True)), [(3, 4)], domains=("prob",),
               dtypes=[(F64,), (F32,)]),
    structural("wofz", "wofz", wss.wofz, _mp(lambda z: mpmath.exp(-z * z) * mpmath.erfc(-1j * z)), [(3, 4)],
               dtypes=[(C128,), (C64,)]),
    structural("hyp2f1", "hyp2f1", lambda x: wss.hyp2f1(0.5, 1.5, 2.5, x),
               _mp(lambda x: mpmath.hyp2f1(0.5, 1.5, 2.5, x)), [(3, 4)], domains=("unit",), dtypes=[(F64,), (F32,)]),
    structural("hyp1f1", "hyp1f1", lambda x: wss.hyp1f1(0.5, 1.5, x), _mp(lambda x: mpmath.hyp1f1(0.5, 1.5, x)),
               [(3, 4)], dtypes=[(F64,), (F32,)]),
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
    binary("hypot", wnp.hypot, np.hypot, real_only=True),
    binary("arctan2", wnp.arctan2, np.arctan2, real_only=True),
    binary("logaddexp", wnp.logaddexp, np.logaddexp, real_only=True),
    binary("power", wnp.power, np.power, ("pos", "any"), id="power-array-exponent"),
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
    # advanced indexing: a gather; its adjoint is a scatter-add
    structural("gather", "getitem-int-array", lambda x: x[_IDX], lambda x: x[_IDX], [(4, 3)]),
    structural("gather", "getitem-int-list", lambda x: x[[1, -1, 1]], lambda x: x[[1, -1, 1]], [(3, 4)]),
    structural("gather", "getitem-mask", lambda x: x[_MASK], lambda x: x[_MASK], [(3, 4)]),
    structural("gather", "getitem-2d-index", lambda x: x[_ROWS], lambda x: x[_ROWS], [(3, 4)]),
    structural("gather", "getitem-slice-array", lambda x: x[:, _IDX[:2]], lambda x: x[:, _IDX[:2]], [(3, 4)]),
    structural(
        "gather", "getitem-two-arrays",
        lambda x: x[_IDX[:3], np.array([0, 3, 3])], lambda x: x[_IDX[:3], np.array([0, 3, 3])], [(3, 4)],
    ),
    structural(
        "gather", "getitem-separated-arrays",
        lambda x: x[np.array([1, 0]), :, np.array([2, 2])], lambda x: x[np.array([1, 0]), :, np.array([2, 2])],
        [(2, 3, 4)],
    ),
    structural(
        "gather", "getitem-batched-mask",
        lambda x: x[..., _MASK[0]], lambda x: x[..., _MASK[0]], [(2, 3, 4)],
    ),
    structural("gather", "getitem-array-newaxis", lambda x: x[None, _IDX, 1:], lambda x: x[None, _IDX, 1:], [(4, 3)]),
    structural("gather", "at-get", lambda x: x.at[_IDX].get(), lambda x: x[_IDX], [(4, 3)]),
    structural("gather", "take", lambda x: wnp.take(x, _IDX, axis=1), lambda x: np.take(x, _IDX, axis=1), [(2, 3)]),
    structural("gather", "take-flat", lambda x: wnp.take(x, _ROWS), lambda x: np.take(x, _ROWS), [(3, 4)]),
    structural(
        "gather", "take_along_axis",
        lambda x: wnp.take_along_axis(x, _ORDER, 1), lambda x: np.take_along_axis(x, _ORDER, 1), [(3, 4)],
    ),
    structural(
        "gather", "repeat-counts",
        lambda x: wnp.repeat(x, [2, 0, 1], axis=0), lambda x: np.repeat(x, [2, 0, 1], axis=0), [(3, 4)],
    ),
    structural(
        "gather", "pad-reflect",
        lambda x: wnp.pad(x, ((2, 1), (0, 3)), mode="reflect"), lambda x: np.pad(x, ((2, 1), (0, 3)), mode="reflect"),
        [(3, 4)],
    ),
    structural(
        "gather", "pad-wrap", lambda x: wnp.pad(x, 2, mode="wrap"), lambda x: np.pad(x, 2, mode="wrap"), [(3, 4)],
    ),
    structural(
        "gather", "pad-edge", lambda x: wnp.pad(x, (1, 2), mode="edge"), lambda x: np.pad(x, (1, 2), mode="edge"),
        [(3, 4)],
    ),
    # the transpose of gather (reached by differentiating a VJP of it), and x.at[...].add
    structural("scatter_add", "scatter_add", _gather_adjoint, _np_gather_adjoint, [(4, 3)]),
    structural(
        "scatter_add", "at-add",
        lambda x, v: _at(x)[_IDX].add(v), lambda x, v: _np_ufunc_at(np.add)(x, v, _IDX), [(4, 3), (4, 3)],
        dtypes=_at_dtypes(),
    ),
    structural(
        "scatter_add", "at-add-broadcast",
        lambda x, v: _at(x)[:, _IDX[:2]].add(v), lambda x, v: _np_ufunc_at(np.add)(x, v, (slice(None), _IDX[:2])),
        [(3, 4), (2,)], dtypes=_at_dtypes(),
    ),
    structural(
        "scatter_add", "at-set",
        lambda x, v: _at(x)[_IDX].set(v), lambda x, v: _np_set(x, v, _IDX), [(4, 3), (4, 3)], dtypes=_at_dtypes(),
    ),
    structural(
        "scatter_add", "at-set-mask",
        lambda x, v: _at(x)[_MASK].set(v), lambda x, v: _np_set(x, v, _MASK), [(3, 4), ()], dtypes=_at_dtypes(),
    ),
    structural(
        "scatter_add", "at-set-slice",
        lambda x, v: _at(x)[1:, ::2].set(v), lambda x, v: _np_set(x, v, (slice(1, None), slice(None, None, 2))),
        [(3, 4), (2, 2)], dtypes=_at_dtypes(),
    ),
    structural(
        "scatter_add", "at-multiply",
        lambda x, v: _at(x)[_IDX].multiply(v), lambda x, v: _np_ufunc_at(np.multiply)(x, v, _IDX), [(4, 3), (4, 3)],
        dtypes=_at_dtypes(),
    ),
    structural(
        "scatter_add", "at-divide",
        lambda x, v: _at(x)[:, np.array([1, 1, 3, 1])].divide(v),
        lambda x, v: _np_ufunc_at(np.divide)(x, v, (slice(None), np.array([1, 1, 3, 1]))), [(2, 4), (4,)],
        dtypes=_at_dtypes(),
    ),
    # running sums and products
    structural("cumsum", "cumsum", wnp.cumsum, np.cumsum, [(3, 4)]),
    structural("cumsum", "cumsum-axis0", lambda x: wnp.cumsum(x, axis=0), lambda x: np.cumsum(x, axis=0), [(3, 4)]),
    structural(
        "cumsum", "cumsum-axis1", lambda x: wnp.cumsum(x, axis=-2), lambda x: np.cumsum(x, axis=-2), [(2, 3, 4)]
    ),
    structural("cumprod", "cumprod", wnp.cumprod, np.cumprod, [(5,)], domains=("prod",)),
    structural(
        "cumprod", "cumprod-axis1", lambda x: wnp.cumprod(x, axis=1), lambda x: np.cumprod(x, axis=1), [(2, 4, 3)],
        domains=("prod",),
    ),
    # rearrangements (composites of slices, concatenation, broadcasting)
    structural("flip", "flip", wnp.flip, np.flip, [(3, 4)]),
    structural("flip", "flip-axis", lambda x: wnp.flip(x, 1), lambda x: np.flip(x, 1), [(2, 3, 4)]),
    structural("roll", "roll", lambda x: wnp.roll(x, 5), lambda x: np.roll(x, 5), [(3, 4)]),
    structural(
        "roll", "roll-axes", lambda x: wnp.roll(x, (1, -1), (0, 1)), lambda x: np.roll(x, (1, -1), (0, 1)), [(3, 4)]
    ),
    structural("diff", "diff", wnp.diff, np.diff, [(3, 5)]),
    structural("diff", "diff-n2-axis0", lambda x: wnp.diff(x, 2, axis=0), lambda x: np.diff(x, 2, axis=0), [(4, 3)]),
    structural(
        "diff", "diff-prepend-append", lambda x, y: wnp.diff(x, prepend=1.5, append=y),
        lambda x, y: np.diff(x, prepend=1.5, append=y), [(3, 4), (3, 2)],
    ),
    structural("cross", "cross", wnp.cross, np.cross, [(4, 3), (4, 3)]),
    structural("cross", "cross-broadcast", wnp.cross, np.cross, [(2, 1, 3), (4, 3)]),
    structural(
        "cross", "cross-axes", lambda x, y: wnp.cross(x, y, axisa=0, axisb=1, axisc=0),
        lambda x, y: np.cross(x, y, axisa=0, axisb=1, axisc=0), [(3, 4), (4, 3)],
    ),
    structural("cross", "cross-axis", lambda x, y: wnp.cross(x, y, axis=0), lambda x, y: np.cross(x, y, axis=0),
               [(3, 2), (3, 2)]),
    structural("tril", "tril", wnp.tril, np.tril, [(3, 4)]),
    structural("tril", "tril-k-batch", lambda x: wnp.tril(x, -1), lambda x: np.tril(x, -1), [(2, 4, 3)]),
    structural("tril", "tril-1d", wnp.tril, np.tril, [(3,)]),
    structural("triu", "triu", wnp.triu, np.triu, [(4, 3)]),
    structural("triu", "triu-k-batch", lambda x: wnp.triu(x, 2), lambda x: np.triu(x, 2), [(2, 3, 5)]),
    structural("tile", "tile", lambda x: wnp.tile(x, (2, 1, 3)), lambda x: np.tile(x, (2, 1, 3)), [(3, 2)]),
    structural("repeat", "repeat", lambda x: wnp.repeat(x, 3, axis=1), lambda x: np.repeat(x, 3, axis=1), [(2, 3)]),
    structural("pad", "pad", lambda x: wnp.pad(x, ((1, 2), (0, 1))), lambda x: np.pad(x, ((1, 2), (0, 1))), [(3, 4)]),
    structural(
        "pad", "pad-constant-values",
        lambda x: wnp.pad(x, 1, constant_values=(2.0, -1.0)), lambda x: np.pad(x, 1, constant_values=(2.0, -1.0)),
        [(3, 4)],
    ),
    # NumPy surface: joining and splitting, extremes and order statistics, moments,
    # element-wise compositions, polynomials and convolution
    structural("vstack", "vstack", lambda a, b: wnp.vstack([a, b]), lambda a, b: np.vstack([a, b]), [(3,), (2, 3)]),
    structural("hstack", "hstack", lambda a, b: wnp.hstack([a, b]), lambda a, b: np.hstack([a, b]), [(2, 3), (2, 1)]),
    structural("dstack", "dstack", lambda a, b: wnp.dstack((a, b)), lambda a, b: np.dstack((a, b)), [(2, 3), (2, 3)]),
    structural("column_stack", "column_stack", lambda a, b: wnp.column_stack([a, b]),
               lambda a, b: np.column_stack([a, b]), [(3,), (3, 2)]),
    structural("block", "block", lambda a, b: wnp.block([[a, b], [b, a]]), lambda a, b: np.block([[a, b], [b, a]]),
               [(2, 2), (2, 2)]),
    structural("split", "split", lambda x: wnp.split(x, [1, 3], axis=1)[1], lambda x: np.split(x, [1, 3], axis=1)[1],
               [(2, 4)]),
    structural("array_split", "array_split", lambda x: wnp.array_split(x, 3)[0] * 2,
               lambda x: np.array_split(x, 3)[0] * 2, [(5, 2)]),
    structural("atleast_3d", "atleast_3d", wnp.atleast_3d, np.atleast_3d, [(3, 2)]),
    structural("append", "append", lambda a, b: wnp.append(a, b, axis=0), lambda a, b: np.append(a, b, axis=0),
               [(2, 3), (1, 3)]),
    structural("insert", "insert", lambda a, v: wnp.insert(a, [1, 3, 3], v, axis=1),
               lambda a, v: np.insert(a, [1, 3, 3], v, axis=1), [(2, 4), (3,)],
               dtypes=[(F64, F64), (C128, C128), (C64, C64), (F32, F32), (C128, F64)]),
    structural("delete", "delete", lambda a: wnp.delete(a, [0, 2], axis=1), lambda a: np.delete(a, [0, 2], axis=1),
               [(2, 4)]),
    structural("rot90", "rot90", lambda a: wnp.rot90(a, 3), lambda a: np.rot90(a, 3), [(2, 3)]),
    structural("diag", "diag", lambda a: wnp.diag(a, -1), lambda a: np.diag(a, -1), [(3,)]),
    structural("diag", "diag-of-matrix", lambda a: wnp.diag(a, 1), lambda a: np.diag(a, 1), [(3, 4)]),
    structural("meshgrid", "meshgrid", lambda a, b: wnp.meshgrid(a, b)[1] * 2, lambda a, b: np.meshgrid(a, b)[1] * 2,
               [(3,), (2,)]),
    structural("vander", "vander", lambda a: wnp.vander(a, 4), lambda a: np.vander(a, 4), [(3,)]),
    structural("max", "max", wnp.max, np.max, [(3, 4)], dtypes=[(F64,), (F32,)]),
    structural("max", "max-axis", lambda x: wnp.max(x, axis=1, keepdims=True),
               lambda x: np.max(x, axis=1, keepdims=True), [(3, 4)], dtypes=[(F64,), (F32,)]),
    structural("min", "amin-axes", lambda x: wnp.amin(x, axis=(0, 2)), lambda x: np.amin(x, axis=(0, 2)),
               [(2, 3, 4)], dtypes=[(F64,), (F32,)]),
    structural("max", "max-method", lambda x: x.max(axis=0), lambda x: x.max(axis=0), [(3, 4)], dtypes=[(F64,)]),
    structural("ptp", "ptp", lambda x: wnp.ptp(x, axis=0), lambda x: np.ptp(x, axis=0), [(3, 4)], dtypes=[(F64,)]),
    structural("sort", "sort", wnp.sort, np.sort, [(3, 4)]),
    structural("sort", "sort-axis0", lambda x: wnp.sort(x, axis=0), lambda x: np.sort(x, axis=0), [(3, 4)]),
    structural("median", "median", lambda x: wnp.median(x, axis=1), lambda x: np.median(x, axis=1), [(3, 4)],
               dtypes=[(F64,), (F32,)]),
    structural("quantile", "quantile", lambda x: wnp.quantile(x, [0.2, 0.9], axis=0),
               lambda x: np.quantile(x, [0.2, 0.9], axis=0), [(5, 3)], dtypes=[(F64,)]),
    structural("percentile", "percentile-midpoint", lambda x: wnp.percentile(x, 30, method="midpoint"),
               lambda x: np.percentile(x, 30, method="midpoint"), [(7,)], dtypes=[(F64,)]),
    structural("var", "var", lambda x: wnp.var(x, axis=0, ddof=1), lambda x: np.var(x, axis=0, ddof=1), [(4, 3)],
               holomorphic=False),
    structural("std", "std", lambda x: wnp.std(x, axis=1), lambda x: np.std(x, axis=1), [(3, 4)], holomorphic=False),
    structural("average", "average-weights", lambda x, wt: wnp.average(x, axis=1, weights=wt),
               lambda x, wt: np.average(x, axis=1, weights=wt), [(3, 4), (4,)], domains=("any", "pos"),
               dtypes=[(F64, F64), (C128, F64)]),
    structural("nansum", "nansum", lambda x: wnp.nansum(x, axis=0), lambda x: np.nansum(x, axis=0), [(3, 4)]),
    structural("nanmean", "nanmean", wnp.nanmean, np.nanmean, [(3, 4)]),
    structural("cov", "cov", wnp.cov, np.cov, [(3, 5)], holomorphic=False),
    structural("corrcoef", "corrcoef", wnp.corrcoef, np.corrcoef, [(3, 5)], dtypes=[(F64,)]),
    structural("cbrt", "cbrt", wnp.cbrt, np.cbrt, [(3, 4)], dtypes=[(F64,), (F32,)]),
    structural("sinc", "sinc", wnp.sinc, np.sinc, [(3, 4)]),
    structural("logaddexp2", "logaddexp2", wnp.logaddexp2, np.logaddexp2, [(3, 4), (4,)],
               dtypes=[(F64, F64), (F32, F32)]),
    structural("float_power", "float_power", wnp.float_power, np.float_power, [(3, 4), (4,)],
               domains=("pos", "any"), dtypes=[(F64, F64), (C128, C128)]),
    structural("fmax", "fmax", wnp.fmax, np.fmax, [(3, 4), (4,)], dtypes=[(F64, F64), (F32, F32)]),
    structural("fmod", "fmod", lambda a: wnp.fmod(a, 0.3), lambda a: np.fmod(a, 0.3), [(3, 4)],
               dtypes=[(F64,)]),
    structural("remainder", "remainder", lambda a: wnp.remainder(a, 0.35), lambda a: np.remainder(a, 0.35),
               [(3, 4)], dtypes=[(F64,)]),
    structural("copysign", "copysign", lambda a: wnp.copysign(a, np.array([1.0, -1.0, -2.0, 3.0])),
               lambda a: np.copysign(a, np.array([1.0, -1.0, -2.0, 3.0])), [(3, 4)], dtypes=[(F64,)]),
    structural("deg2rad", "deg2rad", wnp.deg2rad, np.deg2rad, [(3, 4)], dtypes=[(F64,), (F32,)]),
    structural("unwrap", "unwrap", lambda p: wnp.unwrap(p * 4), lambda p: np.unwrap(p * 4), [(6,)], dtypes=[(F64,)]),
    structural("interp", "interp", lambda x, fp: wnp.interp(x, np.array([-2.0, -0.5, 0.3, 2.0]), fp),
               lambda x, fp: np.interp(x, np.array([-2.0, -0.5, 0.3, 2.0]), fp), [(5,), (4,)],
               dtypes=[(F64, F64), (F64, C128)]),
    structural("convolve", "convolve", wnp.convolve, np.convolve, [(5,), (3,)]),
    structural("convolve", "convolve-same", lambda a, v: wnp.convolve(a, v, "same"),
               lambda a, v: np.convolve(a, v, "same"), [(3,), (4,)]),
    structural("correlate", "correlate", lambda a, v: wnp.correlate(a, v, "full"),
               lambda a, v: np.correlate(a, v, "full"), [(5,), (3,)], holomorphic=False),
    structural("polyval", "polyval", wnp.polyval, np.polyval, [(4,), (3, 2)]),
    structural("polymul", "polymul", wnp.polymul, np.polymul, [(3,), (2,)]),
    structural("polyder", "polyder", lambda p: wnp.polyder(p, 2), lambda p: np.polyder(p, 2), [(5,)]),
    structural("poly", "poly", wnp.poly, np.poly, [(3,)]),
    structural("trapezoid", "trapezoid", lambda y, x: wnp.trapezoid(y, x, axis=0),
               lambda y, x: np.trapezoid(y, x, axis=0), [(4, 3), (4,)], dtypes=[(F64, F64), (C128, F64)]),
    structural("gradient", "gradient", lambda f: wnp.gradient(f, 0.5, axis=1, edge_order=2),
               lambda f: np.gradient(f, 0.5, axis=1, edge_order=2), [(3, 5)]),
    structural("vecdot", "vecdot", wnp.vecdot, lambda a, b: np.sum(np.conj(a) * b, axis=-1), [(3, 4), (4,)],
               holomorphic=False),
    structural("matvec", "matvec", wnp.matvec, lambda a, b: np.einsum("...ij,...j->...i", a, b), [(2, 3, 4), (4,)]),
    structural("select", "select", lambda a, b: wnp.select([_COND, ~_COND], [a, b]),
               lambda a, b: np.select([_COND, ~_COND], [a, b]), [(3, 4), (3, 4)]),
    structural("compress", "compress", lambda a: wnp.compress([True, False, True], a, axis=0),
               lambda a: np.compress([True, False, True], a, axis=0), [(3, 4)]),
    structural("put_along_axis", "put_along_axis",
               lambda a, v: wnp.put_along_axis(a, np.array([[1], [0], [3]]), v, 1, inplace=False),
               lambda a, v: _np_put_along_axis(a, np.array([[1], [0], [3]]), v, 1), [(3, 4), (3, 1)],
               dtypes=[(F64, F64), (C128, C128), (C64, C64), (F32, F32), (C128, F64)]),
    structural("apply_along_axis", "apply_along_axis", lambda a: wnp.apply_along_axis(lambda r: r[::2] * r[0], 1, a),
               lambda a: np.apply_along_axis(lambda r: r[::2] * r[0], 1, a), [(3, 4)]),
    structural("roots", "roots", lambda p: wnp.sort_complex(wnp.roots(p, strip_zeros=False)),
               lambda p: np.sort_complex(np.roots(p).astype(np.result_type(p.dtype, np.complex64))), [(4,)],
               dtypes=[(F64,), (C128,)]),
    structural("polyfit", "polyfit", lambda x, y: wnp.polyfit(x, y, 2), lambda x, y: np.polyfit(x, y, 2),
               [(6,), (6,)], dtypes=[(F64, F64)]),
    structural("polydiv", "polydiv", lambda u, v: wnp.polydiv(u, v)[0], lambda u, v: np.polydiv(u, v)[0],
               [(5,), (3,)], domains=("prod", "prod"), dtypes=[(F64, F64), (C128, C128)], traced=False),
    # scipy.special compositions (their special values are tested in test_numpy_surface.py)
    structural("xlogy", "xlogy", wss.xlogy, lambda x, y: x * np.log(y), [(3, 4), (4,)], domains=("any", "pos"),
               dtypes=[(F64, F64), (C128, C128), (F32, F32)]),
    structural("xlog1py", "xlog1py", wss.xlog1py, lambda x, y: x * np.log1p(y), [(3, 4), (4,)],
               domains=("any", "pos"), dtypes=[(F64, F64), (C128, C128)]),
    structural("logit", "logit", wss.logit, lambda p: np.log(p / (1 - p)), [(3, 4)], domains=("prob",)),
    structural("entr", "entr", wss.entr, lambda x: -x * np.log(x), [(3, 4)], domains=("pos",),
               dtypes=[(F64,), (F32,)]),
    structural("rel_entr", "rel_entr", wss.rel_entr, lambda x, y: x * np.log(x / y), [(3, 4), (4,)],
               domains=("pos", "pos"), dtypes=[(F64, F64)]),
    structural("kl_div", "kl_div", wss.kl_div, lambda x, y: x * np.log(x / y) - x + y, [(3, 4), (4,)],
               domains=("pos", "pos"), dtypes=[(F64, F64)]),
    structural("boxcox", "boxcox", lambda x: wss.boxcox(x, np.array([0.0, 0.5, -1.5, 2.0])),
               lambda x: np.where(np.array([0.0, 0.5, -1.5, 2.0]) == 0, np.log(x),
                                  (x ** np.array([1.0, 0.5, -1.5, 2.0]) - 1) / np.array([1.0, 0.5, -1.5, 2.0])),
               [(3, 4)], domains=("pos",), dtypes=[(F64,)]),
    structural("boxcox1p", "boxcox1p", lambda x, l: wss.boxcox1p(x, l), lambda x, l: ((1 + x) ** l - 1) / l,
               [(3, 4), (4,)], domains=("pos", "pos"), dtypes=[(F64, F64)]),
    # contractions
    structural(
        "einsum", "einsum-matmul", lambda a, b: wnp.einsum("ij,jk->ik", a, b), lambda a, b: np.einsum("ij,jk->ik", a, b),
        [(3, 4), (4, 2)],
    ),
    structural(
        "einsum", "einsum-batch-implicit",
        lambda a, b: wnp.einsum("bij,jbk", a, b), lambda a, b: np.einsum("bij,jbk", a, b), [(2, 3, 4), (4, 2, 3)],
    ),
    structural(
        "einsum", "einsum-trace-diag",
        lambda a: wnp.einsum("iij->j", a), lambda a: np.einsum("iij->j", a), [(3, 3, 2)],
    ),
    structural(
        "einsum", "einsum-ellipsis-three",
        lambda a, b, c: wnp.einsum("...i,ij,j->...", a, b, c), lambda a, b, c: np.einsum("...i,ij,j->...", a, b, c),
        [(2, 3), (3, 4), (4,)],
    ),
    structural(
        "einsum", "einsum-outer-sum",
        lambda a, b: wnp.einsum("i,j->", a, b), lambda a, b: np.einsum("i,j->", a, b), [(3,), (2,)],
    ),
    structural(
        "tensordot", "tensordot",
        lambda a, b: wnp.tensordot(a, b, axes=([1, 2], [1, 0])), lambda a, b: np.tensordot(a, b, axes=([1, 2], [1, 0])),
        [(2, 3, 4), (4, 3, 2)],
    ),
    structural("tensordot", "tensordot-int", lambda a, b: wnp.tensordot(a, b, 1), lambda a, b: np.tensordot(a, b, 1),
               [(2, 3), (3, 2)]),
    structural("kron", "kron", wnp.kron, np.kron, [(2, 3), (3, 2)]),
    structural("kron", "kron-vec-mat", wnp.kron, np.kron, [(2,), (2, 3)]),
    # constructors differentiable in their arguments, real-only composites, SciPy
    structural(
        "linspace", "linspace", lambda a, b: wnp.linspace(a, b, 5), lambda a, b: np.linspace(a, b, 5), [(3,), (3,)],
    ),
    structural(
        "linspace", "linspace-axis",
        lambda a, b: wnp.linspace(a, b, 4, endpoint=False, axis=1),
        lambda a, b: np.linspace(a, b, 4, endpoint=False, axis=1), [(2,), ()],
    ),
    structural(
        "clip", "clip", lambda x: wnp.clip(x, -0.7, 0.9), lambda x: np.clip(x, -0.7, 0.9), [(3, 4)],
        dtypes=[(F64,), (F32,)],
    ),
    structural(
        "clip", "clip-arrays", lambda x, lo: wnp.clip(x, lo, 1.0), lambda x, lo: np.clip(x, lo, 1.0),
        [(3, 4), (4,)], dtypes=[(F64, F64), (F32, F32)],
    ),
    structural("logsumexp", "logsumexp", wss.logsumexp, _np_logsumexp, [(3, 4)]),
    structural(
        "logsumexp", "logsumexp-axis-keepdims",
        lambda x: wss.logsumexp(x, axis=1, keepdims=True),
        lambda x: _np_logsumexp(x, axis=1, keepdims=True), [(3, 4)],
    ),
    structural(
        "logsumexp", "logsumexp-b",
        lambda x, b: wss.logsumexp(x, axis=0, b=b), lambda x, b: _np_logsumexp(x, axis=0, b=b),
        [(3, 4), (4,)], domains=("any", "pos"), dtypes=[(F64, F64), (C128, C128), (C64, C64), (F32, F32), (C128, F64)],
    ),
    structural(
        "logsumexp", "logsumexp-sign",
        lambda x: wss.logsumexp(x, axis=-1, return_sign=True)[0],
        lambda x: _np_logsumexp(x, axis=-1, return_sign=True)[0], [(2, 3)], holomorphic=False,
    ),
    structural(
        "softmax", "softmax", lambda x: wss.softmax(x, axis=1), lambda x: _np_softmax(x, axis=1), [(3, 4)],
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
                marks = () if case.traced else (pytest.mark.eager_only,)
                params.append(pytest.param(case, shp, dts, id=f"{case.id}-{sid}-{did}", marks=marks))
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
            # zero up to the rounding of B = (J(1) + i·J(i))/2: a BLAS with fused multiply-adds
            # does not round (i·x)·y as i·(x·y)
            eps = np.finfo(np.asarray(pair.dzbar).real.dtype).eps
            assert np.max(np.abs(np.asarray(pair.dzbar)), initial=0) <= 16 * eps * scale, \
                f"{case.id} is holomorphic: d/dzbar must be 0 to rounding"


# ---------------------------------------------------------------- special points


def _zero(dtype):
    return np.zeros((), dtype)


@pytest.mark.parametrize("name", ["abs", "angle"])
@pytest.mark.parametrize("dtype", [F32, F64, C64, C128], ids=lambda d: d.name)
def test_derivative_at_zero_is_zero_forward_and_reverse(name, dtype):
    """README, Points with no derivative: abs and angle have derivative 0 at 0 on every path and dtype."""
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
    """README, Points with no derivative: at 0, values and derivatives are inf/nan as IEEE gives them, no exception."""
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


# ---------------------------------------------------------------- functions added with indexing


def _cumprod_by_prod(v):
    """cumprod through the prod primitive (an independent path, also exact at zeros)."""
    return wnp.stack([wnp.prod(v[: k + 1]) for k in range(v.shape[0])])


@pytest.mark.parametrize("dtype", [F64, C128, F32, C64], ids=lambda d: d.name)
@pytest.mark.parametrize("zeros_at", [(), (2,), (0, 3), (4,)])
def test_cumprod_derivative_is_exact_at_zeros(dtype, zeros_at, rng):
    x = random_array(rng, (5,), dtype, "prod")
    x[list(zeros_at)] = 0
    rtol, atol = tol(dtype, "exact")
    if is_complex(dtype):
        jf = w.jacfwd(wnp.cumprod, holomorphic=True)(x)
        jr = w.jacrev(wnp.cumprod, holomorphic=True)(x)
        jp = w.jacrev(_cumprod_by_prod, holomorphic=True)(x)
    else:
        jf, jr, jp = w.jacfwd(wnp.cumprod)(x), w.jacrev(wnp.cumprod)(x), w.jacrev(_cumprod_by_prod)(x)
    assert np.all(np.isfinite(jf)) and np.all(np.isfinite(jr))
    assert_close(jf, jp, rtol, atol)
    assert_close(jr, jp, rtol, atol)
    # d out_k / d x_j = prod_{i<=k, i!=j} x_i for j <= k, computed without division
    xd = x.astype(np.complex128)
    expected = np.array([[np.prod(np.delete(xd[: k + 1], j)) if j <= k else 0 for j in range(5)] for k in range(5)])
    expected = expected if is_complex(dtype) else expected.real
    assert_close(jf, expected.astype(jf.dtype), *tol(dtype, "value"))


@pytest.mark.parametrize("dtype", [F64, C128], ids=lambda d: d.name)
def test_cumprod_second_derivatives_exact_at_zeros(dtype, rng):
    """Nested transforms take cumprod's Var rules; compare with the prod path."""
    x = random_array(rng, (2, 4), dtype, "prod")
    x[0, 1] = 0
    x[1, 0] = 0
    w_ = random_array(rng, (2, 4), dtype)

    def f(v, cumprod=lambda v: wnp.cumprod(v, axis=1)):
        return wnp.real(wnp.sum(w_ * cumprod(v)))

    def g(v):
        return f(v, lambda u: wnp.stack([_cumprod_by_prod(u[0]), _cumprod_by_prod(u[1])]))

    H, Hp = w.hessian(f)(x), w.hessian(g)(x)
    rtol, atol = tol(dtype, "exact")
    if is_complex(dtype):
        assert_close(H.dz, Hp.dz, rtol, atol)
        assert_close(H.dzbar, Hp.dzbar, rtol, atol)
    else:
        assert_close(H, Hp, rtol, atol)
    t = random_tangent(rng, x.shape, dtype)
    assert_close(w.hvp(f, (x,), (t,)), w.hvp(g, (x,), (t,)), rtol, atol)


@pytest.mark.parametrize("dtype", [F64, F32, C128, C64], ids=lambda d: d.name)
def test_sign_has_derivative_zero_on_the_real_line_and_at_zero(dtype):
    x = np.array([-2.0, 0.0, 3.5], dtype)
    for d in (1.0, 1j) if is_complex(dtype) else (1.0,):
        _, t = w.jvp(wnp.sign, (x,), (np.full(3, d, dtype),))
        if d == 1.0:
            np.testing.assert_array_equal(t, np.zeros(3, dtype))
        else:  # along i, sign(x + iε) turns: d/dy (z/|z|) = i/|x| off 0
            np.testing.assert_allclose(t, np.array([1j / 2, 0, 1j / 3.5]), rtol=1e-6)
    if not is_complex(dtype):
        g = w.grad(lambda v: wnp.sum(wnp.sign(v) * v))(x)
        np.testing.assert_array_equal(g, np.sign(x))  # only the factor v contributes
    pair = w.wirtinger(wnp.sign)(np.zeros((), dtype))
    assert pair.dz == 0 and pair.dzbar == 0


def test_binary_rules_at_their_singular_points():
    """hypot and arctan2 at the origin: the minimal-norm subgradient 0, as abs and angle."""
    z = np.zeros(())
    for f in (wnp.hypot, wnp.arctan2):
        ga, gb = w.grad(f, argnums=(0, 1))(z, z)
        assert ga == 0 and gb == 0
    ga, gb = w.grad(wnp.arctan2, argnums=(0, 1))(1.0, -1.0)
    np.testing.assert_allclose([ga, gb], [-0.5, -0.5])


def test_logaddexp_and_expit_are_stable_at_extremes():
    a = np.array([1000.0, -1000.0, -np.inf, 3.0])
    b = np.array([1000.0, 5.0, 2.0, -np.inf])
    ga, gb = w.grad(lambda x, y: wnp.sum(wnp.logaddexp(x, y)), argnums=(0, 1))(a, b)
    np.testing.assert_allclose(ga, [0.5, 0.0, 0.0, 1.0])
    np.testing.assert_allclose(gb, [0.5, 1.0, 1.0, 0.0])
    x = np.array([-800.0, -30.0, 0.0, 30.0, 800.0])
    g = w.grad(lambda v: wnp.sum(wss.expit(v)))(x)
    assert np.all(np.isfinite(g))
    np.testing.assert_allclose(g, _expit_ref(x) * _expit_ref(-x), rtol=1e-12, atol=1e-300)
    assert "expit" not in dir(wnp)  # a SciPy function, not a NumPy one


@pytest.mark.parametrize("dtype", [F64, F32, C128, C64], ids=lambda d: d.name)
def test_logsumexp_gradient_is_the_softmax_without_overflow(dtype, rng):
    x0 = random_array(rng, (3, 4), dtype)
    x = (x0 + 2000).astype(dtype)  # exp(x) overflows in every dtype
    wide = (x.astype(np.complex128 if is_complex(dtype) else F64) - 2000)
    value = wss.logsumexp(x, axis=1)
    assert np.asarray(value).dtype == dtype
    assert_close(value, 2000 + _np_logsumexp(wide, axis=1), *tol(dtype, "value"))
    if is_complex(dtype):
        J = w.jacrev(lambda v: wss.logsumexp(v, axis=1), holomorphic=True)(x)
        J = np.stack([J[i, i] for i in range(3)])
    else:
        J = w.grad(lambda v: wnp.sum(wss.logsumexp(v, axis=1)))(x)
    assert np.all(np.isfinite(J))
    assert_close(J, _np_softmax(wide, axis=1), *tol(dtype, "value"))


def test_logsumexp_edge_cases_as_scipy():
    scipy_special = pytest.importorskip("scipy.special")
    cases = [
        dict(a=np.array([-np.inf, -np.inf])),
        dict(a=np.array([1.0, np.inf])),
        dict(a=np.array([1.0, np.inf, np.nan]), b=np.array([2.0, 0.0, 0.0])),
        dict(a=np.array([1.0, 2.0]), b=np.array([1.0, -1.0])),
        dict(a=np.array([1.0, 2.0]), b=np.array([1.0, -1.0]), return_sign=True),
        dict(a=np.array([1 + 2j, 2 - 3j]), return_sign=True),
        dict(a=np.array([1 + 3j, 2 + 3j])),
        dict(a=np.float64(2.0), keepdims=True),
        dict(a=np.zeros((2, 0)), axis=1),
    ]
    for kw in cases:
        with np.errstate(all="ignore"):
            expected = scipy_special.logsumexp(**kw)
            got = wss.logsumexp(**kw)
        for g, e in zip(got, expected) if kw.get("return_sign") else [(got, expected)]:
            g, e = np.asarray(g), np.asarray(e)
            assert g.shape == e.shape and g.dtype == e.dtype, kw
            np.testing.assert_allclose(g, e, rtol=1e-12, err_msg=str(kw))


def test_logsumexp_zero_weights_and_signs():
    """A zero weight drops its term (even an infinite one) from the value and the derivative."""
    g = w.grad(lambda a: wss.logsumexp(a, b=np.array([1.0, 0.0, 1.0])))(np.array([0.0, np.inf, 0.0]))
    np.testing.assert_allclose(g, [0.5, 0.0, 0.5])
    assert float(wss.logsumexp(np.array([0.0, np.nan]), b=np.array([2.0, 0.0]))) == np.log(2.0)
    out, sgn = wss.logsumexp(np.array([1.0, 2.0]), b=np.array([1.0, -1.0]), return_sign=True)
    np.testing.assert_allclose([float(out), float(sgn)], [np.log(np.e**2 - np.e), -1.0])
    with np.errstate(invalid="ignore"):
        assert np.isnan(float(wss.logsumexp(np.array([1.0, 2.0]), b=np.array([1.0, -1.0]))))
    z = np.array([1 + 2j, 2 - 3j])
    out, sgn = wss.logsumexp(z, return_sign=True)
    s = np.sum(np.exp(z))
    np.testing.assert_allclose(complex(sgn), s / abs(s))
    np.testing.assert_allclose(float(out), np.log(abs(s)))
    assert np.asarray(out).dtype == np.float64


def test_constructors():
    a = wnp.arange(4)
    assert isinstance(a, np.ndarray) and a.dtype.kind == "i"  # usable as an index
    f = wnp.arange(0.0, 1.0, 0.25)
    assert isinstance(f, w.Array) and f.dtype == np.float64
    np.testing.assert_array_equal(f, np.arange(0.0, 1.0, 0.25))
    np.testing.assert_array_equal(wnp.eye(3, 4, k=1, dtype=np.complex64), np.eye(3, 4, k=1, dtype=np.complex64))
    assert wnp.eye(2, dtype=np.complex64).dtype == np.complex64
    np.testing.assert_array_equal(wnp.identity(3), np.identity(3))
    np.testing.assert_array_equal(wnp.linspace(0, 1, 7), np.linspace(0, 1, 7))
    y, step = wnp.linspace(2.0, 3.0, 5, retstep=True)
    assert step == 0.25 and isinstance(y, w.Array)
    np.testing.assert_array_equal(wnp.zeros((2, 3)), np.zeros((2, 3)))
    np.testing.assert_array_equal(wnp.ones(2, dtype=np.float32), np.ones(2, np.float32))
    np.testing.assert_array_equal(wnp.full((2,), 1j), np.full((2,), 1j))
    with pytest.raises(TypeError, match="float or complex"):
        wnp.zeros(3, dtype=int)
    # linspace and full are differentiable in their arguments
    g = w.grad(lambda a, b: wnp.sum(wnp.linspace(a, b, 5)), argnums=(0, 1))(1.0, 3.0)
    np.testing.assert_allclose(g, [2.5, 2.5])
    assert float(w.grad(lambda s: wnp.sum(wnp.full((2, 3), s)))(2.0)) == 6.0
    y, step = wnp.linspace(wnp.asarray(0.0), 1.0, 5, retstep=True)
    assert float(step) == 0.25


@pytest.mark.parametrize("dtype", [F64, F32], ids=lambda d: d.name)
def test_clip(dtype):
    x = np.array([-2.0, -1.0, 0.0, 1.0, 2.0], dtype)
    out = wnp.clip(x, -1.0, 1.0)
    assert out.dtype == dtype
    np.testing.assert_array_equal(out, np.clip(x, -1, 1))
    g = w.grad(lambda v: wnp.sum(wnp.clip(v, -1.0, 1.0)))(x)
    np.testing.assert_array_equal(g, np.array([0, 0.5, 1, 0.5, 0], dtype))  # a bound is a tie of maximum/minimum
    np.testing.assert_array_equal(wnp.clip(x, min=0.5), np.clip(x, 0.5, None))  # np.clip has min= from NumPy 2.1
    np.testing.assert_array_equal(wnp.clip(x, None, 0.5), np.clip(x, None, 0.5))
    with pytest.raises(TypeError, match="real"):
        wnp.clip(x.astype(complex), 0, 1)


@pytest.mark.parametrize("dtype", [F64, C128, F32, C64], ids=lambda d: d.name)
def test_power_with_array_exponents(dtype, rng):
    """a**b with both arrays (broadcast): d/da = b a**(b-1), d/db = a**b log a."""
    a = random_array(rng, (3, 1), dtype, "pos")
    b = random_array(rng, (4,), dtype)
    ta, tb = random_tangent(rng, a.shape, dtype), random_tangent(rng, b.shape, dtype)
    out, t = w.jvp(lambda x, y: x**y, (a, b), (ta, tb))
    wide = np.complex128 if is_complex(dtype) else np.float64
    A, B = a.astype(wide), b.astype(wide)
    assert_close(out, (A**B).astype(dtype), *tol(dtype, "value"))
    expected = B * A ** (B - 1) * ta + A**B * np.log(A) * tb
    assert_close(t, expected.astype(dtype), *tol(dtype, "value"))
    # integer-valued exponents in an array still take the exact path: (-2)**3
    out = w.jvp(lambda x: x ** np.array([3.0, 2.0]), (np.array([-2.0, -2.0]),), (np.ones(2),))
    np.testing.assert_array_equal(out[0], [-8.0, 4.0])
    np.testing.assert_array_equal(out[1], [12.0, -4.0])


def test_einsum_errors_and_forms():
    a, b = np.ones((2, 3)), np.ones((3, 4))
    with pytest.raises(ValueError, match="operand"):
        wnp.einsum("ij,jk", a)
    with pytest.raises(ValueError, match="dimension"):
        wnp.einsum("ijk,jk", a, b)
    with pytest.raises(ValueError, match="broadcast"):
        wnp.einsum("ij,ij", a, np.ones((2, 4)))
    with pytest.raises(ValueError, match="does not appear"):
        wnp.einsum("ij->k", a)
    with pytest.raises(ValueError, match="ellipsis"):
        wnp.einsum("...j->j", np.ones((2, 3)))
    np.testing.assert_array_equal(wnp.einsum(a, [0, 1], b, [1, 2], [0, 2]), np.einsum(a, [0, 1], b, [1, 2], [0, 2]))
    np.testing.assert_array_equal(wnp.einsum("ii", np.diag([1.0, 2.0])), 3.0)
    np.testing.assert_array_equal(wnp.einsum("i,i", np.ones(1), np.ones(3)), 3.0)  # size-1 axes broadcast


_SECOND_ORDER = {
    "exp2": (wnp.exp2, "any"),
    "log2": (wnp.log2, "pos"),
    "log10": (wnp.log10, "pos"),
    "sign": (lambda x: wnp.sign(x) * x**3, "any"),
    "expit": (wss.expit, "any"),
    "gammaln": (wss.gammaln, "pos"),
    "digamma": (wss.digamma, "pos"),
    "erfcx": (wss.erfcx, "any"),
    "i1": (wss.i1, "any"),
    "i1e": (wss.i1e, "any"),
    "zeta": (lambda q: wss.zeta(3.0, q), "pos"),
    "expi": (wss.expi, "any"),
    "expn": (lambda x: wss.expn(2, x), "pos"),
    "gammainc": (lambda x: wss.gammainc(2.5, x), "pos"),
    "dawsn": (wss.dawsn, "any"),
    "fresnel": (lambda x: wss.fresnel(x)[0] * wss.fresnel(x)[1], "any"),
    "sici": (lambda x: wss.sici(x)[0] + wss.sici(x)[1], "pos"),
    "spence": (wss.spence, "pos"),
    "owens_t": (lambda x: wss.owens_t(x, x[::-1] * 2), "any"),
    "betainc": (lambda x: wss.betainc(2.5, 1.5, x), "prob"),
    "hyp1f1": (lambda x: wss.hyp1f1(0.5, 1.5, x), "any"),
    "wofz": (wss.wofz, "any"),
    "hyp2f1": (lambda x: wss.hyp2f1(0.5, 1.5, 2.5, x), "unit"),
    "hypot": (lambda x: wnp.hypot(x, x[::-1] + 0.5), "any"),
    "arctan2": (lambda x: wnp.arctan2(x, x[::-1] + 0.5), "any"),
    "logaddexp": (lambda x: wnp.logaddexp(x, 2 * x[::-1]), "any"),
}


@pytest.mark.parametrize("name", list(_SECOND_ORDER))
@pytest.mark.parametrize("dtype", [F64, C128], ids=lambda d: d.name)
def test_new_rules_second_derivatives(name, dtype, rng):
    """Nested transforms instantiate the rules with the engine's array type:
    the Hessian-vector product matches finite differences of the gradient."""
    fn, domain = _SECOND_ORDER[name]
    if is_complex(dtype) and name in ("hypot", "arctan2", "logaddexp", "gammaln", "erfcx", "i1", "i1e", "zeta", "expi",
                                      "expn", "gammainc", "dawsn", "fresnel", "sici", "spence", "owens_t",
                                      "betainc", "hyp1f1", "hyp2f1"):
        pytest.skip("real-only rule")
    x = random_array(rng, (4,), dtype, domain)
    c = random_array(rng, (4,), dtype)

    def loss(v):
        return wnp.real(wnp.sum(c * fn(v)))

    t = random_tangent(rng, (4,), dtype)
    hv = w.hvp(loss, (x,), (t,))
    g = w.grad(loss)
    h = 1e-5
    expected = (g(x + h * t) - g(x - h * t)) / (2 * h)
    assert_close(hv, expected, *tol(dtype, "fd"))


@pytest.mark.parametrize("shapes", [((4, 2), (4, 2)), ((2,), (3,)), ((3,), (2,))])
def test_cross_of_2_vectors_is_numpys_and_warns(shapes, rng):
    a, b = (random_array(rng, s, C128) for s in shapes)
    with pytest.warns(DeprecationWarning):
        got = wnp.cross(a, b)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        want = np.cross(a, b)
    assert_close(np.asarray(got), want, 1e-15, 1e-15)
    t = tuple(random_array(rng, s, C128) for s in shapes)
    with pytest.warns(DeprecationWarning):
        _, jvp = w.jvp(wnp.cross, (a, b), t)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        assert_close(np.asarray(jvp), np.cross(t[0], b) + np.cross(a, t[1]), 1e-14, 1e-14)
