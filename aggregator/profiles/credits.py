"""A credit line reduced to the person it names, or to no one.

Vietnamese pages credit in many ways: "Tác giả: Lê Phúc", "Bài, ảnh: Minh Anh", "ST: Huỳnh Trí
Tâm" (sưu tầm, compiled by), "Nguyễn Văn A - Sở GDĐT", "NTB, phòng GDTrH", "Theo Báo Lao
động". The author is the person credited: labels and titles of an organisation come off, and a
credit naming no person gives None — a CMS account ("admin admin", "Ad Min", "Pho Ban bien
tap"), a template placeholder ("Tiêu đề website"), a unit ("Phòng QLBCXB", "Trường THCS Tân
Thành", "BBT"), a newspaper or the site itself.

"PV" (phóng viên, reporter), "Nhóm PV" and "CTV" credit the paper's reporters: the credit is
kept as written ("PV", "Nhóm PV Xã hội"), or the names that follow it ("Nhóm PV: Hà An - Minh
Tú"). A "Theo …" credit names where the story came from: it gives a person only when
it names nothing but people ("Theo Lê An"), never a wire or a paper ("Theo TTXVN").
"""

from __future__ import annotations

import re

from aggregator.folding import fold
from aggregator.text import clean_line

MAX_CHARS = 60
MAX_WORDS = 10
_MAX_NAME_WORDS = 6  # "Tôn Nữ Thị Ngọc Hân": one person's name

# What precedes the name and is no part of it ("Tác giả:", "Bài và ảnh:", "ST:").
_LABEL = re.compile(
    r"^(?:tác giả|người viết|bài viết|bài|tin|bài và ảnh|bài, ảnh|bài - ảnh|bài/ảnh|tin và ảnh"
    r"|tin, ảnh|tin - ảnh|tin/ảnh|nội dung|thực hiện|st|sưu tầm|người đăng|đăng bởi|viết bởi"
    r"|by)\s*[:：]\s*",
    re.IGNORECASE,
)
_NEWSROOM = re.compile(r"^(?:nhóm\s+)?(?:pv|ctv|phóng viên|cộng tác viên)\b\s*[:：]?\s*", re.I)
_THEO = re.compile(r"^\(?\s*theo\s+", re.IGNORECASE)
_SOURCE = re.compile(r"^\(?\s*(?:nguồn(?:\s+tin)?\s*[:：]|theo\s)", re.IGNORECASE)
_PHOTO = re.compile(r"^\(?\s*(?:ảnh|ảnh minh họa|ảnh minh hoạ|video|clip)\s*[:：]", re.I)
# Between the people of one credit, or between a person and their unit.
_SEPARATOR = re.compile(r"(\s*[,;]\s*|(?<![Đđ])/|\s+[-–—&/]\s+|\s+và\s+)")  # not "Đ/c"
# Titles before a name: kept in the credit, not checked as part of the name.
_TITLE = re.compile(r"^(?:[^\W\d_]{1,4}\.)+$|^đ/c$|^nb$", re.IGNORECASE)  # "TS.", "Đ/c"
_NOT_IN_A_UNIT = re.compile(r"[.!?:…\"“”()\[\]@#|]")
_NOT_IN_A_NAME = re.compile(r"[.!?:…\"“”()\[\]@#|&]|\d")  # "GD&ĐT" is a unit's

