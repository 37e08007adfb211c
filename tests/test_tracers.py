"""Values that escape the transform that made them (through a list, a global, a
closure) and are used after it returned raise UnexpectedTracerError, as JAX's
leaked tracers do; they are never reinterpreted as something else."""
import numpy as np
import pytest

import wirtinger as w
import wirtinger.numpy as wnp


def escaped_from_vmap():
    leak = []
    w.vmap(lambda x: leak.append(x) or x * 2)(np.arange(8.0).reshape(4, 2))
    return leak[0]


def escaped_from(transform):
    leak = []

    def f(x):
        y = wnp.sin(x) * 2.0
        leak.append(y)
        return wnp.sum(y)

    x = np.array([0.5, 1.5])
    {"grad": lambda: w.grad(f)(x), "jit": lambda: w.jit(f)(x), "jvp": lambda: w.jvp(f, (x,), (x,)),
     "vjp": lambda: w.vjp(f, x), "jacfwd": lambda: w.jacfwd(f)(x), "hessian": lambda: w.hessian(f)(x),
     "vmap": lambda: w.vmap(f)(x.reshape(2, 1))}[transform]()
    return leak[0]


TRANSFORMS = ["grad", "jit", "jvp", "vjp", "jacfwd", "hessian", "vmap"]


def test_the_issue_reproducers():
    leaked = escaped_from_vmap()
    with pytest.raises(w.UnexpectedTracerError, match="vmap"):
        w.grad(lambda x: wnp.sum(x * leaked))(np.ones(2))
    with pytest.raises(w.UnexpectedTracerError, match="vmap"):
        w.jit(lambda x: x * leaked)(np.ones(2))


def test_it_is_a_type_error():
    assert issubclass(w.UnexpectedTracerError, TypeError)


@pytest.mark.parametrize("transform", TRANSFORMS)
@pytest.mark.parametrize("use", ["op", "grad", "jit", "argument", "numpy", "float", "vmap"])
def test_every_use_of_an_escaped_value_raises(transform, use):
    leaked = escaped_from(transform)
    run = {
        "op": lambda: wnp.sin(leaked),
        "grad": lambda: w.grad(lambda x: wnp.sum(x * leaked))(np.ones(2)),
        "jit": lambda: w.jit(lambda x: x + leaked)(np.ones(2)),
        "argument": lambda: w.grad(lambda x: wnp.sum(wnp.sin(x)))(leaked),
        "numpy": lambda: np.asarray(leaked),
        "float": lambda: float(leaked[0]),
        "vmap": lambda: w.vmap(lambda x: x * leaked)(np.ones((3, 2))),
    }[use]
    expected = "vmap" if transform == "vmap" else "inside"
    with pytest.raises(w.UnexpectedTracerError, match=expected):
        run()


@pytest.mark.parametrize("transform", TRANSFORMS)
def test_repr_of_an_escaped_value_does_not_raise(transform):
    text = repr(escaped_from(transform))
    assert "escaped" in text or "batched" in text


def test_the_message_names_the_transform():
    leaked = escaped_from("grad")
    with pytest.raises(w.UnexpectedTracerError, match="created inside grad was used after grad returned"):
        wnp.cos(leaked)


def test_values_returned_from_a_transform_are_fine():
    x = np.array([0.5, 1.5])
    g = w.grad(lambda x: wnp.sum(wnp.sin(x)))(x)
    assert np.allclose(np.asarray(wnp.sin(g)), np.sin(np.cos(x)))
    (value, aux), g = w.value_and_grad(lambda x: (wnp.sum(x), x * 2), has_aux=True)(x)
    assert np.allclose(np.asarray(aux), 2 * x)


def test_a_vjp_function_works_after_vjp_returned():
    x = np.array([0.5, 1.5])
    out, vjp_fn = w.vjp(lambda x: wnp.sin(x) * x, x)
    assert np.allclose(vjp_fn(np.ones(2))[0], np.cos(x) * x + np.sin(x))
    assert np.allclose(w.jit(lambda c: vjp_fn(c)[0])(np.ones(2)), np.cos(x) * x + np.sin(x))


def test_a_vjp_function_that_escaped_a_jit_trace_raises():
    """Inside jit, the tape keeps values only while a sweep may read them: a vjp
    function carried out of the trace has nothing left to sweep."""
    leak = []

    def f(x):
        out, vjp_fn = w.vjp(wnp.sin, x)
        leak.append(vjp_fn)
        return out

    w.jit(f)(np.ones(2))
    with pytest.raises(w.UnexpectedTracerError, match="made inside jit"):
        leak[0](np.ones(2))


def test_values_inside_nested_transforms_stay_usable():
    x = np.array([0.5, 1.5])

    def inner(x):
        y = wnp.sin(x)
        g = w.grad(lambda u: wnp.sum(u * y))(x)  # y from the enclosing transform, inside another
        return wnp.sum(g * x)

    assert np.allclose(w.grad(inner)(x), np.sin(x) + x * np.cos(x))
