"""WIRTINGER_TEST_JIT=1: the whole suite with every transform run under jit.

Each transform is replaced by one that traces the call with ``wirtinger.jit``
and then replays the traced program on the same arguments; the replayed
result is what the test sees, so every assertion checks replay. Errors raised
while tracing reach the test as they would eagerly.
"""
import functools
import os

ENABLED = os.environ.get("WIRTINGER_TEST_JIT") == "1"

_FUNCTION_TRANSFORMS = ("grad", "value_and_grad", "jacfwd", "jacrev", "jacobian", "hessian", "wirtinger",
                        "real_jacobian")


def _traced_then_replayed(w, fn):
    jitted = w.jit(fn)

    @functools.wraps(fn)
    def call(*args, **kwargs):
        first = jitted(*args, **kwargs)
        if not jitted.cache_info():  # not cacheable (a closure over an enclosing transform's value)
            return first
        return jitted(*args, **kwargs)

    return call


def install():
    import wirtinger as w
    import wirtinger.transforms as t

    originals = {name: getattr(t, name) for name in _FUNCTION_TRANSFORMS + ("jvp", "vjp", "hvp")}

    def make_function_transform(name):
        original = originals[name]

        @functools.wraps(original)
        def transform(f, *args, **kwargs):
            return _traced_then_replayed(w, original(f, *args, **kwargs))

        return transform

    for name in _FUNCTION_TRANSFORMS:
        setattr(w, name, make_function_transform(name))

    def jvp(f, primals, tangents, has_aux=False):
        if not callable(f):
            return originals["jvp"](f, primals, tangents, has_aux)
        run = _traced_then_replayed(w, lambda p, t: originals["jvp"](f, tuple(p), tuple(t), has_aux=has_aux))
        return run(list(primals) if isinstance(primals, (tuple, list)) else primals,
                   list(tangents) if isinstance(tangents, (tuple, list)) else tangents)

    def vjp(f, *primals, has_aux=False, convention=None):
        result = originals["vjp"](f, *primals, has_aux=has_aux, convention=convention)
        eager_fn = result[1]

        def vjp_fn(ct):
            run = _traced_then_replayed(
                w, lambda p, c: originals["vjp"](f, *p, has_aux=has_aux, convention=convention)[1](c))
            try:
                return run(list(primals), ct)
            except TypeError:
                return eager_fn(ct)  # a cotangent jit cannot key on is checked by the eager path

        return (result[0], vjp_fn) + tuple(result[2:])

    def hvp(f, primals, tangents, convention=None):
        return _traced_then_replayed(
            w, lambda p, t: originals["hvp"](f, tuple(p), tuple(t), convention=convention))(list(primals), list(tangents))

    w.jvp, w.vjp, w.hvp = jvp, vjp, hvp
