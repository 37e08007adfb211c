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


# The walks are module-level functions, not closures that call themselves: a
# self-referencing closure is a reference cycle, and it would keep the leaves
# (a batch of Jacobians: hundreds of megabytes) alive until the cyclic garbage
# collector happens to run, instead of freeing them with their last reference.
def _flatten_into(t, leaves):
    if t is None:
        return TreeDef("none", None, ())
    if isinstance(t, tuple):
        kind = "namedtuple" if hasattr(t, "_fields") else "tuple"
        return TreeDef(kind, type(t) if kind == "namedtuple" else None, tuple(_flatten_into(c, leaves) for c in t))
    if isinstance(t, list):
        return TreeDef("list", None, tuple(_flatten_into(c, leaves) for c in t))
    if isinstance(t, dict):
        keys = tuple(sorted(t))
        return TreeDef("dict", keys, tuple(_flatten_into(t[k], leaves) for k in keys))
    leaves.append(t)
    return LEAF


LEAF = TreeDef("leaf", None, ())


def flatten(tree):
    if not isinstance(tree, (tuple, list, dict)) and tree is not None:
        return [tree], LEAF  # the common case, without the walk
    leaves = []
    treedef = _flatten_into(tree, leaves)
    return leaves, treedef


def _build(d, it):
    if d.kind == "leaf":
        return next(it)
    if d.kind == "none":
        return None
    children = [_build(c, it) for c in d.children]
    if d.kind == "tuple":
        return tuple(children)
    if d.kind == "namedtuple":
        return d.meta(*children)
    if d.kind == "list":
        return children
    return dict(zip(d.meta, children))


def unflatten(treedef, leaves):
    if treedef is LEAF:
        return next(iter(leaves))
    return _build(treedef, iter(leaves))

