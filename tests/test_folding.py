"""Diacritic folding: without diacritics a query ignores them, with them it respects them."""

from __future__ import annotations

import unicodedata

import pytest

from aggregator.folding import canonical, find, fold, has_diacritics, matches


def test_fold_removes_diacritics_case_and_d_stroke() -> None:
    assert fold("NGƯỜI LAO ĐỘNG Đắk Lắk") == "nguoi lao dong dak lak"


@pytest.mark.parametrize(
    ("text", "expected"),
    [("lao dong", False), ("TP.HCM 2025", False), ("lao động", True), ("Đ", True), ("đi", True)],
)
def test_has_diacritics(text: str, expected: bool) -> None:
    assert has_diacritics(text) is expected


def test_query_without_diacritics_ignores_them() -> None:
    assert matches("lao dong", "Người LAO ĐỘNG được hỗ trợ")
    assert matches("dak lak", "tỉnh Đắk Lắk")
    assert matches("lao dong", "lão đồng")


def test_query_with_diacritics_respects_them_but_not_case() -> None:
    assert matches("lao động", "Người LAO ĐỘNG được hỗ trợ")
    assert not matches("lao động", "lão đồng")
    assert not matches("Đồng", "động")


def test_tone_placement_and_decomposed_text_compare_equal() -> None:
    assert canonical("Hòa Bình") == canonical("Hoà Bình")
    assert matches("ủy ban", "Uỷ ban nhân dân tỉnh")
    assert matches("khỏe", "sức khoẻ")
    assert matches("lao động", unicodedata.normalize("NFD", "lao động"))
    # Tones that belong on the first vowel stay there.
    assert canonical("của mùa") == "của mùa"


def test_matches_whole_words_only() -> None:
    assert not matches("nam", "Namibia")
    assert not matches("lao", "laodong")
    assert matches("Việt Nam", "ở Việt  Nam.")
    assert not matches("", "anything")


def test_find_gives_the_span_in_the_text() -> None:
    text = "Sở Lao động - Thương binh"
    start, end = find("lao dong", text) or (0, 0)
    assert text[start:end] == "Lao động"
