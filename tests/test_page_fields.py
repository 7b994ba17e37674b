"""Headline, date line and lead as real Vietnamese portals set them, on pages built here.

Every date form the issue "Real pages" found lost or misread on real pages, beside each kind
of headline that is not an ``h1`` (``<h2>``, ``<div class="title">``, ``<font><b>``), with
the chrome real pages have around them: a menu, a sidebar of other stories with their own
dates, a lead set apart, a related-stories box.
"""

from __future__ import annotations

from datetime import date, datetime

import pytest

from aggregator.dates import VIETNAM, parse_shown_date, parse_vietnamese_date
from aggregator.exceptions import ExtractionError
from aggregator.extraction import extract_article

HEADLINE = "Tỉnh hỗ trợ việc làm cho hơn 2.000 lao động trở về từ nước ngoài"
LEAD = (
    "Sở Lao động - Thương binh và Xã hội cho biết, trong quý I, toàn tỉnh đã giải quyết việc "
    "làm cho hơn 2.000 lao động, vượt kế hoạch đề ra."
)
BODY = [
    "Theo báo cáo, các phiên giao dịch việc làm được tổ chức định kỳ hằng tháng tại trung tâm "
    "dịch vụ việc làm tỉnh, thu hút đông đảo người lao động và doanh nghiệp tham gia.",
    "Ngoài ra, tỉnh tiếp tục triển khai các chính sách hỗ trợ học nghề, vay vốn tạo việc làm "
    "cho người lao động trở về từ nước ngoài theo hợp đồng.",
    "Trong thời gian tới, ngành sẽ phối hợp với các địa phương rà soát nhu cầu tuyển dụng để "
    "kết nối cung cầu lao động hiệu quả hơn.",
]

HEADLINES = {
    "h2": f'<h2 class="news-name">{HEADLINE}</h2>',
    "div.title": f'<div class="title">{HEADLINE}</div>',
    "font b": f'<font size="+1" color="#004175"><b>{HEADLINE}</b></font>',
}

# What each date line shows, and what a reader reads off it (None: a day without time).
DATE_LINES = {
    "Thứ hai, 05/03/2024 08:30": datetime(2024, 3, 5, 8, 30, tzinfo=VIETNAM),
    "Cập nhật lúc 16:45 ngày 11/09/2023": datetime(2023, 9, 11, 16, 45, tzinfo=VIETNAM),
    "Ngày đăng 03/04/2020 | 10:36 PM": datetime(2020, 4, 3, 22, 36, tzinfo=VIETNAM),
    "Thứ Sáu, 28/03/2014 - 11:02": datetime(2014, 3, 28, 11, 2, tzinfo=VIETNAM),
    "04/01/2014 | 00:03": datetime(2014, 1, 4, 0, 3, tzinfo=VIETNAM),
    "09:00 ngày 12/03/2016": datetime(2016, 3, 12, 9, 0, tzinfo=VIETNAM),
    "CHỦ NHẬT, NGÀY 07 THÁNG 04 NĂM 2024 07:05": datetime(2024, 4, 7, 7, 5, tzinfo=VIETNAM),
    "Chủ nhật, 07/04/2024 07:05": datetime(2024, 4, 7, 7, 5, tzinfo=VIETNAM),
    "Thứ Tư, 24/7/2024, 12:55 (GMT+7)": datetime(2024, 7, 24, 12, 55, tzinfo=VIETNAM),
    "21/12/2012 | 12:00 AM": date(2012, 12, 21),
    "Ngày 15/06/2008": date(2008, 6, 15),
    # Published and updated on one line: the publication's day and time, not a mix.
    "Đăng lúc 08:30 05/03/2024 | Cập nhật lúc 10:05 06/03/2024": datetime(
        2024, 3, 5, 8, 30, tzinfo=VIETNAM
    ),
    "Cập nhật: 06/03/2024 10:05 | Đăng: 05/03/2024 08:30": datetime(
        2024, 3, 5, 8, 30, tzinfo=VIETNAM
    ),
}


