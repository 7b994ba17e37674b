"""Store, dedup and search at scale: per-article cost and search latency at 10k, 100k, 1M stories.

    .venv/bin/python bench/scale_bench.py --quick             # 10k, 30k (SQLite), < 2 minutes
    .venv/bin/python bench/scale_bench.py                     # 10k, 100k, 1M (SQLite)
    .venv/bin/python bench/scale_bench.py --max 100000 --postgres
    .venv/bin/python bench/scale_bench.py --dir /tmp/scale          # kept; a filled store reused
    .venv/bin/python bench/scale_bench.py --verify-fill 3000  # the bulk fill = the write path?

Fills a store with synthetic stories (Vietnamese-looking bodies: a bigram chain over the
mirror's and the near-duplicate set's real text, one word in four drawn by frequency) up to each
size, in bulk, writing the rows the real write path writes: ``stories``, ``story_images``,
``story_bodies`` (body, MinHash sketch), ``body_bands`` (the LSH index), ``sources`` and
``source_bodies`` (one story in ten with a second, syndicated source), and the search documents
``refresh_index`` writes (with the FTS5 index on SQLite, the GIN indexes on PostgreSQL); topic
and province tags are left out (only a province filter reads them). Worker processes make the
rows, the main one inserts them, a chunk a transaction; on SQLite the band keys wait in a
staging file and go into ``body_bands`` sorted, every ``FLUSH_STORIES`` (random inserts into
an index of 85 million keys rewrote most of it at every commit). ``--verify-fill N`` fills
N stories both ways, in bulk and through ``add_article`` + ``refresh_index``, and compares the
two stores (schema, every row, the full-text index). Then, at each size:

1. ``StoryStore.add_article`` (what the crawl's store pipeline calls) on ``--batch`` new articles
   per run, ``--runs`` runs: 60% new bodies, 25% edited copies of stored ones (a lead added,
   a credit line, cut short), 15% exact copies on new URLs; ms per article, median and min-max
   of the runs, and per kind; the first call after opening the store apart (it checks the whole
   near-duplicate index once);
2. ``refresh_index`` after each run (the crawl's last step before the feeds): ms per new story;
3. ``aggregator.search.search`` (what the CLI and the web page call) on a few queries: one word,
   two words, a phrase, a query without diacritics; median and p95 of ``--repeats`` calls.

Prints one table; writes it as JSON to ``bench/results/scale-<date>-<commit>.json``.
"""

from __future__ import annotations

import argparse
import bisect
import itertools
import json
import logging
import multiprocessing
import os
import random
import re
import statistics
import sys
import tempfile
import time
from collections import Counter, defaultdict, deque
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import text  # noqa: E402
from sqlalchemy.engine import Engine, make_url  # noqa: E402

from aggregator import yamlfile  # noqa: E402
from aggregator.models import Article, Image  # noqa: E402
from aggregator.search import refresh_index, search  # noqa: E402
from aggregator.search.index import document  # noqa: E402
from aggregator.store import (  # noqa: E402
    AddResult,
    StoryStore,
    neardup,  # noqa: E402
    open_store,
)
from aggregator.store.fingerprint import canonical_url, content_hash  # noqa: E402
from aggregator.store.search_schema import FTS_TABLE  # noqa: E402
from bench.crawl_bench import Figure, short_commit  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
FULL_SIZES = (10_000, 100_000, 1_000_000)
QUICK_SIZES = (10_000, 30_000)
QUERIES = {
    "one word": "lương",
    "two words": "bảo hiểm",
    "phrase": '"giải quyết việc làm"',
    "without diacritics": "lao dong",
}
SITES = 120
CHUNK = 4000
# SQLite: staged band keys go into the index every this many stories. One sort of a 1M fill's
# 85 million keys did not end in 37 minutes on a 2-CPU machine; 8.5 million took 46 s.
FLUSH_STORIES = 100_000
PG_DEFAULT = "postgresql+psycopg://postgres@localhost:5432/tinlaodong_scale"  # + _<size>
EPOCH = datetime(2020, 1, 1)
_WORD_RE = re.compile(r"\w+")


