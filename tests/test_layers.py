"""The package reads top-down: every import of one of its modules by another
goes down the layers (the native module behind one gateway, the array type,
the NumPy and SciPy namespaces, the transforms, then jit, vmap and user rules),
so the import graph has no cycle, and no module hides an import inside a
function to dodge one."""
import ast
import os

import wirtinger

PACKAGE = os.path.dirname(os.path.abspath(wirtinger.__file__))


def _modules():
    """{dotted name: path} of the package's Python modules."""
    found = {}
    for root, _, files in os.walk(PACKAGE):
        for f in files:
            if f.endswith(".py"):
                parts = os.path.relpath(os.path.join(root, f), PACKAGE)[:-3].split(os.sep)
                if parts[-1] == "__init__":
                    parts.pop()
                found[".".join(["wirtinger"] + parts)] = os.path.join(root, f)
    return found


MODULES = _modules()


def _is_package(name):
    return MODULES[name].endswith("__init__.py")


def _imports(name):
    """(imported module, line, inside a function) for each import of a package
    module in module `name` (an import of a name from a package counts as one of
    its submodule where there is one)."""
    tree = ast.parse(open(MODULES[name]).read())
    here = name if _is_package(name) else name.rpartition(".")[0]
    found = []

    def visit(node, in_function):
        for child in ast.iter_child_nodes(node):
            nested = in_function or isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda))
            if isinstance(child, ast.Import):
                for alias in child.names:
                    if alias.name.split(".")[0] == "wirtinger":
                        found.append((alias.name, child.lineno, in_function))
            elif isinstance(child, ast.ImportFrom):
                if child.level:
                    base = here
                    for _ in range(child.level - 1):
                        base = base.rpartition(".")[0]
                    base = base + ("." + child.module if child.module else "")
                else:
                    base = child.module or ""
                if base.split(".")[0] == "wirtinger":
                    for alias in child.names:
                        sub = f"{base}.{alias.name}"
                        found.append((sub if sub in MODULES or sub.endswith("._core") else base, child.lineno,
                                      in_function))
            visit(child, nested)

    visit(tree, False)
    return found


GRAPH = {name: _imports(name) for name in MODULES}


def test_the_walk_sees_the_package():
    assert {"wirtinger", "wirtinger._engine", "wirtinger._array", "wirtinger.numpy", "wirtinger.transforms",
            "wirtinger.jit", "wirtinger.vmap"} <= set(MODULES)
    assert any(target == "wirtinger._engine" for target, _, _ in GRAPH["wirtinger._array"])


def test_no_import_of_the_package_inside_a_function():
    local = [f"{name}:{line} imports {target}" for name, imports in GRAPH.items() for target, line, inner in imports
             if inner]
    assert not local, "imports inside functions (move them to the top; a cycle they dodge is a layering bug):\n" + \
        "\n".join(local)


def test_only_the_gateway_imports_the_native_module():
    direct = sorted(name for name, imports in GRAPH.items() for target, _, _ in imports
                    if target == "wirtinger._core" and name != "wirtinger._engine")
    assert not direct, f"modules importing wirtinger._core past the gateway (wirtinger._engine): {direct}"


def _cycles():
    """The strongly connected components of more than one module (Tarjan)."""
    edges = {name: sorted({t for t, _, _ in imports if t in MODULES and t != name}) for name, imports in GRAPH.items()}
    index, low, stack, on_stack, comps = {}, {}, [], set(), []

    def strong(v):
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in edges[v]:
            if w not in index:
                strong(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                comps.append(sorted(comp))

    for v in sorted(edges):
        if v not in index:
            strong(v)
    return comps


def test_the_import_graph_has_no_cycle():
    assert not _cycles(), f"import cycles: {_cycles()}"


def test_the_cycle_finder_finds_cycles():
    saved = dict(GRAPH)
    try:
        GRAPH["wirtinger._array"] = GRAPH["wirtinger._array"] + [("wirtinger.numpy", 1, False)]
        assert any("wirtinger._array" in c and "wirtinger.numpy" in c for c in _cycles())
    finally:
        GRAPH.clear()
        GRAPH.update(saved)
