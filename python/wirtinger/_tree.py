"""Pytrees: nested tuples, lists and dicts (keys sorted, as JAX), with None as an empty node."""


class TreeDef:
    __slots__ = ("kind", "meta", "children")

    def __init__(self, kind, meta, children):
        self.kind, self.meta, self.children = kind, meta, children

    @property
    def num_leaves(self):
        if self.kind == "leaf":
            return 1
        return sum(c.num_leaves for c in self.children)

    def __eq__(self, other):
        return (isinstance(other, TreeDef) and self.kind == other.kind and self.meta == other.meta
                and self.children == other.children)

    def __hash__(self):
        return hash((self.kind, self.meta, self.children))

    def __repr__(self):
        if self.kind == "leaf":
            return "*"
        if self.kind == "none":
            return "None"
        if self.kind == "dict":
            return "{" + ", ".join(f"{k!r}: {c!r}" for k, c in zip(self.meta, self.children)) + "}"
        inner = ", ".join(repr(c) for c in self.children)
        return f"[{inner}]" if self.kind == "list" else f"({inner})"


def flatten(tree):
    leaves = []

    def go(t):
        if t is None:
            return TreeDef("none", None, ())
        if isinstance(t, tuple):
            kind = "namedtuple" if hasattr(t, "_fields") else "tuple"
            return TreeDef(kind, type(t) if kind == "namedtuple" else None, tuple(go(c) for c in t))
        if isinstance(t, list):
            return TreeDef("list", None, tuple(go(c) for c in t))
        if isinstance(t, dict):
            keys = tuple(sorted(t))
            return TreeDef("dict", keys, tuple(go(t[k]) for k in keys))
        leaves.append(t)
        return TreeDef("leaf", None, ())

    treedef = go(tree)
    return leaves, treedef


def unflatten(treedef, leaves):
    it = iter(leaves)

    def go(d):
        if d.kind == "leaf":
            return next(it)
        if d.kind == "none":
            return None
        children = [go(c) for c in d.children]
        if d.kind == "tuple":
            return tuple(children)
        if d.kind == "namedtuple":
            return d.meta(*children)
        if d.kind == "list":
            return children
        return dict(zip(d.meta, children))

    return go(treedef)


def tree_map(fn, tree):
    leaves, treedef = flatten(tree)
    return unflatten(treedef, [fn(x) for x in leaves])
