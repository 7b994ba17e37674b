"""The page limits cut what passes them and nothing else, whatever the shape of the page:
a tree is first asked of libxml2 whether it is surely within them, and must not pass that
question with something the walks would cut."""

from __future__ import annotations

import lxml.html
import pytest

from aggregator.page_limits import (
    MAX_CHILDREN,
    MAX_ELEMENTS,
    MAX_PAGE_TEXT,
    MAX_TEXT,
    cut_down,
)
from aggregator.performance import parse_markup


def page(body: str, head: str = "") -> str:
    return f"<html><head><title>t</title>{head}</head><body>{body}</body></html>"


WORDS = "lao động việc làm "
# Past the elements' limit without any element past the children's.
SIX_HUNDRED_DIVS = f"<div>{'<p>a</p>' * 20}</div>" * 600
SECTIONS = MAX_ELEMENTS // (600 * 21) + 1


@pytest.mark.parametrize(
    ("markup", "said"),
    [
        (page(f"<p>{'x' * (MAX_TEXT + 1)}</p>"), "longer than"),
        (page(f"<p>a</p>{'y' * (MAX_TEXT + 1)}<p>b</p>"), "longer than"),  # a tail
        (page(f"<section>{SIX_HUNDRED_DIVS}</section>" * SECTIONS), "elements"),
        (page(f"<ul>{'<li>a</li>' * (MAX_CHILDREN + 1)}</ul>"), "children"),
        (page(f"<p>{WORDS * 4000}</p>" * (MAX_PAGE_TEXT // (len(WORDS) * 4000) + 1)), "in all"),
    ],
    ids=["text", "tail", "elements", "children", "page-text"],
)
def test_a_page_past_a_limit_is_cut(markup: str, said: str) -> None:
    tree = parse_markup(markup)
    assert tree is not None
    assert said in cut_down(tree)


def test_a_long_comment_kept_by_another_parser_is_cut() -> None:
    tree = lxml.html.fromstring(page(f"<p>a</p><!--{'z' * (MAX_TEXT + 1)}--><p>b</p>"))
    assert "longer than" in cut_down(tree)


def test_long_scripts_leave_a_page_within_the_limits_whole() -> None:
    blob = "var data = '" + "d" * (MAX_TEXT + 1) + "';"
    prose = f"<p>{WORDS * 100}</p>" * 10
    markup = page(prose, head="".join(f"<script>{blob}</script>" for _ in range(5)))
    tree = parse_markup(markup)
    assert tree is not None
    assert cut_down(tree) == ""
    assert all(len(script.text) == len(blob) for script in tree.iter("script"))
    assert len(tree.xpath("//p")) == 10
