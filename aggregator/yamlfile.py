"""The one way tinlaodong reads YAML (the registry, watch rules, provinces, topics, the mirror's
content): within limits, so that a hostile file costs a line of error, not minutes and
gigabytes.

- A file larger than ``MAX_BYTES`` is refused before it is read.
- Aliases may repeat at most ``MAX_ALIAS_NODES`` nodes in all: a document of nine anchors
  each aliasing the one before nine times (the "billion laughs") would otherwise be 9**9
  strings to whoever walks it (PyYAML shares an aliased object; formatting or copying it does
  not). A few anchors merged into entries (``<<: *base``) stay well within it.

The parser is libyaml's where PyYAML was built with it (every wheel on PyPI): many times
faster than the pure-Python one on the registry (read at every command's start), the same
values, the same errors (``yaml.YAMLError`` with a ``problem_mark``).
"""

from __future__ import annotations

import os
from pathlib import Path

import yaml

from aggregator.exceptions import YamlLimitError

# The registry of every department is tens of KB; a registry of 50,000 sites in 8 MB cost a
# minute and half a GB to read.
MAX_BYTES = 2**20
MAX_ALIAS_NODES = 10_000

_LOADER: type = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def error_place(exc: yaml.YAMLError, where: Path | str) -> tuple[str, str]:
    """Where a YAML error is (``file:line`` when the parser marked it) and what it is."""
    mark = getattr(exc, "problem_mark", None)
    place = f"{where}:{mark.line + 1}" if mark is not None else str(where)
    return place, getattr(exc, "problem", None) or "invalid YAML"


def read(path: Path) -> object:
    """The data of the YAML file ``path``, within the limits (:class:`YamlLimitError` naming
    the file); ``OSError``, ``UnicodeDecodeError`` and ``yaml.YAMLError`` as reading and
    parsing raise them."""
    return safe_load(read_text(path), path)


def read_text(path: Path) -> str:
    """The text of ``path``, refused unread if larger than ``MAX_BYTES``."""
    with path.open("rb") as file:
        size = os.fstat(file.fileno()).st_size
        if size > MAX_BYTES:
            raise YamlLimitError(
                f"{path}: refused: larger than {MAX_BYTES // 2**20} MB ({size:,} bytes)"
            )
        data = file.read(MAX_BYTES + 1)
    if len(data) > MAX_BYTES:  # a pipe or a file that grew: its size was not the whole story
        raise YamlLimitError(f"{path}: refused: larger than {MAX_BYTES // 2**20} MB")
    return data.decode("utf-8")


def safe_load(text: str, where: Path | str = "YAML") -> object:
    """``yaml.safe_load`` within the limits, on the C parser when there is one."""
    loader = _LOADER(text)
    try:
        node = loader.get_single_node()
        if node is None:
            return None
        if "*" in text:  # no alias without one: the usual file is not walked
            check(node, where)
        return loader.construct_document(node)
    finally:
        loader.dispose()


def compose(text: str, where: Path | str = "YAML") -> yaml.Node | None:
    """``yaml.compose`` (nodes that know their line: for messages naming it) within the
    limits, on the pure-Python parser (the C one's nodes have no line)."""
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
    except RecursionError:  # the pure-Python composer recurses; libyaml stops at 1,000 levels
        raise YamlLimitError(f"{where}: refused: nested too deeply") from None
    if node is not None and "*" in text:
        check(node, where)
    return node


def check(root: yaml.Node, where: Path | str) -> None:
    """Refuse ``root`` if its aliases repeat more than ``MAX_ALIAS_NODES`` nodes in all, or
    one is inside its own anchor.

    One walk of the composed graph, whose aliases are the anchored nodes themselves: each
    node's expanded size is worked out once, from its children's."""
    sizes: dict[int, int] = {}
    open_nodes: set[int] = set()  # on the path from the root: met again, a cycle
    distinct = 0
    stack: list[tuple[yaml.Node, bool]] = [(root, False)]
    while stack:
        node, children_done = stack.pop()
        if id(node) in sizes:
            continue
        children = _children(node)
        if not children_done:
            if id(node) in open_nodes:
                raise YamlLimitError(f"{where}: refused: an alias inside its own anchor")
            open_nodes.add(id(node))
            stack.append((node, True))
            stack.extend((child, False) for child in children if id(child) not in sizes)
            continue
        open_nodes.discard(id(node))
        distinct += 1
        sizes[id(node)] = 1 + sum(sizes[id(child)] for child in children)
        if sizes[id(node)] - distinct > MAX_ALIAS_NODES:
            raise YamlLimitError(
                f"{where}: refused: its aliases expand to more than {MAX_ALIAS_NODES:,} "
                "values (an alias bomb?)"
            )


def _children(node: yaml.Node) -> list[yaml.Node]:
    if isinstance(node, yaml.SequenceNode):
        return list(node.value)
    if isinstance(node, yaml.MappingNode):
        return [item for pair in node.value for item in pair]
    return []
