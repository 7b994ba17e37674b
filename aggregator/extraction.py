"""One article page in, one :class:`~aggregator.models.Article` out.

The page is decoded once, parsed once (lxml, as trafilatura's loader would:
``aggregator.performance.parse_markup``, so both see the same tree), read by its profile's page
object, stripped of that profile's chrome, and handed to trafilatura once: the profile's
content root when it has one, the whole page otherwise.
Page-object fields win; trafilatura's metadata fills what they leave empty.
"""

from __future__ import annotations

import re
import time
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from typing import TYPE_CHECKING

import lxml.html
from bs4.dammit import EncodingDetector
from lxml.html import HtmlElement
from w3lib.encoding import read_bom

from aggregator.cpu_limit import cpu_limit
from aggregator.dates import local_midnight, parse_shown_date
from aggregator.exceptions import (
    ExtractionError,
    ExtractionTimeout,
    NotAnArticle,
    PageDecodeError,
)
from aggregator.extraction_faults import EXTRACT_TIMEOUT, NOT_AN_ARTICLE, PAGE_CUT
from aggregator.language import VIETNAMESE_LETTERS, article_language
from aggregator.models import Article
from aggregator.page_limits import cut_article_text, cut_down
from aggregator.performance import parse_markup
from aggregator.profiles import ArticlePage, PageData, detect_profile
from aggregator.profiles.base import drop
from aggregator.profiles.captions import captions_in_place
from aggregator.profiles.chrome import mostly_links
from aggregator.profiles.credits import person
from aggregator.profiles.datelines import Shown, find_date_line, followed_by_date
from aggregator.profiles.headlines import find_headline, title_from_head
from aggregator.profiles.leads import lead_text
from aggregator.text import (
    clean_or_none,
    clean_text,
    drop_unusable_references,
    mojibake_count,
    nfc,
    repair_mojibake,
    restore_entities,
)

with warnings.catch_warnings():
    # trafilatura imports urllib3's SOCKS support for its own downloader, which we never use
    # (Scrapy fetches): without PySocks that warns, and the first page extracted in a process
    # failed where warnings are errors.
    warnings.filterwarnings("ignore", message="SOCKS support in urllib3")
    import trafilatura
    from trafilatura.settings import set_date_params

if TYPE_CHECKING:
    from aggregator.store.bodyprint import BodyPrint

_TAGS = re.compile(r"<[^>]*>")
_WORD = re.compile(r"\w+")
_VIETNAMESE_SHARE = 0.15  # of words: Vietnamese prose is far above, other languages near 0
_MOJIBAKE_TOLERATED = 2  # a stray pair in a quoted name is no reason to refuse a page
# "Chi tiết - Sở ..." and friends: the portal's name, not the article's headline.
_GENERIC_TITLE = re.compile(r"^(?:chi tiết|tin chi tiết|chi tiết tin|trang chủ)\b", re.IGNORECASE)


# An article and what the store compares its body by, or why there is none; the CPU seconds it
# all took; and the fault it is counted under in the crawl report ("" when none: the page cut
# down to its limits still gives its article, ``page_cut``, with what was cut as the reason).
Outcome = tuple[Article | None, "BodyPrint | None", str, float, str]


def extract_outcome(
    body: bytes,
    url: str,
    profile: str | None,
    http_charset: str | None,
    cpu_deadline: float | None = None,
) -> Outcome:
    """The crawl's extraction of one page, as run in its worker processes
    (``spiders.pipelines.extract_article``, which sends them
    :func:`aggregator.extraction_task.extract_outcome`): an ExtractionError comes back as its
    message (a plain string crosses the process boundary whatever the exception's
    constructor). The body's print (``BodyPrint``: its hash, near-duplicate sketch and credit)
    is made here too: it depends on the text alone, and in the crawl's process the sketch was
    a third of the store's CPU, the rest of the print another fifth.

    ``cpu_deadline``: seconds of CPU the page may take (None: no limit); past them it is given
    up, its fault ``extract_timeout``.

    Not in the pipeline's module: a worker imports the module of the function it is sent, and
    that one imports Scrapy and Twisted, 23 MB more in each worker that never uses them.
    """
    # Imported here: aggregator.store brings SQLAlchemy, which extraction alone does not need
    # (``tinlaodong extract``); the crawl's workers have it preloaded.
    from aggregator.store.bodyprint import BodyPrint

    start = time.process_time()
    try:
        with cpu_limit(cpu_deadline):
            article, cut = _extract_article(
                body, url=url, profile=profile, http_charset=http_charset
            )
            bodyprint = BodyPrint.of(article.text)
    except NotAnArticle as exc:
        return None, None, str(exc), time.process_time() - start, NOT_AN_ARTICLE
    except ExtractionError as exc:
        return None, None, str(exc), time.process_time() - start, ""
    except ExtractionTimeout:
        reason = f"more than {cpu_deadline:g} s of CPU"
        return None, None, reason, time.process_time() - start, EXTRACT_TIMEOUT
    return article, bodyprint, cut, time.process_time() - start, PAGE_CUT if cut else ""


