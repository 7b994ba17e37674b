"""A page of a great deal of text stays cheap, over real HTTP on loopback.

Pages of 33 paragraphs of 99,000 characters each (4.5 MB, under the 5 MB download cap, each
paragraph under the page limits' cut of one text) took an extraction worker to 900 MB and, once
stored, 18 MB of database and 52 MB of feeds a page. The crawl of three of them runs here under
a small measuring parent (Linux counts a child's memory from before its ``exec``, so the parent
must be small) while the test samples the crawl's process tree: the largest process stays in
hundreds of megabytes, each page is cut down in one line and stored cut, and the store and the
feeds stay small. (issue 21, item 1)
"""

from __future__ import annotations

import json
import os
import random
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest

from aggregator.page_limits import MAX_ARTICLE_TEXT, MAX_PAGE_TEXT
from tests.faultserver import article_html, good_path
from tests.helpers import FAST, QuietHandler, loopback_server, write_registry

BIG = [f"/tin-tuc/bai-viet-rat-dai-{9000 + n}.html" for n in range(3)]
PARAGRAPHS = 33
PARAGRAPH = 99_000  # characters: under the cut of one text
PEAK_MB = 450  # of the largest process; a worker took 900 MB before the page text's limit
TREE_MB = 500  # of the process tree (PSS); the bound for a crawl
WORDS = [
    "lao", "động", "việc", "làm", "người", "dân", "bảo", "hiểm", "xã", "hội", "tỉnh", "thành",
    "phố", "chính", "sách", "hỗ", "trợ",
]  # fmt: skip

_MEASURE = """
import os, subprocess, sys
child = subprocess.Popen(sys.argv[2:])
_, status, usage = os.wait4(child.pid, 0)
open(sys.argv[1], "w").write(str(usage.ru_maxrss))
sys.exit(os.waitstatus_to_exitcode(status))
"""


