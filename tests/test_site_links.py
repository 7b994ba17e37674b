"""A page whose text is the site's own links (its menus, one item a paragraph) is no article;
an article whose paragraphs are links to its documents or its people is one."""

from __future__ import annotations

import pytest

from aggregator.exceptions import ExtractionError
from aggregator.extraction import extract_article

MENU = "".join(
    f'<li><a href="/m{n}">{item}</a></li>'
    for n, item in enumerate(
        [
            "Trang chủ",
            "Giới thiệu",
            "Cơ cấu tổ chức",
            "Tin tức sự kiện",
            "Văn bản",
            "Hỏi đáp",
            "Liên hệ",
            "Sơ đồ cổng",
        ]
    )
)


def page(title: str, body: str) -> str:
    return (
        f'<!doctype html><html lang="vi"><head><meta charset="utf-8"><title>{title}</title>'
        '<meta property="article:published_time" content="2024-03-12T08:00:00+07:00"></head>'
        f"<body><header><nav><ul>{MENU}</ul></nav></header><main><article><h1>{title}</h1>"
        '<div class="date">Ngày 12/03/2024</div>'
        f'<div class="content">{body}</div></article></main>'
        "<footer><p>Sở Lao động - Thương binh và Xã hội tỉnh Bắc Giang</p></footer></body></html>"
    )


DOCUMENTS = [
    "Quyết định số 123/QĐ-UBND ngày 05/3/2024 của UBND tỉnh về việc phê duyệt kế hoạch đào "
    "tạo nghề cho lao động nông thôn năm 2024",
    "Kế hoạch số 45/KH-SLĐTBXH ngày 06/3/2024 về tổ chức Tháng hành động về an toàn, vệ sinh "
    "lao động năm 2024",
    "Công văn số 678/SLĐTBXH-VL ngày 07/3/2024 về việc báo cáo tình hình sử dụng lao động",
    "Thông báo số 12/TB-SLĐTBXH ngày 08/3/2024 về lịch tiếp công dân của lãnh đạo Sở",
    "Quyết định số 130/QĐ-SLĐTBXH ngày 09/3/2024 về việc công bố thủ tục hành chính",
]
WINNERS = [
    "Nguyễn Văn An - Công ty TNHH May Bắc Giang - Giải Nhất",
    "Trần Thị Bình - Trường Cao đẳng nghề - Giải Nhì",
    "Lê Văn Cường - Hợp tác xã Lục Ngạn - Giải Nhì",
    "Phạm Thị Dung - Công ty Cổ phần Fuji - Giải Ba",
    "Hoàng Văn Em - Trung tâm Dịch vụ việc làm - Giải Ba",
    "Vũ Thị Phương - Phòng LĐ-TB&XH huyện Yên Thế - Giải Khuyến khích",
]


@pytest.mark.parametrize(
    ("title", "intro", "lines"),
    [
        ("Sở công bố các văn bản chỉ đạo tháng 3/2024", "Sở thông báo các văn bản sau:", DOCUMENTS),
        ("Danh sách đoạt giải Hội thi Thợ giỏi năm 2024", "", WINNERS),
    ],
    ids=["linked-documents", "linked-winners"],
)
def test_an_article_of_linked_lines_is_kept(title: str, intro: str, lines: list[str]) -> None:
    """A notice listing its decisions as links, the winners of a contest linked to their
    pages: the links are the article, not a menu."""
    links = "".join(f'<p><a href="/vb/{n}.pdf">{line}</a></p>' for n, line in enumerate(lines))
    opening = f"<p>{intro}</p>" if intro else ""
    article = extract_article(page(title, opening + links), url="https://x.gov.vn/a")
    assert all(line in article.text for line in lines)


def test_a_page_of_the_menus_items_is_no_article() -> None:
    """A sign-in page read whole: the menu again, one item a paragraph, and a form."""
    items = "".join(
        f'<p><a href="/s{n}">{item}</a></p>'
        for n, item in enumerate(
            ["Trang chủ", "Giới thiệu", "Cơ cấu tổ chức", "Tin tức sự kiện", "Văn bản", "Hỏi đáp"]
        )
    )
    form = "<form><label>Tên đăng nhập</label><input name=u><label>Mật khẩu</label></form>"
    with pytest.raises(ExtractionError, match="only the site's menus and links"):
        extract_article(page("Đăng nhập", items + form), url="https://x.gov.vn/dang-nhap")