# --- synthetic text ----------------------------------------------------------------------


class Corpus:
    """Bodies that read like the sector's news: a bigram chain over real Vietnamese text."""

    def __init__(self) -> None:
        from mirror.content import load_articles

        texts = ["\n".join(a.paragraphs) for a in load_articles(None)]
        pairs = yamlfile.read(ROOT / "tests/data/neardup_pairs.yaml")
        texts += [t for key, t in pairs["texts"].items() if "~" not in key]
        following: dict[str, list[str]] = defaultdict(list)
        counts: Counter[str] = Counter()
        for body in texts:
            tokens = [w.lower() for w in _WORD_RE.findall(body) if not w.isdigit()]
            counts.update(tokens)
            for a, b in itertools.pairwise(tokens):
                following[a].append(b)
        self.following = dict(following)
        self.words = [w for w, _ in counts.most_common()]
        self.cumulative = list(itertools.accumulate(c for _, c in counts.most_common()))
        self.total, self.last = self.cumulative[-1] + 0.0, len(self.words) - 1

    def _word(self, rng: random.Random) -> str:
        # rng.choices(words, cum_weights=...)[0], inlined (the same draws, the same word): the
        # fill makes a million articles, and choices' checks were a third of the time.
        return self.words[bisect.bisect(self.cumulative, rng.random() * self.total, 0, self.last)]

    def sentence(self, rng: random.Random, low: int = 10, high: int = 24) -> str:
        word, following, draw = self._word, self.following, rng.random
        words = [word(rng)]
        for _ in range(rng.randint(low, high) - 1):
            after = following.get(words[-1])
            words.append(rng.choice(after) if after and draw() < 0.75 else word(rng))
        return " ".join(words).capitalize() + "."

    def article(self, number: int) -> tuple[str, str]:
        """(title, body) of synthetic article ``number``: the same whenever asked."""
        rng = random.Random(number)
        title = self.sentence(rng, 8, 14).rstrip(".")
        paragraphs = [
            " ".join(self.sentence(rng) for _ in range(rng.randint(2, 4)))
            for _ in range(rng.randint(3, 6))
        ]
        return title, "\n\n".join(paragraphs)


_CORPUS: Corpus | None = None


def corpus() -> Corpus:
    global _CORPUS  # one per process (the fill's worker processes build their own)
    if _CORPUS is None:
        _CORPUS = Corpus()
    return _CORPUS


def site_of(number: int) -> str:
    return f"bench-site-{number % SITES:03d}"


def url_of(number: int, copy: int = 0) -> str:
    site = site_of(number + copy * 7)
    return canonical_url(f"https://{site}.example.vn/tin-tuc/bai-viet-{number}-{copy}.html")


def published_of(number: int) -> datetime:
    return EPOCH + timedelta(minutes=5 * number)


# --- filling -----------------------------------------------------------------------------


@dataclass
class Row:
    """One synthetic story as the write path and ``refresh_index`` would store it."""

    number: int
    title: str
    text: str
    digest: str
    shingles: int
    signature: bytes
    bands: str  # the LSH band keys, sorted and distinct, as a JSON array (SQLite's json_each)
    document: tuple[str, str, str, str]  # title, body, title_folded, body_folded

    def band_keys(self) -> list[int]:
        return [int(key) for key in json.loads(self.bands)]


def make_row(number: int) -> Row:
    title, body = corpus().article(number)
    sketch = neardup.sketch(body)
    doc = document(0, title, body, EPOCH)
    return Row(
        number,
        title,
        body,
        content_hash(body),
        sketch.size,
        sketch.to_bytes(),
        json.dumps(sorted(set(sketch.band_keys()))),
        (doc.title, doc.body, doc.title_folded, doc.body_folded),
    )


