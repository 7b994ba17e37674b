"""Image captions in an article body: found once, kept once, in place.

Editors caption a photo in one of a few ways, all seen on Vietnamese portals and papers:

- ``<figure>`` with ``<figcaption>`` (CKEditor, WordPress, the VHV/vnEdu school CMS);
- a photo box with a classed caption next to the image: VCCorp's
  ``div[type=Photo] > div.PhotoCMS_Caption``, ``div.avatar-desc``, ``.image-caption``,
  VnExpress-style ``p.Image``, class names with ``caption``, ``chuthich``, ``desc``;
- a small table, the image in one row and the caption in the next;
- a short italic or centred line right under the image's own paragraph (or after the image
  inside it, past a ``<br>``).

trafilatura drops figures, photo boxes and centred ``div`` lines, and renders tables as cells;
:func:`captions_in_place` therefore replaces each caption's frame with one plain paragraph
holding the caption's text, where the caption stood. The ``alt`` copy of a caption is never
text: a text dump shows each caption twice, the page once.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from lxml.html import HtmlElement

from aggregator.text import clean_line, clean_or_none

_MAX_CHARS = 300  # a caption is a line or two, not a paragraph of the story
_CLASS_MARK = re.compile(
    r"caption|chu-?thich|desc|^image$|^img-?note$|^note$", re.IGNORECASE
)  # ``p.Image``, ``.image-caption``, ``.PhotoCMS_Caption``, ``.avatar-desc``, ``.chuthich``
_BLOCKS = ("p", "div", "center", "h4", "h5", "h6", "span", "font")
_CENTRED = re.compile(r"text-align\s*:\s*center", re.IGNORECASE)
_ITALIC_STYLE = re.compile(r"font-style\s*:\s*italic", re.IGNORECASE)
_STOPS = ("body", "article", "main", "td", "li")  # containers no photo box reaches past
_BOX_LEVELS = 3  # how far above an image its photo box may start
# Alt texts that caption nothing: CMS placeholders and file names.
_PLACEHOLDER_ALT = re.compile(
    r"^(?:chú thích ảnh|ảnh|image|photo|hình ảnh này chưa có thuộc tính alt\b.*)$"
    r"|\.(?:jpe?g|png|gif|webp)$|^[\w.-]*[\d_-][\w.-]*$",
    re.IGNORECASE,
)
_PHOTO_NUMBER = re.compile(r"\s*-\s*Ảnh \d+\.?$")  # VCCorp's "<caption> - Ảnh 1."


@dataclass(frozen=True)
class Caption:
    """The visible caption of one image: its text (``<br>`` read as a space) and the element
    that stands for it in the body (the figure, photo box, table or line it fills wholly),
    or None when it is already a run of text in the image's own paragraph."""

    text: str
    frame: HtmlElement | None


def find_caption(img: HtmlElement) -> Caption | None:
    """The caption the page shows for ``img``, if any."""
    for finder in (_in_figure, _in_table, _marked, _line_under):
        found = finder(img)
        if found is not None:
            return found
    return None


def image_caption(img: HtmlElement) -> str | None:
    """What :class:`~aggregator.models.Image` records as ``img``'s caption: the visible one,
    else its ``alt`` or ``title`` text unless that is a placeholder or a file name."""
    found = find_caption(img)
    if found is not None:
        return found.text
    for attribute in ("alt", "title"):
        text = clean_or_none(_PHOTO_NUMBER.sub("", img.get(attribute) or ""))
        if text and not _PLACEHOLDER_ALT.search(text):
            return text
    return None


def captions_in_place(root: HtmlElement | None) -> None:
    """Make every image caption under ``root`` one plain paragraph where it stands.

    Figures, photo boxes and caption tables are replaced whole; a figure holding more text
    than its caption becomes a ``div`` so that text stays too. A paragraph right beside the
    caption repeating it word for word (typed again under the figure) goes.
    """
    if root is None:
        return
    for img in list(root.iter("img")):
        if _inside(img, root):
            caption = find_caption(img)
            if caption is not None and caption.frame is not None:
                _put_in_place(caption, root)
    for figure in root.iter("figure"):
        if figure.find(".//img") is not None and clean_line(figure.text_content()):
            figure.tag = "div"  # text beside a photo but no caption: trafilatura would drop it


def caption_text(element: HtmlElement) -> str:
    """The text of ``element`` with each ``<br>`` read as a space."""
    parts: list[str] = []
    for node in element.iter():
        if node is not element and node.tag == "br":
            parts.append(" ")
        elif node.text and isinstance(node.tag, str):
            parts.append(node.text)
        if node is not element and node.tail:
            parts.append(node.tail)
    return clean_line("".join(parts))


def _in_figure(img: HtmlElement) -> Caption | None:
    figure = next(img.iterancestors("figure"), None)
    if figure is None:
        return None
    for figcaption in figure.iter("figcaption"):
        if next(figcaption.iterancestors("figure"), None) is figure:
            text = caption_text(figcaption)
            if text:
                return Caption(text, _frame(figcaption, img, text))
    return None