def page(headline: str, date_line: str, *, lead: str = "", title: str = "Tin tức") -> str:
    paragraphs = "".join(f"<p>{text}</p>" for text in BODY)
    return f"""<!DOCTYPE html><html lang="vi"><head><meta charset="utf-8">
<title>{title}</title></head><body>
<div class="menu"><a href="/">Trang chủ</a> <a href="/tin-tuc">Tin tức</a></div>
<div class="sidebar"><h2>Tin mới</h2><ul>
<li><a href="/tin/1">Hội nghị tổng kết công tác năm</a> <span>02/01/2024 09:15</span></li>
</ul></div>
<div class="main">
{headline}
<div class="date">{date_line}</div>
{lead}
<div class="content-detail">{paragraphs}</div>
<div class="tin-lien-quan"><h3>Tin liên quan</h3><ul>
<li><a href="/tin/2">Một tin khác của sở</a> (01/02/2024)</li></ul></div>
</div></body></html>"""


@pytest.mark.parametrize("kind", HEADLINES)
@pytest.mark.parametrize("shown", DATE_LINES)
def test_date_line_beside_a_headline_that_is_not_an_h1(kind: str, shown: str) -> None:
    article = extract_article(page(HEADLINES[kind], shown))
    assert article.title == HEADLINE
    expected = DATE_LINES[shown]
    if isinstance(expected, datetime):
        assert article.published == expected
        assert not article.date_only
    else:
        assert article.date_only, f"{shown!r} shows no time of day"
        assert article.published is not None and article.published.date() == expected
    assert shown not in article.text
    assert article.text.startswith(BODY[0])


def test_sunday_morning_is_morning() -> None:
    """ "CH" of "Chủ nhật" is no chiều (PM): Sunday stories were 12 hours late."""
    for text in ("Chủ nhật, 07/04/2024 07:05", "CHỦ NHẬT, NGÀY 07 THÁNG 04 NĂM 2024 07:05"):
        assert parse_vietnamese_date(text) == datetime(2024, 4, 7, 7, 5, tzinfo=VIETNAM)
    assert parse_vietnamese_date("07/04/2024 3:05 CH") == datetime(
        2024, 4, 7, 15, 5, tzinfo=VIETNAM
    )


def test_a_midnight_placeholder_is_a_day_and_a_real_time_after_midnight_is_kept() -> None:
    assert parse_shown_date("21/12/2012 | 12:00 AM") == date(2012, 12, 21)
    assert parse_shown_date("04/01/2014 | 00:03") == datetime(2014, 1, 4, 0, 3, tzinfo=VIETNAM)


def test_the_date_shown_wins_over_metadata_which_only_refines_it() -> None:
    shown = page(HEADLINES["h2"], "Thứ 5, 04/10/2018 | 09:18")
    later = shown.replace(
        "</head>", '<meta itemprop="datePublished" content="2018-11-03T09:39:25+07:00"></head>'
    )
    assert extract_article(later).published == datetime(2018, 10, 4, 9, 18, tzinfo=VIETNAM)
    same_minute = shown.replace(
        "</head>", '<meta itemprop="datePublished" content="2018-10-04T09:18:42+07:00"></head>'
    )
    assert extract_article(same_minute).published == datetime(
        2018, 10, 4, 9, 18, 42, tzinfo=VIETNAM
    )


@pytest.mark.parametrize(
    ("title", "site_name"),
    [
        (f"{HEADLINE} | Sở LĐTBXH", "Sở LĐTBXH"),
        (f"{HEADLINE} | Sở LĐTBXH Mobile", None),
        (f"Sở LĐTBXH :: {HEADLINE}", "Sở LĐTBXH"),
    ],
)
def test_headline_from_the_title_without_the_site_name_when_the_markup_shows_none(
    title: str, site_name: str | None
) -> None:
    html = page("", "05/03/2024 08:30", title=title)
    if site_name:
        html = html.replace(
            "</head>", f'<meta property="og:site_name" content="{site_name}"></head>'
        )
    assert extract_article(html).title == HEADLINE


@pytest.mark.parametrize("profile", [None, "liferay"])
@pytest.mark.parametrize(
    ("title", "headline"),
    [
        ("Phòng Thanh tra - Sở Thông Tin Và Truyền Thông", "Phòng Thanh tra"),
        ("Chức năng nhiệm vụ - Cổng thông tin điện tử tỉnh Lào Cai", "Chức năng nhiệm vụ"),
        ("HỘI NGHỊ TỔNG KẾT NĂM 2023 - Sở LĐTBXH", "HỘI NGHỊ TỔNG KẾT NĂM 2023"),
    ],
)
def test_a_short_page_name_before_the_owner_s_name_is_the_headline(
    title: str, headline: str, profile: str | None
) -> None:
    """A page of another template of a known CMS (a Liferay web content page has no asset
    title) falls back on the page's <title>, without the department's name."""
    html = page("", "05/03/2024 08:30", title=title)
    assert extract_article(html, profile=profile).title == headline


