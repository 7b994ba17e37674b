"""Turns the user's two seed dumps (``../shared/seeds``) into mirror articles at build time.

The dumps are the visible text of two real pages "as a naive text dump sees them": page chrome,
headline, date, body paragraphs, image captions and author all as bare lines. Each parser below
knows its one page and sorts the lines back into those parts. The seed text is never copied into
the repository: it is read from the user's files whenever the mirror is built.
"""

from __future__ import annotations

import re
from datetime import datetime
from pathlib import Path

from mirror.model import VIETNAM_TZ, Article, Image, slugify

QUANGTRI_FILE = "quangtri-department-article.txt"
BAODANSINH_FILE = "baodansinh-quangngai-article.txt"

# Pictures for the seed articles' captions: the dumps keep the captions, not the images.
_SEED_IMAGES = ("phien-giao-dich-viec-lam.png", "lop-hoc-nghe.png")

# --- Quảng Trị department portal (Liferay) -------------------------------------------------
QUANGTRI_TITLE = "Chi tiết - Sở Lao động - Thương Binh và Xã Hội"
_QUANGTRI_CHROME = frozenset(
    {
        QUANGTRI_TITLE,
        "Thông tin tiện ích",
        "Lịch vạn niên",
        "Tiếp nhận ý kiến",
        "Hình ảnh hoạt động",
        "Video",
    }
)
_COUNTER_RE = re.compile(r"^(Đang truy cập|Hôm nay|Tổng lượt truy cập):\s*[\d.]+$")
# The dump lacks the headline and the date (a naive dump misses them): these are assumptions.
QUANGTRI_HEADLINE = "Sở LĐ-TB&XH Quảng Trị cơ bản hoàn thành sắp xếp tổ chức bộ máy"
QUANGTRI_PUBLISHED = datetime(2020, 10, 16, 9, 30, tzinfo=VIETNAM_TZ)  # assumed, not in the dump
QUANGTRI_ID = 1850400
# A right-aligned author line reaches the dump as a long run of (non-breaking) spaces first.
_RIGHT_ALIGN_PADDING = 10
# A caption is a short label; body paragraphs are sentences of well over this length.
_CAPTION_MAX_LEN = 80

# --- Báo Dân sinh (the sector newspaper) ---------------------------------------------------
_BDS_DATE_RE = re.compile(
    r"^THỨ [^,]+, NGÀY (\d{1,2}) THÁNG (\d{1,2}) NĂM (\d{4}) (\d{1,2}):(\d{2})$"
)
_BDS_CHROME_START = "CÙNG CHUYÊN MỤC"  # the related-news box: everything after it is chrome
BAODANSINH_ID = 1030200


def load_seed_articles(seeds_dir: Path | None) -> list[Article]:
    """The seed articles found in ``seeds_dir``; none when it (or a file) is absent."""
    if seeds_dir is None:
        return []
    articles: list[Article] = []
    quangtri = seeds_dir / QUANGTRI_FILE
    if quangtri.is_file():
        articles.append(parse_quangtri(quangtri.read_text(encoding="utf-8")))
    baodansinh = seeds_dir / BAODANSINH_FILE
    if baodansinh.is_file():
        articles.append(parse_baodansinh(baodansinh.read_text(encoding="utf-8")))
    return articles


def parse_quangtri(dump: str) -> Article:
    lines = [raw for raw in dump.splitlines() if raw.strip()]
    content = [
        raw
        for raw in lines
        if raw.strip() not in _QUANGTRI_CHROME and not _COUNTER_RE.match(raw.strip())
    ]
    author_raw = content[-1]
    if len(author_raw) - len(author_raw.lstrip()) < _RIGHT_ALIGN_PADDING:
        raise ValueError(f"{QUANGTRI_FILE}: expected a right-aligned author line at the end")
    paragraphs: list[str] = []
    images: list[Image] = []
    for raw in content[:-1]:
        text = raw.strip()
        if _is_caption(text):
            src = _SEED_IMAGES[len(images) % len(_SEED_IMAGES)]
            images.append(Image(src=src, caption=text, after=len(paragraphs) - 1))
        else:
            paragraphs.append(text)
    return Article(
        site_id="mirror-quangtri",
        id=QUANGTRI_ID,
        slug=slugify(QUANGTRI_HEADLINE),
        headline=QUANGTRI_HEADLINE,
        published=QUANGTRI_PUBLISHED,
        paragraphs=tuple(paragraphs),
        author=author_raw.strip(),
        images=tuple(images),
        seed=True,
    )


def parse_baodansinh(dump: str) -> Article:
    lines = [raw.strip() for raw in dump.splitlines() if raw.strip()]
    date = _BDS_DATE_RE.match(lines[0])
    if date is None:
        raise ValueError(f"{BAODANSINH_FILE}: expected the date line first, got {lines[0]!r}")
    day, month, year, hour, minute = (int(g) for g in date.groups())
    headline = lines[1]
    body = lines[2 : lines.index(_BDS_CHROME_START)]
    author = body.pop()
    if not author.isupper():
        raise ValueError(f"{BAODANSINH_FILE}: expected the author in capitals, got {author!r}")
    paragraphs: list[str] = []
    images: list[Image] = []
    index = 0
    while index < len(body):
        text = body[index]
        # Each caption is dumped twice in a row: once as the img alt text, once as figcaption.
        if index + 1 < len(body) and body[index + 1] == text:
            src = _SEED_IMAGES[len(images) % len(_SEED_IMAGES)]
            images.append(Image(src=src, caption=text, after=len(paragraphs) - 1))
            index += 2
        else:
            paragraphs.append(text)
            index += 1
    return Article(
        site_id="mirror-baodansinh",
        id=BAODANSINH_ID,
        slug=slugify(headline),
        headline=headline,
        published=datetime(year, month, day, hour, minute, tzinfo=VIETNAM_TZ),
        paragraphs=tuple(paragraphs),
        author=author,
        images=tuple(images),
        category="lao-dong-viec-lam",
        seed=True,
    )


def _is_caption(text: str) -> bool:
    return len(text) <= _CAPTION_MAX_LEN and not text.endswith((".", ":", ";", "”"))
