"""``sites apply`` with reports a user could get wrong or an attacker could write (issue 23's
attack): the registry file named is the one written, whatever the options' place; a report's
redirect target, URL and ids are checked against the registry before anything is written."""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path
from typing import Any

import pytest

from aggregator.registry import default_registry_path, load_registry
from tests.helpers import closed_port, tinlaodong


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
    *rows, counts = listed.stdout.splitlines()
    assert [line.split()[0] for line in rows] == ["hanoi-a", "hanoi-b"]
    assert counts.startswith("2 sites: 1 confirmed")


def apply(registry: Path, report: Path) -> tuple[int, list[str]]:
    applied = tinlaodong("sites", "apply", str(report), "--sites", str(registry))
    assert "Traceback" not in applied.stderr
    return applied.returncode, applied.stdout.splitlines() + applied.stderr.splitlines()


def test_a_redirect_to_a_private_address_or_off_gov_vn_is_not_applied(tmp_path: Path) -> None:
    registry, report = files(
        tmp_path,
        moved("hanoi-a", "https://sldtbxh.hanoi.gov.vn/", "http://10.0.0.5/", "10.0.0.5"),
        moved("hanoi-b", "https://snv.hanoi.gov.vn/", "https://casino.example.com/",
              "casino.example.com"),
    )
    code, lines = apply(registry, report)
    assert registry.read_text(encoding="utf-8") == TEXT
    assert lines[0].startswith("hanoi-a: refused: redirected to http://10.0.0.5/")
    assert "off .gov.vn" in lines[1] and "start URL kept" in lines[1]


def test_a_result_for_another_url_is_skipped(tmp_path: Path) -> None:
    registry, report = files(
        tmp_path,
        result("hanoi-a", "http://127.0.0.1:18182/tin-tuc", cms="liferay6", profile="liferay"),
        result("hanoi-b", "https://snv.hanoi.gov.vn/"),
    )
    code, lines = apply(registry, report)
    assert code == 0
    assert lines[0] == (
        "hanoi-a: skipped: the report is for http://127.0.0.1:18182/tin-tuc, "
        "not its start URL https://sldtbxh.hanoi.gov.vn/"
    )
    sites = load_registry(registry)
    assert not sites.get("hanoi-a").confirmed and sites.get("hanoi-a").profile is None
    assert sites.get("hanoi-b").confirmed


PORTAL = (
    "sites:\n"
    + entry("old", "https://sldtbxh.bacninh.gov.vn/", "Bắc Ninh", "    status: archived\n")
    + entry("noivu", "https://www.bacninh.gov.vn/web/so-noi-vu", "Bắc Ninh")
    + entry("other", "https://sldtbxh.hanoi.gov.vn/", extra="    status: archived\n")
    + entry("live", "https://snv.hanoi.gov.vn/")
    + entry("twin", "https://ldtbxh.hanoi.gov.vn/", extra="    status: archived\n")
)


def test_moves_keep_the_registry_rules(tmp_path: Path) -> None:
    registry, report = files(
        tmp_path,
        # The Finance department's section of the portal is not the home-affairs one's.
        moved("old", "https://sldtbxh.bacninh.gov.vn/",
              "https://www.bacninh.gov.vn/web/so-tai-chinh", "www.bacninh.gov.vn"),
        # An archived department into the live one: moved_to.
        moved("other", "https://sldtbxh.hanoi.gov.vn/", "https://snv.hanoi.gov.vn/",
              "snv.hanoi.gov.vn"),
        # The live one back to the archived one: refused (and would be a cycle).
        moved("live", "https://snv.hanoi.gov.vn/", "https://sldtbxh.hanoi.gov.vn/",
              "sldtbxh.hanoi.gov.vn"),
        text=PORTAL,
    )
    code, lines = apply(registry, report)
    assert code == 0, lines
    sites = load_registry(registry)
    old = sites.get("old")
    assert old.status == "archived" and old.moved_to is None  # not the home-affairs section
    assert old.start_urls == ("https://www.bacninh.gov.vn/web/so-tai-chinh",)
    assert sites.get("other").moved_to == "https://snv.hanoi.gov.vn/"
    live = sites.get("live")
    assert live.status == "active" and not live.confirmed
    assert lines[2].startswith("live: not applied: ") and "active" in lines[2]


