"""The engine's table of primitives drives the package: each entry is a function
of the engine gateway, and its batching rule (chosen by the entry's batching
kind and attribute kind alone) gives, for a batch of samples, what calling the
primitive on each sample gives. A primitive added to the engine without a row
here fails test_every_entry_has_a_row."""
import numpy as np
import pytest

from wirtinger import _core, _engine
from wirtinger._engine import Batched

RNG = np.random.default_rng(7)
N = 3  # samples


def _c(*shape):
    return RNG.normal(size=shape) + 1j * RNG.normal(size=shape)


def _r(*shape):
    return RNG.normal(size=shape)


UNARY = _core.unary_names()
BINARY = _core.binary_names()

# entry name -> (operands of one sample (NumPy), attributes). concat's operands are its list.
ROWS = {
    "unary": ([_c(2, 3)], [UNARY.index("exp")]),
    "binary": ([_c(2, 3), _c(3)], [BINARY.index("multiply")]),
    "cast": ([_c(2, 3)], [np.dtype("float64")]),
    "compare": ([_r(2, 3), _r(2, 3)], [0]),
    "broadcast_to": ([_c(3)], [[4, 2, 3]]),
    "reshape": ([_c(2, 3)], [[3, 1, 2]]),
    "transpose": ([_c(2, 3, 4)], [[2, 0, 1]]),
    "sum": ([_c(2, 3, 4)], [[0, 2]]),
    "prod": ([_c(2, 3)], [[1]]),
    "slice": ([_c(5, 4)], [[1, 0], [2, 3], [2, 2]]),
    "slice_scatter": ([_c(2, 2)], [[1, 0], [2, 3], [5, 4]]),
    "concat": ([_c(2, 3), _c(1, 3)], [0]),
    "select": ([_c(2, 3), _c(2, 3)], [RNG.random((2, 3)) < 0.5]),
    "select_var": ([_c(2, 3), _c(3), (_r(2, 3) > 0).astype(float)], []),
    "matmul": ([_c(2, 3), _c(3, 4)], []),
    "gather": ([_c(4, 3)], [np.array([3, 0, 0, 2]), 3, [2, 2, 3]]),
    "scatter_add": ([_c(4, 3)], [np.array([1, 0, 1, 4]), 3, [5, 3]]),
    "cumsum": ([_c(2, 3)], [1, True]),
    "cumprod": ([_c(3, 2)], [0]),
}
ENTRIES = {name: (arity, kind, batching) for name, arity, kind, batching in _core.primitives}


def test_every_entry_has_a_row():
    assert set(ENTRIES) == set(ROWS)


@pytest.mark.parametrize("name", sorted(ENTRIES))
def test_every_entry_is_a_function_of_the_gateway(name):
    assert getattr(_engine, name).__name__ == name


def _call(fn, name, operands, attrs):
    return fn(operands, *attrs) if ENTRIES[name][0] < 0 else fn(*operands, *attrs)


def _batched(name, batched_operands):
    """The entry applied to a batch of N samples (the operands marked True vary
    per sample, the others are shared), against its per-sample calls."""
    operands, attrs = ROWS[name]
    samples = [[x * (1 + 0.5 * s) if b else x for x, b in zip(operands, batched_operands)] for s in range(N)]
    expected = np.stack([_call(getattr(_core, name), name, [_core.from_numpy(np.ascontiguousarray(x)) for x in ops],
                               attrs).numpy() for ops in samples])
    level = _engine.new_level()
    with _engine.running([(level, N)]):
        args = [Batched(_core.from_numpy(np.stack([ops[i] for ops in samples])), N, level) if b
                else _core.from_numpy(np.ascontiguousarray(x)) for i, (x, b) in enumerate(zip(operands, batched_operands))]
        out = _call(getattr(_engine, name), name, args, attrs)
        assert type(out) is Batched and out.n == N and tuple(out.shape) == expected.shape[1:]
        got = _engine.to_structure(out, [(level, N)]).numpy()
    np.testing.assert_allclose(got, expected, rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("name", sorted(ROWS))
def test_a_batch_gives_each_sample_its_result(name):
    _batched(name, [True] * len(ROWS[name][0]))


@pytest.mark.parametrize("name", sorted(n for n in ROWS if len(ROWS[n][0]) > 1))
@pytest.mark.parametrize("which", [0, -1])
def test_shared_operands_are_used_by_every_sample(name, which):
    flags = [False] * len(ROWS[name][0])
    flags[which] = True
    _batched(name, flags)


def test_entries_refuse_wrong_calls_with_a_message():
    x = _core.from_numpy(_c(2, 3))
    with pytest.raises(TypeError, match="transpose: takes 2 arguments, got 3"):
        _core.transpose(x, [1, 0], [0, 1])
    with pytest.raises(TypeError, match="reshape: missing attribute"):
        _core.reshape(x)
    with pytest.raises(TypeError, match="binary: takes 2 operands"):
        _core.binary(x)
    with pytest.raises(ValueError, match="unary: no element-wise function number"):
        _core.unary(x, 10**6)
    with pytest.raises(ValueError, match="where: a fixed condition and both operands must have one shape"):
        _core.select(x, x, np.ones(5, bool))
