"""``sites apply`` with reports a user could get wrong or an attacker could write (issue 23's
attack): the registry file named is the one written, whatever the options' place; a report's
redirect target, URL and ids are checked against the registry before anything is written."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from aggregator.registry import default_registry_path, load_registry
from tests.helpers import tinlaodong


def entry(site_id: str, url: str, province: str = "Hà Nội", extra: str = "") -> str:
    return (
        f"  - id: {site_id}\n"
        f"    name: Sở {site_id}\n"
        f"    province: {province}\n"
        f"    start_urls: [{url}]\n"
        "    confirmed: false\n" + extra
    )


TEXT = (
    "# one's own registry\n"
    "sites:\n"
    + entry("hanoi-a", "https://sldtbxh.hanoi.gov.vn/")
    + entry("hanoi-b", "https://snv.hanoi.gov.vn/")
)


def result(site_id: str, url: str, **seen: Any) -> dict[str, Any]:
    """One site's row of a report as ``sites check`` writes it: answered 200 unless told."""
    row: dict[str, Any] = {"id": site_id, "url": url, "outcome": "reachable", "status": 200,
                           "final_url": url, "final_status": 200, "redirects": 0,
                           "left_host": None, "permanent": False, "cms": None,
                           "profile": None, "reason": None}
    return {**row, **seen}


def moved(site_id: str, url: str, final: str, host: str) -> dict[str, Any]:
    return result(site_id, url, outcome="redirected", status=301, final_url=final,
                  redirects=1, left_host=host, permanent=True)


def files(tmp_path: Path, *rows: dict[str, Any], text: str = TEXT) -> tuple[Path, Path]:
    registry = tmp_path / "sites.yaml"
    registry.write_text(text, encoding="utf-8")
    report = tmp_path / "report.json"
    report.write_text(json.dumps({"checked": "2026-12-07", "sites": list(rows)}),
                      encoding="utf-8")
    return registry, report


def test_sites_before_the_action_word_is_the_file_written(tmp_path: Path) -> None:
    builtin = default_registry_path().read_bytes()
    registry, report = files(tmp_path, result("hanoi-a", "https://sldtbxh.hanoi.gov.vn/"))
    applied = tinlaodong("sites", "--sites", str(registry), "apply", str(report))
    assert applied.returncode == 0, applied.stderr
    assert f"{registry}: 1 of 1 sites updated" in applied.stdout
    assert load_registry(registry).get("hanoi-a").confirmed
    assert default_registry_path().read_bytes() == builtin
    listed = tinlaodong("sites", "--sites", str(registry), "--data-dir", str(tmp_path), "list")
    assert listed.returncode == 2 and str(tmp_path) in listed.stderr  # no store there: named
    listed = tinlaodong("sites", "--sites", str(registry), "list")
    assert [line.split()[0] for line in listed.stdout.splitlines()] == ["hanoi-a", "hanoi-b"]
