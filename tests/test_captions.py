"""Image captions: each caption once in the text, where the page shows it, and on its image.

Every caption form seen on Vietnamese portals and papers, on small pages built here; the
user's Báo Dân sinh sample (../shared/seeds) rebuilt as a page at run time; and the captions
read by hand on the real pages of ../shared/corpus/vn-dev.
"""

from __future__ import annotations

import html
import json
import re
import unicodedata
from datetime import datetime
from pathlib import Path

import pytest

from aggregator.dates import VIETNAM
from aggregator.extraction import extract_article
from aggregator.models import Article
from aggregator.text import clean_line

URL = "https://sldtbxh.example.gov.vn/tin-tuc/ho-tro-viec-lam-cho-lao-dong-12345.html"
SRC = "https://sldtbxh.example.gov.vn/uploads/2024/07/phien-giao-dich.jpg"
CAPTION = "Người lao động tìm hiểu thông tin tại phiên giao dịch việc làm"
BEFORE = (
    "Sáng 24/7, Trung tâm Dịch vụ việc làm tỉnh tổ chức phiên giao dịch việc làm định kỳ, "
    "thu hút hơn 40 doanh nghiệp tham gia tuyển dụng."
)
AFTER = (
    "Tại phiên giao dịch, các doanh nghiệp cần tuyển hơn 2.000 lao động, chủ yếu là công "
    "nhân may, điện tử và lao động phổ thông."
)
CLOSING = (
    "Trung tâm sẽ tiếp tục tổ chức các phiên giao dịch lưu động tại các huyện miền núi trong "
    "những tháng cuối năm."
)
IMG = f'<img src="{SRC}" alt="{CAPTION}">'

# Each way editors caption a photo: the photo's markup between two paragraphs.
FORMS = {
    "figcaption": f"<figure>{IMG}<figcaption>{CAPTION}</figcaption></figure>",
    "VCCorp photo box": (
        f'<div class="VCSortableInPreviewMode" type="Photo"><div><a href="{SRC}">{IMG}</a>'
        f'</div><div class="PhotoCMS_Caption"><p data-placeholder="[nhập chú thích]">{CAPTION}'
        "</p></div></div>"
    ),
    "VCCorp avatar box": (
        f'<div class="detail__avatar"><a class="detail-img-lightbox" href="{SRC}">{IMG}</a>'
        f'<div class="avatar-desc">{CAPTION}</div></div>'
    ),
    "image-caption table": (
        f'<table class="image center"><tbody><tr><td>{IMG}</td></tr>'
        f'<tr><td class="image-caption">{CAPTION}</td></tr></tbody></table>'
    ),
    "p.Image table": (
        f'<table class="tplCaption" align="center"><tr><td>{IMG}</td></tr>'
        f'<tr><td><p class="Image">{CAPTION}</p></td></tr></table>'
    ),
    "chuthich paragraph": f'<p align="center">{IMG}</p><p class="chuthich">{CAPTION}</p>',
    "italic line under": f"<p>{IMG}</p><p><em>{CAPTION}</em></p>",
    "centred div under": (
        f'<div style="TEXT-ALIGN: center"><b><span>{IMG}</span></b></div>'
        f'<div style="TEXT-ALIGN: center"><span style="FONT-SIZE: 10pt">{CAPTION}</span></div>'
    ),
    "italic after br": f"<p>{IMG}<br><em>{CAPTION}</em></p>",
}


def page(photo: str) -> str:
    return f"""<!DOCTYPE html><html lang="vi"><head><meta charset="utf-8">
<title>Hỗ trợ việc làm cho lao động</title></head><body>
<div class="menu"><a href="/">Trang chủ</a> <a href="/tin-tuc">Tin tức</a></div>
<h1>Hỗ trợ việc làm cho hơn 2.000 lao động</h1>
<div class="news-content">
<p>{BEFORE}</p>
{photo}
<p>{AFTER}</p>
<p>{CLOSING}</p>
</div>
<div class="footer"><p>Sở Lao động - Thương binh và Xã hội. Địa chỉ: số 1 đường Hùng Vương.</p>
</div></body></html>"""


@pytest.mark.parametrize("form", FORMS)
def test_the_caption_is_once_in_the_text_where_the_photo_stands(form: str) -> None:
    article = extract_article(page(FORMS[form]), url=URL)
    assert article.text.split("\n\n") == [BEFORE, CAPTION, AFTER, CLOSING]


@pytest.mark.parametrize("form", FORMS)
def test_the_image_carries_its_caption(form: str) -> None:
    article = extract_article(page(FORMS[form]), url=URL)
    assert [(i.src, i.caption) for i in article.images] == [(SRC, CAPTION)]