# CMS accounts and roles (compared without diacritics: accounts are often typed without).
_ACCOUNTS = {
    "admin", "administrator", "ad min", "quan tri", "quan tri vien", "quan tri website",
    "webmaster", "editor", "bien tap", "bien tap vien", "ban bien tap", "btv", "bbt", "user",
    "guest", "test", "tieu de website", "ten website", "website", "author", "tac gia",
    "chua xac dinh", "khong ro", "an danh",
}  # fmt: skip
_ROLE_WORDS = ("admin", "bien tap", "quan tri", "webmaster")
# A unit's name starts with one of these (compared with diacritics, case aside).
_UNIT_WORDS = (
    "sở", "phòng", "ban", "ubnd", "ủy ban", "uỷ ban", "hđnd", "văn phòng", "trung tâm", "chi cục",
    "cục", "vụ", "bộ", "tổng cục", "công ty", "tập đoàn", "ngân hàng", "báo", "tạp chí", "đài",
    "truyền hình", "thông tấn", "cổng thông tin", "trang thông tin", "hội", "liên đoàn", "đoàn",
    "công đoàn", "tổ", "nhóm", "bộ phận", "viện", "học viện", "đại học", "thư viện", "chi bộ",
    "đảng bộ", "huyện", "tỉnh", "thành phố", "xã", "phường", "bệnh viện", "ngành",
)  # fmt: skip
_UNIT_START = re.compile(
    r"^(?:" + "|".join(map(re.escape, _UNIT_WORDS)) + r")\s+(\w)", re.IGNORECASE
)
# Words no person's name holds, wherever they stand ("VP Sở GD&ĐT", "Chi nhánh UBND").
_UNIT_INSIDE = {"sở", "phòng", "ubnd", "hđnd", "ủy", "uỷ", "cục", "báo"}
# "Trường" is also a given name ("Trường Giang"): a school only before a school's kind.
_SCHOOL = re.compile(
    r"^trường\s+(?:thcs|thpt|th|ptdtbt|ptdtnt|pt|mn|mg|mầm non|mẫu giáo|tiểu học|trung học"
    r"|phổ thông|đại học|cao đẳng|trung cấp|dạy nghề|chính trị|ĐH|CĐ)\b",
    re.IGNORECASE,
)
# Unit abbreviations written alone as a signature.
_UNIT_ABBREVIATIONS = {
    "bbt", "btv", "cntt", "ttxvn", "ttx", "vna", "vov", "vtv", "ubnd", "hđnd", "vp", "pv", "ctv",
    "pgd", "sgd", "pgdđt", "sgdđt", "lđtbxh", "tw", "qlbcxb",
}  # fmt: skip
# Papers and agencies a "Theo …" credit names without "Báo" (compared without diacritics).
_OUTLETS = {
    "lao dong", "nguoi lao dong", "dan tri", "tuoi tre", "thanh nien", "tien phong", "nhan dan",
    "dan sinh", "vietnamnet", "vietnamplus", "zing", "zing news", "soha", "kenh14", "cafef",
    "cafebiz", "infonet", "vnexpress", "vov", "vtv", "vtc", "ttxvn", "vna", "quan doi nhan dan",
    "cong an nhan dan", "an ninh thu do", "ha noi moi", "kinh te do thi", "sai gon giai phong",
    "phap luat", "giao duc thoi dai", "chinh phu", "baochinhphu", "bao chinh phu", "tin tuc",
    "nong thon ngay nay", "dai doan ket", "thoi bao kinh te", "vneconomy", "the thao van hoa",
}  # fmt: skip
_CAMEL = re.compile(r"^[A-Z]?[a-z]+[A-Z]")
_COMPILED = {"tổng hợp", "st", "sưu tầm", "lược dịch", "dịch", "biên dịch", "tổng hợp, biên dịch"}
_AFFILIATION = re.compile(r"\s*\(([^()]{2,40})\)$")
_HOST = re.compile(r"\w\.(?:vn|com|net|org|gov|edu|info|pl)\b", re.IGNORECASE)


def source_line(text: str) -> bool:
    """Whether ``text`` names where the story came from ("Nguồn: …", "Theo …")."""
    return bool(_SOURCE.match(text))


def theo_person(text: str, site_names: frozenset[str] = frozenset()) -> bool:
    """Whether ``text`` is a "Theo …" credit naming people only ("Theo Lê An"), not a paper
    (nor initials: "Theo EW" names a magazine as often as a person)."""
    if not _THEO.match(text):
        return False
    named = person(text, site_names)
    return named is not None and len(named.split()) >= 2


def photo_credit(text: str) -> bool:
    """Whether ``text`` credits the pictures ("Ảnh: …"): the photographer is no author."""
    return bool(_PHOTO.match(text))


def labelled(text: str) -> bool:
    """Whether ``text`` says it is a writer's credit ("Tác giả:", "Bài, ảnh:", "PV")."""
    return bool(_LABEL.match(text) or _NEWSROOM.match(text))


def short_enough(text: str) -> bool:
    return len(text) <= MAX_CHARS and len(text.split()) <= MAX_WORDS


