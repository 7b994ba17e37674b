"""Write every feed as RSS and Atom, plus ``index.html`` and ``feeds.opml``, atomically."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from pathlib import Path

from feeds.builder import DEFAULT_LIMIT, atom_bytes, atom_name, rss_bytes, rss_name
from feeds.files import write_atomically
from feeds.jsonfeed import json_feed_bytes, json_name
from feeds.listing import INDEX_NAME, OPML_NAME, index_html, opml
from feeds.model import FeedSpec

# A slug becomes a file name: no separators, no leading dot (hidden files are not served).
_SLUG = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*")


def write_feeds(
    out_dir: Path,
    specs: Iterable[FeedSpec],
    *,
    base_url: str | None = None,
    limit: int = DEFAULT_LIMIT,
) -> list[Path]:
    """Write ``<slug>.rss.xml``, ``<slug>.atom.xml`` and ``<slug>.json`` (JSON Feed 1.1) per
    spec, then the index and the OPML.

    At most ``limit`` entries per feed, newest first. ``base_url`` (where ``out_dir`` is
    served) adds each feed's rel="self" link and makes the OPML's URLs absolute.
    Returns every file it is responsible for, in writing order; files whose bytes did not
    change are left untouched.
    """
    specs = list(specs)
    _check_slugs(specs)
    out_dir.mkdir(parents=True, exist_ok=True)
    base = _normalise_base(base_url)
    paths: list[Path] = []
    for spec in specs:
        rss, atom = rss_name(spec.slug), atom_name(spec.slug)
        paths.append(_write(out_dir / rss, rss_bytes(spec, self_url=_url(base, rss), limit=limit)))
        paths.append(
            _write(out_dir / atom, atom_bytes(spec, self_url=_url(base, atom), limit=limit))
        )
        jsonf = json_name(spec.slug)
        paths.append(
            _write(out_dir / jsonf, json_feed_bytes(spec, self_url=_url(base, jsonf), limit=limit))
        )
    paths.append(_write(out_dir / INDEX_NAME, index_html(specs)))
    paths.append(_write(out_dir / OPML_NAME, opml(specs, base)))
    return paths


def _write(path: Path, data: bytes) -> Path:
    write_atomically(path, data)
    return path


def _check_slugs(specs: Sequence[FeedSpec]) -> None:
    seen: set[str] = set()
    for spec in specs:
        if not _SLUG.fullmatch(spec.slug):
            raise ValueError(f"feed slug {spec.slug!r} is not a safe file name stem")
        if spec.slug in seen:
            raise ValueError(f"feed slug {spec.slug!r} is used twice")
        seen.add(spec.slug)


def _normalise_base(base_url: str | None) -> str | None:
    return base_url.rstrip("/") + "/" if base_url else None


def _url(base: str | None, name: str) -> str | None:
    return base + name if base else None
