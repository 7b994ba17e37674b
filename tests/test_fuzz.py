"""Property tests: canonical URLs, dates, the sanitiser, the feeds, URL hosts (every spelling
of a refused address is refused) and the query parser, on generated input.

A few dozen examples each in the ordinary run; ``make fuzz`` runs thousands
(``HYPOTHESIS_PROFILE=fuzz``, profiles in conftest.py).
"""

from __future__ import annotations

import ipaddress
import re
import sqlite3
import tempfile
from datetime import UTC, datetime, timedelta
from pathlib import Path

import feedparser
from hypothesis import assume, given
from hypothesis import strategies as st
from lxml import html as lxml_html
from scrapy.http import Request
from scrapy.utils.httpobj import urlparse_cached

from aggregator import hosts as url_hosts
from aggregator.dates import FUTURE_TOLERANCE, VIETNAM, parse_vietnamese_date
from aggregator.exceptions import QueryError
from aggregator.search.query import fts5_match, parse
from aggregator.store.fingerprint import canonical_url
from aggregator.store.search_schema import EXACT_COLUMNS, FOLDED_COLUMNS
from feeds.content import entry_html, sanitize
from feeds.model import FeedEntry, FeedSource, FeedSpec
from feeds.writer import write_feeds

NOW = datetime(2025, 6, 1, 12, 0, tzinfo=VIETNAM)
XML_INVALID = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")

# -- URLs ---------------------------------------------------------------------------------
_label = st.from_regex(r"[a-z0-9]([a-z0-9-]{0,12}[a-z0-9])?", fullmatch=True)
hosts = st.builds(
    lambda labels, tld: ".".join([*labels, tld]),
    st.lists(_label, min_size=1, max_size=3),
    st.sampled_from(["gov.vn", "vn", "com.vn", "org", "com"]),
)
# No ";" in generated paths: an empty ";" parameter has its own test below.
path_text = st.text(
    alphabet=st.characters(blacklist_categories=("Cs", "Cc"), blacklist_characters="#?;"),
    max_size=30,
)
query_pairs = st.lists(
    st.tuples(st.from_regex(r"[a-zA-Z_]{1,8}", fullmatch=True), path_text), max_size=4
)
urls = st.builds(
    lambda scheme, host, port, segments, query: (
        f"{scheme}://{host}{port}/"
        + "/".join(segments)
        + ("?" + "&".join(f"{k}={v}" for k, v in query) if query else "")
    ),
    st.sampled_from(["http", "https", "HTTP", "HtTpS"]),
    hosts,
    st.sampled_from(["", ":80", ":443", ":8080"]),
    st.lists(path_text, max_size=4),
    query_pairs,
)


@given(urls)
def test_canonical_url_never_raises_and_is_idempotent(url: str) -> None:
    once = canonical_url(url)
    assert isinstance(once, str) and once
    assert canonical_url(once) == once


@given(urls, path_text)
def test_canonical_url_ignores_the_fragment(url: str, fragment: str) -> None:
    assert canonical_url(f"{url}#{fragment}") == canonical_url(url)


def test_canonical_url_ignores_the_fragment_after_an_empty_parameter() -> None:
    assert canonical_url("http://laichau.gov.vn/tin;#top") == canonical_url(
        "http://laichau.gov.vn/tin;"
    )


# -- dates --------------------------------------------------------------------------------
date_like = st.builds(
    lambda prefix, d, m, y, sep, time: f"{prefix}{d}{sep}{m}{sep}{y}{time}",
    st.sampled_from(["", "Ngày đăng: ", "Thứ tư, ", "Cập nhật "]),
    st.integers(-1, 40),
    st.integers(-1, 14),
    st.integers(0, 10000),
    st.sampled_from(["/", "-", ".", " / "]),
    st.sampled_from(["", " 12:55", " | 12:00 AM", " 25:61", " 3:53 CH", " 23h59"]),
)
wordy = st.builds(
    lambda d, m, y: f"THỨ TƯ, NGÀY {d} THÁNG {m} NĂM {y}",
    st.integers(0, 40),
    st.integers(0, 14),
    st.integers(1, 9999),
)
iso = st.datetimes(
    min_value=datetime(1, 1, 2), max_value=datetime(9999, 12, 30), timezones=st.just(UTC)
).map(lambda d: d.isoformat())