def test_a_generic_title_is_never_the_headline() -> None:
    html = page("", "05/03/2024 08:30", title="Chi tiết - Sở Lao động - Thương binh và Xã hội")
    assert extract_article(html).title is None


def test_a_truncated_title_confirms_the_full_headline() -> None:
    html = page(HEADLINES["div.title"], "05/03/2024 08:30", title=HEADLINE[:40] + "...")
    assert extract_article(html).title == HEADLINE


@pytest.mark.parametrize(
    "lead_markup",
    [
        f'<p class="sapo"><strong>{LEAD}</strong></p>',
        f'<h2 class="sapo">{LEAD}</h2>',
        f'<div class="brief-detail"><p>{LEAD}</p></div>',
        f'<p class="description">{LEAD}</p>',
        # Class words in capitals, and beside a class in Vietnamese (read another way).
        f'<div class="Article-SAPO">{LEAD}</div>',
        f'<p class="tóm-tắt sapo">{LEAD}</p>',
        f"<p><strong>{LEAD}</strong></p>",
        f'<span style="font-weight: bold">{LEAD}</span>',
    ],
    ids=[
        "p.sapo",
        "h2.sapo",
        "div.brief-detail",
        "p.description",
        "capitals",
        "beside a Vietnamese class",
        "bold p",
        "bold span",
    ],
)
def test_the_lead_is_a_field_and_the_first_paragraph_once(lead_markup: str) -> None:
    article = extract_article(page(HEADLINES["h2"], "05/03/2024 08:30", lead=lead_markup))
    assert article.lead == LEAD
    paragraphs = article.text.split("\n\n")
    assert paragraphs[:2] == [LEAD, BODY[0]]
    assert article.text.count(LEAD) == 1


def test_a_lead_repeated_as_the_first_body_paragraph_is_shown_once() -> None:
    html = page(HEADLINES["h2"], "05/03/2024 08:30", lead=f'<p class="sapo">{LEAD}</p>')
    html = html.replace(
        '<div class="content-detail">', f'<div class="content-detail"><p>{LEAD}</p>'
    )
    article = extract_article(html)
    assert article.lead == LEAD
    assert article.text.count(LEAD) == 1 and article.text.startswith(LEAD)


def test_no_lead_where_the_page_sets_none_apart() -> None:
    """A bold paragraph inside the body (a pasted document) or a heading in capitals is
    body text, not a lead."""
    html = page(HEADLINES["h2"], "05/03/2024 08:30")
    bold = html.replace(f"<p>{BODY[0]}</p>", f"<p><b>{BODY[0]}</b></p>")
    assert extract_article(bold).lead is None
    capitals = html.replace(
        '<div class="content-detail">',
        f'<div class="content-detail"><p><b>{HEADLINE.upper()} TRONG QUÝ I NĂM 2024</b></p>',
    )
    assert extract_article(capitals).lead is None


OTHER_SUMMARY = (
    "Hội nghị sơ kết công tác sáu tháng đầu năm của ngành lao động được tổ chức tại hội trường "
    "lớn của tỉnh với sự tham dự của nhiều đại biểu."
)


@pytest.mark.parametrize(
    "above",
    [f'<p class="sapo">{OTHER_SUMMARY}</p>', f"<p><strong>{OTHER_SUMMARY}</strong></p>"],
)
def test_a_summary_above_the_headline_is_not_the_lead(above: str) -> None:
    """The lead follows the headline: a summary box above it (another story's teaser, a
    banner) is passed over, the one after it taken, or none."""
    html = page(HEADLINES["h2"], "05/03/2024 08:30")
    html = html.replace(HEADLINES["h2"], f"{above}{HEADLINES['h2']}")
    assert extract_article(html).lead is None
    with_lead = html.replace(
        '<div class="content-detail">', f'<p class="sapo">{LEAD}</p><div class="content-detail">'
    )
    assert extract_article(with_lead).lead == LEAD


