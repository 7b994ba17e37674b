"""``sites check --report`` / ``--update`` and ``sites apply`` against the offline mirror's real
loopback servers (issue 23): a Liferay 6.2 site answers, one host redirects permanently to the
mirror's WordPress site, another to a host a second entry already has, one port is closed.
The registry file is fixed in one command, its comments and untouched entries kept."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml

from aggregator.registry import load_registry
from mirror.build import build_mirror
from mirror.server import MirrorServer
from mirror.urls import LIFERAY_LISTING, WORDPRESS_LISTING
from tests.helpers import (
    QuietHandler,
    closed_port,
    loopback_server,
    redirecting_site,
    tinlaodong,
)


class NewHome(QuietHandler):
    """A site whose home moved for good on its own host: / -> /vi/trang-chu."""

    def do_GET(self) -> None:
        moved = self.path == "/"
        if moved:
            self.send_html(b"", 301, location="/vi/trang-chu")
        else:
            self.send_html(b"<html><body><p>Trang chu</p></body></html>")


@pytest.fixture(scope="module")
def sites(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, str]]:
    """The start URLs: a Liferay site, a WordPress one behind a 301, a 301 to the Liferay
    site's host, a closed port."""
    root = tmp_path_factory.mktemp("mirror")
    with MirrorServer(build_mirror(root / "sites", None)) as mirror:
        liferay = mirror.base_url("mirror-bacgiang")
        wordpress = mirror.base_url("mirror-wordpress")
        with (
            redirecting_site(wordpress) as to_wordpress,
            redirecting_site(liferay) as to_liferay,
            loopback_server(NewHome) as new_home,
        ):
            yield {
                "liferay": liferay + LIFERAY_LISTING,
                "moved": to_wordpress + WORDPRESS_LISTING,
                "merged": to_liferay + LIFERAY_LISTING,
                "home": new_home.rstrip("/") + "/",
                "dead": f"http://127.0.0.1:{closed_port()}/",
                "wordpress": wordpress + WORDPRESS_LISTING,
            }


def registry_text(urls: dict[str, str]) -> str:
    def entry(site_id: str, extra: str = "") -> str:
        return (
            f"  - id: {site_id}\n"
            f"    name: Sở {site_id}\n"
            "    province: Bắc Giang\n"
            f"    start_urls: [{urls[site_id]}]\n"
            "    allow_private_network: true\n"
            "    url_source: host pattern, not a confirmed host\n"
            "    confirmed: false\n" + extra
        )

    return (
        "# A registry of one's own. This comment stays.\n"
        "sites:\n\n"
        "  # --- answers ---\n"
        + entry("liferay", "    searched: ['find_string \"liferay\"']\n")
        + "\n  # --- redirects ---\n"
        + entry("moved", "    notes: the pattern host\n")
        + entry("merged")
        + entry("home")
        + "\n  # --- gone ---\n"
        + entry("dead", "    notes: >-\n      kept as\n      written\n")
    )


def test_check_update_fixes_the_registry_in_one_command(
    sites: dict[str, str], tmp_path: Path
) -> None:
    path = tmp_path / "sites.yaml"
    path.write_text(registry_text(sites), encoding="utf-8")
    report = tmp_path / "report.json"
    result = tinlaodong(
        "sites", "check", "--sites", str(path), "--timeout", "5",
        "--report", str(report), "--update",
    )
    assert result.returncode == 0, result.stderr
    assert "4 of 5 sites updated" in result.stderr

    registry = load_registry(path)
    liferay = registry.get("liferay")
    assert liferay.confirmed and liferay.profile == "liferay"
    (seen,) = liferay.evidence
    assert seen.where.startswith("sites check ") and seen.strength == "confirms"
    assert seen.cms == "liferay6" and "answered 200" in seen.shows and "Liferay 6.2" in seen.shows

    moved = registry.get("moved")
    assert moved.start_urls == (sites["wordpress"],)  # the new host
    assert moved.confirmed and moved.profile == "wordpress"
    assert moved.notes is not None and moved.notes.startswith("the pattern host; host 127.0.0.1:")
    assert "permanent" in moved.evidence[0].shows

    merged = registry.get("merged")
    assert (merged.status, merged.moved_to) == ("moved", sites["liferay"])
    assert merged.start_urls == (sites["merged"],)  # the liferay entry keeps its host alone

    home = registry.get("home")
    assert home.start_urls == (sites["home"] + "vi/trang-chu",) and home.confirmed
    assert home.profile is None and "no CMS recognised" in home.evidence[0].shows

    dead = registry.get("dead")
    assert not dead.confirmed and not dead.evidence and dead.notes == "kept as written"

    text = path.read_text(encoding="utf-8")
    for kept in ("# A registry of one's own. This comment stays.", "  # --- redirects ---",
                 "    notes: >-\n      kept as\n      written\n"):
        assert kept in text
    rows = {row["id"]: row for row in json.loads(report.read_text(encoding="utf-8"))["sites"]}
    assert rows["moved"]["permanent"] is True and rows["moved"]["left_host"] is True
    assert rows["dead"]["outcome"] == "dead"


def test_a_saved_report_is_applied_by_sites_apply_and_a_second_check_replaces_its_item(
    sites: dict[str, str], tmp_path: Path
) -> None:
    path = tmp_path / "sites.yaml"
    path.write_text(registry_text(sites), encoding="utf-8")
    report = tmp_path / "report.yaml"
    checked = tinlaodong(
        "sites", "check", "--sites", str(path), "--site", "liferay", "--report", str(report)
    )
    assert checked.returncode == 0, checked.stderr
    assert path.read_text(encoding="utf-8") == registry_text(sites)  # a report changes nothing
    assert yaml.safe_load(report.read_text(encoding="utf-8"))["sites"][0]["cms"] == "liferay6"
    for said in ("liferay: confirmed", "liferay: unchanged"):
        applied = tinlaodong("sites", "apply", str(report), "--sites", str(path))
        assert applied.returncode == 0, applied.stderr
        assert said in applied.stdout
    site = load_registry(path).get("liferay")
    assert len(site.evidence) == 1  # the second application replaced the first one's item
    assert site.searched == ('find_string "liferay"',)
    text = path.read_text(encoding="utf-8")
    assert text.split("  - id: moved")[1] == registry_text(sites).split("  - id: moved")[1]


def test_a_report_that_is_none_is_one_line_and_changes_nothing(tmp_path: Path) -> None:
    path = tmp_path / "sites.yaml"
    text = registry_text({key: "http://127.0.0.1:9/" for key in ("liferay", "moved", "merged",
                                                                  "home", "dead")})
    path.write_text(text, encoding="utf-8")
    (tmp_path / "notes.json").write_text('["not", "a", "report"]', encoding="utf-8")
    for name in ("notes.json", "missing.json"):
        result = tinlaodong("sites", "apply", str(tmp_path / name), "--sites", str(path))
        assert result.returncode == 2 and "Traceback" not in result.stderr
        assert len(result.stderr.strip().splitlines()) == 1 and name in result.stderr
    assert path.read_text(encoding="utf-8") == text
