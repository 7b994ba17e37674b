"""The author wherever Vietnamese pages put it, and never a CMS account or a unit.

Pages here are small ones written for these tests, one per way real pages credit their
writer (an author slot, a line under the headline, the closing signature, after a ``<br>``,
above a source line, outside the text's container). The last test reads the real pages of
``../shared/corpus/vn-dev`` at run time.
"""

from __future__ import annotations

import html
import json
import re
import unicodedata
from pathlib import Path
from typing import Any

import pytest

from aggregator.extraction import extract_article
from aggregator.profiles.credits import person

HEADLINE = "Huyện tổ chức phiên giao dịch việc làm lưu động đầu năm"
PARAGRAPHS = [
    "Sáng nay, Trung tâm Dịch vụ việc làm phối hợp với huyện tổ chức phiên giao dịch việc làm "
    "lưu động, thu hút hơn 30 doanh nghiệp và gần 800 lao động tham gia.",
    "Các doanh nghiệp có nhu cầu tuyển dụng hơn 2.000 vị trí, tập trung vào các ngành may mặc, "
    "điện tử, cơ khí và dịch vụ, với mức lương khởi điểm từ 7 triệu đồng mỗi tháng.",
    "Tại phiên giao dịch, nhiều lao động được phỏng vấn trực tiếp và nhận việc ngay trong ngày.",
]
LAST = "nhận việc ngay trong ngày."


def page(
    *,
    closing: str = "",
    under_headline: str = "",
    after_text: str = "",
    last_paragraph: str | None = None,
    head: str = "",
) -> bytes:
    paragraphs = [f"<p>{text}</p>" for text in PARAGRAPHS]
    if last_paragraph is not None:
        paragraphs[-1] = last_paragraph
    return f"""<!DOCTYPE html><html lang="vi"><head><meta charset="utf-8">
<title>{HEADLINE}</title>{head}</head><body>
<div class="menu"><a href="/">Trang chủ</a> <a href="/tin-tuc">Tin tức</a></div>
<div class="news-detail"><h1>{HEADLINE}</h1>{under_headline}
<div class="content-detail"><div class="text">{"".join(paragraphs)}{closing}</div>{after_text}</div>
</div>
<div class="footer"><p>Bản quyền thuộc về Ủy ban nhân dân huyện</p></div>
</body></html>""".encode()


@pytest.mark.parametrize(
    ("closing", "author"),
    [
        ("<p><strong>Hà Linh</strong></p>", "Hà Linh"),  # bold
        ('<p style="text-align: right;">MINH TÂM</p>', "MINH TÂM"),  # right-aligned
        ("<p>Lê Quang Vinh</p>", "Lê Quang Vinh"),  # plain: Vietnamese pages sign so too
        ("<p><b>Thu</b> <b>Hằng</b></p>", "Thu Hằng"),
        ("<p><em><strong>ST: Trần Thị Cúc</strong></em></p>", "Trần Thị Cúc"),  # sưu tầm
        ("<p><b>Bài, ảnh: Đức Anh</b></p>", "Đức Anh"),
        ('<p style="text-align: right;"><b>PV</b></p>', "PV"),  # a reporter credit
        ("<p><strong>Nhóm PV</strong></p>", "Nhóm PV"),
        ("<p><strong>Hải Yến - Quốc Việt</strong></p>", "Hải Yến - Quốc Việt"),  # two writers
        # A person and their unit: the person.
        ("<p><strong>TVK</strong><em>, phòng GDTrH</em></p>", "TVK"),
        ('<p align="right"><b>Ngọc Hà - Trung tâm DVVL</b></p>', "Ngọc Hà"),
    ],
)
def test_the_closing_signature_is_the_author_and_leaves_the_text(closing: str, author: str) -> None:
    article = extract_article(page(closing=closing))
    assert article.author == author
    assert article.text.endswith(LAST)


@pytest.mark.parametrize(
    "closing",
    [
        '<p align="right"><strong>Phòng Lao động - Việc làm</strong></p>',  # a department
        "<p><b>Trường THCS Tân Lập</b></p>",  # a school
        "<p><strong>BBT</strong></p>",  # the editorial board
        '<p style="text-align:right"><b>Ad Min</b></p>',  # the CMS account
    ],
)
def test_a_signature_naming_no_person_leaves_the_text_but_is_no_author(closing: str) -> None:
    article = extract_article(page(closing=closing))
    assert article.author is None
    assert article.text.endswith(LAST)


def test_a_signature_after_a_break_in_the_last_paragraph() -> None:
    last = f"<p>{PARAGRAPHS[-1]}<br><strong>Khánh Linh</strong></p>"
    article = extract_article(page(last_paragraph=last))
    assert article.author == "Khánh Linh"
    assert article.text.endswith(LAST)


def test_the_signature_above_a_source_line() -> None:
    closing = (
        '<div align="right"><b>Phương Thảo</b></div><div align="right"><i>Theo Lao Động</i></div>'
    )
    assert extract_article(page(closing=closing)).author == "Phương Thảo"


def test_a_source_line_alone_names_no_author() -> None:
    for closing in ("<p><em>Theo Báo Tuổi Trẻ</em></p>", "<p>Nguồn: Cổng thông tin huyện</p>"):
        article = extract_article(page(closing=closing))
        assert article.author is None


