"""`python -m wirtinger`: a short tour of what wirtinger computes, and why.

Each section prints what wirtinger returns next to an independent NumPy value,
and the run exits non-zero if any of them disagree, so the demo doubles as a
smoke test of an installed wheel.
"""

import cmath
import sys
import textwrap

import numpy as np

import wirtinger as w
import wirtinger.numpy as wnp

_failures = []


def fmt(x):
    """A number as Python writes it: shortest round-trip digits, `a + bj` for complex."""
    x = np.asarray(x).item()
    if isinstance(x, complex):
        sign = "-" if np.signbit(x.imag) else "+"
        return f"{x.real!r} {sign} {abs(x.imag)!r}j"
    return repr(x)


def show(label, value, expected=None):
    """Print `label = value`, and record a failure if it is not close to `expected`."""
    line = f"  {label:<48} {fmt(value)}"
    if expected is not None:
        ok = np.allclose(np.asarray(value), expected, rtol=1e-10, atol=1e-12)
        if not ok:
            _failures.append(f"{label}: got {fmt(value)}, expected {fmt(expected)}")
            line += f"   <-- expected {fmt(expected)}"
    print(line)


def heading(text):
    print()
    print(text)
    print("-" * len(text))


def convention_example():
    heading("(a) One real-valued function, two gradient conventions")
    rotation = cmath.exp(1.5j)
    z = 2.3 + 4.5j

    def f(z):
        return wnp.real(z * rotation)

    # f = Re(z c) has df/dx = Re c and df/dy = -Im c.
    adjoint = np.conj(rotation)
    print(f"  f(z) = real(z * exp(1.5j)) at z = {fmt(z)}")
    show("f(z)", w.value_and_grad(f)(z)[0], (z * rotation).real)
    show('grad(f)(z)          "adjoint" (default)', w.grad(f)(z), adjoint)
    show('grad(f, convention="transpose")(z)', w.grad(f, convention="transpose")(z), np.conj(adjoint))
    print("  adjoint   = df/dx + i df/dy = 2 df/dz̄    PyTorch, TensorFlow, Zygote; z -= lr*g descends")
    print("  transpose = df/dx - i df/dy = 2 df/dz    JAX (convention='jax' is an alias)")
    print("  The two differ by a complex conjugate; neither is wrong, but mixing them is.")


def holomorphic_example():
    heading("(b) A holomorphic derivative")
    z = 3 + 4j
    show("grad(wnp.sin, holomorphic=True)(3+4j)", w.grad(wnp.sin, holomorphic=True)(z), np.cos(z))
    show("np.cos(3+4j)", np.cos(z))


def checked_flag_example():
    heading("(c) holomorphic=True is a checked claim")
    z = 3 + 4j
    try:
        w.grad(wnp.conj, holomorphic=True)(z)
    except w.NonHolomorphicError as e:
        print("  grad(wnp.conj, holomorphic=True)(3+4j) raises NonHolomorphicError:")
        for paragraph in str(e).splitlines():
            print(textwrap.fill(paragraph, width=96, initial_indent="    ", subsequent_indent="    "))
    else:
        _failures.append("grad(conj, holomorphic=True) did not raise NonHolomorphicError")
        print("  grad(wnp.conj, holomorphic=True)(3+4j) did NOT raise   <-- expected NonHolomorphicError")
    unchecked = w.grad(wnp.conj, holomorphic=True, check_holomorphic=False)(z)
    # Reverse mode without the check returns A + conj(B) = 0 + conj(1), JAX's number.
    show("... with check_holomorphic=False (JAX's answer)", unchecked, 1.0)


def wirtinger_pair_example():
    heading("(d) Wirtinger pairs: the whole derivative of a non-holomorphic map")
    print("  Df(z)[t] = dz * t + dzbar * conj(t), with dz = df/dz and dzbar = df/dz̄")
    z = 1 + 2j
    pair = w.wirtinger(lambda z: z * wnp.conj(z))(z)
    print(f"  f(z) = z * conj(z) at z = {fmt(z)}")
    show("dz     (= conj(z))", pair.dz, np.conj(z))
    show("dzbar  (= z)", pair.dzbar, z)
    z = 3 + 4j
    pair = w.wirtinger(wnp.abs)(z)
    print(f"  f(z) = abs(z) at z = {fmt(z)}")
    show("dz     (= conj(z) / 2|z|)", pair.dz, np.conj(z) / (2 * abs(z)))
    show("dzbar  (= z / 2|z|)", pair.dzbar, z / (2 * abs(z)))
    pair = w.wirtinger(wnp.abs)(0j)
    print("  f(z) = abs(z) at z = 0, where no derivative exists:")
    show("dz     (minimal-norm subgradient)", pair.dz, 0)
    show("dzbar", pair.dzbar, 0)


def main():
    print(f"wirtinger {getattr(w, '__version__', '')}".rstrip()
          + ": complex-aware automatic differentiation")
    convention_example()
    holomorphic_example()
    checked_flag_example()
    wirtinger_pair_example()
    print()
    if w.cuda_available():
        print("CUDA: available; batched Jacobians run on the GPU.")
    else:
        print("CUDA: not available (built without CUDA or no GPU found); everything runs on the CPU.")
    if _failures:
        print("\nThe demo found results that disagree with NumPy:", file=sys.stderr)
        for failure in _failures:
            print(f"  {failure}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
