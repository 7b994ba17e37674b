"""Every YAML file tinlaodong reads is refused, in one line naming it, when it is too large or
its aliases would expand it beyond a small size: an alias bomb ("billion laughs") in a registry
cost 34 s, 2.9 GB and a MemoryError (issue 21, item 6)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from aggregator import yamlfile
from aggregator.alerts import load_rules
from aggregator.exceptions import ConfigError
from aggregator.gazetteer import default_gazetteer_path
from aggregator.registry import default_registry_path, load_registry
from aggregator.tags import default_topics_path
from tests.helpers import tinlaodong


def laughs(levels: int = 9) -> str:
    """The classic: each level nine aliases of the one before (9**9 strings when expanded)."""
    lines = ['a0: &a0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    for n in range(1, levels + 1):
        lines.append(f"a{n}: &a{n} [{', '.join([f'*a{n - 1}'] * 9)}]")
    return "\n".join(lines) + "\n"


def bomb_registry(path: Path) -> Path:
    path.write_text(
        laughs()
        + "sites:\n  - id: x\n    name: X\n    province: Hà Nội\n"
        + "    start_urls: [*a9]\n",
        encoding="utf-8",
    )
    return path


# Runs argv[2:] and writes its peak memory (KB) to argv[1]. The command is forked from this
# small process, not from pytest: Linux counts a process's memory before its exec in its peak,
# and a pytest worker holds hundreds of MB.
_MEASURE = """
import os, subprocess, sys
child = subprocess.Popen(sys.argv[2:])
_, status, usage = os.wait4(child.pid, 0)
child.returncode = os.waitstatus_to_exitcode(status)
open(sys.argv[1], "w").write(str(usage.ru_maxrss))
sys.exit(child.returncode)
"""


def run_measured(tmp_path: Path, *args: str) -> tuple[int, str, float]:
    """``tinlaodong *args``: its exit status, its stderr and its own peak memory in MB."""
    peak = tmp_path / "peak.txt"
    env = {**os.environ, "PYTHONWARNINGS": "ignore"}
    command = [sys.executable, "-m", "aggregator.cli.main", *args]
    with subprocess.Popen(
        [sys.executable, "-c", _MEASURE, str(peak), *command],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
        start_new_session=True,
    ) as process:
        try:
            _, stderr = process.communicate(timeout=30)  # the bomb took 34 s and 2.9 GB
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.communicate()
            raise
    return process.returncode, stderr, int(peak.read_text()) / 1024


def test_an_alias_bomb_registry_is_one_line_fast_and_small(tmp_path: Path) -> None:
    registry = bomb_registry(tmp_path / "sites.yaml")
    started = time.monotonic()
    returncode, stderr, peak = run_measured(tmp_path, "sites", "--sites", str(registry))
    seconds = time.monotonic() - started
    assert returncode == 2, stderr
    (line,) = stderr.splitlines()
    assert line.startswith(f"tinlaodong sites: error: {registry}: ")
    assert "alias" in line.removeprefix(f"tinlaodong sites: error: {registry}")
    assert peak < 400
    print(f"alias bomb registry: {seconds:.2f} s, peak {peak:.0f} MB")


def test_an_alias_bomb_rules_file_is_one_line(tmp_path: Path) -> None:
    rules = tmp_path / "rules.yaml"
    rules.write_text(
        laughs() + "rules:\n  - id: r\n    query: lao dong\n    notify: *a9\n", encoding="utf-8"
    )
    (tmp_path / "var").mkdir()
    result = tinlaodong("crawl", "--rules", str(rules), "--data-dir", str(tmp_path / "var"))
    assert result.returncode == 2, result.stderr
    (line,) = result.stderr.splitlines()
    assert line.startswith(f"tinlaodong crawl: error: {rules}: ")
    assert "alias" in line.removeprefix(f"tinlaodong crawl: error: {rules}")


def test_a_huge_registry_file_is_refused_before_it_is_read(tmp_path: Path) -> None:
    registry = tmp_path / "sites.yaml"
    with registry.open("wb") as file:
        file.truncate(3 * 2**30)  # sparse: 3 GB that take no disk
    result = tinlaodong("sites", "--sites", str(registry), timeout=30)
    assert result.returncode == 2, result.stderr
    (line,) = result.stderr.splitlines()
    assert line.startswith(f"tinlaodong sites: error: {registry}: ")
    assert "larger than" in line


def test_a_registry_of_fifty_thousand_sites_is_refused_not_read_for_a_minute(
    tmp_path: Path,
) -> None:
    # Under the old 8 MB cap it was read: 54 s and half a GB for `sites`.
    entry = "  - {{id: s{n}, name: S{n}, province: Hà Nội, start_urls: ['https://s{n}.vn/']}}\n"
    registry = tmp_path / "sites.yaml"
    registry.write_text("sites:\n" + "".join(entry.format(n=n) for n in range(50_000)))
    returncode, stderr, _ = run_measured(tmp_path, "sites", "--sites", str(registry))
    assert returncode == 2, stderr
    (line,) = stderr.splitlines()
    assert line.startswith(f"tinlaodong sites: error: {registry}: refused: larger than 1 MB")


def test_a_rule_with_a_megabyte_query_is_one_short_line(tmp_path: Path) -> None:
    # A query of a million ORs was accepted: 46 s and 1 GB for a crawl, 21 s for alerts test;
    # another's error line echoed all 3.5 MB of it.
    rules = tmp_path / "rules.yaml"
    rules.write_text(
        "rules:\n  - id: big\n    query: '" + "lao OR " * 100_000 + "dong'\n"
        "    notify: [json://127.0.0.1:9/hook]\n",
        encoding="utf-8",
    )
    result = tinlaodong("alerts", "test", str(rules), "--data-dir", str(tmp_path), timeout=30)
    assert result.returncode == 2, result.stderr
    (line,) = result.stderr.splitlines()
    assert "longer than 2,000 characters" in line and len(line) < 400


@pytest.mark.parametrize("kind", ["registry", "rules", "yaml"])
def test_each_reader_refuses_a_bomb_naming_the_file(tmp_path: Path, kind: str) -> None:
    path = tmp_path / f"{kind}.yaml"
    path.write_text(laughs(4) + "x: [*a4, *a4, *a4, *a4, *a4, *a4, *a4, *a4]\n", encoding="utf-8")
    read = {"registry": load_registry, "rules": load_rules, "yaml": yamlfile.read}[kind]
    with pytest.raises(ConfigError) as refused:
        read(path)
    message = str(refused.value)
    assert message.startswith(f"{path}: ") and "\n" not in message
    assert "alias" in message.removeprefix(str(path))


@pytest.mark.parametrize("kind", ["registry", "rules"])
def test_a_file_nested_too_deeply_is_one_line(tmp_path: Path, kind: str) -> None:
    path = tmp_path / f"{kind}.yaml"
    path.write_text(f"{kind}: " + "[" * 100_000 + "]" * 100_000 + "\n", encoding="utf-8")
    command = ["sites", "--sites"] if kind == "registry" else ["alerts", "test"]
    result = tinlaodong(*command, str(path), "--data-dir", str(tmp_path), timeout=30)
    assert result.returncode == 2, result.stderr
    (line,) = result.stderr.splitlines()
    assert str(path) in line and "nest" in line


def test_the_shipped_files_and_a_few_honest_aliases_still_load(tmp_path: Path) -> None:
    for path in (default_registry_path(), default_gazetteer_path(), default_topics_path()):
        assert isinstance(yamlfile.read(path), dict)
    honest = tmp_path / "anchors.yaml"
    honest.write_text(
        "base: &base {kind: department, status: archived}\n"
        "sites:\n" + "".join(f"  - {{<<: *base, id: s{n}}}\n" for n in range(20)),
        encoding="utf-8",
    )
    loaded = yamlfile.read(honest)
    assert isinstance(loaded, dict) and loaded["sites"][19] == {
        "kind": "department",
        "status": "archived",
        "id": "s19",
    }


def test_yaml_goes_through_one_loader() -> None:
    """No module but ``aggregator.yamlfile`` parses YAML itself."""
    root = Path(__file__).resolve().parent.parent
    found = subprocess.run(
        [
            "grep",
            "-rlE",
            r"yaml\.(safe_load|load|compose|full_load|unsafe_load)\(",
            "--include=*.py",
        ]
        + [str(root / d) for d in ("aggregator", "spiders", "feeds", "mirror", "bench")],
        capture_output=True,
        text=True,
        check=False,
    ).stdout.split()
    assert [Path(f).relative_to(root).as_posix() for f in found] == ["aggregator/yamlfile.py"]


if __name__ == "__main__":  # pragma: no cover
    sys.exit(pytest.main([__file__]))
