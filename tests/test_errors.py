"""Every error path the README's Bad input section promises: the right exception type, and a message that
names the call and the offending shapes/dtypes."""

import re

import numpy as np
import pytest

import wirtinger as w
import wirtinger.numpy as wnp


def _sq(x):
    return wnp.sum(x * x)


TRANSFORMS = ["grad", "value_and_grad", "jacfwd", "jacrev", "jacobian", "hessian", "wirtinger", "real_jacobian"]

# ---------------------------------------------------------------- integer inputs

INTS = [3, np.int64(3), np.int32(3), np.array([1, 2, 3]), np.array(3, np.int8)]


@pytest.mark.parametrize("x", INTS, ids=repr)
def test_integer_inputs_to_differentiate_are_type_errors(x):
    for transform in TRANSFORMS:
        with pytest.raises(TypeError) as info:
            getattr(w, transform)(_sq)(x)
        assert "int" in str(info.value).lower(), f"{transform}: message should name the integer dtype"
    with pytest.raises(TypeError):
        w.vjp(_sq, x)
    with pytest.raises(TypeError):
        w.jvp(_sq, (x,), (x,))


def test_integer_python_3_message_names_grad():
    with pytest.raises(TypeError) as info:
        w.grad(_sq)(3)
    assert "grad" in str(info.value)


def test_bool_inputs_to_differentiate_are_type_errors():
    with pytest.raises(TypeError):
        w.grad(lambda x: wnp.sum(x * 1.0))(np.array([True, False]))


def test_integer_arguments_outside_argnums_are_fine():
    g = w.grad(lambda x, n: x**n, argnums=0)(2.0, 3)
    assert g == 12.0
    with pytest.raises(TypeError):
        w.grad(lambda x, n: x**n, argnums=1)(2.0, 3)
    with pytest.raises(TypeError):
        w.grad(lambda x, n: x**n, argnums=(0, 1))(2.0, 3)


def test_integer_inside_a_pytree_is_a_type_error():
    with pytest.raises(TypeError):
        w.grad(lambda p: p["a"] * p["b"])({"a": 2.0, "b": 3})


# ---------------------------------------------------------------- non-callables


@pytest.mark.parametrize("transform", TRANSFORMS)
@pytest.mark.parametrize("f", [3, "sin", None, np.ones(3)], ids=repr)
def test_non_callable_is_a_type_error(transform, f):
    with pytest.raises(TypeError):
        getattr(w, transform)(f)(1.0)


@pytest.mark.parametrize("f", [3, None], ids=repr)
def test_non_callable_jvp_vjp_hvp(f):
    with pytest.raises(TypeError):
        w.jvp(f, (1.0,), (1.0,))
    with pytest.raises(TypeError):
        w.vjp(f, 1.0)
    with pytest.raises(TypeError):
        w.hvp(f, (1.0,), (1.0,))


# ---------------------------------------------------------------- jvp tangents


def _has_shape(msg, shape):
    spelled = {str(shape), str(list(shape)), "x".join(map(str, shape))}
    return any(s in msg for s in spelled)


def test_jvp_wrong_tangent_shape():
    x = np.ones(3)
    with pytest.raises((ValueError, TypeError)) as info:
        w.jvp(wnp.sin, (x,), (np.ones(4),))
    msg = str(info.value)
    assert "jvp" in msg
    assert _has_shape(msg, (3,)) and _has_shape(msg, (4,)), f"message should give both shapes: {msg!r}"


def test_jvp_wrong_tangent_dtype():
    """A real input has real tangents only."""
    with pytest.raises((ValueError, TypeError)) as info:
        w.jvp(wnp.sin, (np.ones(3),), (np.ones(3, np.complex128),))
    msg = str(info.value)
    assert "jvp" in msg and "complex128" in msg and "float64" in msg, msg


def test_jvp_tangent_count_must_match_primals():
    with pytest.raises((ValueError, TypeError)):
        w.jvp(lambda a, b: a * b, (1.0, 2.0), (1.0,))
    with pytest.raises((ValueError, TypeError)):
        w.jvp(lambda a: a, (1.0,), (1.0, 2.0))


def test_jvp_pytree_structure_must_match():
    with pytest.raises((ValueError, TypeError)):
        w.jvp(lambda p: p["a"], ({"a": 1.0},), ({"b": 1.0},))


# ---------------------------------------------------------------- vjp cotangents


def test_vjp_wrong_cotangent_shape():
    _, vjp_fn = w.vjp(wnp.sin, np.ones((2, 3)))
    with pytest.raises(ValueError) as info:
        vjp_fn(np.ones((3, 2)))
    msg = str(info.value)
    assert _has_shape(msg, (2, 3)) and _has_shape(msg, (3, 2)), f"message should give both shapes: {msg!r}"
    with pytest.raises(ValueError):
        vjp_fn(np.ones(6))


