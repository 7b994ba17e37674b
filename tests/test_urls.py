"""Which site a URL belongs to: one comparison for the registry, the profiles and the spider."""

from __future__ import annotations

from aggregator.urls import same_site, site_host


def test_www_case_and_default_ports_are_the_same_site() -> None:
    hosts = {site_host("https://sldtbxh.hanoi.gov.vn/")}
    for url in (
        "https://WWW.sldtbxh.hanoi.gov.vn/tin-tuc",
        "https://sldtbxh.hanoi.gov.vn:443/a",
        "http://sldtbxh.hanoi.gov.vn:80/a",
        "https://user@sldtbxh.hanoi.gov.vn/a",
    ):
        assert same_site(url, hosts), url


def test_another_subdomain_or_port_is_another_site() -> None:
    hosts = {site_host("http://127.0.0.1:8765/")}
    assert same_site("http://127.0.0.1:8765/x", hosts)
    assert not same_site("http://127.0.0.1:8766/x", hosts)
    assert not same_site("https://hanoi.gov.vn/", {site_host("https://sldtbxh.hanoi.gov.vn/")})


def test_a_url_with_a_broken_port_still_has_a_host() -> None:
    assert site_host("http://example.vn:abc/") == "example.vn"
