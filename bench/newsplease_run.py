"""news-please on the benchmark's pages; run by news-please's own venv, not the project's.

    bench/.venv-newsplease/bin/python bench/newsplease_run.py PAGES_JSON [FUNDUS_EVAL_DIR]

``PAGES_JSON``: a list of [file, url] pairs. Prints one JSON object: CPU seconds of
``NewsPlease.from_html`` over the pages (no image fetching), how many gave a main text, and
the mean token F1 on the evaluation corpus, scored as ``bench/extract_bench.py`` scores it.
"""

from __future__ import annotations

import gzip
import json
import logging
import re
import sys
import time
from collections import Counter
from pathlib import Path

from newsplease import NewsPlease

_TOKEN = re.compile(r"\w+")


def tokens(text: str) -> Counter[str]:
    return Counter(_TOKEN.findall(text.lower()))


def f1(extracted: str, expected: str) -> float:
    got, want = tokens(extracted), tokens(expected)
    overlap = sum((got & want).values())
    if not overlap:
        return 0.0
    precision, recall = overlap / sum(got.values()), overlap / sum(want.values())
    return 2 * precision * recall / (precision + recall)


def maintext(html: str, url: str) -> str:
    try:
        article = NewsPlease.from_html(html, url=url, fetch_images=False)
    except Exception:  # noqa: BLE001 (a failed page scores 0, as in extract_bench)
        return ""
    return getattr(article, "maintext", None) or ""


def main(argv: list[str]) -> int:
    logging.disable(logging.WARNING)
    pages = [
        (Path(f).read_bytes().decode("utf-8", "replace"), url)
        for f, url in json.loads(Path(argv[0]).read_text())
    ]
    maintext(*pages[0])  # warm-up: lazy imports
    start = time.process_time()
    found = sum(1 for html, url in pages if maintext(html, url))
    result: dict[str, object] = {"cpu": time.process_time() - start, "pages": len(pages)}
    result["with_text"] = found
    corpus = Path(argv[1]) if len(argv) > 1 else None
    if corpus is not None and (corpus / "ground_truth.json").is_file():
        truth = json.loads((corpus / "ground_truth.json").read_text(encoding="utf-8"))
        scores = []
        for name, entry in sorted(truth.items()):
            html = gzip.decompress((corpus / "html" / name).read_bytes()).decode("utf-8", "replace")
            body = entry["body"]
            expected = "\n".join(body) if isinstance(body, list) else str(body)
            scores.append(f1(maintext(html, entry["url"]), expected))
        result["f1"] = sum(scores) / len(scores)
        result["f1_pages"] = len(scores)
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
