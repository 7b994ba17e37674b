"""The web page's words in Vietnamese (the default) and English (``?lang=en``)."""

from __future__ import annotations

VI, EN = "vi", "en"
LANGUAGES = (VI, EN)

# key: (Vietnamese, English); ``{name}`` placeholders filled by :func:`text`.
MESSAGES: dict[str, tuple[str, str]] = {
    "site_title": ("Tin lao động, người có công và xã hội", "Labour and social affairs news"),
    "tagline": (
        "Tin của các Sở LĐ-TB&XH, Sở Nội vụ và báo chí ngành, mỗi tin một lần.",
        "News from the provincial labour and home-affairs departments and the sector press, "
        "each story once.",
    ),
    "latest": ("Tin mới nhất", "Latest stories"),
    "results_for": ("Kết quả tìm “{q}”", "Results for “{q}”"),
    "province": ("Tỉnh, thành phố", "Province"),
    "topic": ("Chủ đề", "Topic"),
    "all_provinces": ("Tất cả tỉnh, thành", "All provinces"),
    "all_topics": ("Tất cả chủ đề", "All topics"),
    "search": ("Tìm kiếm", "Search"),
    "search_hint": ("ví dụ: lao dong, \"việc làm\"", "e.g. lao dong, \"việc làm\""),
    "filter": ("Lọc", "Filter"),
    "clear": ("Bỏ lọc", "Clear"),
    "no_stories": ("Chưa có tin nào phù hợp.", "No matching stories yet."),
    "bad_query": (
        "Câu tìm kiếm “{q}” không hợp lệ: {reason}.",
        "Invalid search “{q}”: {reason}.",
    ),
    "bad_query_any": ("Câu tìm kiếm “{q}” không hợp lệ.", "Invalid search “{q}”."),
    "unknown_province": ("Không có tỉnh, thành phố “{value}”.", "No province “{value}”."),
    "did_you_mean": ("Có phải {names}?", "Did you mean {names}?"),
    "or": ("hoặc", "or"),
    "unknown_topic": ("Không có chủ đề “{value}”.", "No topic “{value}”."),
    "source": ("Nguồn", "Source"),
    "other_sources": ("và {n} nguồn khác", "and {n} other sources"),
    "about": ("Về {places}", "About {places}"),
    "older": ("Tin cũ hơn", "Older stories"),
    "newer": ("Tin mới hơn", "Newer stories"),
    "follow": ("Theo dõi trang này", "Follow this page"),
    "follow_hint": (
        "Dán địa chỉ vào ứng dụng đọc tin (Feedly, Thunderbird, NetNewsWire, Miniflux, "
        "FreshRSS…) hoặc bấm để đăng ký.",
        "Paste the address into a feed reader (Feedly, Thunderbird, NetNewsWire, Miniflux, "
        "FreshRSS…) or follow the link to subscribe.",
    ),
    "feeds": ("Tất cả nguồn cấp tin", "All feeds"),
    "feeds_opml": ("Danh sách OPML (nhập một lần vào ứng dụng đọc tin)", "OPML list (import once)"),
    "copy": ("Sao chép địa chỉ", "Copy the address"),
    "chart_days": ("Số tin mỗi ngày theo tỉnh, 30 ngày đến {end}", "Stories per day by province, "
                   "30 days to {end}"),
    "chart_empty": ("Chưa có tin trong 30 ngày này.", "No stories in these 30 days."),
    "health": ("Tình trạng các trang nguồn", "Sites' health"),
    "health_summary": ("{ok}/{total} trang hoạt động bình thường", "{ok} of {total} sites fine"),
    "col_site": ("Trang", "Site"),
    "col_status": ("Tình trạng", "Status"),
    "col_last": ("Lần thu thập cuối", "Last crawl"),
    "col_stories": ("Số tin", "Stories"),
    "col_runs": ("Các lần thu thập gần đây", "Recent crawls"),
    "st_ok": ("tốt", "fine"),
    "st_never": ("chưa thu thập", "not crawled yet"),
    "st_unreachable": ("không truy cập được", "unreachable"),
    "st_unhealthy": ("bất thường: {reason}", "unusual: {reason}"),
    "st_moved": ("đã chuyển đến {url}", "moved to {url}"),
    "st_errors": ("{n} lỗi", "{n} errors"),
    "sources_n": ("{n} nguồn đăng tin này", "{n} sources published this story"),
    "seen": ("thu thập lúc", "seen"),
    "published": ("đăng", "published"),
    "back": ("Về trang tin", "Back to the stories"),
    "not_found": ("Không tìm thấy tin này", "No such story"),
    "not_found_hint": (
        "Tin này không có (hoặc không còn) trong kho tin. Xem các tin mới nhất:",
        "This story is not (or no longer) in the store. See the latest stories:",
    ),
    "since": ("Từ ngày", "From"),
    "until": ("Đến ngày", "To"),
    "today_choice": ("Hôm nay", "Today"),
    "days_7": ("7 ngày", "7 days"),
    "days_30": ("30 ngày", "30 days"),
    "any_time": ("Mọi lúc", "Any time"),
    "bad_date": (
        "Ngày không hợp lệ: “{value}” (cần dạng năm-tháng-ngày, ví dụ 2026-12-01).",
        "Not a date: “{value}” (write it year-month-day, e.g. 2026-12-01).",
    ),
    "bad_dates": (
        "“Từ ngày” {since} sau “Đến ngày” {until}.",
        "“From” {since} is after “To” {until}.",
    ),
    "count": ("{n} tin", "{n} stories"),
    "count_one": ("{n} tin", "{n} story"),
    "count_capped": ("hơn {n} tin", "over {n} stories"),
    "showing": ("hiển thị {first}–{last}", "showing {first}–{last}"),
    "just_now": ("vừa xong", "just now"),
    "today": ("hôm nay", "today"),
    "yesterday": ("hôm qua", "yesterday"),
    "run_title": (
        "{when}: {pages} trang, {new} tin mới, {errors} lỗi",
        "{when}: {pages} pages, {new} new stories, {errors} errors",
    ),
    "run_unreachable": ("{when}: không truy cập được", "{when}: unreachable"),
    "national": ("Toàn quốc", "Nationwide"),
    "language": ("English", "Tiếng Việt"),
    "feed_search": ("tinlaodong: tìm “{q}”", "tinlaodong: search “{q}”"),
    "feed_filtered": ("tinlaodong: {what}", "tinlaodong: {what}"),
}

