"""Where an article's fields never are: related-stories boxes, sidebars, menus, footers.

Shared by the readers of headlines, date lines, leads and signatures: a date or a name in
one of these belongs to another story or to the site.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from lxml.html import HtmlElement

from aggregator.text import clean_line

CHROME_WORDS = re.compile(
    r"related|lien-?quan|tin-?khac|other|cung-?chuyen-?muc|sidebar|widget|footer|"
    r"\bnav|menu|comment|binh-?luan|most-?read|doc-?nhieu|xem-?nhieu|tin-?moi|newest|latest",
    re.IGNORECASE,
)
CHROME_TAGS = {"aside", "nav", "footer", "form"}
# The article's own container: what lies above it is page layout ("columns-widget"), which
# may borrow chrome's words without being chrome.
_ARTICLE_MARKS = re.compile(r"article|content|detail|entry|post\b|story", re.IGNORECASE)


def in_chrome(element: HtmlElement) -> bool:
    """Whether ``element`` sits in a sidebar, menu, footer or related-stories box (inside
    the article's container, or outside it)."""
    for ancestor in element.iterancestors():
        if ancestor.tag in CHROME_TAGS and not _page_wide_form(ancestor):
            return True
        marks = (ancestor.get("class") or "") + " " + (ancestor.get("id") or "")
        if marks.strip() and CHROME_WORDS.search(marks):
            # A column holding the page's h1 is the article's, whatever its name (VnExpress
            # calls its main column "sidebar-1").
            return ancestor.find(".//h1") is None
        if ancestor.tag in ("article", "main") or _ARTICLE_MARKS.search(marks):
            return False
    return False


def _page_wide_form(element: HtmlElement) -> bool:
    """ASP.NET WebForms wraps the whole page in one ``<form>``: that one is no search box."""
    parent = element.getparent()
    return element.tag == "form" and parent is not None and parent.tag == "body"


# A text whose paragraphs average this many characters or more is prose: not read for links.
_MENU_PARAGRAPH_CHARS = 80
_MENU_ITEM_CHARS = 30  # a link's text this short is a menu's item wherever it is
MENU_SHARE = 0.5  # of a text's characters: more, and it is the site's links, not a story


def mostly_links(text: str, trees: Iterable[HtmlElement]) -> bool:
    """Whether more than half of ``text`` is paragraphs that are each the text of one menu
    link in ``trees`` (a link in a menu, sidebar or footer, or one of a few words anywhere): a
    portal's sign-in, site map or hotline page read whole gives its menus, one item a
    paragraph. An article whose lines are links to its documents or to its winners' pages
    is not one: those links are in its body, and longer (real articles stay under a tenth)."""
    paragraphs = [p for p in text.split("\n\n") if p]
    total = sum(map(len, paragraphs))
    if not paragraphs or total >= _MENU_PARAGRAPH_CHARS * len(paragraphs):
        return False
    menus = set()
    for tree in trees:
        for link in tree.iter("a"):
            shown = clean_line(link.text_content())
            if len(shown) <= _MENU_ITEM_CHARS or in_chrome(link):
                menus.add(shown)
    return sum(len(p) for p in paragraphs if p in menus) > MENU_SHARE * total