_TABLES = {
    "stories": "id, content_hash, title, text, published, author, language, first_seen, updated",
    "story_images": "id, story_id, position, src, caption",
    "story_bodies": "id, story_id, content_hash, text, images, sketch_version, shingles, signature",
    "body_bands": "key, body_id",
    "sources": "id, story_id, site_id, url, title, published, fetched_at, profile",
    "source_bodies": "source_id, body_id, author, language, credit, canonical",
    "search_documents": "story_id, indexed_updated, title, body, title_folded, body_folded",
}
# SQLite: the band keys of a chunk go to a staging table first (no index), and into
# ``body_bands`` sorted, once, at the end of the fill. Inserted as they come, 85 random keys a
# story into an index of 85 million (1M stories) dirtied a page per key: each chunk's commit
# rewrote most of the index, and the fill ran at 300 stories/s.
_STAGE = "fill_stage"
_STAGE_BANDS = f"INSERT INTO {_STAGE}.bands (key, body_id) SELECT value, ? FROM json_each(?)"


class Filler:
    """Bulk inserts of synthetic stories; the numbers of the stored ones are 0 .. count-1."""

    def __init__(
        self, engine: Engine, workers: int, chunk: int = CHUNK, flush_every: int = FLUSH_STORIES
    ) -> None:
        self.engine = engine
        self.workers = workers
        self.chunk = chunk
        self.flush_every = flush_every
        self.sqlite = engine.dialect.name == "sqlite"

    def count(self) -> int:
        """Synthetic stories filled (each has one source ``.../bai-viet-<n>-0.html``)."""
        with self.engine.connect() as conn:
            query = "SELECT count(*) FROM sources WHERE url LIKE '%/bai-viet-%-0.html'"
            return int(conn.execute(text(query)).scalar_one())

    def _next_ids(self, cursor: Any) -> dict[str, int]:
        ids = {}
        for table in ("stories", "story_images", "story_bodies", "sources"):
            cursor.execute(f"SELECT max(id) FROM {table}")
            ids[table] = int(cursor.fetchone()[0] or 0) + 1
        return ids

    def fill(self, target: int) -> tuple[int, float]:
        """Synthetic stories up to ``target``; returns (stories added, seconds)."""
        have = self.count()
        if have >= target:
            return 0, 0.0
        started = time.perf_counter()
        numbers = range(have, target)
        chunks = [numbers[i : i + self.chunk] for i in range(0, len(numbers), self.chunk)]
        context = multiprocessing.get_context("fork")
        done = staged = 0
        raw = self.engine.raw_connection()
        try:
            cursor = raw.cursor()
            if self.sqlite:
                self._stage_sqlite(cursor)
            with context.Pool(self.workers) as pool:
                for rows in _pipelined(pool, chunks, ahead=2 * self.workers):
                    self._insert(cursor, rows)
                    raw.commit()
                    done += len(rows)
                    staged += len(rows)
                    if self.sqlite and staged >= self.flush_every:
                        self._flush_bands(cursor)
                        raw.commit()
                        staged = 0
                    rate = done / (time.perf_counter() - started)
                    print(f"  filled {have + done:,} ({rate:.0f}/s)", flush=True, end="\r")
            print()
            if self.sqlite:
                self._flush_bands(cursor)
                raw.commit()
                self._unstage_sqlite(cursor)
        finally:
            raw.close()
        return target - have, time.perf_counter() - started

    def _stage_sqlite(self, cursor: Any) -> None:
        database = self.engine.url.database
        assert database, "an SQLite file"
        # Kept if there: the keys of the chunks an interrupted fill committed are only there.
        stage = Path(f"{database}.fill-stage")
        cursor.execute("PRAGMA synchronous=OFF")
        # Most of the store's indexes (not the bands') stay in memory through the fill.
        cursor.execute("PRAGMA cache_size=-2000000")
        cursor.execute("PRAGMA threads=2")  # the final sort of the band keys
        cursor.execute(f"ATTACH DATABASE ? AS {_STAGE}", (str(stage),))
        # A journal, in memory: an interrupted chunk is rolled back there as in the store.
        cursor.execute(f"PRAGMA {_STAGE}.journal_mode=MEMORY")
        cursor.execute(f"PRAGMA {_STAGE}.synchronous=OFF")
        cursor.execute(f"CREATE TABLE IF NOT EXISTS {_STAGE}.bands (key INTEGER, body_id INTEGER)")

    def _flush_bands(self, cursor: Any) -> None:
        """The staged band keys into ``body_bands``, in index order: each page of the index is
        written once a flush, not once a chunk (in the caller's transaction)."""
        started = time.perf_counter()
        cursor.execute("PRAGMA cache_size=-6000000")  # the index's pages, as they are written
        cursor.execute(
            f"INSERT INTO body_bands (key, body_id) "
            f"SELECT key, body_id FROM {_STAGE}.bands ORDER BY key, body_id"
        )
        cursor.execute(f"DELETE FROM {_STAGE}.bands")
        cursor.execute("PRAGMA cache_size=-2000000")
        print(f"\n  band keys indexed in {time.perf_counter() - started:.0f} s", flush=True)

    def _unstage_sqlite(self, cursor: Any) -> None:
        cursor.execute(f"DETACH DATABASE {_STAGE}")
        Path(f"{self.engine.url.database}.fill-stage").unlink(missing_ok=True)

    def _insert(self, cursor: Any, rows: Sequence[Row]) -> None:
        ids = self._next_ids(cursor)
        tables: dict[str, list[tuple[Any, ...]]] = {name: [] for name in _TABLES}
        source_id = ids["sources"]
        for offset, row in enumerate(rows):
            story = ids["stories"] + offset
            body = ids["story_bodies"] + offset
            when = self._time(published_of(row.number))
            image = [f"/images/{row.number}.jpg", row.title[:60]]
            tables["stories"].append(
                (story, row.digest, row.title, row.text, when, None, "vi", when, when)
            )
            tables["story_images"].append((ids["story_images"] + offset, story, 0, *image))
            tables["story_bodies"].append(
                (
                    body,
                    story,
                    row.digest,
                    row.text,
                    json.dumps([image]),  # as SQLAlchemy's JSON type writes it
                    neardup.SKETCH_VERSION,
                    row.shingles,
                    row.signature,
                )
            )
            if self.sqlite:
                tables["body_bands"].append((body, row.bands))
            else:
                tables["body_bands"] += [(key, body) for key in row.band_keys()]
            for copy in range(2 if row.number % 10 == 0 else 1):
                site = site_of(row.number + copy * 7)
                tables["sources"].append(
                    (source_id, story, site, url_of(row.number, copy), row.title, when, when, "x")
                )
                credit = None
                tables["source_bodies"].append(
                    (source_id, body, None, "vi", credit, self._bool(copy == 0))
                )
                source_id += 1
            tables["search_documents"].append((story, when, *row.document))
        if self.sqlite:
            self._insert_sqlite(cursor, tables)
        else:
            self._insert_pg(cursor, tables)
        # Indexed here as refresh_index would have: off the queue the triggers put them on.
        first, last = ids["stories"], ids["stories"] + len(rows) - 1
        cursor.execute(f"DELETE FROM search_pending WHERE story_id BETWEEN {first} AND {last}")

    def _time(self, value: datetime) -> Any:
        # SQLAlchemy's SQLite DateTime storage format; PostgreSQL takes the datetime.
        return value.strftime("%Y-%m-%d %H:%M:%S.%f") if self.sqlite else value

    def _bool(self, value: bool) -> Any:
        return int(value) if self.sqlite else value

    def _insert_sqlite(self, cursor: Any, tables: dict[str, list[tuple[Any, ...]]]) -> None:
        for name, columns in _TABLES.items():
            if name == "body_bands":
                cursor.executemany(_STAGE_BANDS, tables[name])
                continue
            marks = ", ".join("?" * len(columns.split(",")))
            cursor.executemany(f"INSERT INTO {name} ({columns}) VALUES ({marks})", tables[name])

    def _insert_pg(self, cursor: Any, tables: dict[str, list[tuple[Any, ...]]]) -> None:
        for name, columns in _TABLES.items():
            with cursor.copy(f"COPY {name} ({columns}) FROM STDIN") as copy:
                for values in tables[name]:
                    copy.write_row(values)