@given(st.one_of(st.text(max_size=60), date_like, wordy, iso))
def test_dates_never_raise_never_naive_never_future(text: str) -> None:
    found = parse_vietnamese_date(text, now=NOW)
    if found is not None:
        assert found.utcoffset() is not None
        assert found <= NOW + FUTURE_TOLERANCE


# -- the sanitiser ------------------------------------------------------------------------
HOSTILE = [
    "<script>alert(1)</script>",
    "<SCRIPT SRC=//evil.example/x.js></SCRIPT>",
    "<scr<script>ipt>alert(1)</script>",
    '<img src=x onerror="alert(1)">',
    '<a href="javascript:alert(1)">x</a>',
    '<a href=" JaVaScRiPt:alert(1)">x</a>',
    '<a href="java&#x09;script:alert(1)">x</a>',
    '<a href="data:text/html;base64,PHNjcmlwdD4=">x</a>',
    '<img src="vbscript:msgbox(1)">',
    '<p style="width: expression(alert(1))">x</p>',
    '<div onmouseover="alert(1)" onclick=alert(2)>x</div>',
    "<svg/onload=alert(1)>",
    "<iframe src=https://evil.example></iframe>",
    '<form action="https://evil.example"><input name=q></form>',
    "<!--<script>-->",
    "<![CDATA[<script>]]>",
    "<style>@import 'x';</style>",
    "<math><mi xlink:href=javascript:alert(1)>x</mi></math>",
    "<object data=x.swf></object><embed src=x.swf>",
    '<a href="https://ok.example/p" onclick="x()">ok</a>',
    "\x00\x01\x0b\x1f\ufffe\uffff",
]
fragments = st.lists(
    st.one_of(st.sampled_from(HOSTILE), st.text(max_size=20)), min_size=1, max_size=8
).map("".join)


def scheme_of(url: str) -> str:
    """The scheme a browser would see (WHATWG: tabs and newlines removed, C0 and spaces
    stripped); "" for a relative URL."""
    url = re.sub("[\t\n\r]", "", url).strip("\x00- ")
    match = re.match(r"([a-zA-Z][a-zA-Z0-9+.-]*):", url)
    return match[1].lower() if match else ""


def assert_clean(out: str) -> None:
    assert "<script" not in out.lower()
    assert XML_INVALID.search(out) is None
    if not out.strip():
        return
    for element in lxml_html.fragments_fromstring(f"<div>{out}</div>")[0].iter():
        assert element.tag not in {"script", "style", "iframe", "form", "object", "embed"}
        for name, value in element.attrib.items():
            assert not name.lower().startswith("on"), (name, out)
            assert name.lower() != "style", out
            if name.lower() in {"href", "src"}:
                assert scheme_of(value) in {"", "http", "https"}, (value, out)


@given(fragments)
def test_the_sanitiser_lets_nothing_active_through(markup: str) -> None:
    assert_clean(sanitize(markup))


@given(fragments)
def test_sanitising_twice_changes_nothing(markup: str) -> None:
    once = sanitize(markup)
    assert sanitize(once) == once


# -- the feeds ----------------------------------------------------------------------------
any_text = st.text(max_size=80)  # control characters included
aware = st.datetimes(
    min_value=datetime(2000, 1, 1),
    max_value=datetime(2030, 1, 1),
    timezones=st.sampled_from([UTC, VIETNAM]),
)


