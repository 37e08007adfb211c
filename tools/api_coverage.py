"""How much of the NumPy and SciPy surface that JAX offers wirtinger offers.

    python tools/api_coverage.py            # counts per namespace, and what is missing
    python tools/api_coverage.py --update   # with JAX installed: refresh tools/jax_api.json

The reference is, per namespace, the functions JAX provides under a NumPy or
SciPy name that NumPy or SciPy also has (jax.numpy against numpy, and so on).
It is read from JAX when JAX is installed, else from tools/jax_api.json, the
list recorded from the JAX version named there.
"""
import argparse
import importlib
import inspect
import json
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
SNAPSHOT = os.path.join(HERE, "jax_api.json")
# (namespace, JAX's module, NumPy's or SciPy's module, wirtinger's module)
NAMESPACES = [
    ("numpy", "jax.numpy", "numpy", "wirtinger.numpy"),
    ("numpy.linalg", "jax.numpy.linalg", "numpy.linalg", "wirtinger.numpy.linalg"),
    ("numpy.fft", "jax.numpy.fft", "numpy.fft", "wirtinger.numpy.fft"),
    ("scipy.linalg", "jax.scipy.linalg", "scipy.linalg", "wirtinger.scipy.linalg"),
    ("scipy.special", "jax.scipy.special", "scipy.special", "wirtinger.scipy.special"),
]


# Why a function JAX offers is not here, for the README's list.
WHY_NOT = {
    ("numpy", "frompyfunc"): "builds a NumPy ufunc object around a Python function, which runs element by element; "
                             "map a function with wirtinger.vmap instead",
    ("numpy", "vectorize"): "runs a Python function element by element; wirtinger.vmap maps it over an axis in one "
                            "call per operation",
}
BEGIN, END = "<!-- api-coverage:begin (python tools/api_coverage.py --readme) -->", "<!-- api-coverage:end -->"


def why_not(namespace, name):
    return WHY_NOT.get((namespace, name), "not yet" if namespace == "scipy.special" else None)


def readme_block(ref=None):
    """The README's list of what each namespace offers and what it lacks, and why."""
    ref = ref or reference()
    lines = [BEGIN, f"Counted against the functions JAX {ref['jax_version']} offers under NumPy's and SciPy's names "
             "(`python tools/api_coverage.py`):", ""]
    for name, (have, missing) in coverage(ref).items():
        total = len(have) + len(missing)
        lines.append(f"- `{name}`: {len(have)} of {total}.")
        reasons = {}
        for n in missing:
            reasons.setdefault(why_not(name, n) or "not yet", []).append(n)
        for why, names in reasons.items():
            lines.append(f"  Not here: {', '.join(f'`{n}`' for n in names)} ({why}).")
    lines.append(END)
    return "\n".join(lines) + "\n"


def update_readme(path):
    text = open(path, encoding="utf-8").read()
    start, stop = text.index(BEGIN), text.index(END) + len(END) + 1
    with open(path, "w", encoding="utf-8") as f:
        f.write(text[:start] + readme_block() + text[stop:])


def _public(module):
    return {n for n in dir(module) if not n.startswith("_")}


def from_jax():
    import jax
    out = {"jax_version": jax.__version__, "namespaces": {}}
    for name, jax_mod, ref_mod, _ in NAMESPACES:
        j, r = importlib.import_module(jax_mod), importlib.import_module(ref_mod)
        out["namespaces"][name] = sorted(
            n for n in _public(j) & _public(r)
            if callable(getattr(j, n)) and not inspect.ismodule(getattr(j, n)) and not isinstance(getattr(j, n), type))
    return out


def reference():
    try:
        return from_jax()
    except ImportError:
        with open(SNAPSHOT) as f:
            return json.load(f)


def coverage(ref=None):
    """{namespace: (names wirtinger has, names it lacks)}."""
    ref = ref or reference()
    result = {}
    for name, _, _, ours in NAMESPACES:
        try:
            mod = importlib.import_module(ours)
        except ImportError:
            mod = None
        names = ref["namespaces"][name]
        have = [n for n in names if mod is not None and callable(getattr(mod, n, None))]
        result[name] = (have, [n for n in names if n not in have])
    return result


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--update", action="store_true", help="refresh tools/jax_api.json from the installed JAX")
    parser.add_argument("--missing", action="store_true", help="list the missing names")
    parser.add_argument("--readme", action="store_true", help="rewrite the README's coverage list")
    args = parser.parse_args()
    if args.readme:
        update_readme(os.path.join(os.path.dirname(HERE), "README.md"))
    if args.update:
        ref = from_jax()
        with open(SNAPSHOT, "w") as f:
            json.dump(ref, f, indent=1)
            f.write("\n")
    ref = reference()
    print(f"reference: JAX {ref['jax_version']}")
    print(f"{'namespace':15s} {'wirtinger':>9s} {'JAX':>5s} {'share':>7s}")
    for name, (have, missing) in coverage(ref).items():
        total = len(have) + len(missing)
        print(f"{name:15s} {len(have):9d} {total:5d} {100.0 * len(have) / max(total, 1):6.1f}%")
        if args.missing and missing:
            print("  missing:", " ".join(missing))
    return 0


if __name__ == "__main__":
    sys.exit(main())