def person(credit: str | None, site_names: frozenset[str] = frozenset()) -> str | None:
    """The person ``credit`` names, as written, or None when it names no one.

    ``site_names`` are the site's own names (its host, ``og:site_name``): a page signed by
    its site has no author.
    """
    text = _without_affiliation(clean_line(credit or "")).strip(" ()[]")
    theo = bool(_THEO.match(text))
    text = _THEO.sub("", text)
    text = _LABEL.sub("", text)
    if _NEWSROOM.match(text):
        # "Nhóm PV: Hà An - Minh Tú" names its reporters; "PV", "Nhóm PV Xã hội" credit the
        # newsroom's reporters, as written.
        named = person(_NEWSROOM.sub("", text).strip(" -–—,;:"), site_names)
        return named or (text if short_enough(text) and not _HOST.search(text) else None)
    if not text or not short_enough(text) or _is_account(text) or _HOST.search(text):
        return None
    if text.casefold() in {name.casefold() for name in site_names}:
        return None
    pieces = _SEPARATOR.split(text)  # name, separator, name, ...
    names = pieces[::2]
    people = 0
    for name in names:
        if not _names_a_person(name):
            break
        people += 1
    if people == 0 or (theo and people < len(names)):
        return None
    return "".join(pieces[: 2 * people - 1]).strip()


def _without_affiliation(text: str) -> str:
    """``text`` without the outlet or unit closing it in brackets ("Tâm Hằng (TTXVN)",
    "Minh Anh (Báo Lao động)"): the writer is the person before it."""
    found = _AFFILIATION.search(text)
    if found is None:
        return text
    inside = found.group(1).strip()
    if (
        inside.casefold() in _UNIT_ABBREVIATIONS | _COMPILED
        or _unit_start(inside)
        or inside.isupper()
    ):
        return text[: found.start()].strip()
    return text


def names_a_unit(credit: str) -> bool:
    """Whether ``credit`` (its labels aside) names a unit: a department, a school, a paper
    ("Phòng Lao động - Việc làm", "Sở Nội vụ", "BBT"), not a sentence ("Hội nghị kết thúc")."""
    text = _NEWSROOM.sub("", _LABEL.sub("", clean_line(credit))).strip()
    first = _SEPARATOR.split(text)[0] if text else ""
    if not first or len(first.split()) > _MAX_NAME_WORDS or _NOT_IN_A_UNIT.search(first):
        return False
    return _unit_start(first)


def names_an_account(credit: str) -> bool:
    """Whether ``credit`` (its labels aside) is a CMS account or role ("admin", "Ad Min")."""
    text = _LABEL.sub("", clean_line(credit)).strip()
    return bool(text) and _is_account(text)


def _is_account(text: str) -> bool:
    folded = fold(text)
    words = folded.split()
    if folded in _ACCOUNTS or "@" in text:
        return True
    if len(words) > 1 and len(set(words)) == 1:  # "admin admin", "test test"
        return True
    return any(role in folded for role in _ROLE_WORDS)


def _is_unit(name: str) -> bool:
    """A unit's name, or a name holding a word no person's does ("VP Sở GD&ĐT")."""
    return _unit_start(name) or bool(_UNIT_INSIDE.intersection(name.casefold().split()))


def _unit_start(name: str) -> bool:
    """Starts as a unit's name: an abbreviation ("UBND", "CNTT"), a school, or a unit's word
    before a capitalised one ("Phòng Lao động", "Báo Lao động": "Báo cáo …" is a sentence)."""
    words = name.casefold().split()
    if not words or words[0] in _UNIT_ABBREVIATIONS or _SCHOOL.match(name):
        return True
    match = _UNIT_START.match(name)
    if match is None or not match.group(1).isupper():
        return False
    # "Đoàn" is a surname too: "Đoàn Minh Hải" is a person, "Đoàn Thanh niên" a unit.
    return not (words[0] == "đoàn" and all(w[:1].isupper() for w in name.split()))


def _names_a_person(name: str) -> bool:
    """Capitalised words (or initials: "NTB"), no digits or sentence punctuation, not a unit."""
    words = name.split()
    while words and _TITLE.match(words[0]):
        words = words[1:]
    if not words or len(words) > _MAX_NAME_WORDS or _NOT_IN_A_NAME.search(" ".join(words)):
        return False
    if _is_unit(" ".join(words)) or _is_account(" ".join(words)) or _is_outlet(words):
        return False
    return all(word[:1].isupper() for word in words)


def _is_outlet(words: list[str]) -> bool:
    """A newspaper's or agency's name ("Lao Động", "VnExpress"), as "Theo …" credits give
    them: camel case no person's name has, or a paper everyone knows."""
    if any(_CAMEL.search(word) for word in words):
        return True
    return fold(" ".join(words)) in _OUTLETS