def test_two_entries_sent_to_one_new_host_one_moves_to_the_other(tmp_path: Path) -> None:
    registry, report = files(
        tmp_path,
        moved("other", "https://sldtbxh.hanoi.gov.vn/", "https://new.hanoi.gov.vn/",
              "new.hanoi.gov.vn"),
        moved("twin", "https://ldtbxh.hanoi.gov.vn/", "https://new.hanoi.gov.vn/",
              "new.hanoi.gov.vn"),
        moved("live", "https://snv.hanoi.gov.vn/", "https://new.hanoi.gov.vn/x",
              "new.hanoi.gov.vn"),
        text=PORTAL,
    )
    code, lines = apply(registry, report)
    sites = load_registry(registry)
    assert sites.get("other").start_urls == ("https://new.hanoi.gov.vn/",)
    assert sites.get("twin").moved_to == "https://new.hanoi.gov.vn/"
    # The active entry does not become the archived one's redirect, nor share its host.
    assert sites.get("live").start_urls == ("https://snv.hanoi.gov.vn/",)
    assert lines[2].startswith("live: not applied: ")


def test_a_report_path_that_cannot_be_written_is_refused_before_the_check(tmp_path: Path) -> None:
    registry, _ = files(tmp_path)
    for bad in (tmp_path / "no-such-dir" / "r.json", tmp_path):
        checked = tinlaodong("sites", "check", "--sites", str(registry), "--report", str(bad))
        assert checked.returncode == 2 and "Traceback" not in checked.stderr
        assert len(checked.stderr.strip().splitlines()) == 1 and str(bad) in checked.stderr
        assert checked.stdout == ""  # nothing probed
    assert registry.read_text(encoding="utf-8") == TEXT


def test_a_registry_kept_through_a_symlink_is_written_behind_it(tmp_path: Path) -> None:
    registry, report = files(tmp_path, result("hanoi-a", "https://sldtbxh.hanoi.gov.vn/"))
    link = tmp_path / "link.yaml"
    link.symlink_to(registry)
    code, _ = apply(link, report)
    assert code == 0 and link.is_symlink()
    assert load_registry(registry).get("hanoi-a").confirmed


def test_reports_a_user_got_wrong_are_one_line_and_change_nothing(tmp_path: Path) -> None:
    registry, report = files(tmp_path, result("elsewhere", "https://x.gov.vn/"))
    bad_yaml = tmp_path / "bad.yaml"
    bad_yaml.write_text("checked: 2026-12-07\nsites: [a: b: c\n", encoding="utf-8")
    not_a_day = tmp_path / "day.json"
    not_a_day.write_text(json.dumps({"checked": "not a day\nfoo: bar", "sites": [
        result("hanoi-a", "https://sldtbxh.hanoi.gov.vn/")]}), encoding="utf-8")
    broken = tmp_path / "broken.json"
    broken.write_text(json.dumps({"checked": "2026-12-07", "sites": [
        result("hanoi-a", "https://sldtbxh.hanoi.gov.vn/", cms="x\nnotes: y")]}),
        encoding="utf-8")
    for wrong in (report, bad_yaml, not_a_day, broken, registry):  # the registry as a report
        code, lines = apply(registry, wrong)
        assert code == 2 and len(lines) == 1, (wrong, lines)
    assert registry.read_text(encoding="utf-8") == TEXT


