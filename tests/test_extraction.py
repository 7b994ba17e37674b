"""extract_article on pages no profile knows: decoding, normalisation, titles, failures."""

from __future__ import annotations

import unicodedata
from typing import Literal

import pytest

from aggregator.exceptions import ConfigError, ExtractionError, PageDecodeError
from aggregator.extraction import decode_html, extract_article

TITLE = "Tuyển sinh học nghề miễn phí cho người lao động nông thôn"
PARAGRAPHS = [
    "Trung tâm Dịch vụ việc làm tỉnh thông báo tuyển sinh các lớp đào tạo nghề miễn phí "
    "cho người lao động ở nông thôn, người khuyết tật và người thuộc hộ nghèo.",
    "Các nghề đào tạo gồm may công nghiệp, điện dân dụng, sửa chữa máy nông nghiệp và kỹ "
    "thuật chăn nuôi; học viên được hỗ trợ tiền ăn và tiền đi lại theo quy định.",
    "Hồ sơ nộp trực tiếp tại trung tâm hoặc tại Ủy ban nhân dân xã trước ngày 30 tháng 8.",
]


def page(title: str = TITLE, head: str = '<meta charset="utf-8">') -> str:
    body = "".join(f"<p>{p}</p>" for p in PARAGRAPHS)
    return (
        f'<!DOCTYPE html><html lang="vi"><head>{head}<title>{title}</title></head>'
        f"<body><main><article><h1>{title}</h1>{body}</article></main></body></html>"
    )


TONE_MARKS = "\u0300\u0301\u0303\u0309\u0323"


def cp1258(text: str) -> bytes:
    """``text`` as windows-1258 writes Vietnamese: base letter, then a combining tone mark."""
    out = bytearray()
    for char in unicodedata.normalize("NFC", text):
        try:
            out += char.encode("cp1258")
        except UnicodeEncodeError:
            decomposed = unicodedata.normalize("NFD", char)
            tones = "".join(c for c in decomposed if c in TONE_MARKS)
            base = unicodedata.normalize("NFC", "".join(c for c in decomposed if c not in tones))
            out += (base + tones).encode("cp1258")
    return bytes(out)


def misread(data: bytes, charset: str) -> str:
    """``data`` read byte by byte as ``charset``, undefined bytes as latin-1 (as browsers and
    careless converters do)."""
    return "".join(bytes([b]).decode(charset, errors="ignore") or chr(b) for b in data)


def test_text_is_paragraphs_separated_by_blank_lines() -> None:
    article = extract_article(page(), url="https://example.vn/tin-tuc/tuyen-sinh-123.html")
    assert article.text.split("\n\n") == PARAGRAPHS
    assert article.title == TITLE
    assert article.profile == "generic"


def test_decomposed_page_comes_out_composed() -> None:
    nfd = unicodedata.normalize("NFD", page())
    article = extract_article(nfd.encode("utf-8"))
    assert unicodedata.is_normalized("NFC", article.text)
    assert article.title == TITLE
    assert PARAGRAPHS[0] in article.text


def test_charset_declared_in_meta_only() -> None:
    head = '<meta http-equiv="Content-Type" content="text/html; charset=windows-1258">'
    data = cp1258(page(head=head))
    with pytest.raises(UnicodeDecodeError):
        data.decode("utf-8")
    article = extract_article(data)
    assert article.title == TITLE
    assert article.text.split("\n\n") == PARAGRAPHS


def test_http_charset_is_used_for_undeclared_bytes() -> None:
    decoded = decode_html(cp1258(page(head="")), "windows-1258")
    assert unicodedata.normalize("NFC", decoded) == page(head="")


@pytest.mark.parametrize("encoding", ["utf-8-sig", "utf-16", "utf-16-be", "utf-32"])
def test_a_byte_order_mark_says_the_charset(encoding: str) -> None:
    bom = {"utf-16-be": b"\xfe\xff"}.get(encoding, b"")
    article = extract_article(bom + page(head="").encode(encoding))
    assert article.title == TITLE
    assert article.text.split("\n\n") == PARAGRAPHS


def test_utf8_page_declaring_windows_1258_is_read_as_utf8() -> None:
    head = '<meta charset="windows-1258">'
    article = extract_article(page(head=head).encode("utf-8"), http_charset="windows-1258")
    assert article.text.split("\n\n") == PARAGRAPHS


