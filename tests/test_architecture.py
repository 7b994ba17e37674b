"""The layers of docs/architecture.md cover every module: a new module joins a layer, or the
import contract (pyproject.toml, checked by ``lint-imports`` in ``make test``) would not see it."""

from __future__ import annotations

import re
import subprocess
import sys
import tomllib

from tests.conftest import PROJECT_ROOT


def layered_modules() -> set[str]:
    config = tomllib.loads((PROJECT_ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    names: set[str] = set()
    for contract in config["tool"]["importlinter"]["contracts"]:
        for layer in contract.get("layers", []):
            names.update(name.strip() for name in re.split(r"[|:]", layer))
    return names


def modules_of(package: str) -> set[str]:
    """The modules and subpackages directly in ``package`` (a folder of the project)."""
    folder = PROJECT_ROOT / package
    found = {p.stem for p in folder.glob("*.py") if p.stem != "__init__"}
    found |= {p.parent.name for p in folder.glob("*/__init__.py")}
    return {f"{package}.{name}" for name in found}


def test_every_module_is_in_a_layer() -> None:
    layered = layered_modules()
    for package in ("spiders", "feeds", "mirror"):
        assert package in layered
    unlayered = sorted(modules_of("aggregator") - layered)
    assert not unlayered, f"not in any layer of pyproject.toml's import contract: {unlayered}"


def test_the_layers_name_only_modules_that_exist() -> None:
    existing = modules_of("aggregator") | {"spiders", "feeds", "mirror"}
    assert not sorted(layered_modules() - existing)


def test_the_command_line_parser_imports_no_crawler_or_extractor() -> None:
    # `tinlaodong --help` (and every command's parsing) stays quick: Scrapy, Twisted and
    # trafilatura are imported when a command runs, not when its options are read.
    code = (
        "import sys, aggregator.cli.main as m; m.build_parser(); "
        "print(sorted({'scrapy', 'twisted', 'trafilatura'} & set(sys.modules)))"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert done.stdout.strip() == "[]"