def test_the_same_report_twice_is_unchanged_and_crlf_stays(tmp_path: Path) -> None:
    registry, report = files(tmp_path, result("hanoi-a", "https://sldtbxh.hanoi.gov.vn/"),
                             text=TEXT.replace("\n", "\r\n"))
    code, lines = apply(registry, report)
    assert lines[-1] == f"{registry}: 1 of 1 sites updated"
    first = registry.read_bytes()
    assert first.count(b"\n") == first.count(b"\r\n") > TEXT.count("\n")
    code, lines = apply(registry, report)
    assert code == 0 and lines == [
        "hanoi-a: unchanged (the registry already says what the report saw)",
        f"{registry}: unchanged",
    ]
    assert registry.read_bytes() == first


def test_a_temporary_detour_to_another_host_gives_no_profile(tmp_path: Path) -> None:
    registry, report = files(
        tmp_path,
        result("hanoi-a", "https://sldtbxh.hanoi.gov.vn/", outcome="redirected", status=302,
               final_url="https://cdn.hanoi.gov.vn/", redirects=1,
               left_host="cdn.hanoi.gov.vn", cms="liferay6", profile="liferay"),
    )
    code, lines = apply(registry, report)
    site = load_registry(registry).get("hanoi-a")
    assert code == 0 and site.confirmed and site.profile is None
    assert site.start_urls == ("https://sldtbxh.hanoi.gov.vn/",)


def test_a_bad_cms_in_a_report_is_the_reports_error(tmp_path: Path) -> None:
    registry, report = files(
        tmp_path, result("hanoi-a", "https://sldtbxh.hanoi.gov.vn/", cms="zzz")
    )
    code, lines = apply(registry, report)
    assert code == 2 and len(lines) == 1 and str(report) in lines[0] and "'zzz'" in lines[0]
    assert registry.read_text(encoding="utf-8") == TEXT


def check_report(tmp_path: Path, report: str) -> tuple[Path, Any]:
    registry = tmp_path / "own.yaml"
    registry.write_text(
        "sites:\n" + entry("own", f"http://127.0.0.1:{closed_port()}/",
                           extra="    allow_private_network: true\n"),
        encoding="utf-8",
    )
    checked = tinlaodong("sites", "check", "--sites", str(registry), "--timeout", "2",
                         "--report", report.replace("REG", str(registry)))
    return registry, checked


def test_a_report_never_overwrites_the_registry_nor_a_fifo(tmp_path: Path) -> None:
    # Not /dev/null itself: a regression would replace the machine's device node.
    os.symlink(tmp_path / "own.yaml", tmp_path / "link.json")
    os.mkfifo(tmp_path / "pipe.json")
    for name in ("REG", str(tmp_path / "link.json"), str(tmp_path / ".." / tmp_path.name /
                 "own.yaml"), str(tmp_path / "pipe.json")):
        registry, checked = check_report(tmp_path, name)
        before = registry.read_text(encoding="utf-8")
        assert checked.returncode == 2, (name, checked.stdout, checked.stderr)
        assert len(checked.stderr.splitlines()) == 1 and "--report" in checked.stderr, name
        assert checked.stdout == ""  # refused before the probe
        assert registry.read_text(encoding="utf-8") == before
    assert stat.S_ISFIFO((tmp_path / "pipe.json").stat().st_mode)


def test_a_report_in_an_unwritable_place_is_one_line(tmp_path: Path) -> None:
    _, checked = check_report(tmp_path, "/proc/self/x.json")
    assert checked.returncode == 2 and checked.stdout == ""
    assert len(checked.stderr.splitlines()) == 1 and "--report" in checked.stderr


def test_a_reachable_result_ending_elsewhere_meets_the_redirect_guards(tmp_path: Path) -> None:
    registry, report = files(
        tmp_path,
        result("hanoi-a", "https://sldtbxh.hanoi.gov.vn/",
               final_url="https://casino.example.com/", profile="wordpress", cms="wordpress"),
        result("hanoi-b", "https://snv.hanoi.gov.vn/", final_url="http://10.0.0.5/"),
    )
    code, lines = apply(registry, report)
    assert code == 0, lines
    assert registry.read_text(encoding="utf-8") == TEXT
    assert f"{registry}: unchanged" in lines