@pytest.mark.parametrize(
    "generic", ["Chi tiết - Sở Lao động - Thương Binh và Xã Hội", "Chi tiết tin - Sở LĐTBXH"]
)
def test_generic_page_title_is_never_the_title(generic: str) -> None:
    html = page(title=generic).replace(f"<h1>{generic}</h1>", "")
    article = extract_article(html)
    assert article.title is None or not article.title.startswith("Chi tiết")


def test_empty_page_raises_extraction_error_naming_the_url() -> None:
    empty = "<!DOCTYPE html><html><head><title>Trống</title></head><body></body></html>"
    with pytest.raises(ExtractionError, match="https://example.vn/trong.html"):
        extract_article(empty, url="https://example.vn/trong.html")


def test_unknown_profile_names_the_known_ones() -> None:
    with pytest.raises(ConfigError, match="baodansinh.*generic.*liferay"):
        extract_article(page(), profile="joomla")


def test_windows_1258_served_under_a_utf8_meta_is_read_as_windows_1258() -> None:
    data = cp1258(page())  # page() declares <meta charset="utf-8">
    article = extract_article(data)
    assert article.title == TITLE
    assert article.text.split("\n\n") == PARAGRAPHS
    assert unicodedata.is_normalized("NFC", article.text)


def test_windows_1258_served_under_a_utf8_http_header_is_read_as_windows_1258() -> None:
    article = extract_article(cp1258(page(head="")), http_charset="utf-8")
    assert article.text.split("\n\n") == PARAGRAPHS


def test_windows_1258_served_as_windows_1252_is_read_as_windows_1258() -> None:
    head = '<meta http-equiv="Content-Type" content="text/html; charset=windows-1252">'
    article = extract_article(cp1258(page(head=head)))
    assert article.title == TITLE
    assert article.text.split("\n\n") == PARAGRAPHS


def test_a_windows_1252_page_in_english_stays_windows_1252() -> None:
    html = (
        '<html><head><meta charset="windows-1252"><title>Caf\u00e9 news</title></head><body>'
        "<article><h1>Caf\u00e9 news</h1>"
        + "<p>The caf\u00e9\u2019s owner said \u201cbusiness is good\u201d this year.</p>" * 4
        + "</article></body></html>"
    )
    text = decode_html(html.encode("cp1252"))
    assert "caf\u00e9\u2019s owner said \u201cbusiness" in text


@pytest.mark.parametrize("misread_as", ["cp1252", "latin-1", "cp1258"])
@pytest.mark.parametrize("form", ["NFC", "NFD"])
def test_mojibake_is_repaired(misread_as: str, form: Literal["NFC", "NFD"]) -> None:
    """UTF-8 bytes once read as a legacy charset and saved again as UTF-8."""
    original = unicodedata.normalize(form, page())
    garbled = misread(original.encode("utf-8"), misread_as).encode("utf-8")
    assert "Ä‘" in garbled.decode("utf-8") or "Ä\x91" in garbled.decode("utf-8")
    article = extract_article(garbled)
    assert article.title == TITLE
    assert article.text.split("\n\n") == PARAGRAPHS


def test_utf8_served_under_a_windows_1252_meta_is_not_turned_into_mojibake() -> None:
    article = extract_article(page(head='<meta charset="windows-1252">').encode("utf-8"))
    assert article.title == TITLE
    assert article.text.split("\n\n") == PARAGRAPHS


def test_bytes_no_charset_reads_are_refused_with_a_reason() -> None:
    data = cp1258(page()) + bytes(range(0x80, 0xA0)) * 3  # undefined in windows-125x
    with pytest.raises(PageDecodeError, match="valid in no declared or likely charset"):
        extract_article(data)


def test_twice_garbled_text_is_repaired() -> None:
    once = misread(page().encode("utf-8"), "cp1252")
    garbled = misread(once.encode("utf-8"), "cp1252")
    article = extract_article(garbled.encode("utf-8"))
    assert article.text.split("\n\n") == PARAGRAPHS


def test_mojibake_that_cannot_be_repaired_is_refused_with_a_reason() -> None:
    garbled = misread(page().encode("utf-8"), "cp1252").replace("™", "").replace("»", "?")
    with pytest.raises(PageDecodeError, match=r"https://example\.vn/a\.html: garbled text"):
        extract_article(garbled.encode("utf-8"), url="https://example.vn/a.html")


def test_correct_text_with_symbols_is_left_alone() -> None:
    text = "Giá vé: 100.000 đ (khoảng 4 €) — “Đổi mới” · Âu Lạc"
    assert decode_html(text.encode("utf-8")) == text