def big_page(n: int) -> bytes:
    """The tester's page: words drawn at random (seeded by ``n``: no two pages are duplicates;
    the same words in a repeating order cost trafilatura less than half the memory)."""
    rng = random.Random(n)

    def paragraph() -> str:
        words = rng.choices(WORDS, k=PARAGRAPH // 4)
        return " ".join(words)[:PARAGRAPH] + "."

    body = "".join(f"<p>{paragraph()}</p>" for _ in range(PARAGRAPHS))
    return (
        '<!doctype html><html><head><meta charset="utf-8"><title>Bài rất dài số '
        f'{n}</title><meta property="article:published_time" '
        'content="2026-12-05T08:00:00+07:00"></head><body><article><h1>Bài rất dài số '
        f"{n}</h1>{body}</article></body></html>"
    ).encode()


@dataclass
class Site:
    pages: dict[str, bytes]

    def listing(self) -> bytes:
        links = [good_path(0), *self.pages]
        items = "".join(f'<li><a href="{u}">Bài viết {i}</a></li>' for i, u in enumerate(links))
        return f'<html><body><ul class="news">{items}</ul></body></html>'.encode()


class Handler(QuietHandler):
    site: Site
    protocol_version = "HTTP/1.1"

    def do_GET(self) -> None:
        if self.path == "/list":
            body = self.site.listing()
        elif self.path in self.site.pages:
            body = self.site.pages[self.path]
        elif self.path == good_path(0):
            body = article_html(0).encode()
        else:
            self.send_error(404)
            return
        self.send_html(body)


@contextmanager
def big_site(big: list[str]) -> Iterator[str]:
    site = Site({path: big_page(n) for n, path in enumerate(big)})
    with loopback_server(type("H", (Handler,), {"site": site})) as base:
        yield base


def tree_pss(pid: int) -> int:
    """KB of proportional memory of ``pid`` and its descendants (0 for those gone)."""
    total = 0
    pending = [pid]
    while pending:
        current = pending.pop()
        try:
            rollup = Path(f"/proc/{current}/smaps_rollup").read_text()
            for task in Path(f"/proc/{current}/task").iterdir():
                pending += [int(c) for c in (task / "children").read_text().split()]
        except OSError:
            continue
        total += next(int(line.split()[1]) for line in rollup.splitlines() if line[:4] == "Pss:")
    return total


@pytest.fixture(scope="module")
def crawl(tmp_path_factory: pytest.TempPathFactory) -> dict[str, object]:
    return measured_crawl(tmp_path_factory.mktemp("memory"), BIG)


def measured_crawl(tmp: Path, big: list[str], workers: int = 2) -> dict[str, object]:
    """A crawl of the site with the pages ``big``, its outcome and its peak memory."""
    peak_file = tmp / "peak.txt"
    with big_site(big) as base:
        registry = write_registry(
            tmp / "sites.yaml",
            [
                {
                    "id": "dai",
                    "name": "Site dài",
                    "province": "Lai Châu",
                    "start_urls": [base + "/list"],
                    "allow_private_network": True,
                }
            ],
        )
        command = [
            sys.executable, "-m", "aggregator.cli.main", "crawl", "--sites", str(registry),
            "--data-dir", str(tmp / "data"), "--json", *FAST, "-s", "RETRY_TIMES=0",
            "-s", f"TINLAODONG_EXTRACT_WORKERS={workers}",
        ]  # fmt: skip
        tree_peak = 0
        with subprocess.Popen(
            [sys.executable, "-c", _MEASURE, str(peak_file), *command],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env={**os.environ, "PYTHONWARNINGS": "ignore"},
            start_new_session=True,
        ) as process:
            output: dict[str, str] = {}
            readers = [
                threading.Thread(target=lambda: output.update(out=process.stdout.read())),  # type: ignore[union-attr]
                threading.Thread(target=lambda: output.update(err=process.stderr.read())),  # type: ignore[union-attr]
            ]
            for reader in readers:
                reader.start()
            deadline = time.monotonic() + 120
            while process.poll() is None:
                if time.monotonic() > deadline:
                    os.killpg(process.pid, signal.SIGKILL)
                    break
                tree_peak = max(tree_peak, tree_pss(process.pid))
                time.sleep(0.05)
            for reader in readers:
                reader.join()
    report = json.loads(output["out"].splitlines()[0]) if output.get("out") else {}
    return {
        "returncode": process.returncode,
        "stderr": output.get("err", ""),
        "report": report,
        "base": base,
        "data": tmp / "data",
        "peak_mb": int(peak_file.read_text()) / 1024 if peak_file.exists() else float("inf"),
        "tree_mb": tree_peak / 1024,
    }


def test_the_crawl_of_pages_of_much_text_stays_small(crawl: dict[str, object]) -> None:
    assert crawl["returncode"] == 0, crawl["stderr"]
    assert "Traceback" not in crawl["stderr"]  # type: ignore[operator]
    print(f"largest process {crawl['peak_mb']:.0f} MB, tree PSS {crawl['tree_mb']:.0f} MB")
    assert crawl["peak_mb"] < PEAK_MB  # type: ignore[operator]
    assert crawl["tree_mb"] < TREE_MB  # type: ignore[operator]


def test_each_page_is_cut_down_in_one_line_and_stored(crawl: dict[str, object]) -> None:
    stderr: str = crawl["stderr"]  # type: ignore[assignment]
    for path in BIG:
        lines = [line for line in stderr.splitlines() if f"{crawl['base']}{path}" in line]
        assert len(lines) == 2, lines
        assert "site dai: page cut down at" in lines[0]
        assert f"text of more than {MAX_PAGE_TEXT:,} characters in all" in lines[0]
        assert "article text of " in lines[0] and " cut to " in lines[0]
        assert "site dai: new story: " in lines[1]
    assert crawl["report"]["new_stories"] == len(BIG) + 1  # type: ignore[index]
    assert crawl["report"]["faults"]["page_cut"] == len(BIG)  # type: ignore[index]


def test_the_store_and_the_feeds_stay_small(crawl: dict[str, object]) -> None:
    data: Path = crawl["data"]  # type: ignore[assignment]
    with sqlite3.connect(data / "tinlaodong.sqlite3") as db:
        texts = [text for (text,) in db.execute("SELECT text FROM stories")]
    assert len(texts) == len(BIG) + 1
    assert max(len(text) for text in texts) <= MAX_ARTICLE_TEXT
    # Cut at the end of a paragraph, not in a word.
    assert all(text.endswith(".") for text in texts), [text[-40:] for text in texts]
    feeds = [path for path in (data / "feeds").rglob("*") if path.is_file()]
    assert feeds
    # A feed holds each story once: three stories of at most the stored text (4.5 MB each
    # before its limit), as the store does (once as the story, once as its body's version).
    assert max(path.stat().st_size for path in feeds) < 1_500_000
    assert (data / "tinlaodong.sqlite3").stat().st_size < 6_000_000