def test_a_redirect_to_a_dead_or_missing_end_moves_and_confirms_nothing(tmp_path: Path) -> None:
    dead = moved("hanoi-a", "https://sldtbxh.hanoi.gov.vn/", "https://new.hanoi.gov.vn/",
                 "new.hanoi.gov.vn")
    nowhere = moved("hanoi-b", "https://snv.hanoi.gov.vn/", "", "x")
    registry, report = files(tmp_path, {**dead, "final_status": 500},
                             {**nowhere, "final_url": None, "final_status": None})
    code, lines = apply(registry, report)
    assert code == 0, lines
    assert registry.read_text(encoding="utf-8") == TEXT


def test_an_unknown_outcome_or_a_status_not_a_number_refuses_the_report(tmp_path: Path) -> None:
    for bad in ({"outcome": "pwned"}, {"status": "200<script>"}):
        registry, report = files(
            tmp_path, result("hanoi-a", "https://sldtbxh.hanoi.gov.vn/", **bad)
        )
        code, lines = apply(registry, report)
        assert code == 2 and len(lines) == 1, (bad, lines)
        assert str(report) in lines[0] and str(registry) not in lines[0]
        assert registry.read_text(encoding="utf-8") == TEXT


def test_a_bad_target_refuses_its_result_only_naming_the_report(tmp_path: Path) -> None:
    registry, report = files(
        tmp_path,
        moved("hanoi-a", "https://sldtbxh.hanoi.gov.vn/", "ftp://ftp.hanoi.gov.vn/",
              "ftp.hanoi.gov.vn"),
        result("hanoi-b", "https://snv.hanoi.gov.vn/"),
    )
    code, lines = apply(registry, report)
    assert code == 0, lines
    refused = [line for line in lines if line.startswith("hanoi-a:")]
    assert len(refused) == 1 and str(report) in refused[0] and "ftp://" in refused[0]
    assert not load_registry(registry).get("hanoi-a").confirmed
    assert load_registry(registry).get("hanoi-b").confirmed


def test_an_apply_waits_for_another_on_the_same_registry(tmp_path: Path) -> None:
    import fcntl
    import subprocess
    import sys

    registry, report = files(tmp_path, result("hanoi-a", "https://sldtbxh.hanoi.gov.vn/"))
    held = os.open(tmp_path, os.O_RDONLY)  # what another apply holds while it writes
    fcntl.flock(held, fcntl.LOCK_EX)
    with subprocess.Popen(
        [sys.executable, "-m", "aggregator.cli.main", "sites", "apply", str(report), "--sites",
         str(registry)], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    ) as waiting:
        try:
            with pytest.raises(subprocess.TimeoutExpired):
                waiting.wait(timeout=5)  # an apply that took no lock has long finished
            assert registry.read_text(encoding="utf-8") == TEXT
        finally:
            os.close(held)
        _, err = waiting.communicate(timeout=120)
    assert waiting.returncode == 0, err
    assert load_registry(registry).get("hanoi-a").confirmed


PUNY = "xn--sniv-6y5a8a8b.hanoi.gov.vn"  # sởnộivụ.hanoi.gov.vn


@pytest.mark.parametrize(
    ("holder", "target", "written"),
    [
        ("https://snv.hanoi.gov.vn/", "https://snv.hanoi.gov.vn./", "https://snv.hanoi.gov.vn/"),
        (f"https://{PUNY}/", "https://sởnộivụ.hanoi.gov.vn/", f"https://{PUNY}/"),
        ("https://sởnộivụ.hanoi.gov.vn/", f"https://{PUNY}/", f"https://{PUNY}/"),
        ("https://snv.hanoi.gov.vn/", "https://SNV.Hanoi.gov.vn:443/", "https://snv.hanoi.gov.vn/"),
    ],
)
def test_another_spelling_of_an_entrys_host_is_that_entrys_host(
    tmp_path: Path, holder: str, target: str, written: str
) -> None:
    text = ("sites:\n" + entry("hanoi-a", "https://sldtbxh.hanoi.gov.vn/")
            + entry("hanoi-b", holder))
    registry, report = files(
        tmp_path, moved("hanoi-a", "https://sldtbxh.hanoi.gov.vn/", target, "x"), text=text
    )
    code, lines = apply(registry, report)
    assert code == 0, lines
    site = load_registry(registry).get("hanoi-a")
    assert (site.status, site.moved_to, site.start_urls) == (
        "moved", written, ("https://sldtbxh.hanoi.gov.vn/",)), lines


