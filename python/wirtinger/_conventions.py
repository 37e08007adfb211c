"""The two VJP conventions and their aliases (README, Conventions)."""
import contextlib
import contextvars

ADJOINT = "adjoint"
TRANSPOSE = "transpose"
_ALIASES = {
    "adjoint": ADJOINT, "torch": ADJOINT, "pytorch": ADJOINT, "tensorflow": ADJOINT, "zygote": ADJOINT,
    "transpose": TRANSPOSE, "jax": TRANSPOSE,
}
_default = ADJOINT  # set_convention: process-wide
_scoped = contextvars.ContextVar("wirtinger_convention", default=None)  # convention(...): this context only


def resolve(name):
    """The canonical convention for name; None means the current default."""
    if name is None:
        scoped = _scoped.get()
        return _default if scoped is None else scoped
    if not isinstance(name, str) or name.lower() not in _ALIASES:
        raise ValueError(f"unknown convention {name!r}; use one of {sorted(_ALIASES)} "
                         f"('adjoint' = PyTorch/TensorFlow/Zygote, 'transpose' = JAX)")
    return _ALIASES[name.lower()]


def get_convention():
    """The default convention for ``convention=None`` ("adjoint" unless changed)."""
    return resolve(None)


def set_convention(name):
    """Set the process-wide default convention for ``convention=None``.

    >>> import wirtinger as w
    >>> w.set_convention("jax"); w.get_convention()
    'transpose'
    >>> w.set_convention("adjoint")
    """
    global _default
    _default = resolve(name)


@contextlib.contextmanager
def convention(name):
    """Use convention name as the default inside a ``with`` block (in this thread or task only).

    >>> import wirtinger as w, wirtinger.numpy as wnp
    >>> with w.convention("jax"):
    ...     complex(w.grad(lambda z: wnp.abs2(z))(1 + 2j))
    (2-4j)
    """
    token = _scoped.set(resolve(name))
    try:
        yield
    finally:
        _scoped.reset(token)
