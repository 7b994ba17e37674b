"""Editing some entries of a registry file keeps every other line as written (issue 23)."""

from __future__ import annotations

import pytest
import yaml

from aggregator.exceptions import RegistryError
from aggregator.registry_edit import update_entries

TEXT = """\
# The sites. A comment people wrote.
sites:

  # --- one section ---
  - id: a
    name: A   # a comment after a value
    province: Hà Nội
    start_urls: [https://a.gov.vn/]
    confirmed: false
    notes: >-
      a folded note
      on two lines

  # --- another section ---
  - id: b
    name: B
    province: Huế
    start_urls: [https://b.gov.vn/]
"""


def test_only_the_changed_keys_lines_change() -> None:
    evidence = [
        {"where": "sites check 2026-12-07", "shows": "answered 200", "strength": "confirms"}
    ]
    new = update_entries(
        TEXT,
        {"a": {"confirmed": True, "evidence": evidence, "start_urls": ["https://x.gov.vn/"]}},
    )
    assert new.splitlines()[:7] == TEXT.splitlines()[:7]
    assert "    start_urls: [https://x.gov.vn/]" in new.splitlines()
    assert "    confirmed: true" in new.splitlines()
    assert "  # --- another section ---" in new and "# The sites. A comment people wrote." in new
    assert new.endswith(TEXT[TEXT.index("\n  # --- another section ---"):])
    data = yaml.safe_load(new)["sites"]
    assert data[0]["evidence"] == evidence
    assert data[0]["notes"] == "a folded note on two lines"


def test_a_key_can_be_removed_and_one_added_to_the_last_entry() -> None:
    new = update_entries(TEXT, {"a": {"notes": None}, "b": {"profile": "liferay"}})
    data = yaml.safe_load(new)["sites"]
    assert "notes" not in data[0]
    assert data[1]["profile"] == "liferay"
    assert "a folded note" not in new


def test_an_entry_in_flow_style_is_refused_not_mangled() -> None:
    text = "sites:\n  - {id: a, name: A, province: Huế, start_urls: [https://a.gov.vn/]}\n"
    with pytest.raises(RegistryError, match="cannot find the entry of 'a'"):
        update_entries(text, {"a": {"confirmed": True}})


def test_an_unknown_id_is_named() -> None:
    with pytest.raises(RegistryError, match="'zz'"):
        update_entries(TEXT, {"zz": {"confirmed": True}})
