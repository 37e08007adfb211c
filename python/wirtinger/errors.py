"""Exceptions raised by wirtinger."""


class NonHolomorphicError(ValueError):
    """``holomorphic=True`` was claimed for a function whose ∂f/∂z̄ is not zero.

    wirtinger checks the claim (JAX does not): the message names the offending
    output and input and the size of ∂f/∂z̄ relative to ∂f/∂z. Pass
    ``check_holomorphic=False`` to skip the check and get JAX's number,
    ∂f/∂z + conj(∂f/∂z̄).
    """
