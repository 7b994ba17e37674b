"""YAML text read with libyaml's parser where PyYAML was built with it (every wheel on PyPI):
many times faster than the pure-Python one on the registry (read at every command's start),
the same values, the same errors (``yaml.YAMLError`` with a ``problem_mark``)."""

from __future__ import annotations

import yaml

_LOADER: type = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def safe_load(text: str) -> object:
    """``yaml.safe_load``, on the C parser when there is one."""
    return yaml.load(text, Loader=_LOADER)  # a safe loader: plain data, no objects
