"""The faster page parser reads every page as trafilatura's own loader does: same tree, same
refusals; only the elements' Python class lookup differs."""

from __future__ import annotations

import lxml.html
import pytest
import trafilatura

from aggregator.performance import parse_markup

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