def test_a_signature_after_the_texts_container() -> None:
    after = "<p><strong>Văn Tiến - Mỹ Linh</strong></p><br><br>"
    assert extract_article(page(after_text=after)).author == "Văn Tiến - Mỹ Linh"


def test_the_cms_author_slot_after_the_text() -> None:
    slot = (
        '<hr><div class="author"><span><i class="fa fa-user"></i> <b>Tác giả:</b></span>'
        " Đỗ Minh Thư </div>"
    )
    article = extract_article(page(after_text=slot))
    assert article.author == "Đỗ Minh Thư"
    assert "Tác giả" not in article.text


@pytest.mark.parametrize(
    "value", ["admin admin", "Tiêu đề website", "Trường THCS Tân Lập", "CNTT", "webmaster@huyen.vn"]
)
def test_a_slot_naming_no_person_gives_no_author(value: str) -> None:
    slot = f'<div class="author"><b>Tác giả:</b> {value}</div>'
    assert extract_article(page(after_text=slot)).author is None


def test_a_signature_beats_the_cms_account_in_the_slot() -> None:
    closing = (
        '<p style="text-align: right;"><strong>Phạm Thu Trang</strong></p><p>&nbsp;</p>'
        '<p align="right" class="view-content-author"><strong><em>Pho Ban bien tap</em>'
        "</strong></p>"
    )
    article = extract_article(page(closing=closing))
    assert article.author == "Phạm Thu Trang"
    assert "Pho Ban" not in article.text


def test_the_first_slot_naming_a_person_among_several() -> None:
    closing = (
        '<p class="pauthor">NGỌC ÁNH</p><p>Một hộp tin kèm theo bài chính.</p>'
        '<p class="pauthor">HOÀNG LONG</p>'
    )
    article = extract_article(page(closing=closing))
    assert article.author == "NGỌC ÁNH"
    assert "HOÀNG LONG" not in article.text


def test_a_byline_between_headline_and_lead() -> None:
    byline = '<p class="meta"><em>Bài, ảnh: Quỳnh Mai</em></p>'
    article = extract_article(page(under_headline=byline))
    assert article.author == "Quỳnh Mai"
    assert "Quỳnh Mai" not in article.text


def test_a_bold_name_between_headline_and_lead() -> None:
    article = extract_article(page(under_headline="<div><strong>Thanh Bình</strong></div>"))
    assert article.author == "Thanh Bình"


def test_the_site_signing_its_own_page_is_no_author() -> None:
    head = '<meta property="og:site_name" content="Cổng Việc Làm">'
    article = extract_article(page(closing="<p><b>Cổng Việc Làm</b></p>", head=head))
    assert article.author is None


@pytest.mark.parametrize(
    ("credit", "expected"),
    [
        ("Theo Nguyễn Hữu Tài", "Nguyễn Hữu Tài"),  # "Theo" reduced to the name
        ("Theo Báo Dân sinh", None),  # ... but a paper is no person
        ("Theo TTXVN", None),
        ("Nhóm PV: Hà An - Minh Tú", "Hà An - Minh Tú"),
        ("PV", "PV"),  # the paper's reporter, credited as the page credits them
        ("Nhóm PV Xã hội", "Nhóm PV Xã hội"),
        ("test test", None),
        ("Đ/c Lý Văn Sáu", "Đ/c Lý Văn Sáu"),
        ("Đoàn Minh Hải", "Đoàn Minh Hải"),  # "Đoàn" is a surname here, not a delegation
        ("Đoàn Thanh niên xã", None),
        ("baolaodong.vn", None),
        ("Nguyễn Văn An Bình Minh Thị Hương Lan Chi Hoa", None),  # too long for a name
        # The writer's outlet or unit in brackets comes off; a paper alone names no one.
        ("Tâm Hằng (TTXVN)", "Tâm Hằng"),
        ("Minh Anh (Báo Lao động)", "Minh Anh"),
        ("XUÂN LONG (VOV)", "XUÂN LONG"),
        ("Lê Phương (tổng hợp)", "Lê Phương"),
        ("(Theo VnExpress)", None),
        ("Theo Lao Động", None),
        ("Theo Dân trí", None),
    ],
)
def test_credits_reduce_to_a_person(credit: str, expected: str | None) -> None:
    assert person(credit) == expected


# The real pages: read from ../shared at run time, never copied here.
CORPUS = Path(__file__).resolve().parents[1].parent / "shared" / "corpus" / "vn-dev"


def _entries() -> list[dict[str, Any]]:
    expected = CORPUS / "expected.json"
    if not expected.is_file():
        return []
    entries: list[dict[str, Any]] = json.loads(expected.read_text(encoding="utf-8"))
    return entries


def _norm(text: str | None) -> str:
    text = unicodedata.normalize("NFC", html.unescape(text or ""))
    return re.sub(r"\s+", " ", text.replace("\u200b", "").replace("\ufeff", "")).strip()


@pytest.mark.skipif(not _entries(), reason="../shared/corpus/vn-dev absent")
@pytest.mark.parametrize("entry", _entries(), ids=lambda e: str(e["file"]))
def test_the_author_of_real_pages(entry: dict[str, Any]) -> None:
    article = extract_article((CORPUS / "pages" / entry["file"]).read_bytes(), url=entry["url"])
    accepted = {_norm(entry["author"]), _norm(entry.get("author_alt"))} - {""}
    if accepted:
        assert _norm(article.author) in accepted
    else:
        assert article.author is None
