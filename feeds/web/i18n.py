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
    "bad_query": ("Câu tìm kiếm không hợp lệ: {error}", "Invalid search: {error}"),
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


def language(value: str | None) -> str:
    return EN if value == EN else VI


def text(lang: str, key: str, **values: object) -> str:
    vi, en = MESSAGES[key]
    template = en if lang == EN else vi
    return template.format(**values) if values else template
