"""The site registry: the shipped one loads, and a broken file gets one clear line."""

from __future__ import annotations

import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest

from aggregator.exceptions import RegistryError
from aggregator.gazetteer import REORGANISED, default_gazetteer
from aggregator.registry import format_duration, load_registry, parse_duration


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
        ("sites:\n  - id: a\n    name: A\n    province: Huế\n", "missing start_urls"),
        (
            "sites:\n  - {id: a, name: A, province: Huế, start_urls: [ftp://x/]}\n",
            "not an http(s) URL",
        ),
        (
            "sites:\n  - {id: a, name: A, province: Huế, start_urls: [http://x/],"
            " profile: joomla}\n",
            "joomla",
        ),
        (
            "sites:\n  - {id: a, name: A, province: Huế, start_urls: [http://x/]}\n"
            "  - {id: a, name: B, province: Huế, start_urls: [http://y/]}\n",
            "duplicate id 'a'",
        ),
        (
            "sites:\n  - {id: a, name: A, province: Huế, start_urls: [http://x/], colour: red}\n",
            "colour",
        ),
        # urlsplit raises on these: a traceback from sites check (re-attack).
        (
            "sites:\n  - {id: a, name: A, province: Huế,"
            " start_urls: ['http://[::ffff:0177.0.0.1]:18101/']}\n",
            "cannot be read",
        ),
        (
            "sites:\n  - {id: a, name: A, province: Huế, start_urls: ['http://x.vn:abc/']}\n",
            "cannot be read",
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


# --- provinces, kinds and statuses (the 2025 reorganisation) ---


def test_every_shipped_site_names_a_gazetteer_province() -> None:
    gazetteer = default_gazetteer()
    for site in load_registry().sites:
        province = gazetteer.find(site.province)
        assert province is not None, f"{site.id}: {site.province}"
        assert site.province_id == province.id
        assert site.current_province_id == gazetteer.current_of(province).id


def test_shipped_registry_covers_63_former_departments_34_current_and_the_ministry() -> None:
    gazetteer, sites = default_gazetteer(), load_registry().sites
    departments = [s for s in sites if s.kind == "department"]
    # The 63 of 2025 (Hà Tây, merged into Hà Nội in 2008, had none of them).
    assert sorted(s.province_id or "" for s in departments) == sorted(
        p.id for p in gazetteer.all_former() if p.merged in (None, REORGANISED)
    )
    assert all(s.status == "archived" and s.crawl_every == timedelta(days=7) for s in departments)
    home_affairs = [s for s in sites if s.kind == "home-affairs"]
    assert sorted(s.province_id or "" for s in home_affairs) == sorted(
        p.id for p in gazetteer.all_current()
    )
    assert all(s.status == "active" for s in home_affairs)
    by_id = {s.id: s for s in sites}
    molisa, moha = by_id["molisa"], by_id["moha"]
    assert (molisa.kind, molisa.status, molisa.moved_to) == (
        "ministry", "moved", "https://moha.gov.vn/"
    )
    assert (moha.kind, moha.status) == ("ministry", "active")
    assert {s.id for s in sites if s.kind == "press"} == {"baodansinh", "laodongxahoi"}
    assert len(sites) == 63 + 34 + 2 + 2
    for site_id in ("baodansinh", "quangtri-sldtbxh", "bacgiang-sldtbxh", "camau-soldtbxh"):
        assert site_id in by_id
    assert by_id["bacgiang-sldtbxh"].current_province_id == "bac-ninh"


def test_every_shipped_profile_exists() -> None:
    from aggregator.profiles import PROFILES

    profiles = {s.profile for s in load_registry().sites}
    assert profiles - {None} <= set(PROFILES)
    assert load_registry().get("camau-soldtbxh").profile == "websphere"


@pytest.mark.parametrize(
    "province",
    ["Quảng Trị", "Bắc Giang", "Toàn quốc", "Lai Châu", "Hà Nội", "Cà Mau", "Đồng Tháp"],
)
def test_mirror_style_entries_without_kind_or_status_load(tmp_path: Path, province: str) -> None:
    text = f"sites:\n  - {{id: m, name: M, province: {province}, start_urls: [http://x/]}}\n"
    site = load_registry(write(tmp_path, text)).sites[0]
    assert site.status == "active" and site.crawl_every == timedelta(hours=3)
    assert site.kind == ("press" if province == "Toàn quốc" else "department")
    assert site.moved_to is None


def test_a_misspelt_province_is_one_line_with_a_suggestion(tmp_path: Path) -> None:
    text = "sites:\n  - {id: a, name: A, province: Bắc Giangg, start_urls: [http://x/]}\n"
    with pytest.raises(RegistryError) as info:
        load_registry(write(tmp_path, text))
    message = str(info.value)
    assert "\n" not in message and "site #1 (a)" in message
    assert "unknown province 'Bắc Giangg'" in message and "did you mean Bắc Giang" in message


def test_province_aliases_are_accepted(tmp_path: Path) -> None:
    text = "sites:\n  - {id: a, name: A, province: TP.HCM, start_urls: [http://x/]}\n"
    site = load_registry(write(tmp_path, text)).sites[0]
    assert (site.province, site.province_id) == ("TP.HCM", "ho-chi-minh")


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        ("kind: agency", "kind 'agency' is not one of department, home-affairs"),
        ("status: gone", "status 'gone' is not one of active, archived, moved"),
        ("crawl_every: soon", "crawl_every: 'soon' is not a duration"),
        ("moved_to: 'https://y/'", "moved_to is only for status moved"),
        ("{status: moved, moved_to: 'ftp://y/'}", "moved_to 'ftp://y/' is not an http(s) URL"),
    ],
)
def test_invalid_kind_status_and_schedule_are_named(
    tmp_path: Path, extra: str, message: str
) -> None:
    fields = extra.strip("{}")
    text = f"sites:\n  - {{id: a, name: A, province: Huế, start_urls: [http://x/], {fields}}}\n"
    with pytest.raises(RegistryError) as info:
        load_registry(write(tmp_path, text))
    assert message in str(info.value) and "site #1 (a)" in str(info.value)


@pytest.mark.parametrize(
    ("text", "interval"),
    [("30m", timedelta(minutes=30)), ("6h", timedelta(hours=6)), ("7d", timedelta(days=7)),
     ("2w", timedelta(weeks=2)), ("90m", timedelta(minutes=90))],
)
def test_crawl_every_round_trips(text: str, interval: timedelta) -> None:
    assert parse_duration(text) == interval
    assert parse_duration(format_duration(interval)) == interval


def test_sites_list_shows_former_and_current_province_kind_and_status() -> None:
    import json

    result = subprocess.run(
        [sys.executable, "-m", "aggregator.cli.main", "sites", "list", "--json"],
        capture_output=True, text=True, check=True,
    )
    rows = {r["id"]: r for r in map(json.loads, result.stdout.splitlines())}
    bacgiang = rows["bacgiang-sldtbxh"]
    assert (bacgiang["province_id"], bacgiang["current_province_id"]) == ("bac-giang", "bac-ninh")
    assert (bacgiang["kind"], bacgiang["status"], bacgiang["crawl_every"]) == (
        "department", "archived", "7d"
    )
    assert rows["molisa"]["moved_to"] == "https://moha.gov.vn/"
    text = subprocess.run(
        [sys.executable, "-m", "aggregator.cli.main", "sites", "list"],
        capture_output=True, text=True, check=True,
    ).stdout
    line = next(x for x in text.splitlines() if x.startswith("bacgiang-sldtbxh "))
    assert "department" in line and "archived" in line and "Bắc Giang -> Bắc Ninh" in line