def test_entities_that_lost_their_ampersand_read_as_the_page_means() -> None:
    html = page(HEADLINES["h2"], "05/03/2024 08:30").replace(
        BODY[1], "Chương trình ldquo;Việc làm xanhrdquo; tiếp tục hellip; " + BODY[1]
    )
    text = extract_article(html).text
    assert "“Việc làm xanh”" in text and "…" in text and "ldquo;" not in text


@pytest.mark.parametrize("separator", ["<br>", "<br><br>", "<br/>\n"])
def test_a_body_of_plain_text_split_by_br_comes_out_as_paragraphs(separator: str) -> None:
    html = page(HEADLINES["h2"], "05/03/2024 08:30").replace(
        "".join(f"<p>{line}</p>" for line in BODY), separator.join(BODY)
    )
    assert separator.join(BODY) in html
    assert extract_article(html).text.split("\n\n") == BODY


def test_the_date_line_shown_above_the_headline_beats_the_metadata_past_a_share_bar() -> None:
    """School portals print the date line before the ``h1``, then font-size and share
    buttons; their ``datePublished`` is often the day the item was last saved."""
    buttons = "".join(f'<a href="#" class="custom-font">A<sup>{n}</sup></a>' for n in "-+=")
    share = "".join(f'<a href="#s{n}"><i class="icon"></i><span>{n}</span></a>' for n in range(6))
    html = (
        page(f"<h1>{HEADLINE}</h1>", "")
        .replace(
            f"<h1>{HEADLINE}</h1>",
            '<header><span class="post-date">Thứ 5, 04/10/2018<span> | </span>09:18</span>'
            f'<div class="block_share">{buttons}{share}</div></header><h1>{HEADLINE}</h1>',
        )
        .replace(
            "</head>", '<meta itemprop="datePublished" content="2018-11-03T09:39:25+07:00"></head>'
        )
    )
    assert extract_article(html).published == datetime(2018, 10, 4, 9, 18, tzinfo=VIETNAM)


# How real pages credit the writer (or seem to), and who a reader takes for the author.
AUTHOR_FORMS = {
    "bold end signature": ("", "<p><strong>Hà Linh</strong></p>", "Hà Linh"),
    "right-aligned end signature": ("", '<p style="text-align:right">MINH TÂM</p>', "MINH TÂM"),
    "signature after a <br>": ("", None, "Thu Hằng"),
    "reporter credit": ("", "<p><b>Nhóm PV: Hà An - Minh Tú</b></p>", "Hà An - Minh Tú"),
    "PV alone": ("", "<p><b>PV</b></p>", "PV"),
    "Nhóm PV": ("", '<p style="text-align:right"><b>Nhóm PV Xã hội</b></p>', "Nhóm PV Xã hội"),
    "byline under the headline": ('<p class="author">Bài, ảnh: Đức Anh</p>', "", "Đức Anh"),
    "Theo a person": ("", "<p><em>Theo Nguyễn Hữu Tài</em></p>", "Nguyễn Hữu Tài"),
    "Theo a paper": ("", "<p><em>Theo Báo Lao động</em></p>", None),
    "CMS account": ('<div class="author">admin admin</div>', "", None),
    "publisher": ('<span class="author">Công ty Cổ phần Truyền thông Việt</span>', "", None),
}


@pytest.mark.parametrize("kind", HEADLINES)
@pytest.mark.parametrize("form", AUTHOR_FORMS)
def test_author_forms_beside_a_headline_that_is_not_an_h1(kind: str, form: str) -> None:
    under_headline, closing, author = AUTHOR_FORMS[form]
    html = page(HEADLINES[kind], "Chủ nhật, 07/04/2024 07:05")
    html = html.replace('<div class="date">', f'{under_headline}<div class="date">')
    if closing is None:  # the name closes the last paragraph, after a line break
        html = html.replace(f"{BODY[-1]}</p>", f"{BODY[-1]}<br><b>Thu Hằng</b></p>")
    else:
        html = html.replace(
            '</div>\n<div class="tin-lien-quan">', f'{closing}</div>\n<div class="tin-lien-quan">'
        )
    assert html.count("Thu Hằng" if closing is None else closing or under_headline) == 1
    article = extract_article(html)
    assert article.author == author
    assert article.published == datetime(2024, 4, 7, 7, 5, tzinfo=VIETNAM)
    # A paper's credit is a source line and may stay; a person's credit leaves the text.
    assert article.text.endswith("Theo Báo Lao động" if form == "Theo a paper" else BODY[-1])