# Why the search grammar (``aggregator.search.query``) refuses a query: its reason, in English
# for the command line, -> the page's words.
QUERY_REASONS: dict[str, tuple[str, str]] = {
    "OR needs a word on each side": ("OR cần một từ ở mỗi bên", "OR needs a word on each side"),
    "nothing to look for (a word, not only -word)": (
        "không có gì để tìm (cần một từ, không chỉ -từ)",
        "nothing to look for (a word, not only -word)",
    ),
    "NOT needs a word after it": ("NOT cần một từ theo sau", "NOT needs a word after it"),
    "it ends with NOT": ("câu kết thúc bằng NOT", "it ends with NOT"),
    "a quote is not closed": ("dấu ngoặc kép chưa đóng", "a quote is not closed"),
}


def language(value: str | None) -> str:
    return EN if value == EN else VI


def text(lang: str, key: str, **values: object) -> str:
    vi, en = MESSAGES[key]
    template = en if lang == EN else vi
    return template.format(**values) if values else template


def query_reason(lang: str, reason: str) -> str | None:
    """The page's words for a reason the search grammar gives; None for one it has not."""
    found = QUERY_REASONS.get(reason)
    return None if found is None else found[1 if lang == EN else 0]


def names_list(lang: str, names: list[str]) -> str:
    """"A, B hoặc C" / "A, B or C"."""
    if len(names) < 2:
        return "".join(names)
    return f"{', '.join(names[:-1])} {text(lang, 'or')} {names[-1]}"
