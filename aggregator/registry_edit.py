"""Change some keys of some entries of a registry file, keeping the rest of its text as it is.

The registry is a file people edit and comment; a program that rewrites it whole (load, dump)
loses the comments, the order and the flow lists. Here only the lines of the keys that change
are rewritten: an entry is the block of lines of one ``- `` item of ``sites:``, a key the line
at the item's key indent and the deeper lines after it. The result is parsed again and must
equal the old file's data with exactly the requested changes, else nothing is returned: an
unusual layout (a flow-style entry, anchors) is refused, not mangled.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

import yaml

from aggregator import yamlfile
from aggregator.exceptions import RegistryError

# A key at the start of a line of an entry: ``name:`` or ``name: value``.
_KEY_RE = re.compile(r"^(?P<key>[A-Za-z_][A-Za-z0-9_]*):(?:\s|$)")
_ITEM_RE = re.compile(r"^(?P<indent> *)- ")
# Keys written as flow lists, as the registry writes them: ``start_urls: [https://...]``.
_FLOW_KEYS = frozenset({"start_urls"})
# Whatever value, None removes the key.
Changes = Mapping[str, Mapping[str, Any]]


def update_entries(text: str, changes: Changes, where: str = "registry") -> str:
    """``text`` with, for each site id of ``changes``, its keys set (None: removed)."""
    before = _sites(yamlfile.safe_load(text, where), where)
    lines = text.splitlines(keepends=True)
    blocks = _entry_blocks(lines)
    for site_id in changes:
        if site_id not in blocks:
            raise RegistryError(f"{where}: cannot find the entry of {site_id!r} in the text")
    # The lines added end as the file's do (a registry edited on Windows keeps CRLF).
    eol = "\r\n" if lines and lines[0].endswith("\r\n") else "\n"
    # From the last entry up, so that earlier blocks' line numbers stay right.
    for site_id in sorted(changes, key=lambda i: blocks[i][0], reverse=True):
        start, end = blocks[site_id]
        edited = _edited(lines[start:end], changes[site_id], site_id, where)
        lines[start:end] = [_ending(line, eol) for line in edited]
    result = "".join(lines)
    _verify(before, _sites(yamlfile.safe_load(result, where), where), changes, where)
    return result


def _sites(data: object, where: str) -> list[dict[str, Any]]:
    if not isinstance(data, dict) or not isinstance(data.get("sites"), list):
        raise RegistryError(f"{where}: expected a top-level 'sites:' list")
    return list(data["sites"])


def _entry_blocks(lines: list[str]) -> dict[str, tuple[int, int]]:
    """Each entry's id -> its lines ``[start, end)``: from its ``- `` line to the last line
    before the next item (or anything less indented), trailing blanks and comments left out."""
    top = next((n for n, line in enumerate(lines) if line.startswith("sites:")), None)
    if top is None:
        return {}
    indent: int | None = None
    starts: list[int] = []
    end = len(lines)
    for n in range(top + 1, len(lines)):
        line = lines[n]
        stripped = line.strip()
        if not stripped or stripped.startswith("#"):
            continue
        width = len(line) - len(line.lstrip(" "))
        item = _ITEM_RE.match(line)
        if indent is None and item:
            indent = width
        if indent is None or width < indent or (width == indent and not item):
            end = n
            break
        if width == indent:
            starts.append(n)
    blocks: dict[str, tuple[int, int]] = {}
    for start, stop in zip(starts, [*starts[1:], end], strict=True):
        while stop > start + 1 and _blank_or_comment(lines[stop - 1]):
            stop -= 1
        site_id = _block_id(lines[start:stop], (indent or 0) + 2)
        if site_id is not None:
            blocks[site_id] = (start, stop)
    return blocks


def _blank_or_comment(line: str) -> bool:
    stripped = line.strip()
    return not stripped or stripped.startswith("#")


def _block_id(block: list[str], key_indent: int) -> str | None:
    for key, first, _ in _segments(block, key_indent):
        if key == "id":
            value = yamlfile.safe_load(_key_text(block[first], key_indent))
            return str(value["id"]) if isinstance(value, dict) else None
    return None


def _segments(block: list[str], key_indent: int) -> list[tuple[str, int, int]]:
    """The keys of an entry's block: (key, first line, end line)."""
    found: list[tuple[str, int, int]] = []
    for n, line in enumerate(block):
        match = _KEY_RE.match(_key_text(line, key_indent)) if _at_key(line, n, key_indent) else None
        if match:
            if found:
                key, first, _ = found[-1]
                found[-1] = (key, first, n)
            found.append((match["key"], n, len(block)))
    return found