def _make_rows(numbers: range) -> list[Row]:
    return [make_row(n) for n in numbers]


def _pipelined(pool: Any, chunks: Sequence[range], ahead: int) -> Iterator[list[Row]]:
    """The chunks' rows in order, the workers making up to ``ahead`` chunks while the caller
    inserts: never idle at a group's end (as ``imap`` over groups was), nor more than ``ahead``
    chunks of rows waiting in memory (as ``imap`` over them all would be)."""
    pending: deque[Any] = deque()
    queue = iter(chunks)
    for chunk in itertools.islice(queue, ahead):
        pending.append(pool.apply_async(_make_rows, (chunk,)))
    while pending:
        rows = pending.popleft().get()
        for chunk in itertools.islice(queue, 1):
            pending.append(pool.apply_async(_make_rows, (chunk,)))
        yield rows


# --- measuring ---------------------------------------------------------------------------


@dataclass
class Added:
    kind: str  # new | edited | exact
    seconds: float
    result: AddResult


@dataclass
class Level:
    size: int
    fill_s: float
    first_add_s: float = 0.0
    runs: list[list[Added]] = field(default_factory=list)
    refresh: list[float] = field(default_factory=list)  # s per new story, per run
    searches: dict[str, list[float]] = field(default_factory=dict)
    hits: dict[str, int] = field(default_factory=dict)


