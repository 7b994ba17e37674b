"""The province gazetteer: 63 former, 34 current, who absorbed whom (and Hà Tây, merged into Hà
Nội in 2008), and forgiving lookups."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from aggregator.exceptions import ConfigError
from aggregator.gazetteer import Gazetteer, Province, default_gazetteer

# Resolution 202/2025/QH15, as the issue lists it: current name -> the former ones it absorbed.
MERGES = {
    "An Giang": ["Kiên Giang"],
    "Bắc Ninh": ["Bắc Giang"],
    "Cà Mau": ["Bạc Liêu"],
    "Đắk Lắk": ["Phú Yên"],
    "Đồng Nai": ["Bình Phước"],
    "Đồng Tháp": ["Tiền Giang"],
    "Gia Lai": ["Bình Định"],
    "Hưng Yên": ["Thái Bình"],
    "Khánh Hòa": ["Ninh Thuận"],
    "Lào Cai": ["Yên Bái"],
    "Lâm Đồng": ["Đắk Nông", "Bình Thuận"],
    "Ninh Bình": ["Hà Nam", "Nam Định"],
    "Phú Thọ": ["Vĩnh Phúc", "Hòa Bình"],
    "Quảng Ngãi": ["Kon Tum"],
    "Quảng Trị": ["Quảng Bình"],
    "Tây Ninh": ["Long An"],
    "Thái Nguyên": ["Bắc Kạn"],
    "Tuyên Quang": ["Hà Giang"],
    "Đà Nẵng": ["Quảng Nam"],
    "Cần Thơ": ["Sóc Trăng", "Hậu Giang"],
    "Hải Phòng": ["Hải Dương"],
    "Hồ Chí Minh": ["Bà Rịa - Vũng Tàu", "Bình Dương"],
    "Vĩnh Long": ["Bến Tre", "Trà Vinh"],
}
UNCHANGED = [
    "Hà Nội", "Cao Bằng", "Điện Biên", "Hà Tĩnh", "Lai Châu", "Lạng Sơn", "Nghệ An",
    "Quảng Ninh", "Thanh Hóa", "Sơn La",
]
CURRENT_LABELS = [
    "hanoi", "hochiminhcity", "haiphong", "danang", "cantho", "hue", "dongnai", "angiang",
    "bacninh", "caobang", "camau", "dienbien", "daklak", "dongthap", "gialai", "hatinh",
    "hungyen", "khanhhoa", "laichau", "laocai", "lamdong", "langson", "nghean", "ninhbinh",
    "phutho", "quangngai", "quangninh", "quangtri", "sonla", "thanhhoa", "thainguyen",
    "tuyenquang", "tayninh", "vinhlong",
]


@pytest.fixture(scope="module")
def gaz() -> Gazetteer:
    return Gazetteer.load()


def names(provinces: list[Province]) -> list[str]:
    return [p.name for p in provinces]


def of_2025(gaz: Gazetteer) -> list[Province]:
    """The 63 that the 2025 reorganisation made 34 (not Hà Tây, merged in 2008)."""
    return [p for p in gaz.all_former() if p.merged in (None, date(2025, 7, 1))]


def test_34_current_and_63_former(gaz: Gazetteer) -> None:
    assert len(gaz.all_current()) == 34
    assert len(of_2025(gaz)) == 63
    assert len(set(names(of_2025(gaz)))) == 63
    assert names([p for p in gaz.all_former() if p not in of_2025(gaz)]) == ["Hà Tây"]
    assert gaz.national.id == "toan-quoc"
    assert gaz.national not in gaz.all_current() + gaz.all_former()


def test_every_former_province_is_part_of_exactly_one_current(gaz: Gazetteer) -> None:
    parts = [p for current in gaz.all_current() for p in gaz.former_of(current)]
    assert sorted(p.id for p in parts) == sorted(p.id for p in gaz.all_former())
    for former in gaz.all_former():
        assert gaz.current_of(former).current
        assert former in gaz.former_of(gaz.current_of(former))


def test_merges_are_the_resolution_s(gaz: Gazetteer) -> None:
    for current_name, absorbed in MERGES.items():
        current = gaz.find(current_name)
        assert current is not None and current.current, current_name
        assert names(gaz.former_of(current)) == [current_name, *absorbed]
    for name in UNCHANGED:
        province = gaz.find(name)
        assert province is not None
        older = [] if name != "Hà Nội" else [gaz.get("ha-tay")]  # merged in 2008
        assert province.former and province.current
        assert gaz.former_of(province) == [province, *older]
    assert len(MERGES) + len(UNCHANGED) + 1 == 34  # + Huế


def test_ha_tay_is_a_former_province_part_of_ha_noi_since_august_2008(gaz: Gazetteer) -> None:
    for name in ("Hà Tây", "ha tay", "tỉnh Hà Tây", "ha-tay"):
        ha_tay = gaz.find(name)
        assert ha_tay is not None and ha_tay.id == "ha-tay", name
        assert ha_tay.former and not ha_tay.current and ha_tay.merged == date(2008, 8, 1)
        assert gaz.current_of(ha_tay) == gaz.get("ha-noi")
    assert gaz.get("kon-tum").merged == date(2025, 7, 1)


def test_hue_is_thua_thien_hue_renamed(gaz: Gazetteer) -> None:
    hue, tth = gaz.find("Huế"), gaz.find("Thừa Thiên Huế")
    assert hue is not None and tth is not None
    assert hue.current and not hue.former and hue.type == "city"
    assert tth.former and not tth.current
    assert gaz.current_of(tth) == hue and gaz.former_of(hue) == [tth]
    assert (hue.label, tth.label) == ("hue", "thuathienhue")


def test_current_provinces_map_to_themselves_and_have_the_known_labels(gaz: Gazetteer) -> None:
    for current in gaz.all_current():
        assert gaz.current_of(current) == current
        assert current.label_confirmed
    assert sorted(p.label or "" for p in gaz.all_current()) == sorted(CURRENT_LABELS)
    assert gaz.get("ho-chi-minh").domain == "hochiminhcity.gov.vn"
    assert gaz.get("ba-ria-vung-tau").label == "baria-vungtau"
    assert not gaz.get("kien-giang").label_confirmed


@pytest.mark.parametrize(
    ("name", "province_id"),
    [
        ("TP.HCM", "ho-chi-minh"),
        ("Tp. Hồ Chí Minh", "ho-chi-minh"),
        ("TP Hồ Chí Minh", "ho-chi-minh"),
        ("Thành phố Hồ Chí Minh", "ho-chi-minh"),
        ("HCM", "ho-chi-minh"),
        ("ho chi minh", "ho-chi-minh"),
        ("Thừa Thiên - Huế", "thua-thien-hue"),
        ("thua thien hue", "thua-thien-hue"),
        ("Thành phố Huế", "hue"),
        ("Đăk Lăk", "dak-lak"),
        ("Đắc Lắc", "dak-lak"),
        ("DAK LAK", "dak-lak"),
        ("BR-VT", "ba-ria-vung-tau"),
        ("Bà Rịa – Vũng Tàu", "ba-ria-vung-tau"),
        ("Hòa Bình", "hoa-binh"),
        ("Hoà Bình", "hoa-binh"),
        ("Thanh Hoá", "thanh-hoa"),
        ("Khánh Hoà", "khanh-hoa"),
        ("tỉnh Quảng Trị", "quang-tri"),
        ("Tỉnh quang tri", "quang-tri"),
        ("  Bắc   Giang ", "bac-giang"),
        ("Toàn quốc", "toan-quoc"),
    ],
)
def test_find_forgives_case_diacritics_tones_and_prefixes(
    gaz: Gazetteer, name: str, province_id: str
) -> None:
    province = gaz.find(name)
    assert province is not None and province.id == province_id


def test_find_does_not_guess(gaz: Gazetteer) -> None:
    assert gaz.find("Bắc Giangg") is None
    assert gaz.find("Sài Gòn") is None
    assert gaz.suggest("Bắc Giangg")[0] == "Bắc Giang"


def test_default_gazetteer_is_the_shipped_file() -> None:
    assert len(default_gazetteer().all_current()) == 34


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("current: []\n", "national"),
        ("national: {id: toan-quoc, name: Toàn quốc}\ncurrent: [{id: x-y, name: X}]\n",
         "current #1 (x-y): label must be"),
        (
            "national: {id: toan-quoc, name: Toàn quốc}\n"
            "current:\n  - {id: a, name: A, type: city, label: a}\n"
            "  - {id: b, name: B, type: city, label: b, aliases: [a]}\n",
            "b: name 'a' is also a's",
        ),
        (
            "national: {id: toan-quoc, name: Toàn quốc}\n"
            "current:\n  - {id: a, name: A, type: town, label: a}\n",
            "current #1 (a): type must be",
        ),
        (
            "national: {id: toan-quoc, name: Toàn quốc}\n"
            "current:\n  - {id: a, name: A, type: city, label: a, absorbed: [{id: b, name: B, "
            "type: province, label: b, former: true}]}\n",
            "absorbed #1 (b): unknown key(s) former",
        ),
    ],
)
def test_invalid_gazetteer_names_file_and_entry(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "provinces.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError) as info:
        Gazetteer.load(path)
    assert str(path) in str(info.value) and message in str(info.value)
    assert "\n" not in str(info.value)