def _at_key(line: str, n: int, key_indent: int) -> bool:
    if n == 0:
        return True  # the "- key: ..." line
    return len(line) - len(line.lstrip(" ")) == key_indent and not line.strip().startswith("#")


def _key_text(line: str, key_indent: int) -> str:
    """The line from its key on (the first line of an entry starts with "- ")."""
    return line[key_indent:] if len(line) >= key_indent else line.lstrip()


def _edited(block: list[str], keys: Mapping[str, Any], site_id: str, where: str) -> list[str]:
    key_indent = len(block[0]) - len(block[0].lstrip(" ")) + 2
    segments = {key: (first, end) for key, first, end in _segments(block, key_indent)}
    result = list(block)
    # Keys already there: replaced in place, from the bottom up.
    present = sorted((k for k in keys if k in segments), key=lambda k: segments[k][0], reverse=True)
    for key in present:
        first, end = segments[key]
        if first == 0:
            raise RegistryError(f"{where}: {site_id}: cannot rewrite {key!r} on its '- ' line")
        while end > first + 1 and not result[end - 1].strip():
            end -= 1  # a blank line after the key stays
        result[first:end] = _rendered(key, keys[key], key_indent)
    tail = [k for k in keys if k not in segments and keys[k] is not None]
    if tail and not result[-1].endswith("\n"):
        result[-1] += "\n"
    for key in tail:
        result.extend(_rendered(key, keys[key], key_indent))
    return result


def _ending(line: str, eol: str) -> str:
    if eol == "\n" or line.endswith("\r\n") or not line.endswith("\n"):
        return line
    return line[:-1] + eol


def _rendered(key: str, value: Any, indent: int) -> list[str]:
    if value is None:
        return []
    if key in _FLOW_KEYS and isinstance(value, list) and all(map(_plain_url, value)):
        return [f"{' ' * indent}{key}: [{', '.join(value)}]\n"]
    text = yaml.dump(
        {key: value},
        Dumper=_IndentedDumper,
        allow_unicode=True,
        sort_keys=False,
        width=100,
        default_flow_style=False,
    )
    return [" " * indent + line + "\n" for line in text.splitlines()]


def _plain_url(value: object) -> bool:
    """A URL YAML reads back as itself in a flow list without quotes."""
    return isinstance(value, str) and bool(_PLAIN_URL_RE.match(value))


_PLAIN_URL_RE = re.compile(r"^https?://[^\s,\[\]{}#'\"]+$")


class _IndentedDumper(yaml.SafeDumper):
    """Block lists indented under their key ("evidence:\n  - where: ..."), as people write
    them, not flush with it."""

    def increase_indent(self, flow: bool = False, indentless: bool = False) -> None:
        super().increase_indent(flow, False)


def _verify(
    before: list[dict[str, Any]], after: list[dict[str, Any]], changes: Changes, where: str
) -> None:
    expected = []
    for entry in before:
        entry = dict(entry)
        for key, value in changes.get(str(entry.get("id")), {}).items():
            if value is None:
                entry.pop(key, None)
            else:
                entry[key] = value
        expected.append(entry)
    if after != expected:
        raise RegistryError(
            f"{where}: the file's layout is not one this edit can keep; nothing was changed"
        )
