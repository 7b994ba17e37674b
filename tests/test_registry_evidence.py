"""The built-in registry's evidence (issue 23): every entry says where its host was seen, or
which searches found nothing; it is confirmed exactly when an item confirms it; no two entries
claim one host unless one moved to the other; profiles are known and follow the CMS seen."""

from __future__ import annotations

import pytest

from aggregator.cms import profiles_allowed
from aggregator.profiles import PROFILES
from aggregator.registry import Site, load_registry
from aggregator.registry_rules import under
from aggregator.urls import site_host

SITES = load_registry().sites


def ids(site: Site) -> str:
    return site.id


@pytest.mark.parametrize("site", SITES, ids=ids)
def test_every_entry_has_evidence_or_the_searches_that_found_none(site: Site) -> None:
    assert site.evidence or site.searched, f"{site.id}: no evidence and no searches recorded"


@pytest.mark.parametrize("site", SITES, ids=ids)
def test_confirmed_exactly_when_an_item_confirms(site: Site) -> None:
    assert site.confirmed == any(item.confirms for item in site.evidence)


@pytest.mark.parametrize("site", SITES, ids=ids)
def test_the_profile_is_known_and_follows_the_cms_seen(site: Site) -> None:
    """The CMS seen on the site's own hosts (Site.cms_evidence: what a `sites check` saw
    governs where it saw one, since a site may have changed CMS)."""
    assert site.profile is None or site.profile in PROFILES
    for item in site.cms_evidence():
        if item.cms is not None:
            assert site.profile in profiles_allowed(item.cms), (
                f"{site.id}: profile {site.profile} but {item.where} shows {item.cms}"
            )


def overlaps(a: str, b: str) -> bool:
    """Two start URLs claim some pages alike: one holds the other (aggregator.registry_rules:
    a start URL with a path is a section of its host, as on a shared provincial portal)."""
    return under(a, b) or under(b, a)


def test_no_two_entries_claim_one_host_unless_one_moved_to_the_other() -> None:
    claims = [
        (site.id, url)
        for site in SITES
        for url in (*site.start_urls, *((site.moved_to,) if site.moved_to else ()))
    ]
    by_id = {site.id: site for site in SITES}

    def moved_between(a: Site, b: Site) -> bool:
        return any(
            x.moved_to is not None and site_host(x.moved_to) in y.hosts
            for x, y in ((a, b), (b, a))
        )

    shared = sorted(
        {
            (a, b, site_host(ca))
            for a, ca in claims
            for b, cb in claims
            if a < b and overlaps(ca, cb) and not moved_between(by_id[a], by_id[b])
        }
    )
    assert not shared, f"hosts claimed by more than one entry: {shared}"


def test_two_sections_of_one_portal_are_two_claims_and_a_home_page_holds_them() -> None:
    snv, sldtbxh = "https://w3.lamdong.gov.vn/sites/snv", "https://w3.lamdong.gov.vn/sites/sldtbxh/"
    assert not overlaps(snv, sldtbxh)
    assert overlaps("https://w3.lamdong.gov.vn/", snv)
    assert overlaps("https://www.w3.lamdong.gov.vn/sites/snv/Pages/a.aspx", snv)