@st.composite
def entries(draw: st.DrawFn, n: int) -> FeedEntry:
    published = draw(aware)
    link = draw(urls)
    return FeedEntry(
        guid=f"tag:tinlaodong,2024:story/{n:032x}",
        # A story's title is never blank (the store falls back to the first line of the text);
        # a title made only of XML-invalid characters is a known gap: docs/reliability.md.
        title=draw(any_text) + draw(st.sampled_from(["Tin", "Thông báo", "Hội nghị"])),
        link=link,
        text=draw(st.lists(st.one_of(any_text, fragments), max_size=4).map("\n\n".join)),
        published=published,
        updated=published + timedelta(minutes=draw(st.integers(-60, 600))),
        author=draw(st.none() | any_text),
        sources=(FeedSource(draw(_label), draw(any_text), link),),
        images=tuple(
            draw(
                st.lists(
                    st.tuples(st.one_of(urls, st.sampled_from(HOSTILE)), st.none() | any_text),
                    max_size=2,
                )
            )
        ),
        categories=tuple(draw(st.lists(any_text, max_size=3))),
    )


@st.composite
def specs(draw: st.DrawFn) -> FeedSpec:
    count = draw(st.integers(0, 4))
    return FeedSpec(
        slug=draw(st.sampled_from(["all", "site-laichau", "site-x.y_z"])),
        # Feed titles come from the registry (non-blank names) and are required by feedgen.
        title=draw(any_text) + "Tin lao động",
        description=draw(any_text) + "Tin mới",
        link=draw(urls),
        entries=tuple(draw(entries(n)) for n in range(count)),
    )


@given(specs())
def test_every_generated_feed_parses_back_without_error(spec: FeedSpec) -> None:
    with tempfile.TemporaryDirectory() as out:
        written = write_feeds(Path(out), [spec], base_url="https://tinlaodong.example/feeds/")
        for path in written:
            if not path.name.endswith((".rss.xml", ".atom.xml")):
                continue
            parsed = feedparser.parse(path.read_bytes())
            assert not parsed.bozo, (path.name, parsed.bozo_exception)
            assert len(parsed.entries) == len(spec.entries)


@given(st.integers(0, 10).flatmap(entries))
def test_entry_bodies_are_sanitised(entry: FeedEntry) -> None:
    assert_clean(entry_html(entry))


# -- URL hosts ----------------------------------------------------------------------------
# Every spelling of a refused address is refused: generated private IPv4 addresses, written
# in every form a resolver, a proxy or an IPv6 translator reads as that address.
REFUSED_V4 = [
    ipaddress.IPv4Network(n)
    for n in (
        "127.0.0.0/8",
        "10.0.0.0/8",
        "172.16.0.0/12",
        "192.168.0.0/16",
        "169.254.0.0/16",
        "0.0.0.0/8",
        "100.64.0.0/10",
        "198.18.0.0/15",
        "224.0.0.0/4",
        "240.0.0.0/4",
    )
]
refused_v4 = st.sampled_from(REFUSED_V4).flatmap(
    lambda net: st.integers(int(net.network_address), int(net.broadcast_address)).map(
        ipaddress.IPv4Address
    )
)
public_v4 = st.sampled_from(["203.162.4.190", "8.8.8.8", "1.1.1.1", "14.225.0.1"]).map(
    ipaddress.IPv4Address
)


def _number(draw: st.DrawFn, value: int, digits: int) -> str:
    """One part of an inet_aton address: decimal, octal or hex (leading zeros allowed)."""
    form = draw(st.sampled_from(["dec", "oct", "hex", "HEX", "padded"]))
    if form == "oct":
        return "0" + format(value, "o")
    if form in ("hex", "HEX"):
        text = format(value, "x").rjust(draw(st.integers(0, digits)), "0")
        return ("0x" + text) if form == "hex" else ("0X" + text.upper())
    if form == "padded" and value:
        return "0x" + "0" * draw(st.integers(1, 3)) + format(value, "x")
    return str(value)


@st.composite
def ipv4_text(draw: st.DrawFn, address: ipaddress.IPv4Address) -> str:
    """``address`` in one to four inet_aton parts (``127.1``, ``0x7f000001``, ``0177.0.0.1``)."""
    value = int(address)
    parts = draw(st.integers(1, 4))
    octets = list(address.packed)
    head = octets[: parts - 1]
    rest = value & ((1 << (8 * (5 - parts))) - 1)
    return ".".join([_number(draw, o, 2) for o in head] + [_number(draw, rest, 2 * (5 - parts))])


