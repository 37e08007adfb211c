"""Shape arguments, checked as NumPy checks them before any reaches the engine.

Python ints are exact, so a shape whose element count overflows a 64-bit
integer is caught here instead of wrapping around in C++.
"""
from __future__ import annotations

import math
import operator
import sys

import numpy as np

from .errors import ConcretizationError


def as_shape(shape, name):
    """shape (an int or a sequence of ints) as a tuple of Python ints."""
    try:
        items = (operator.index(shape),)
    except ConcretizationError:
        raise  # a traced int argument of jit (a TypeError too)
    except TypeError:
        try:
            items = tuple(shape)
        except TypeError:
            raise TypeError(f"{name}: the shape must be an int or a sequence of ints, got "
                            f"{type(shape).__name__}") from None
    out = []
    for s in items:
        try:
            out.append(operator.index(s))
        except ConcretizationError:
            raise
        except TypeError:
            raise TypeError(f"{name}: shape entries must be integers, got {s!r} of type "
                            f"{type(s).__name__}") from None
    return tuple(out)


def check(shape, dtype, name):
    """The element count of ``shape`` for an array of ``dtype``: ValueError for a
    negative extent, or for a byte size beyond 2**63 - 1 (NumPy's limit, which it
    applies to the nonzero extents even when another is 0)."""
    if any(s < 0 for s in shape):
        raise ValueError(f"{name}: negative dimensions are not allowed, got shape {shape}")
    nonzero = math.prod(s for s in shape if s)
    if nonzero * np.dtype(dtype).itemsize > sys.maxsize:
        raise ValueError(f"{name}: an array of shape {shape} and dtype {np.dtype(dtype)} is too big: its byte "
                         "size exceeds the largest possible, 2**63 - 1 bytes; use a smaller shape")
    return 0 if 0 in shape else nonzero


def reshape_target(shape, size, dtype, name):
    """The shape a reshape of ``size`` elements to ``shape`` gives, with its one
    unknown extent (any negative entry, as NumPy reads it) filled in."""
    unknown = [i for i, s in enumerate(shape) if s < 0]
    if len(unknown) > 1:
        raise ValueError(f"{name}: can only specify one unknown dimension (a negative entry, usually -1), "
                         f"got shape {shape}")
    if unknown:
        known = tuple(s for s in shape if s >= 0)
        count = check(known, dtype, name)
        if count == 0 or size % count:
            raise ValueError(f"{name}: cannot reshape an array of size {size} into shape {shape}")
        shape = tuple(size // count if s < 0 else s for s in shape)
    if check(shape, dtype, name) != size:
        raise ValueError(f"{name}: cannot reshape an array of size {size} into shape {shape}")
    return shape