def edited(body: str, rng: random.Random) -> str:
    """A light republication: a lead added, a credit line, or cut short."""
    paragraphs = body.split("\n\n")
    how = rng.randrange(3)
    if how == 0:
        paragraphs.insert(0, corpus().sentence(rng))
    elif how == 1:
        paragraphs.append(f"Nguồn: Sở Lao động - Thương binh và Xã hội tỉnh {rng.randint(1, 63)}")
    else:
        paragraphs = paragraphs[: max(2, len(paragraphs) - 1)]
        paragraphs.insert(0, corpus().sentence(rng))
    return "\n\n".join(paragraphs)


# Differs between invocations of the benchmark.
_SALT = random.SystemRandom().randrange(1, 10**6)


def new_articles(stored: int, run: int, count: int) -> list[tuple[str, str, str, Article]]:
    """(kind, site, url, article) for one run: 60% new, 25% edited copies, 15% exact copies
    of stored stories (numbers below ``stored``)."""
    rng = random.Random(f"run-{stored}-{run}-{_SALT}")
    made = []
    for i in range(count):
        draw = rng.random()
        # Never a stored number, nor one an earlier invocation added to a kept --dir (its
        # URL would be known, and the add would measure the known-URL path).
        number = 10**9 + stored * 100 + run * count + i + _SALT * 10**10
        if draw < 0.6:
            kind, (title, body) = "new", corpus().article(number)
        else:
            original = rng.randrange(stored)
            title, body = corpus().article(original)
            kind = "edited" if draw < 0.85 else "exact"
            if kind == "edited":
                body = edited(body, rng)
        article = Article(
            url=None,
            title=title,
            text=body,
            published=(published_of(number % 10**6) + timedelta(hours=1)).replace(tzinfo=UTC),
            author=None,
            images=[Image(f"/images/{number}.jpg", None)],
            language="vi",
            profile="generic",
        )
        site = site_of(i)
        made.append((kind, site, f"https://{site}.example.vn/bai/{number}.html", article))
    return made


def measure_level(
    store: StoryStore, level: Level, runs: int, batch: int, repeats: int, stored_numbers: int
) -> None:
    warm = new_articles(stored_numbers, -1, 1)[0]
    start = time.perf_counter()
    store.add_article(warm[1], warm[2], warm[3])
    level.first_add_s = time.perf_counter() - start
    refresh_index(store.engine)
    for run in range(runs):
        done = []
        for kind, site, url, article in new_articles(stored_numbers, run, batch):
            start = time.perf_counter()
            result = store.add_article(site, url, article)
            done.append(Added(kind, time.perf_counter() - start, result))
        level.runs.append(done)
        new = sum(a.result is AddResult.NEW_STORY for a in done)
        start = time.perf_counter()
        indexed = refresh_index(store.engine)
        level.refresh.append((time.perf_counter() - start) / max(1, indexed or new))
    for label, query in QUERIES.items():
        search(store.engine, query, limit=20)  # warm the cache
        times = []
        for _ in range(repeats):
            start = time.perf_counter()
            hits = search(store.engine, query, limit=20)
            times.append(time.perf_counter() - start)
        level.searches[label] = times
        level.hits[label] = len(hits)