def _groups(value: int) -> list[str]:
    return [format((value >> (16 * (7 - i))) & 0xFFFF, "x") for i in range(8)]


@st.composite
def ipv6_text(draw: st.DrawFn, value: int, v4_tail: ipaddress.IPv4Address | None) -> str:
    """An IPv6 address, compressed or not, upper or lower case, its last 32 bits as a dotted
    quad when they hold an IPv4 address."""
    groups = _groups(value)
    if draw(st.booleans()):
        groups = [g.rjust(4, "0") for g in groups]
    tail = [str(v4_tail)] if v4_tail is not None and draw(st.booleans()) else None
    head = groups[:6] if tail else groups
    text = ":".join(head + (tail or []))
    if draw(st.booleans()):
        text = str(ipaddress.IPv6Address(value))  # the compressed form
        if tail:
            text = text.rsplit(":", 2)[0] + ":" + tail[0]
    try:
        fits = ipaddress.IPv6Address(text) == ipaddress.IPv6Address(value)
    except ValueError:
        fits = False
    if not fits:  # the dotted tail did not fit the compressed form
        text = ipaddress.IPv6Address(value).exploded
    return text.upper() if draw(st.booleans()) else text


@st.composite
def embedding_ipv6(draw: st.DrawFn, inner: ipaddress.IPv4Address) -> str:
    """An IPv6 address that carries ``inner``: mapped, translated, compatible, NAT64, 6to4,
    ISATAP or Teredo."""
    v4 = int(inner)
    kinds = ["mapped", "translated", "compatible", "nat64", "6to4", "isatap", "teredo"]
    kind = draw(st.sampled_from(kinds))
    if kind == "mapped":
        return draw(ipv6_text(0xFFFF << 32 | v4, inner))
    if kind == "translated":
        return draw(ipv6_text(0xFFFF << 48 | v4, inner))
    if kind == "compatible":
        assume(v4 > 1)  # :: and ::1 are not IPv4-compatible addresses (and are refused anyway)
        return draw(ipv6_text(v4, inner))
    if kind == "nat64":
        return draw(ipv6_text(0x0064FF9B << 96 | v4, inner))
    if kind == "isatap":
        prefix = draw(st.integers(0, 2**64 - 1)) << 64
        universal = draw(st.sampled_from([0, 0x0200])) << 48
        return draw(ipv6_text(prefix | universal | 0x5EFE << 32 | v4, inner))
    if kind == "6to4":
        return draw(ipv6_text(0x2002 << 112 | v4 << 80 | draw(st.integers(0, 2**80 - 1)), None))
    server = draw(st.integers(0, 2**32 - 1))
    flags_port = draw(st.integers(0, 2**32 - 1))
    return draw(
        ipv6_text(0x20010000 << 96 | server << 64 | flags_port << 32 | (~v4 & 0xFFFFFFFF), None)
    )


def _percent_encode(draw: st.DrawFn, text: str) -> str:
    """Some characters as %XX, some of those encoded again (%25XX)."""
    out = []
    for char in text:
        if draw(st.integers(0, 3)) == 0:
            encoded = f"%{ord(char):02X}"
            out.append(encoded.replace("%", "%25", 1) if draw(st.integers(0, 3)) == 0 else encoded)
        else:
            out.append(char)
    return "".join(out)


_FULLWIDTH = str.maketrans("0123456789.", "０１２３４５６７８９。")


@st.composite
def spellings(draw: st.DrawFn, address: ipaddress.IPv4Address) -> str:
    """``address`` as a URL host, in any of the forms above, then dressed: trailing dots,
    percent-encoding, fullwidth digits and ideographic full stops."""
    if draw(st.integers(0, 2)) == 0:
        return "[" + draw(embedding_ipv6(address)) + "]"
    host = draw(ipv4_text(address))
    dress = draw(st.sampled_from(["", "dots", "percent", "fullwidth"]))
    if dress == "dots":
        host += "." * draw(st.integers(1, 3))
    elif dress == "percent":
        host = _percent_encode(draw, host)
    elif dress == "fullwidth":
        host = host.translate(_FULLWIDTH)
    return host


