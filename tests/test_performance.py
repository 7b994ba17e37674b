"""The speed tricks change nothing a user sees: the faster page parser reads every page as
trafilatura's own loader does (same tree, same refusals; only the elements' Python class
lookup differs), and real pages give the same articles with the tricks off."""

from __future__ import annotations

import gzip
from pathlib import Path

import lxml.html
import pytest
import trafilatura

from aggregator.exceptions import ExtractionError
from aggregator.extraction import extract_article
from aggregator.performance import parse_markup
from tests.conftest import SHARED

BODY = "<p>Sở Lao động – Thương binh và Xã hội tỉnh Bắc Giang tổ chức hội nghị.</p>"


@pytest.mark.parametrize(
    "markup",
    [
        f"<html><head><title>t</title></head><body>{BODY}</body></html>",
        f"<!DOCTYPE html>\n<html lang='vi'><body><form><input name=q></form>{BODY}</body></html>",
        f"<html><body>\x01{BODY}\x0b\ufffe<!-- gone --></body></html>",  # XML cannot hold them
        f"<?xml version='1.0' encoding='utf-8'?>\n<html><body>{BODY}</body></html>",
        f"<html xmlns='http://www.w3.org/1999/xhtml'/>\n<body>{BODY}</body>",
        f"<div>{BODY}</div><div>{BODY}</div>",  # no <html>: a fragment of two blocks
        BODY,  # one block and no <html>: refused as not quite HTML
        "plain words",
    ],
    ids=[
        "page",
        "doctype-form",
        "xml-invalid",
        "xml-declaration",
        "html-self-closed",
        "two",
        "one",
        "text",
    ],
)
def test_the_tree_is_trafilaturas(markup: str) -> None:
    ours, theirs = parse_markup(markup), trafilatura.load_html(markup)
    if theirs is None:
        assert ours is None
        return
    assert ours is not None
    assert lxml.html.tostring(ours, encoding="unicode") == lxml.html.tostring(
        theirs, encoding="unicode"
    )
    assert all(isinstance(e, lxml.html.HtmlElement) for e in ours.iter() if isinstance(e.tag, str))


def test_tuning_off_gives_trafilaturas_own_parser(monkeypatch: pytest.MonkeyPatch) -> None:
    """``TINLAODONG_TUNING=off`` rules the speed tricks out when something looks wrong: the
    page is then parsed by trafilatura's loader, whose elements of a form get lxml.html's
    form classes."""
    markup = f"<html><body><form><input name=q></form>{BODY}</body></html>"
    tuned = parse_markup(markup)
    assert tuned is not None
    assert type(tuned.find(".//form")) is lxml.html.HtmlElement
    monkeypatch.setenv("TINLAODONG_TUNING", "off")
    plain = parse_markup(markup)
    assert plain is not None
    assert isinstance(plain.find(".//form"), lxml.html.FormElement)


def _real_pages() -> list[Path]:
    corpus = SHARED / "corpus"
    return [
        *sorted((corpus / "vn-dev" / "pages").glob("*.html")),
        *sorted((corpus / "hanoi-portal-2022").glob("*.html")),
        *sorted((corpus / "fundus-eval" / "html").glob("*.html.gz")),
    ]


def _read(path: Path) -> bytes:
    return gzip.decompress(path.read_bytes()) if path.suffix == ".gz" else path.read_bytes()


@pytest.mark.skipif(not _real_pages(), reason="../shared/corpus is not beside the checkout")
def test_the_speed_tricks_change_nothing_extracted_from_real_pages(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Every real page of vn-dev, the Hà Nội portal and fundus-eval (English news, mostly
    read whole: no profile knows them) gives the same article, or the same refusal, with
    the tricks on and with ``TINLAODONG_TUNING=off``."""

    def outcomes() -> list[object]:
        found: list[object] = []
        for path in _real_pages():
            try:
                found.append(extract_article(_read(path), url=f"http://x.gov.vn/{path.name}"))
            except ExtractionError as exc:
                found.append(str(exc))
        return found

    tuned = outcomes()
    monkeypatch.setenv("TINLAODONG_TUNING", "off")
    assert outcomes() == tuned
