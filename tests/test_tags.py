"""Tags: topics of the taxonomy and provinces named in a story, former and current."""

from __future__ import annotations

from pathlib import Path

import pytest

from aggregator.exceptions import ConfigError
from aggregator.gazetteer import default_gazetteer
from aggregator.tags import (
    FORMER_PROVINCE,
    PROVINCE,
    TOPIC,
    Tagger,
    default_tagger,
    load_neutral,
    load_topics,
    resolve_province,
)


def tags(title: str, text: str = "") -> set[tuple[str, str]]:
    return default_tagger().tags(title, text)


def provinces(title: str, text: str = "") -> set[tuple[str, str]]:
    return {tag for tag in tags(title, text) if tag[0] != TOPIC}


def test_shipped_taxonomy_loads() -> None:
    ids = {topic.id for topic in load_topics()}
    assert {"nguoi-co-cong", "giam-ngheo", "viec-lam", "bao-hiem-xa-hoi", "tien-luong"} <= ids


def topics(title: str, text: str = "") -> set[str]:
    return {value for kind, value in tags(title, text) if kind == TOPIC}


def test_a_topic_in_the_headline_and_once_in_the_text_is_found() -> None:
    text = "Sáng nay, tại xã Tân Sơn.\n\nMỗi thương binh nhận 2 triệu đồng."
    assert topics("Chi trả trợ cấp cho thương binh", text) == {"nguoi-co-cong"}
    # A headline holding two keywords of the topic names it enough; so does a bare headline.
    assert topics("Thăm thương binh, thân nhân liệt sĩ", "Sáng nay, tại xã Tân Sơn.") == {
        "nguoi-co-cong"
    }
    assert topics("Chi trả trợ cấp cho thương binh") == {"nguoi-co-cong"}


def test_a_headline_keyword_the_text_does_not_support_is_not_enough() -> None:
    # A headline's word is often a hook: the text is about something else.
    text = (
        "Sở Văn hóa khai mạc hội chợ hàng thủ công tại quảng trường tỉnh.\n\n"
        "Hội chợ có 120 gian hàng của các làng nghề. Hội chợ mở cửa đến hết ngày 10/2."
    )
    assert topics("Hội chợ xuân: tiền thưởng của làng nghề", text) == set()


def test_a_topic_in_the_lead_and_once_more_is_found() -> None:
    text = "Sở tổng kết công tác giảm nghèo năm 2024.\n\nToàn tỉnh còn 1.200 hộ nghèo."
    assert topics("Hội nghị tổng kết", text) == {"giam-ngheo"}


def test_a_topic_named_once_in_passing_is_not_found() -> None:
    text = (
        "Đoàn công tác làm việc với huyện về kế hoạch năm 2025.\n\n"
        "Các đại biểu thống nhất nhiều nội dung. Huyện đề nghị hỗ trợ kinh phí.\n\n"
        "Dịp này, đoàn thăm một gia đình thương binh."
    )
    assert topics("Đoàn công tác làm việc tại huyện", text) == set()


def test_sentences_listing_a_topic_count_once() -> None:
    # "hộ nghèo, hộ cận nghèo" names a target group: one sentence, not two mentions.
    text = (
        "Năm 2024, tỉnh đưa 2.137 lao động đi làm việc ở nước ngoài theo hợp đồng.\n\n"
        "Lao động thuộc hộ nghèo, hộ cận nghèo được vay vốn ưu đãi."
    )
    assert topics("Xuất khẩu lao động vượt kế hoạch", text) == {"lao-dong-ngoai-nuoc"}


def test_the_longest_keyword_takes_the_words() -> None:
    # "trợ cấp thất nghiệp" (social insurance), not also "thất nghiệp" (employment).
    assert topics("Hướng dẫn hưởng trợ cấp thất nghiệp") == {"bao-hiem-xa-hoi"}


def test_a_neutral_name_is_no_evidence() -> None:
    # The job centre is named in whatever story it is in.
    text = (
        "Trung tâm Dịch vụ việc làm tỉnh tiếp nhận hồ sơ hưởng bảo hiểm thất nghiệp.\n\n"
        "Trung tâm Dịch vụ việc làm cũng hướng dẫn nộp hồ sơ trực tuyến."
    )
    assert topics("Chi trả bảo hiểm thất nghiệp quý III", text) == {"bao-hiem-xa-hoi"}