def _in_table(img: HtmlElement) -> Caption | None:
    """A caption table: one image, at most three rows, the caption in the rows' text."""
    for level, ancestor in enumerate(img.iterancestors()):
        if level > 4 or ancestor.tag in ("figure", "article", "body"):
            return None
        if ancestor.tag != "table":
            continue
        if len(ancestor.xpath(".//img")) != 1 or len(ancestor.xpath(".//tr")) > 3:
            return None
        text = caption_text(ancestor)
        ok = bool(text) and len(text) <= _MAX_CHARS
        return Caption(text, _frame(ancestor, img, text)) if ok else None
    return None


def _marked(img: HtmlElement) -> Caption | None:
    """A classed caption in the image's photo box (holding nothing else), or right after
    the box when that holds the image alone."""
    for box in _boxes(img):
        own = caption_text(box)
        for element in box.iter():
            if element is img or not _caption_class(element) or _before(element, img, box):
                continue
            text = caption_text(element)
            if text and text == own and len(text) <= _MAX_CHARS:
                return Caption(text, _frame(element, img, text))
        if own:
            return None
        following = box.getnext()
        if following is not None and _caption_class(following):
            text = caption_text(following)
            if text and len(text) <= _MAX_CHARS and following.find(".//img") is None:
                return Caption(text, _frame(following, img, text))
    return None


def _line_under(img: HtmlElement) -> Caption | None:
    """A short italic or centred line after the image in its own block, or right under it."""
    for block in _boxes(img):
        if block.tag not in _BLOCKS:
            continue
        own = caption_text(block)
        if own:
            return Caption(own, None) if _looks_like_caption(block, own) else None
        following = _next_with_text(block)
        if following is None:
            continue
        if following.tag not in _BLOCKS or following.find(".//img") is not None:
            return None
        text = caption_text(following)
        if not _looks_like_caption(following, text):
            return None
        return Caption(text, _frame(following, img, text))
    return None


def _looks_like_caption(block: HtmlElement, text: str) -> bool:
    if len(text) > _MAX_CHARS:
        return False
    if _centred(block) or _caption_class(block):
        return True
    italic = "".join(
        caption_text(e) for e in block.iter("em", "i") if not _has_ancestor(e, ("em", "i"), block)
    )
    styled = _ITALIC_STYLE.search(block.get("style") or "")
    return bool(styled) or "".join(italic.split()) == "".join(text.split())


def _centred(block: HtmlElement) -> bool:
    return (
        block.tag == "center"
        or block.get("align") == "center"
        or bool(_CENTRED.search(block.get("style") or ""))
    )


def _caption_class(element: HtmlElement) -> bool:
    if not isinstance(element.tag, str):
        return False
    return any(_CLASS_MARK.search(token) for token in (element.get("class") or "").split())


def _boxes(img: HtmlElement) -> Iterator[HtmlElement]:
    """The ancestors of ``img`` holding it as their only image, nearest first."""
    for level, ancestor in enumerate(img.iterancestors()):
        if level >= _BOX_LEVELS or ancestor.tag in _STOPS:
            return
        if len(ancestor.xpath(".//img")) != 1:
            return
        yield ancestor


def _frame(caption: HtmlElement, img: HtmlElement, text: str) -> HtmlElement:
    """The outermost element from ``caption`` up holding the caption and at most this image,
    and no other text: what to replace without losing anything else."""
    frame = caption
    for ancestor in caption.iterancestors():
        if ancestor.tag in _STOPS or caption_text(ancestor) != text:
            break
        images = ancestor.xpath(".//img")
        if len(images) > 1 or (images and images[0] is not img):
            break
        frame = ancestor
    return frame


def _put_in_place(caption: Caption, root: HtmlElement) -> None:
    frame = caption.frame
    if frame is None or frame is root or frame.getparent() is None:
        return
    paragraph = frame.makeelement("p", {})
    paragraph.text = caption.text
    paragraph.tail = frame.tail
    figure = frame if frame.tag == "figure" else next(frame.iterancestors("figure"), None)
    if figure is not None and figure is not frame:
        figure.tag = "div"  # its other text stays; trafilatura drops figures whole
    frame.getparent().replace(frame, paragraph)
    for neighbour in (paragraph.getprevious(), paragraph.getnext()):
        if neighbour is not None and caption_text(neighbour) == caption.text:
            neighbour.drop_tree()  # the caption typed twice, once under the figure


def _next_with_text(block: HtmlElement) -> HtmlElement | None:
    """The next sibling of ``block`` with text or an image, past empty spacer blocks."""
    for following in block.itersiblings():
        if not isinstance(following.tag, str):
            continue
        if caption_text(following) or following.find(".//img") is not None:
            return following
    return None


def _before(element: HtmlElement, img: HtmlElement, box: HtmlElement) -> bool:
    """Whether ``element`` comes before ``img`` in ``box`` (a caption follows its photo)."""
    for node in box.iter():
        if node is img:
            return False
        if node is element:
            return not any(node is img for node in element.iter())
    return False


def _has_ancestor(element: HtmlElement, tags: tuple[str, ...], stop: HtmlElement) -> bool:
    for ancestor in element.iterancestors():
        if ancestor is stop:
            return False
        if ancestor.tag in tags:
            return True
    return False


def _inside(element: HtmlElement, root: HtmlElement) -> bool:
    """Whether ``element`` is still in ``root``'s tree (an earlier replacement may have
    taken it out with its frame)."""
    return any(ancestor is root for ancestor in element.iterancestors())