@dataclass
class _Fields:
    title: str | None = None
    published: date | None = None  # a plain date: the page shows no time of day
    author: str | None = None


def extract_article(
    html: bytes | str,
    *,
    url: str | None = None,
    profile: str | None = None,
    http_charset: str | None = None,
) -> Article:
    """The article on one page.

    ``profile`` names the page object to use (else the markup decides, else "generic");
    ``http_charset`` is the charset of the HTTP Content-Type header, if any. Raises
    :class:`ExtractionError` when the page has no body text, :class:`PageDecodeError`
    when it is not HTML, ConfigError for an unknown profile.
    """
    return _extract_article(html, url=url, profile=profile, http_charset=http_charset)[0]


def _extract_article(
    html: bytes | str,
    *,
    url: str | None = None,
    profile: str | None = None,
    http_charset: str | None = None,
) -> tuple[Article, str]:
    """:func:`extract_article`, and what of the page was cut down (``aggregator.page_limits``),
    "" when nothing was."""
    where = url or "page"
    tree, cut = parse_page(html, http_charset=http_charset, where=where)
    data = PageData(tree, url)
    chosen = detect_profile(data, profile)
    page = chosen.article_page(data)
    reason = page.not_an_article()
    if reason:
        # A listing is a verdict on the page; the generic page object's "no article text"
        # may be a site it no longer reads (a redesign): that one stays a failure.
        listing = reason == getattr(page, "LISTING_REASON", None)
        raise (NotAnArticle if listing else ExtractionError)(f"{where}: {reason}")
    title = _usable_title(page.title()) or _headline_shown(data)
    fields = _Fields(title, page.published() or _date_shown(data), clean_or_none(page.author()))
    images = page.images()
    lead_element = page.lead_element()
    lead = _restored(lead_text(lead_element))
    page.remove_chrome()
    drop(lead_element)
    # Once the chrome is gone: a caption is text of the body, kept once where it stood.
    captions_in_place(page.captions_root())
    root = page.content_root()
    text, metadata = _run_trafilatura(tree, root, url, need_metadata=_incomplete(fields))
    if not text and not lead:
        raise ExtractionError(f"{where}: no article text found (profile {chosen.name})")
    if mostly_links(text, [tree] if root is None else [tree, root]):
        raise NotAnArticle(
            f"{where}: only the site's menus and links, no article text (profile {chosen.name})"
        )
    _fill_from(
        fields, metadata, lambda: f"{url or ''} {lxml.html.tostring(tree, encoding='unicode')}"
    )
    fields.title = _restored(fields.title)
    text = with_lead(_without_heading(restore_entities(text), fields.title), lead)
    # What is stored and published is bounded whatever the page limits let through.
    text, text_cut = cut_article_text(text)
    cut = "; ".join(reason for reason in (cut, text_cut) if reason)
    published, date_only = _as_datetime(fields.published)
    article = Article(
        url=url,
        title=fields.title,
        text=text,
        published=published,
        author=fields.author,
        images=images,
        language=article_language(text, _declared_language(data)),
        profile=chosen.name,
        date_only=date_only,
        lead=lead,
    )
    return article, cut


def parse_html(
    html: bytes | str, *, http_charset: str | None = None, where: str = "page"
) -> HtmlElement:
    """The lxml tree of a page, decoded, repaired and NFC-normalised first, cut down to the
    limits of :mod:`aggregator.page_limits`."""
    return parse_page(html, http_charset=http_charset, where=where)[0]