def test_a_law_name_is_neutral() -> None:
    # The law is cited as the means of whatever the story reports on.
    text = (
        "Sở tổ chức hội nghị về cải cách hành chính.\n\n"
        "Theo Luật Việc làm, thủ tục được rút gọn. Luật Việc làm có hiệu lực từ 1/1/2026. "
        "Thủ tục nộp trực tuyến theo Luật Việc làm."
    )
    assert topics("Hội nghị cải cách hành chính", text) == set()
    assert default_tagger().topic_scores("", text) == {}


def test_a_fixed_unit_of_amounts_is_neutral() -> None:
    text = (
        "Người cao tuổi được trợ cấp hằng tháng.\n\n"
        "Mức trợ cấp bằng 0,5 lần mức lương cơ sở. Người khuyết tật nặng hưởng 1 lần lương cơ sở."
    )
    assert "tien-luong" not in default_tagger().topic_scores("Trợ cấp hằng tháng", text)


def test_a_topic_named_in_a_small_share_of_a_long_text_is_not_found() -> None:
    filler = " ".join(f"Đại biểu thứ {i} phát biểu về kế hoạch của xã." for i in range(30))
    lead = "Hội nghị tổng kết công tác giảm nghèo của xã Tân Sơn."
    late = "Xã còn 12 hộ nghèo. Năm tới, xã phấn đấu giảm nghèo 2%."
    assert topics("Hội nghị tổng kết", f"{lead}\n\n{filler}\n\n{late}") == set()
    # The same sentences in a short text are what it is about.
    assert topics("Hội nghị tổng kết", f"{lead}\n\nNăm nay xã làm đường.\n\n{late}") == {
        "giam-ngheo"
    }


@pytest.mark.parametrize(
    ("title", "topic"),
    [
        ("Doanh nghiệp công bố mức thưởng Tết", "tien-luong"),
        ("Một công nhân tử vong khi làm việc", "an-toan-lao-dong"),
        ("Tai nạn tại công trường xây dựng", "an-toan-lao-dong"),
        ("Thực tập sinh kỹ năng về nước", "lao-dong-ngoai-nuoc"),
        ("Quyền của lao động nhập cư", "lao-dong-ngoai-nuoc"),
        ("Triệt phá đường dây mua bán trẻ sơ sinh", "phong-chong-te-nan-xa-hoi"),
    ],
)
def test_the_sectors_families_of_phrases(title: str, topic: str) -> None:
    assert topics(title) == {topic}


def test_at_most_two_topics_the_strongest() -> None:
    tagger = default_tagger()
    title = "Trao quà cho người có công, hộ nghèo và trẻ em dịp Tết"
    assert len(tagger.topics_of(title, "")) == 2
    scores = tagger.topic_scores(title, "Thăm thương binh, thân nhân liệt sĩ.")
    assert tagger.topics_of(title, "Thăm thương binh, thân nhân liệt sĩ.")[0] == max(
        scores, key=scores.__getitem__
    )


def test_topic_keyword_with_diacritics_respects_them() -> None:
    assert (TOPIC, "tien-luong") in tags("Tăng LƯƠNG TỐI THIỂU vùng")
    # A text with diacritics is read as written: "lương tối thiểu" is not "lượng tối thiểu".
    assert topics("Tăng lượng tối thiểu", "Lượng tối thiểu tăng.") == set()


def test_a_headline_without_diacritics_matches_keywords_folded() -> None:
    text = "Chính phủ quyết định tăng lương tối thiểu vùng thêm 7,2% từ ngày 1/1."
    assert topics("Tang luong toi thieu vung tu 1/1", text) == {"tien-luong"}
    # Only a headline with no diacritics at all: one that has them is read as written.
    assert topics("Tăng luong toi thieu vùng", text) == set()


def test_province_recorded_former_and_current() -> None:
    assert provinces("Hội nghị tại Nam Định") == {
        (FORMER_PROVINCE, "nam-dinh"),
        (PROVINCE, "ninh-binh"),
    }
    assert provinces("Hà Nội") == {(FORMER_PROVINCE, "ha-noi"), (PROVINCE, "ha-noi")}