def test_a_page_without_an_article_is_refused_not_stored_as_its_chrome() -> None:
    html = page(HEADLINES["h2"], "05/03/2024 08:30").replace(HEADLINES["h2"], "")
    html = html.replace("".join(f"<p>{text}</p>" for text in BODY), "")
    html = html.replace(
        "</body>",
        '<div id="footer">Cơ quan chủ quản: Sở Lao động - Thương binh '
        "và Xã hội tỉnh. Địa chỉ: 28 Lê Hoàn. Ghi rõ nguồn khi phát hành lại "
        "thông tin từ website này.</div></body>",
    )
    with pytest.raises(ExtractionError, match="no article"):
        extract_article(html, url="http://so.example.vn/tin/1")


def test_an_impossible_date_gives_no_date() -> None:
    """Not the 1st of the month a partial reading makes of it. (A CMS's empty date, 1900 or
    the epoch, is read as shown; the crawl logs it as implausible and orders the story by
    when it was first seen.)"""
    assert extract_article(page(HEADLINES["h2"], "Thứ ba 31/02/2024 25:70")).published is None


def test_an_article_laid_out_in_a_table_reads_as_paragraphs_not_a_table() -> None:
    """Old portals put headline, date line and body each in a row of one layout table."""
    cells = [
        f'<font size="4" color="#003399"><b>{HEADLINE}</b></font>',
        '<font size="2" color="gray">Ngày đăng 03/04/2020 | 10:36 PM</font>',
        "<br><br>".join(BODY),
    ]
    table = "<table>" + "".join(f"<tr><td>{cell}</td></tr>" for cell in cells) + "</table>"
    html = page("", "").replace('<div class="date"></div>', "")
    html = html.replace(
        f'<div class="content-detail">{"".join(f"<p>{t}</p>" for t in BODY)}</div>', table
    )
    assert table in html
    article = extract_article(html)
    assert article.title == HEADLINE
    assert article.published == datetime(2020, 4, 3, 22, 36, tzinfo=VIETNAM)
    assert article.text.split("\n\n") == BODY


@pytest.mark.parametrize("shown", DATE_LINES)
def test_date_line_on_a_page_showing_no_headline(shown: str) -> None:
    """A mobile template shows only the <title>: the date line opens the body's column."""
    article = extract_article(page("", shown, title=f"{HEADLINE} | Sở LĐTBXH Mobile"))
    assert article.title == HEADLINE
    expected = DATE_LINES[shown]
    if isinstance(expected, datetime):
        assert article.published == expected
    else:
        assert article.date_only and article.published is not None
        assert article.published.date() == expected


def test_images_are_the_article_s_not_a_related_story_card_s() -> None:
    card = '<article class="story"><img src="/anh/the-khac.jpg" alt="Một tin khác"></article>'
    html = (
        page(HEADLINES["h2"], "05/03/2024 08:30")
        .replace(
            '<div class="main">', f'<div class="top-news">{card}</div><article class="detail">'
        )
        .replace("</div></body>", "</article></body>")
    )
    html = html.replace(
        f"<p>{BODY[1]}</p>", f'<p>{BODY[1]}</p><p><img src="/anh/hoi-nghi.jpg"></p>'
    )
    images = extract_article(html, url="http://so.example.vn/tin/1").images
    assert [image.src for image in images] == ["http://so.example.vn/anh/hoi-nghi.jpg"]


def test_a_main_column_named_like_a_sidebar_still_holds_the_article() -> None:
    """VnExpress calls its main column "sidebar-1": the column holding the h1 is no sidebar."""
    html = page(
        f"<h1>{HEADLINE}</h1>",
        "Thứ hai, 5/3/2024, 08:30 (GMT+7)",
        lead=f'<p class="description">{LEAD}</p>',
    )
    html = html.replace('<div class="main">', '<div class="sidebar-1">').replace(
        f"<p>{BODY[-1]}</p>",
        f'<p>{BODY[-1]}</p><p style="text-align:right"><strong>Anh Minh</strong></p>',
    )
    article = extract_article(html)
    assert (article.lead, article.author) == (LEAD, "Anh Minh")
    assert article.published == datetime(2024, 3, 5, 8, 30, tzinfo=VIETNAM)
    assert article.text.endswith(BODY[-1])


