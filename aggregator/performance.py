"""Speed tricks of the extraction that only a benchmark justifies, kept in one place
(``bench/worker_cpu_bench.py`` measures them; docs/performance.md, "Real pages", holds the
figures). The crawl's process-wide tuning (:mod:`aggregator.app.tuning`) is switched by the
same ``TINLAODONG_TUNING=off``, read here.

The page parser: trafilatura's loader with lxml.html's parser, except for its element class
lookup. lxml.html picks each element's Python class in a Python method (form elements get
classes of their own), called every time an element is first touched from Python: by our page
objects and by trafilatura, which walk every page many times. A lookup done in C, every
element an :class:`~lxml.html.HtmlElement`, spares that call; nothing here or in trafilatura
uses the form classes. Trees of this parser keep it in their copies (trafilatura copies
what it is handed), so trafilatura's own walks of them are spared it too.
"""

from __future__ import annotations

import os

import lxml.html
from lxml import etree
from lxml.html import HtmlElement

TUNING_ENV = "TINLAODONG_TUNING"


def enabled() -> bool:
    """Whether the speed tricks are on (``TINLAODONG_TUNING`` other than ``off``): off, to
    measure them or to rule them out when something looks wrong."""
    return os.environ.get(TUNING_ENV, "on").strip().lower() not in ("off", "0", "false", "no")


def _parser() -> lxml.html.HTMLParser:
    # The settings of trafilatura's own parser (trafilatura.utils.HTML_PARSER).
    parser = lxml.html.HTMLParser(
        collect_ids=False,
        default_doctype=False,
        encoding="utf-8",
        remove_comments=True,
        remove_pis=True,
    )
    parser.set_element_class_lookup(
        etree.ElementDefaultClassLookup(
            element=lxml.html.HtmlElement,
            comment=lxml.html.HtmlComment,
            pi=lxml.html.HtmlProcessingInstruction,
            entity=lxml.html.HtmlEntity,
        )
    )
    return parser


_PARSER = _parser()
# Characters XML cannot hold, which libxml2 stops at (trafilatura.utils.INVALID_XML_CHARS):
# looked for one by one (memchr speed) before a regex pass over the whole page.
_INVALID_XML = (*map(chr, (*range(0x9), 0xB, 0xC, *range(0xE, 0x20))), "\ufffe", "\uffff")


def parse_markup(markup: str) -> HtmlElement | None:
    """``trafilatura.load_html(markup)``, parsed by the faster parser: the same repairs
    (characters XML cannot hold, a faulty doctype or ``<html/>``), the same tree, the same
    refusal (None) of a page too small to be HTML."""
    import trafilatura
    from trafilatura.utils import is_dubious_html, repair_faulty_html

    if not enabled():
        return trafilatura.load_html(markup)
    beginning = markup[:50].lower()
    if any(char in markup for char in _INVALID_XML):
        repaired = repair_faulty_html(markup, beginning)
    else:
        repaired = _repair_without_invalid(markup, beginning)
    # Bytes with the parser's UTF-8: what trafilatura falls back to, and cheaper for lxml
    # than a str (it would re-encode it); no declaration in the page can change the charset.
    try:
        tree = lxml.html.fromstring(repaired.encode("utf-8", "surrogatepass"), parser=_PARSER)
    except (etree.LxmlError, ValueError):  # an empty document, as trafilatura's None
        return None
    if is_dubious_html(beginning) and len(tree) < 2:
        return None
    return tree


def _repair_without_invalid(markup: str, beginning: str) -> str:
    """``trafilatura.utils.repair_faulty_html`` but its character pass, which would find
    nothing."""
    from trafilatura.utils import DOCTYPE_TAG, FAULTY_HTML

    if "doctype" in beginning:
        firstline, _, rest = markup.partition("\n")
        markup = DOCTYPE_TAG.sub("", firstline, count=1) + "\n" + rest
    for line in markup[:4096].splitlines()[:4]:
        if "<html" in line and line.endswith("/>"):
            return FAULTY_HTML.sub(r"\1>", markup, count=1)
    return markup


__all__ = ["TUNING_ENV", "enabled", "parse_markup"]