def test_a_new_host_is_written_in_its_one_spelling_and_userinfo_is_refused(
    tmp_path: Path,
) -> None:
    registry, report = files(
        tmp_path,
        moved("hanoi-a", "https://sldtbxh.hanoi.gov.vn/", "https://NEW.Hanoi.gov.vn./x", "x"),
        moved("hanoi-b", "https://snv.hanoi.gov.vn/", "https://u:p@snv2.hanoi.gov.vn/", "x"),
    )
    code, lines = apply(registry, report)
    assert code == 0, lines
    assert load_registry(registry).get("hanoi-a").start_urls == ("https://new.hanoi.gov.vn/x",)
    assert load_registry(registry).get("hanoi-b").start_urls == ("https://snv.hanoi.gov.vn/",)
    assert any(line.startswith("hanoi-b: refused") for line in lines), lines


def test_a_moved_entry_redirected_elsewhere_changes_its_moved_to_only(tmp_path: Path) -> None:
    text = ("sites:\n"
            + entry("hanoi-a", "https://sldtbxh.hanoi.gov.vn/",
                    extra="    status: moved\n    moved_to: https://snv.hanoi.gov.vn/\n")
            + entry("hanoi-b", "https://snv.hanoi.gov.vn/")
            + entry("hanoi-c", "https://new.hanoi.gov.vn/"))
    for target, moved_to in (("https://new.hanoi.gov.vn/", "https://new.hanoi.gov.vn/"),
                             ("https://nobody.hanoi.gov.vn/", "https://snv.hanoi.gov.vn/")):
        registry, report = files(
            tmp_path, moved("hanoi-a", "https://sldtbxh.hanoi.gov.vn/", target, "x"), text=text
        )
        code, lines = apply(registry, report)
        assert code == 0, lines
        site = load_registry(registry).get("hanoi-a")
        assert site.start_urls == ("https://sldtbxh.hanoi.gov.vn/",), lines
        assert (site.status, site.moved_to) == ("moved", moved_to), lines


def test_chained_moves_end_the_same_whatever_the_order_and_once(tmp_path: Path) -> None:
    first = moved("hanoi-a", "https://sldtbxh.hanoi.gov.vn/", "https://snv.hanoi.gov.vn/", "x")
    second = moved("hanoi-b", "https://snv.hanoi.gov.vn/", "https://snv2.hanoi.gov.vn/", "x")
    ends = []
    for name, rows in (("ab", (first, second)), ("ba", (second, first))):
        (tmp_path / name).mkdir()
        registry, report = files(tmp_path / name, *rows)
        code, lines = apply(registry, report)
        assert code == 0, lines
        ends.append(registry.read_text(encoding="utf-8"))
        code, lines = apply(registry, report)
        assert code == 0 and f"{registry}: unchanged" in lines, lines
    assert ends[0] == ends[1]
    assert "snv2.hanoi.gov.vn" in ends[0]
    assert load_registry(tmp_path / "ab" / "sites.yaml").get("hanoi-a").moved_to is None


def test_sites_show_json_prints_the_entry_as_json(tmp_path: Path) -> None:
    registry, _ = files(tmp_path)
    for args in (("sites", "--json", "--sites", str(registry), "show", "hanoi-b"),
                 ("sites", "show", "hanoi-b", "--json", "--sites", str(registry))):
        shown = tinlaodong(*args)
        assert shown.returncode == 0, (args, shown.stderr)
        data = json.loads(shown.stdout)
        assert data["id"] == "hanoi-b" and data["start_urls"] == ["https://snv.hanoi.gov.vn/"]