def test_vjp_wrong_cotangent_structure():
    _, vjp_fn = w.vjp(lambda x: (x, 2 * x), np.ones(2))
    with pytest.raises((ValueError, TypeError)):
        vjp_fn(np.ones(2))


def test_complex_cotangent_for_real_output():
    _, vjp_fn = w.vjp(wnp.abs, np.array([1 + 1j, 2j]))
    with pytest.raises(TypeError) as info:
        vjp_fn(np.ones(2, np.complex128))
    assert "complex" in str(info.value)


# ---------------------------------------------------------------- grad needs a real scalar


def test_grad_of_non_scalar_output():
    with pytest.raises(TypeError) as info:
        w.grad(wnp.sin)(np.ones(3))
    msg = str(info.value)
    assert "grad" in msg
    assert "jacobian" in msg or "vjp" in msg, f"the message should suggest jacobian or vjp: {msg!r}"
    assert re.search(r"\(3,\)|\[3\]", msg), f"the message should give the output shape (3,): {msg!r}"


def test_grad_of_non_scalar_output_value_and_grad():
    with pytest.raises(TypeError):
        w.value_and_grad(lambda x: x * 2)(np.ones((2, 2)))


def test_grad_of_complex_output_message():
    with pytest.raises(TypeError) as info:
        w.grad(lambda z: z * z)(1 + 1j)
    msg = str(info.value)
    assert "grad" in msg and "complex" in msg


def test_hessian_of_non_scalar_output():
    with pytest.raises(TypeError):
        w.hessian(wnp.sin)(np.ones(3))


def test_has_aux_requires_a_pair():
    with pytest.raises((TypeError, ValueError)):
        w.grad(lambda x: x * x, has_aux=True)(1.0)


def test_argnums_out_of_range():
    with pytest.raises((ValueError, TypeError)):
        w.grad(lambda x: x * x, argnums=1)(1.0)
    with pytest.raises((ValueError, TypeError)):
        w.grad(lambda x, y: x * y, argnums=(0, 2))(1.0, 2.0)


# ---------------------------------------------------------------- conventions


def test_unknown_convention():
    for call in (
        lambda: w.grad(_sq, convention="matlab")(1.0),
        lambda: w.vjp(_sq, 1.0, convention="matlab"),
        lambda: w.value_and_grad(_sq, convention="matlab")(1.0),
        lambda: w.set_convention("matlab"),
    ):
        with pytest.raises(ValueError) as info:
            call()
        assert "matlab" in str(info.value), "the message should repeat the bad name"


def test_unknown_convention_context():
    with pytest.raises(ValueError):
        with w.convention("matlab"):
            pass


# ---------------------------------------------------------------- wirtinger.numpy


def test_maximum_of_complex_is_rejected():
    """maximum/minimum are real-only primitives: complex order does not exist."""
    z = np.array([1 + 1j, 2 - 1j])
    for fn in (wnp.maximum, wnp.minimum):
        with pytest.raises((TypeError, ValueError)) as info:
            w.grad(lambda v: wnp.sum(wnp.abs(fn(v, 0.5))))(z)
        assert fn.__name__ in str(info.value) or "complex" in str(info.value)


def test_shape_mismatch_in_broadcasting():
    with pytest.raises(ValueError):
        w.grad(lambda a, b: wnp.sum(a * b))(np.ones(3), np.ones(4))
    with pytest.raises(ValueError):
        w.grad(lambda a: wnp.sum(wnp.reshape(a, (4, 2))))(np.ones(6))
    with pytest.raises(ValueError):
        w.grad(lambda a: wnp.sum(wnp.matmul(a, a)))(np.ones((2, 3)))


def test_index_out_of_range():
    with pytest.raises(IndexError):
        w.grad(lambda a: a[5])(np.ones(3))


def test_errors_leave_the_library_usable():
    """After any of the errors above, an ordinary call still works (no leaked trace state)."""
    for bad in (
        lambda: w.grad(wnp.sin)(np.ones(3)),
        lambda: w.grad(lambda x: x[5])(np.ones(3)),
        lambda: w.grad(lambda x: 1 / 0)(1.0),
    ):
        with pytest.raises(Exception):
            bad()
    assert w.grad(lambda x: x * x)(3.0) == 6.0
    out, t = w.jvp(wnp.sin, (0.0,), (1.0,))
    assert t == 1.0


def test_array_made_from_data_converts_it_or_says_why_not():
    """wirtinger.Array(data) converts as wnp.asarray does (it recursed without end
    on a NumPy array); data it cannot hold is a TypeError naming the dtype."""
    a = w.Array(np.arange(3.0))
    assert np.array_equal(np.asarray(a * a), [0.0, 1.0, 4.0])
    assert w.Array(2 + 1j).dtype == np.complex128
    with pytest.raises(TypeError, match="dtype <U1"):
        w.Array("x")
