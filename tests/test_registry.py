"""The site registry: the shipped one loads, and a broken file gets one clear line."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from aggregator.exceptions import RegistryError
from aggregator.registry import load_registry


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "sites.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_shipped_registry_loads_and_every_site_has_the_required_fields() -> None:
    registry = load_registry()
    assert registry.sites
    for site in registry.sites:
        assert site.id and site.name and site.province and site.start_urls
        assert not site.allow_private_network, f"{site.id}: real sites never get loopback access"


def test_site_for_url_finds_the_site_by_host() -> None:
    registry = load_registry()
    site = registry.site_for_url("https://baodansinh.vn/some-story-20240724125500.htm")
    assert site is not None and site.profile == "baodansinh"
    assert registry.site_for_url("https://example.org/") is None


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("sites: [\n  {id: a, name: [}\n", "sites.yaml:2"),
        ("nothing: here\n", "top-level 'sites:' list"),
        ("sites:\n  - id: a\n    name: A\n    province: P\n", "missing start_urls"),
        (
            "sites:\n  - {id: a, name: A, province: P, start_urls: [ftp://x/]}\n",
            "not an http(s) URL",
        ),
        (
            "sites:\n  - {id: a, name: A, province: P, start_urls: [http://x/], profile: joomla}\n",
            "joomla",
        ),
        (
            "sites:\n  - {id: a, name: A, province: P, start_urls: [http://x/]}\n"
            "  - {id: a, name: B, province: P, start_urls: [http://y/]}\n",
            "duplicate id 'a'",
        ),
        (
            "sites:\n  - {id: a, name: A, province: P, start_urls: [http://x/], colour: red}\n",
            "colour",
        ),
    ],
)
def test_invalid_registry_says_what_and_where(tmp_path: Path, text: str, message: str) -> None:
    with pytest.raises(RegistryError) as info:
        load_registry(write(tmp_path, text))
    assert message in str(info.value)
    assert "\n" not in str(info.value)


def test_cli_reports_an_invalid_registry_in_one_line_without_traceback(tmp_path: Path) -> None:
    path = write(tmp_path, "sites:\n  - id: a\n")
    result = subprocess.run(
        [sys.executable, "-m", "aggregator.cli.main", "sites", "list", "--sites", str(path)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "missing" in lines[0] and str(path) in lines[0]


def test_sites_list_json_gives_one_object_per_site() -> None:
    import json

    result = subprocess.run(
        [sys.executable, "-m", "aggregator.cli.main", "sites", "list", "--json"],
        capture_output=True,
        text=True,
        check=True,
    )
    rows = [json.loads(line) for line in result.stdout.splitlines()]
    assert {r["id"] for r in rows} == {s.id for s in load_registry().sites}
    assert all({"id", "name", "province", "start_urls"} <= set(r) for r in rows)
