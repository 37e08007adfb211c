"""SciPy-compatible functions that wirtinger can differentiate.

Import as ``import wirtinger.scipy.special`` (``from wirtinger.scipy import
special``); names, arguments and results follow SciPy's.
"""
from . import special  # noqa: F401

__all__ = ["special"]