def p95(values: Sequence[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


def figures_of(backend: str, level: Level) -> list[Figure]:
    label = f"{backend} {level.size:>9,}"
    per_run = [1000 * sum(a.seconds for a in run) / len(run) for run in level.runs]
    figures = [
        Figure(f"{label}: store+dedup per article", "ms", per_run, "60/25/15 new/edited/exact"),
    ]
    everything = [a for run in level.runs for a in run]
    for kind, expected in (
        ("new", AddResult.NEW_STORY),
        ("edited", AddResult.NEW_SOURCE),
        ("exact", AddResult.NEW_SOURCE),
    ):
        of_kind = [a for a in everything if a.kind == kind]
        right = sum(a.result is expected for a in of_kind)
        figures.append(
            Figure(
                f"{label}:   {kind}",
                "ms",
                [1000 * statistics.median(a.seconds for a in of_kind)],
                f"median of {len(of_kind)} calls; {right}/{len(of_kind)} {expected.value}",
            )
        )
    figures.append(
        Figure(f"{label}: first add after opening", "ms", [1000 * level.first_add_s], "1 call")
    )
    figures.append(
        Figure(f"{label}: refresh_index per new story", "ms", [1000 * s for s in level.refresh])
    )
    for name, times in level.searches.items():
        ms = [1000 * t for t in times]
        note = f"p95 {p95(ms):.1f} ms, {level.hits[name]} hits, {QUERIES[name]}"
        figures.append(Figure(f"{label}: search, {name}", "ms", ms, note))
    return figures


# --- checking the fill ---------------------------------------------------------------------

# Compared row by row; left out: store_flags (the write path's near-duplicate index flag),
# story_tags (refresh_index tags; the fill does not), body_bands' hidden rowids (the fill
# inserts the keys in index order, the write path body by body).
_COMPARED = {
    "stories": "id",
    "story_images": "id",
    "story_bodies": "id",
    "body_bands": "key, body_id",
    "sources": "id",
    "source_bodies": "source_id",
    "search_documents": "story_id",
    "search_pending": "story_id",
}


def fill_one_by_one(store: StoryStore, count: int) -> None:
    """Stories 0 .. count-1 through the write path (``add_article``, then ``refresh_index``):
    what the bulk fill must match."""
    for number in range(count):
        title, body = corpus().article(number)
        when = published_of(number).replace(tzinfo=UTC)
        for copy in range(2 if number % 10 == 0 else 1):
            article = Article(
                url=None,
                title=title,
                text=body,
                published=when,
                author=None,
                images=[Image(f"/images/{number}.jpg", title[:60])],
                language="vi",
                profile="x",
            )
            site = site_of(number + copy * 7)
            store.add_article(site, url_of(number, copy), article, now=when)
    refresh_index(store.engine)


def verify_fill(root: Path, count: int, workers: int) -> int:
    """Fill two stores with ``count`` stories, in bulk and one by one; compare them."""
    bulk, one_by_one = open_store(root / "bulk"), open_store(root / "one-by-one")
    try:
        # Small chunks and flushes: keys flushed into an index that already holds some.
        Filler(bulk.engine, workers, chunk=500, flush_every=1000).fill(count)
        started = time.perf_counter()
        fill_one_by_one(one_by_one, count)
        print(f"  one by one: {time.perf_counter() - started:.0f} s")
        differences = compare_stores(bulk.engine, one_by_one.engine)
    finally:
        bulk.close()
        one_by_one.close()
    for line in differences:
        print("  " + line)
    print("the same" if not differences else f"{len(differences)} differences")
    return 1 if differences else 0


def compare_stores(a: Engine, b: Engine) -> list[str]:
    found: list[str] = []
    with a.connect() as left, b.connect() as right:
        schema = "SELECT type, name, sql FROM sqlite_master ORDER BY type, name"
        if left.execute(text(schema)).all() != right.execute(text(schema)).all():
            found.append("schemas differ")
        for table, key in _COMPARED.items():
            query = text(f"SELECT * FROM {table} ORDER BY {key}")
            rows_a, rows_b = left.execute(query).all(), right.execute(query).all()
            if len(rows_a) != len(rows_b):
                found.append(f"{table}: {len(rows_a)} rows against {len(rows_b)}")
            wrong = [(x, y) for x, y in zip(rows_a, rows_b, strict=False) if x != y]
            if wrong:
                found.append(f"{table}: {len(wrong)} rows differ, e.g. {wrong[0]}"[:300])
        # The full-text index: the same stories for each word of a sample.
        words = corpus().words[:200:10] + ["lao dong", "bao hiem"]
        for word in words:
            match = text(f"SELECT rowid FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH :m ORDER BY 1")
            quoted = {"m": '"' + word + '"'}
            if left.execute(match, quoted).all() != right.execute(match, quoted).all():
                found.append(f"full-text index: {word!r} finds other stories")
        check = text(f"INSERT INTO {FTS_TABLE}({FTS_TABLE}) VALUES ('integrity-check')")
        left.execute(check)
    return found


# --- backends ----------------------------------------------------------------------------


@dataclass
class Backend:
    """Where a store of each size lives: its own SQLite file, or its own PostgreSQL database."""

    name: str
    root: Path
    pg_url: str | None = None  # the databases are named after it, with the size appended
    fresh: bool = True

    def open(self, size: int) -> StoryStore:
        data_dir = self.root / f"{self.name.lower()}-{size}"
        if self.pg_url is None:
            return open_store(data_dir)
        return open_store(data_dir, pg_database(self.pg_url, size, self.fresh))


def pg_database(url: str, size: int, fresh: bool) -> str:
    """The URL of ``url``'s database suffixed with ``size``, created (afresh if ``fresh``)."""
    import psycopg

    base = make_url(url)
    target = base.set(database=f"{base.database}_{size}")
    admin = base.set(drivername="postgresql", database="test")
    with psycopg.connect(admin.render_as_string(hide_password=False), autocommit=True) as conn:
        found = conn.execute(
            "SELECT 1 FROM pg_database WHERE datname = %s", (target.database,)
        ).fetchone()
        if found and fresh:
            conn.execute(f'DROP DATABASE "{target.database}"')
        if not found or fresh:
            conn.execute(f'CREATE DATABASE "{target.database}"')
    return target.render_as_string(hide_password=False)


def run_backend(backend: Backend, sizes: Sequence[int], args: argparse.Namespace) -> list[Level]:
    """Each size in a store of its own (a kept one is topped up, not refilled)."""
    levels = []
    for size in sizes:
        store = backend.open(size)
        try:
            filler = Filler(store.engine, args.workers)
            have = filler.count()
            print(f"{backend.name}: filling to {size:,} stories (have {have:,})", flush=True)
            _, seconds = filler.fill(size)
            if backend.pg_url is not None:  # as autovacuum would have, in a store grown slowly
                with store.engine.connect() as conn:
                    conn.execute(text("ANALYZE"))
                    conn.commit()
            level = Level(size, seconds)
            if not args.fill_only:
                measure_level(store, level, args.runs, args.batch, args.repeats, size)
        finally:
            store.close()
        levels.append(level)
        if not args.fill_only:
            for figure in figures_of(backend.name, level):
                print("  " + figure.row(), flush=True)
    return levels


def print_table(figures: Sequence[Figure], info: dict[str, Any]) -> None:
    print()
    print(
        f"sizes {info['sizes']}, {info['runs']} runs of {info['batch']} articles, "
        f"{info['repeats']} searches each; {info['cpus']} CPUs; load before "
        f"{info['load_before'][0]:.2f}, after {info['load_after'][0]:.2f}"
    )
    print(f"{'figure':<52}{'median':>10} {'unit':<10}{'min-max':>20}")
    for figure in figures:
        print(figure.row())


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="sizes 10k and 30k, SQLite")
    parser.add_argument("--max", type=int, help="only the sizes up to this (10k, 100k, 1M)")
    parser.add_argument("--sizes", help="comma-separated sizes instead (e.g. 10000,50000)")
    parser.add_argument(
        "--postgres",
        nargs="?",
        const=PG_DEFAULT,
        metavar="URL",
        help=f"PostgreSQL too (default {PG_DEFAULT}; the database is created afresh)",
    )
    parser.add_argument("--no-sqlite", action="store_true", help="PostgreSQL only")
    parser.add_argument("--runs", type=int, default=5, help="runs of --batch adds per size")
    parser.add_argument("--batch", type=int, default=200, help="articles added per run")
    parser.add_argument("--repeats", type=int, default=30, help="calls per search query")
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1, help="fill processes")
    parser.add_argument("--dir", type=Path, help="data directory (kept; a filled store is reused)")
    parser.add_argument("--fill-only", action="store_true", help="fill the stores, measure nothing")
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "results")
    parser.add_argument(
        "--verify-fill",
        type=int,
        metavar="N",
        help="fill N stories in bulk and N through add_article; compare the stores; nothing else",
    )
    args = parser.parse_args(argv)
    if args.verify_fill:
        logging.disable(logging.WARNING)
        with tempfile.TemporaryDirectory(prefix="tinlaodong-verify-") as tmp_name:
            return verify_fill(args.dir or Path(tmp_name), args.verify_fill, args.workers)
    if args.sizes:
        sizes = tuple(int(s) for s in args.sizes.split(","))
    else:
        sizes = QUICK_SIZES if args.quick else FULL_SIZES
    if args.max:
        sizes = tuple(s for s in sizes if s <= args.max) or (args.max,)
    if args.quick:
        args.runs, args.batch, args.repeats = min(args.runs, 3), min(args.batch, 100), 15
    logging.disable(logging.WARNING)
    load = os.getloadavg()
    info: dict[str, Any] = {
        "sizes": list(sizes),
        "runs": args.runs,
        "batch": args.batch,
        "repeats": args.repeats,
        "cpus": os.cpu_count(),
        "queries": QUERIES,
        "fill": {},
    }
    figures: list[Figure] = []
    with tempfile.TemporaryDirectory(prefix="tinlaodong-scale-") as tmp_name:
        root = args.dir or Path(tmp_name)
        backends = [] if args.no_sqlite else [Backend("SQLite", root)]
        if args.postgres:
            backends.append(Backend("PostgreSQL", root, args.postgres, fresh=args.dir is None))
        for backend in backends:
            levels = run_backend(backend, sizes, args)
            info["fill"][backend.name] = {
                str(level.size): round(level.fill_s, 1) for level in levels
            }
            if args.fill_only:
                continue  # nothing measured
            for level in levels:
                figures += figures_of(backend.name, level)
            figures += growth(backend.name, levels)
    info["load_before"] = load
    info["load_after"] = os.getloadavg()
    if args.fill_only:
        return 0
    print_table(figures, info)
    args.out.mkdir(parents=True, exist_ok=True)
    result = args.out / f"scale-{date.today():%Y-%m-%d}-{short_commit()}.json"
    payload = {"info": info, "figures": [f.to_dict() for f in figures]}
    result.write_text(json.dumps(payload, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"\nwritten: {result}")
    return 0


def growth(backend: str, levels: Sequence[Level]) -> list[Figure]:
    """The targets: per-article cost at the largest size over the smallest (<= 2x)."""
    if len(levels) < 2:
        return []
    first, last = levels[0], levels[-1]

    def per_article(level: Level) -> float:
        return statistics.median(sum(a.seconds for a in run) / len(run) for run in level.runs)

    return [
        Figure(
            f"{backend}: store+dedup {last.size:,} / {first.size:,}",
            "x",
            [per_article(last) / per_article(first)],
            "target <= 2",
        )
    ]


if __name__ == "__main__":
    sys.exit(main())