def test_a_caption_broken_by_br_is_one_line() -> None:
    two_lines = "Người lao động tìm hiểu thông tin<br />tại phiên giao dịch việc làm"
    article = extract_article(page(f"<figure>{IMG}<figcaption>{two_lines}</figcaption></figure>"))
    assert CAPTION in article.text.split("\n\n")
    assert article.images[0].caption == CAPTION


def test_a_caption_typed_again_under_its_figure_is_kept_once() -> None:
    photo = f"<figure>{IMG}<figcaption>{CAPTION}</figcaption></figure><p><em>{CAPTION}</em></p>"
    assert extract_article(page(photo), url=URL).text.count(CAPTION) == 1


def test_a_gallery_keeps_each_caption_in_order() -> None:
    captions = [f"{CAPTION} (ảnh {n})" for n in (1, 2, 3)]
    photos = "".join(
        f'<div style="text-align:center"><figure class="image">'
        f'<img src="/uploads/{n}.jpg" alt=""><figcaption>{c}</figcaption></figure></div>'
        for n, c in enumerate(captions)
    )
    article = extract_article(page(photos), url=URL)
    assert article.text.split("\n\n") == [BEFORE, *captions, AFTER, CLOSING]


def test_prose_under_a_photo_is_no_caption() -> None:
    """A centred paragraph of the story under a photo stays prose: too long for a caption."""
    prose = " ".join([AFTER] * 3)
    photo = f'<p style="text-align:center">{IMG.replace(CAPTION, "")}</p>'
    article = extract_article(page(f'{photo}<p style="text-align:center">{prose}</p>'), url=URL)
    assert article.images[0].caption is None
    assert prose in article.text.split("\n\n")


@pytest.mark.parametrize(
    "alt", ["DSC04871.JPG", "minhdai-1510280118", "Chú thích ảnh",
            "Hình ảnh này chưa có thuộc tính alt; tên tệp của nó là DSC04798-1024x533.jpg"],
)  # fmt: skip
def test_placeholder_alt_text_is_no_caption(alt: str) -> None:
    photo = f'<p style="text-align:left"><img src="{SRC}" alt="{alt}"></p>'
    assert extract_article(page(photo), url=URL).images[0].caption is None


# The user's Báo Dân sinh sample: the visible text of a real article page (date line,
# headline, paragraphs with each caption twice - alt text and caption -, the signature,
# then the page's chrome). Rebuilt here as a page in the paper's markup, with its photos
# in each of the two photo markups the paper's CMS family writes.
SEED = Path(__file__).resolve().parents[1].parent / "shared" / "seeds"
SEED_PAGE = SEED / "baodansinh-quangngai-article.txt"
SEED_URL = (
    "https://baodansinh.vn/quang-ngai-nganh-ldtbxh-ky-ket-giao-uoc-thi-dua-20240724125500.htm"
)
PHOTO_MARKUP = {
    "figure": (
        '<figure class="article-image"><img src="{src}" alt="{caption}">'
        "<figcaption>{caption}</figcaption></figure>"
    ),
    "VCCorp photo box": (
        '<div class="VCSortableInPreviewMode" type="Photo"><div><a href="{src}">'
        '<img src="{src}" alt="{caption}" title="{caption}"></a></div>'
        '<div class="PhotoCMS_Caption"><p data-placeholder="[nhập chú thích]">{caption}</p>'
        "</div></div>"
    ),
}


def seed_blocks() -> tuple[str, str, list[tuple[str, str]], str, str]:
    """Date line, headline, body blocks (("p" or "photo", text)), signature and the chrome
    after it, as the sample shows them."""
    if not SEED_PAGE.is_file():
        pytest.skip(f"no seed page at {SEED_PAGE} (../shared is not beside the checkout)")
    text = SEED_PAGE.read_text(encoding="utf-8")
    blocks = [clean_line(b) for b in text.split("\n\n") if b.strip()]
    date_line, headline, *body, signature, _ = blocks
    chrome = text.rstrip().rsplit("\n\n", 1)[-1]
    read: list[tuple[str, str]] = []
    for text in body:
        if read and read[-1] == ("p", text):
            read[-1] = ("photo", text)  # the alt text, then the caption
        else:
            read.append(("p", text))
    return date_line, headline, read, signature, chrome