def parse_page(
    html: bytes | str, *, http_charset: str | None = None, where: str = "page"
) -> tuple[HtmlElement, str]:
    """:func:`parse_html`, and what of the page was cut down ("" when nothing was)."""
    if isinstance(html, bytes):
        text = decode_html(html, http_charset, where=where)
    else:
        text = _repaired(html, where)
    tree = parse_markup(nfc(drop_unusable_references(text)))
    if tree is None:
        raise PageDecodeError(f"{where}: not an HTML page")
    return tree, cut_down(tree)


def decode_html(data: bytes, http_charset: str | None = None, *, where: str = "page") -> str:
    """``data`` as text: its BOM's charset (w3lib), valid UTF-8, else the declared and detected
    charsets.

    Valid UTF-8 wins over a declared legacy charset: portals often declare windows-1258 or
    ISO-8859-1 and serve UTF-8, while legacy Vietnamese text essentially never validates as
    UTF-8 by accident. Otherwise the HTTP charset, ``<meta>`` declarations, detection
    (bs4's :class:`EncodingDetector`) and windows-1258 are each tried; the first that
    decodes wins unless another reads as plainly Vietnamese and it does not (a page
    declaring UTF-8 or windows-1252 and serving windows-1258). Text still garbled after
    that and mojibake repair raises :class:`PageDecodeError`: never stored garbled.
    """
    encoding, bom = read_bom(data)
    if encoding and bom:
        return _repaired(data[len(bom) :].decode(encoding, errors="replace"), where)
    try:
        return _repaired(data.decode("utf-8"), where)
    except UnicodeDecodeError:
        pass
    try:
        return _repaired(_legacy_decode(data, http_charset, where), where)
    except PageDecodeError:
        # A UTF-8 page with a few stray bytes (a truncated upload, a bad copy-paste) is still
        # that page: keep its words, with replacement characters for the bad bytes.
        text = data.decode("utf-8", errors="replace")
        if text.count("\ufffd") <= max(16, len(data) // 200):
            return _repaired(text, where)
        raise


def _legacy_decode(data: bytes, http_charset: str | None, where: str) -> str:
    detector = EncodingDetector(
        data,
        known_definite_encodings=[http_charset] if http_charset else None,
        user_encodings=["windows-1258"],
        is_html=True,
    )
    decoded: list[str] = []
    for encoding in detector.encodings:
        try:
            decoded.append(data.decode(encoding))
        except (LookupError, UnicodeDecodeError):
            continue
    if not decoded:
        raise PageDecodeError(f"{where}: the bytes are valid in no declared or likely charset")
    first, best = decoded[0], max(decoded, key=_vietnamese_share)
    return (
        best if _vietnamese_share(best) >= _VIETNAMESE_SHARE > _vietnamese_share(first) else first
    )


def _vietnamese_share(text: str) -> float:
    """The share of words with letters only Vietnamese uses (windows-1258 read as
    windows-1252 turns "đ" into "ð" and "ư" into "ý": the wrong charset scores near 0)."""
    words = _WORD.findall(nfc(_TAGS.sub(" ", text)))
    return sum(1 for w in words if VIETNAMESE_LETTERS.search(w)) / len(words) if words else 0.0


def _repaired(text: str, where: str) -> str:
    if not mojibake_count(text):
        return text
    repaired = repair_mojibake(text)
    left = mojibake_count(repaired)
    if left > _MOJIBAKE_TOLERATED:
        raise PageDecodeError(
            f"{where}: garbled text (UTF-8 read as windows-1252, {left} marks left after repair)"
        )
    return repaired


def _run_trafilatura(
    tree: HtmlElement, root: HtmlElement | None, url: str | None, *, need_metadata: bool
) -> tuple[str, trafilatura.settings.Document | None]:
    """Body text (paragraphs split by blank lines) and, if asked, the page's metadata."""
    metadata = None
    # htmldate's extensive search guesses from any text ("năm 2024" in a headline becomes
    # 1 January, a related story's date becomes the article's): markup and URL only.
    date_params = set_date_params(extensive=False)
    if root is not None:
        if need_metadata:
            metadata = trafilatura.extract_metadata(tree, url, date_config=date_params)
        target = _standalone(root)
    else:
        target = tree
    document = trafilatura.bare_extraction(
        target,
        url=url,
        with_metadata=need_metadata and root is None,
        include_comments=False,
        deduplicate=False,
        date_extraction_params=date_params,
    )
    if document is None or isinstance(document, dict):
        return "", metadata
    return clean_text(document.text or ""), metadata or document


def _standalone(root: HtmlElement) -> HtmlElement:
    """A minimal page around ``root``: trafilatura expects a document and copies what it gets,
    so the small wrapper costs less to copy than the whole page."""
    html = root.makeelement("html", {})
    body = root.makeelement("body", {})
    html.append(body)
    body.append(root)  # moves it: the page tree is not needed after this
    return html


def _without_heading(text: str, title: str | None) -> str:
    """``text`` without a first paragraph repeating the title (an ``h1`` trafilatura kept)."""
    first, _, rest = text.partition("\n\n")
    return rest if title and rest and first.casefold() == title.casefold() else text


def with_lead(text: str, lead: str | None) -> str:
    """``text`` opening with ``lead``, once: pasted articles often repeat the lead as the
    body's first paragraph."""
    if not lead:
        return text
    first = text.partition("\n\n")[0]
    if _comparable(first) == _comparable(lead):
        return text
    return f"{lead}\n\n{text}" if text else lead


def _restored(text: str | None) -> str | None:
    return restore_entities(text) if text else text


def _comparable(text: str) -> str:
    return " ".join(text.split()).casefold()


def _as_datetime(value: date | None) -> tuple[datetime | None, bool]:
    """A story's time and whether it is only a day (sorted at that day's local midnight)."""
    if value is None or isinstance(value, datetime):
        return value, False
    return local_midnight(value), True


def _incomplete(fields: _Fields) -> bool:
    return fields.title is None or fields.published is None


def _written_on(page_html: str, day: date) -> bool:
    """Whether the page (its text, markup or URL) writes ``day`` in full: htmldate also reads
    a partial or impossible date ("31/02/2024" as 1 February), which no reader sees."""
    written = (
        f"{day:%Y-%m-%d}", f"{day:%Y/%m/%d}", f"{day:%d/%m/%Y}", f"{day:%d-%m-%Y}",
        f"{day:%d.%m.%Y}", f"{day:%Y%m%d}", f"{day.day}/{day.month}/{day.year}",
    )  # fmt: skip
    return any(form in page_html for form in written)


def _fill_from(fields: _Fields, metadata: object, page_html: Callable[[], str]) -> None:
    if metadata is None:
        return
    fields.title = fields.title or _usable_title(getattr(metadata, "title", None))
    if fields.published is None and getattr(metadata, "date", None):
        guessed = parse_shown_date(str(metadata.date))  # type: ignore[attr-defined]
        fields.published = guessed if guessed and _written_on(page_html(), guessed) else None
    # trafilatura's author is a meta tag's or a byline's as written: an account or a unit
    # ("admin", "Ban biên tập") is no author there either.
    fields.author = fields.author or person(getattr(metadata, "author", None))


def _headline_shown(page: PageData) -> str | None:
    """Where a profile's selectors find no headline (a page of another template of its CMS):
    the one the page's structure shows and its ``<title>`` confirms, else that title."""
    headline = find_headline(page)
    return headline.text if headline.confirmed else title_from_head(page)


def _date_shown(page: PageData) -> Shown | None:
    """Where a profile's selectors find no date line: the one nearest the headline the page's
    structure shows (never a related story's), before trafilatura's guess."""
    found = find_date_line(page.tree, find_headline(page, followed_by_date).element)
    return found[1] if found else None


def _usable_title(title: str | None) -> str | None:
    title = clean_or_none(title)
    return None if title is None or _GENERIC_TITLE.match(title) else title


def _declared_language(page: PageData) -> str | None:
    return page.tree.get("lang") or next(iter(page.meta.get("content-language", ())), None)


__all__ = [
    "ArticlePage",
    "Outcome",
    "decode_html",
    "extract_article",
    "extract_outcome",
    "parse_html",
    "parse_page",
]