def test_an_asp_net_label_split_by_br_is_the_body() -> None:
    """WebForms renders the body as a <span> label split by <br />, in a layout table inside
    the page-wide <form>, with the article's tools after it."""
    label = '<span id="ctl00_Main_lblNoiDung">' + "<br /><br />".join(BODY) + "</span>"
    html = f"""<html><head><title>Cổng thông tin điện tử Sở LĐTBXH</title></head><body>
<form id="form1" method="post"><table><tr><td colspan="2" class="menu"><a href="/">Trang chủ</a>
</td></tr><tr><td class="left"><div class="boxtitle">Tin mới</div><a href="/t/1">Hội nghị</a>
<br /><span class="ngay">04/03/2024 9:00:00 SA</span></td><td>
<span id="ctl00_Main_lblTieuDe" class="tieude">{HEADLINE}</span><br />
<span id="ctl00_Main_lblNgayDang" class="ngaydang">05/03/2024 2:30:00 CH</span><br />
<span id="ctl00_Main_lblTomTat" class="tomtat"><b>{LEAD}</b></span><br />{label}<br />
<div align="right"><span class="tacgia">Trần Văn Bình</span></div>
<a href="javascript:window.print()">In bài</a> | <a href="#">Gửi email</a></td></tr>
<tr><td colspan="2" class="footer">Bản quyền thuộc Sở Lao động - Thương binh và Xã hội</td>
</tr></table></form></body></html>"""
    article = extract_article(html)
    assert article.text.split("\n\n") == [LEAD, *BODY]
    assert (article.lead, article.author) == (LEAD, "Trần Văn Bình")
    assert article.published == datetime(2024, 3, 5, 14, 30, tzinfo=VIETNAM)


@pytest.mark.parametrize(
    "markup", [f'<div class="chappeau">{LEAD}</div>', f'<span class="tomtat"><b>{LEAD}</b></span>']
)
def test_leads_in_the_names_other_papers_give_them(markup: str) -> None:
    assert extract_article(page(HEADLINES["h2"], "05/03/2024 08:30", lead=markup)).lead == LEAD


def test_a_profile_page_without_its_date_selector_reads_the_date_line_shown() -> None:
    """A Liferay page of another template: its date line, not a related story's date, and
    not "PM1.234" where the view count touches the time."""
    html = page(f"<h1>{HEADLINE}</h1>", "").replace(
        '<div class="date"></div>',
        '<div class="metadata"><span class="metadata-publish-date">05/03/2024 2:15 PM</span>'
        '<span class="view-count">1.234 Lượt xem</span></div>',
    )
    assert extract_article(html, profile="liferay").published == datetime(
        2024, 3, 5, 14, 15, tzinfo=VIETNAM
    )


def test_the_site_name_in_the_banner_is_no_headline_and_the_facts_line_credits_the_writer() -> None:
    """A school portal: its name as the banner's h1 (the <title> repeats it), the headline a
    div.title-detail, the writer in a line of facts ("Người viết: … - Ngày đăng: …")."""
    facts = (
        '<div class="info-detail"><span>Người viết: Nguyễn Thị Hoa</span> - '
        "<span>Ngày đăng: 05/03/2024 08:30</span> - <span>Lượt xem: 87</span></div>"
    )
    html = page(
        f'<div class="title-detail">{HEADLINE}</div>{facts}',
        "",
        title="Trường THPT Nguyễn Du - Tin tức",
    )
    html = html.replace('<div class="date"></div>', "").replace(
        '<div class="menu">',
        '<div class="banner"><h1>TRƯỜNG THPT NGUYỄN DU</h1></div><div class="menu">',
    )
    article = extract_article(html)
    assert (article.title, article.author) == (HEADLINE, "Nguyễn Thị Hoa")
    assert article.published == datetime(2024, 3, 5, 8, 30, tzinfo=VIETNAM)
    assert article.text.startswith(BODY[0])
