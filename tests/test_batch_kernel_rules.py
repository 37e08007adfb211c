"""The batch kernel (and so the CUDA kernel, whose body it is) against the
generic vmap path, for every element-wise rule, every dtype of its table row in
test_primitives.py, and jacfwd, jacrev and wirtinger: the per-sample plan of
vmap(jacfwd(f)) must give the generic path's numbers for each rule."""
import numpy as np
import pytest

import jit_mode
import wirtinger as w
from helpers import random_array
from test_primitives import ELEMENTWISE, TABLE
from wirtinger import _batch_jacobian, _core

ROWS = {case.name: case for case in TABLE if case.name in ELEMENTWISE and case.id == case.name}
MAKERS = {"jacfwd": w.jacfwd, "jacrev": w.jacrev, "wirtinger": w.wirtinger}
SAMPLES, SIZE = 6, 3


def _cases():
    for name, case in sorted(ROWS.items()):
        for dtypes in case.dtypes:
            for maker in MAKERS:
                yield pytest.param(name, dtypes, maker, id=f"{name}-{'-'.join(np.dtype(d).name for d in dtypes)}-{maker}")


def test_every_element_wise_rule_has_a_row():
    rules = set(_core.unary_names()) | set(_core.binary_names())
    assert rules <= set(ROWS), f"rules without a row in test_primitives.TABLE: {sorted(rules - set(ROWS))}"


def _close(label, got, want, single):
    got, want = np.asarray(got), np.asarray(want)
    assert got.shape == want.shape and got.dtype == want.dtype, (label, got.shape, want.shape, got.dtype, want.dtype)
    np.testing.assert_array_equal(np.isnan(got), np.isnan(want), err_msg=label)
    fin = np.isfinite(want)
    np.testing.assert_array_equal(got[~fin & ~np.isnan(want)], want[~fin & ~np.isnan(want)], err_msg=label)
    rtol = 1e-4 if single else 1e-11
    err = np.abs(got[fin] - want[fin])
    assert np.all(err <= rtol * (1.0 + np.abs(want[fin]))), (label, float(np.max(err, initial=0.0)))


def _parts(result):
    if isinstance(result, w.Wirtinger):
        return [("d/dz", result.dz), ("d/dzbar", result.dzbar)]
    if isinstance(result, tuple):
        return [(f"argument {i} {label}", a) for i, r in enumerate(result) for label, a in _parts(r)]
    return [("", result)]


@pytest.mark.parametrize("name,dtypes,maker", list(_cases()))
def test_the_batch_kernel_gives_the_generic_paths_numbers(name, dtypes, maker):
    case = ROWS[name]
    rng = np.random.default_rng(abs(hash((name, dtypes, maker))) % 2**32)
    args = [random_array(rng, (SAMPLES, SIZE), d, dom) for d, dom in zip(dtypes, case.domains)]
    argnums = tuple(range(len(args))) if len(args) > 1 else 0
    jac = MAKERS[maker](case.fn, argnums=argnums)
    with np.errstate(all="ignore"):
        got = w.vmap(jac)(*args)
        if not jit_mode.ENABLED:  # under the suite's jit mode, vmap batches op by op anyway
            assert any(p is not None for p in _batch_jacobian.spec_of(jac).plans.values()), "the batch kernel did not run"
        with _batch_jacobian.generic_only():
            want = w.vmap(jac)(*args)
    single = any(np.dtype(d) in (np.float32, np.complex64) for d in dtypes)
    got_parts, want_parts = _parts(got), _parts(want)
    assert [label for label, _ in got_parts] == [label for label, _ in want_parts]
    for (label, g), (_, v) in zip(got_parts, want_parts):
        _close(f"{name} {maker} {label}", g, v, single)