def as_requested(host: str) -> str:
    """The host the guard sees: the one of a real Scrapy Request for that URL."""
    try:
        request = Request(f"http://{host}/tin-tuc/1.html")
    except ValueError:  # a URL no request can hold is never fetched
        assume(False)
    return urlparse_cached(request).hostname or ""


@given(refused_v4.flatmap(spellings))
def test_every_spelling_of_a_refused_address_is_refused(host: str) -> None:
    assert url_hosts.classify(as_requested(host)).refused, host
    assert url_hosts.classify(host).refused, host


@given(public_v4.flatmap(spellings))
def test_public_addresses_pass_in_their_plain_forms(host: str) -> None:
    # Teredo's and 6to4's own prefixes are not public, whatever they carry.
    assume(not host.lower().startswith(("[2001:0:", "[2001:0000:", "[2001::", "[2002:")))
    assume("ffff" not in host.lower())  # IPv4-mapped: refused on Python >= 3.13's reading
    found = url_hosts.classify(as_requested(host))
    assert found.address is not None and not found.refused, (host, found)


@given(st.text(max_size=40))
def test_host_normalising_never_raises_and_is_idempotent(host: str) -> None:
    once = url_hosts.normalise(host)
    assert url_hosts.normalise(once) == once
    url_hosts.classify(host)


@given(hosts, st.sampled_from(["", ".", ".."]), st.booleans())
def test_names_pass_and_names_under_localhost_do_not(name: str, dots: str, upper: bool) -> None:
    spelled = (name.upper() if upper else name) + dots
    assert not url_hosts.classify(as_requested(spelled)).refused, spelled
    local = (name + ".localhost" + dots).upper() if upper else name + ".localhost" + dots
    assert url_hosts.classify(as_requested(local)).refused == "a name for this machine"


# -- the query parser ---------------------------------------------------------------------
_QUERY_PIECES = st.sampled_from(
    [
        '"',
        "-",
        "OR",
        "NOT",
        "AND",
        "*",
        ":",
        "(",
        ")",
        "^",
        "NEAR",
        "{",
        "}",
        "+",
        "'",
        "lao",
        "động",
        "trẻ em",
        '-"bảo hiểm"',
        "title:",
        "body_folded",
        "\x00",
        "NEAR(a b)",
    ]
)
queries = st.one_of(
    st.text(max_size=60),
    st.lists(st.one_of(_QUERY_PIECES, st.text(max_size=5)), max_size=10).map(" ".join),
    st.lists(_QUERY_PIECES, max_size=10).map("".join),
)
_FTS: list[sqlite3.Connection] = []


def fts_table() -> sqlite3.Connection:
    """An FTS5 table with the search index's columns and tokenizer, made once."""
    if not _FTS:
        db = sqlite3.connect(":memory:")
        columns = ", ".join(EXACT_COLUMNS + FOLDED_COLUMNS)
        db.execute(
            f"CREATE VIRTUAL TABLE story_fts USING fts5({columns}, "
            "tokenize='unicode61 remove_diacritics 0')"
        )
        db.execute(
            "INSERT INTO story_fts VALUES (?, ?, ?, ?)",
            ("Trẻ em lao động", "Bảo hiểm xã hội", "tre em lao dong", "bao hiem xa hoi"),
        )
        _FTS.append(db)
    return _FTS[0]


@given(queries)
def test_the_query_parser_lets_no_syntax_through_to_fts5(text: str) -> None:
    """Any text is a query or a QueryError; a query's FTS5 expression is always valid FTS5
    (user input never reaches it as syntax) and matching a story never raises."""
    try:
        query = parse(text)
    except QueryError:
        return
    assert query.any_of and all(a.all_of for a in query.any_of)
    expression = fts5_match(query, EXACT_COLUMNS, FOLDED_COLUMNS)
    fts_table().execute("SELECT rowid FROM story_fts WHERE story_fts MATCH ?", (expression,))
    query.matches("Trẻ em lao động", "Bảo hiểm xã hội")