@pytest.mark.parametrize(
    "text", ["Lao động TP.HCM", "Tp. Hồ Chí Minh", "thành phố Hồ Chí Minh", "TPHCM"]
)
def test_ho_chi_minh_city_aliases(text: str) -> None:
    assert (PROVINCE, "ho-chi-minh") in provinces(text)


def test_thua_thien_hue_is_hue_now() -> None:
    assert provinces("Tỉnh Thừa Thiên Huế") == {
        (FORMER_PROVINCE, "thua-thien-hue"),
        (PROVINCE, "hue"),
    }
    assert (FORMER_PROVINCE, "thua-thien-hue") in provinces("Sở LĐ-TB&XH TT-Huế")


@pytest.mark.parametrize(
    "text",
    [
        "Người lao động Việt Nam ở nước ngoài",
        "Việt Nam định hướng phát triển thị trường lao động",
        "Học tập và làm theo tư tưởng, đạo đức, phong cách Hồ Chí Minh",
        "Vì một thế giới hòa bình",
        "Namibia và Hà Nam Ninh",  # "Hà Nam Ninh" names Hà Nam; "Namibia" nothing more
    ],
)
def test_no_false_province_inside_other_words(text: str) -> None:
    found = {value for _, value in provinces(text)}
    assert not found - {"ha-nam", "ninh-binh"}
    if "Hà Nam" not in text:
        assert not found


def write_topics(tmp_path: Path, body: str) -> Path:
    path = tmp_path / "topics.yaml"
    path.write_text(body, encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("nothing: here\n", "expected a 'topics:' list"),
        ("topics: [oops]\n", "topic #1: expected a mapping"),
        ("topics:\n  - {id: Bad Id, name: X, keywords: [a]}\n", "id must be lowercase"),
        ("topics:\n  - {id: a, keywords: [a]}\n", "topic #1 (a): name must be"),
        ("topics:\n  - {id: a, name: A, keywords: []}\n", "(a): keywords must be a non-empty"),
        ("topics:\n  - {id: a, name: A, keywords: [1975]}\n", "keyword 1975 is not a phrase"),
        ("topics:\n  - {id: a, name: A, keywords: [x], colour: red}\n", "unknown key(s) colour"),
        (
            "topics:\n  - {id: a, name: A, keywords: [x]}\n  - {id: a, name: B, keywords: [y]}\n",
            "topic a: duplicate id",
        ),
        ("topics: [\n", "cannot read the topics"),
        ("topics: []\nneutrals: [x]\n", "unknown key(s) neutrals; expected topics, neutral"),
    ],
)
def test_taxonomy_errors_name_file_and_entry(tmp_path: Path, body: str, message: str) -> None:
    path = write_topics(tmp_path, body)
    with pytest.raises(ConfigError) as error:
        load_topics(path)
    assert str(path) in str(error.value)
    assert message in str(error.value)
    assert "\n" not in str(error.value)


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("topics: []\nneutral: Trung tâm\n", "neutral must be a list of phrases"),
        ("topics: []\nneutral: [1975]\n", "neutral: 1975 is not a phrase"),
    ],
)
def test_neutral_errors_name_the_file(tmp_path: Path, body: str, message: str) -> None:
    path = write_topics(tmp_path, body)
    with pytest.raises(ConfigError, match=message) as error:
        load_neutral(path)
    assert str(path) in str(error.value)


def test_shipped_neutral_names_load() -> None:
    assert "Trung tâm Dịch vụ việc làm" in load_neutral()


def test_custom_taxonomy_tags(tmp_path: Path) -> None:
    path = write_topics(tmp_path, "topics:\n  - {id: mua-lu, name: Mưa lũ, keywords: [mưa lũ]}\n")
    tagger = Tagger(default_gazetteer(), load_topics(path))
    assert tagger.tags("MƯA LŨ ở Lào Cai", "") == {
        (TOPIC, "mua-lu"),
        (FORMER_PROVINCE, "lao-cai"),
        (PROVINCE, "lao-cai"),
    }


def test_unknown_province_suggests() -> None:
    with pytest.raises(ConfigError, match="did you mean Bắc Ninh"):
        resolve_province("Bac Nim")
    assert resolve_province("tp hồ chí minh").id == "ho-chi-minh"
    assert resolve_province("nam-dinh").successor_id == "ninh-binh"
