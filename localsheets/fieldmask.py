"""Field masks (``fields=`` on reads, ``fields`` in update requests).

Syntax as Google accepts it: comma-separated paths, ``.`` or ``/`` between path
parts, ``a(b,c)`` grouping, ``*`` for everything. A mask is parsed into a tree
(dict of dicts; an empty dict keeps the whole subtree). Masks apply through
lists element by element. Functions are pure: they return new objects.
"""

from __future__ import annotations

import copy
from typing import Any

Tree = dict[str, Any]


def _split_top(text: str) -> list[str]:
    parts: list[str] = []
    current: list[str] = []
    depth = 0
    for ch in text:
        if ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
            if depth < 0:
                raise ValueError(text)
        if ch == "," and depth == 0:
            parts.append("".join(current))
            current = []
        else:
            current.append(ch)
    if depth:
        raise ValueError(text)
    parts.append("".join(current))
    return [p.strip() for p in parts if p.strip()]


def _merge(into: Tree, tree: Tree) -> None:
    for key, sub in tree.items():
        if key in into:
            if not into[key] or not sub:
                into[key] = {}
            else:
                _merge(into[key], sub)
        else:
            into[key] = sub


def _parse_path(text: str) -> Tree:
    if "(" in text:
        head, _, rest = text.partition("(")
        if not rest.endswith(")"):
            raise ValueError(text)
        inner = parse_mask(rest[:-1])
        head = head.rstrip("./")
        if not head:
            return inner
        return _nest(head, inner)
    return _nest(text, {})


def _nest(path: str, leaf: Tree) -> Tree:
    parts = [p for p in path.replace("/", ".").split(".") if p]
    if not parts:
        raise ValueError(path)
    tree: Tree = leaf
    for part in reversed(parts):
        tree = {part: tree}
    return tree


def parse_mask(text: str) -> Tree:
    """``"a.b,c(d,e)"`` -> ``{"a": {"b": {}}, "c": {"d": {}, "e": {}}}``."""
    tree: Tree = {}
    for part in _split_top(text):
        _merge(tree, _parse_path(part))
    return tree


def filter_fields(obj: Any, tree: Tree) -> Any:
    """Keep only the fields a mask names (used for ``fields=`` on responses)."""
    if not tree or "*" in tree:
        return obj
    if isinstance(obj, list):
        return [filter_fields(item, tree) for item in obj]
    if not isinstance(obj, dict):
        return obj
    return {key: filter_fields(obj[key], sub) for key, sub in tree.items() if key in obj}


def apply_mask(target: dict[str, Any], source: dict[str, Any], tree: Tree) -> dict[str, Any]:
    """Copy the masked fields from ``source`` over ``target``; absent in source = cleared."""
    if not tree or "*" in tree:
        return copy.deepcopy(source)
    result = dict(target)
    for key, sub in tree.items():
        if key not in source:
            result.pop(key, None)
        elif sub and isinstance(source[key], dict):
            base = result.get(key)
            result[key] = apply_mask(base if isinstance(base, dict) else {}, source[key], sub)
        else:
            result[key] = copy.deepcopy(source[key])
    return result


def mask_paths(tree: Tree, prefix: str = "") -> list[str]:
    """Flatten a tree back into dotted leaf paths (for error messages and checks)."""
    paths: list[str] = []
    for key, sub in tree.items():
        path = f"{prefix}.{key}" if prefix else key
        paths.extend(mask_paths(sub, path) if sub else [path])
    return paths
