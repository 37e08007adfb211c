"""SciPy-compatible functions that wirtinger can differentiate.

Import as ``import wirtinger.scipy.special`` or ``import wirtinger.scipy.linalg``
(``from wirtinger.scipy import linalg, special``); names, arguments and results
follow SciPy's.
"""
from . import linalg, special  # noqa: F401

__all__ = ["linalg", "special"]
