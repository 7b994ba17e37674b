"""A registry entry's evidence (issue 23): what a valid item is, one-line errors naming the
entry for a wrong one, and `sites list` / `sites show` showing it."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from aggregator.exceptions import RegistryError
from aggregator.registry import Evidence, load_registry
from aggregator.store import open_store
from tests.helpers import tinlaodong

ENTRY = (
    "sites:\n"
    "  - id: bg\n"
    "    name: Sở LĐ-TB&XH Bắc Giang\n"
    "    province: Bắc Giang\n"
    "    start_urls: [https://sldtbxh.bacgiang.gov.vn/]\n"
)
CONFIRMS = (
    "      - where: github someone/portal src/links.js\n"
    "        query: 'find_string \"sldtbxh.bacgiang\"'\n"
    "        shows: a link titled 'Sở Lao động - Thương binh và Xã hội'\n"
    "        strength: confirms\n"
    "        cms: liferay\n"
)


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "sites.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_evidence_and_searches_are_kept(tmp_path: Path) -> None:
    text = ENTRY + "    confirmed: true\n    evidence:\n" + CONFIRMS
    text += "    searched: ['q1', 'q2']\n"
    site = load_registry(write(tmp_path, text)).get("bg")
    assert site.confirmed
    assert site.evidence == (
        Evidence(
            where="github someone/portal src/links.js",
            shows="a link titled 'Sở Lao động - Thương binh và Xã hội'",
            strength="confirms",
            query='find_string "sldtbxh.bacgiang"',
            cms="liferay",
        ),
    )
    assert site.searched == ("q1", "q2")


@pytest.mark.parametrize(
    ("tail", "message"),
    [
        ("    evidence:\n      - {where: x, shows: y, strength: proves}\n", "strength 'proves'"),
        ("    evidence:\n      - {where: x, shows: '  ', strength: hint}\n", "shows must be"),
        ("    evidence:\n      - {where: x, strength: hint}\n", "shows must be"),
        ("    evidence:\n      - {where: x, shows: y, strength: hint, cms: joomla}\n", "joomla"),
        ("    evidence:\n      - {where: x, shows: y, strength: hint, seen: 1}\n", "seen"),
        ("    evidence: a link\n", "evidence must be a list"),
        ("    searched: find_string x\n", "searched must be a list"),
        (
            "    confirmed: true\n    evidence:\n      - {where: x, shows: y, strength: hint}\n",
            "no evidence item confirms",
        ),
    ],
)
def test_a_wrong_evidence_item_is_one_line_naming_the_entry(
    tmp_path: Path, tail: str, message: str
) -> None:
    with pytest.raises(RegistryError) as info:
        load_registry(write(tmp_path, ENTRY + tail))
    assert message in str(info.value)
    assert "(bg)" in str(info.value)
    assert "\n" not in str(info.value)


def test_confirmed_without_an_evidence_list_is_taken_as_written(tmp_path: Path) -> None:
    """A registry of one's own (the mirror's, a user's) may say confirmed: true without
    evidence; the built-in one is held to more by tests/test_registry_evidence.py."""
    assert load_registry(write(tmp_path, ENTRY + "    confirmed: true\n")).get("bg").confirmed


def test_sites_list_shows_confirmation_and_json_has_the_evidence(tmp_path: Path) -> None:
    text = (
        ENTRY + "    confirmed: true\n    evidence:\n" + CONFIRMS
        + "  - id: hn\n    name: Sở Nội vụ Hà Nội\n    province: Hà Nội\n"
        "    start_urls: [https://sonoivu.hanoi.gov.vn/]\n    searched: ['find_string \"x\"']\n"
    )
    path = write(tmp_path, text)
    open_store(tmp_path / "d").close()  # an empty data directory
    listed = tinlaodong("sites", "list", "--sites", str(path), "--data-dir", str(tmp_path / "d"))
    assert listed.returncode == 0, listed.stderr
    lines = {line.split()[0]: line for line in listed.stdout.splitlines()}
    assert "confirmed (1)" in lines["bg"]
    assert "unconfirmed (0)" in lines["hn"]
    assert listed.stdout.splitlines()[-1] == (
        "2 sites: 1 confirmed, 0 with hints only, 1 with no evidence"
    )
    rows = tinlaodong("sites", "--json", "--sites", str(path), "--data-dir", str(tmp_path / "d"))
    by_id = {row["id"]: row for row in map(json.loads, rows.stdout.splitlines())}
    assert by_id["bg"]["evidence"][0]["strength"] == "confirms"
    assert by_id["hn"]["evidence"] == [] and by_id["hn"]["searched"] == ['find_string "x"']


def test_sites_show_prints_the_evidence_in_full(tmp_path: Path) -> None:
    path = write(tmp_path, ENTRY + "    confirmed: true\n    evidence:\n" + CONFIRMS)
    shown = tinlaodong("sites", "show", "bg", "--sites", str(path))
    assert shown.returncode == 0, shown.stderr
    assert "confirmed: 1 evidence item" in shown.stdout
    assert "confirms, liferay: a link titled 'Sở Lao động - Thương binh và Xã hội'" in shown.stdout
    assert "where: github someone/portal src/links.js" in shown.stdout
    assert 'found by: find_string "sldtbxh.bacgiang"' in shown.stdout
    unknown = tinlaodong("sites", "show", "bgg", "--sites", str(path))
    assert unknown.returncode == 2 and "did you mean bg" in unknown.stderr


def test_the_cms_of_a_site_is_what_its_own_host_shows_and_a_check_governs(tmp_path: Path) -> None:
    text = ENTRY + (
        "    evidence:\n"
        "      - {where: a, shows: a sister department, strength: hint, cms: sharepoint,"
        " host: sxd.bacgiang.gov.vn}\n"
        "      - {where: b, shows: documents, strength: hint, cms: liferay,"
        " host: www.sldtbxh.bacgiang.gov.vn}\n"
    )
    site = load_registry(write(tmp_path, text)).get("bg")
    assert [item.where for item in site.cms_evidence()] == ["b"]
    checked = text + (
        "      - {where: sites check 2026-12-07, shows: answered 200, strength: confirms,"
        " cms: liferay7}\n"
    )
    site = load_registry(write(tmp_path, checked)).get("bg")
    assert [item.cms for item in site.cms_evidence()] == ["liferay7"]