# The article's frame: the mirror's markup contract, and the class names of the paper's
# VCCorp-built detail page.
LAYOUTS = {
    "article-detail": """<article class="article-detail">
<div class="article-date">{date_line}</div>
<h1 class="article-title">{headline}</h1>
<div class="article-content">
{body}
<p class="article-author" style="text-align: right;"><strong>{signature}</strong></p>
</div></article>""",
    "VCCorp detail": """<div class="detail"><div class="info-time">{date_line}</div>
<h1 class="title m-30-b">{headline}</h1>
<div class="entry-body m-30-b clearafter dtdefault">
{body}
<p style="text-align: right;"><strong>{signature}</strong></p>
</div></div>""",
}


def seed_page(layout: str, photo_markup: str) -> tuple[str, list[tuple[str, str]], str, str]:
    date_line, headline, blocks, signature, chrome = seed_blocks()
    body = "\n".join(
        photo_markup.format(src=f"/stores/news_dataimages/{n}.jpg", caption=html.escape(text))
        if kind == "photo"
        else f"<p>{html.escape(text)}</p>"
        for n, (kind, text) in enumerate(blocks)
    )
    article = layout.format(
        date_line=date_line, headline=html.escape(headline), body=body, signature=signature
    )
    related = "".join(
        f'<li><a href="/tin-{n}.htm">{line}</a></li>' for n, line in enumerate(chrome.splitlines())
    )
    built = f"""<!DOCTYPE html><html lang="vi"><head><meta charset="utf-8">
<title>{html.escape(headline)} | Báo Dân sinh</title>
<meta property="og:site_name" content="Báo Dân sinh"></head><body>
{article}
<section class="related-news"><ul>{related}</ul></section>
</body></html>"""
    return built, blocks, headline, signature


@pytest.mark.parametrize("layout", LAYOUTS)
@pytest.mark.parametrize("markup", PHOTO_MARKUP)
def test_seed_article_has_each_caption_once_in_place(layout: str, markup: str) -> None:
    built, blocks, _, _ = seed_page(LAYOUTS[layout], PHOTO_MARKUP[markup])
    article = extract_article(built, url=SEED_URL)
    assert article.profile == "baodansinh"
    assert article.text.split("\n\n") == [text for _, text in blocks]
    captions = [text for kind, text in blocks if kind == "photo"]
    assert captions, "the sample shows its captions twice: alt text, then caption"
    assert [i.caption for i in article.images] == captions


@pytest.mark.parametrize("layout", LAYOUTS)
def test_seed_article_fields(layout: str) -> None:
    built, _, headline, signature = seed_page(LAYOUTS[layout], PHOTO_MARKUP["VCCorp photo box"])
    article = extract_article(built, url=SEED_URL)
    assert article.title == headline
    assert article.published == datetime(2024, 7, 24, 12, 55, tzinfo=VIETNAM)
    assert not article.date_only
    assert article.author == signature == "ĐÔNG HẢI"
    assert article.lead is None  # the sample shows no sapo
    for chrome in ("CÙNG CHUYÊN MỤC", "Xem theo ngày", "THỨ TƯ"):
        assert chrome not in article.text


# The real pages of ../shared/corpus/vn-dev, their captions read by hand.
VN_DEV = SEED.parent / "corpus" / "vn-dev"
_SPACE = re.compile(r"\s+")


def _norm(text: str) -> str:
    """As the corpus's README compares: entities decoded, NFC, whitespace (NBSP too)
    collapsed, U+200B and U+FEFF gone."""
    text = unicodedata.normalize("NFC", html.unescape(text))
    return _SPACE.sub(" ", text.replace("\u200b", "").replace("\ufeff", "")).strip()


def _captioned_pages() -> list[tuple[str, str | None, list[str]]]:
    expected = VN_DEV / "expected.json"
    if not expected.is_file():
        return []
    entries = json.loads(expected.read_text(encoding="utf-8"))
    return [(e["file"], e["url"], e["captions"]) for e in entries if e.get("captions")]


def _vn_dev_article(file: str, url: str | None) -> Article:
    return extract_article((VN_DEV / "pages" / file).read_bytes(), url=url)


VN_DEV_PAGES = _captioned_pages()


@pytest.mark.skipif(not VN_DEV_PAGES, reason=f"no corpus at {VN_DEV} (../shared is absent)")
@pytest.mark.parametrize(("file", "url", "captions"), VN_DEV_PAGES)
def test_vn_dev_captions_once_and_in_order(file: str, url: str | None, captions: list[str]) -> None:
    text = _norm(_vn_dev_article(file, url).text)
    wanted = [_norm(c) for c in captions]
    assert [text.count(c) for c in wanted] == [1] * len(wanted)
    places = [text.index(c) for c in wanted]
    assert places == sorted(places)
