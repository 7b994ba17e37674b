"""Write every feed as RSS, Atom and JSON Feed, plus ``index.html`` and ``feeds.opml``, atomically.

A feed whose stories have not changed is not built again: ``.feeds-manifest.json`` (hidden, so
never served) keeps a fingerprint of each feed's data, paging and code, and a feed whose
fingerprint and files are unchanged is left alone. Files whose bytes did not change are not
rewritten either, so their mtime (the server's Last-Modified) stays put.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import re
from collections.abc import Callable, Iterable, Sequence
from functools import lru_cache
from pathlib import Path

from feeds import builder, content, jsonfeed, paging
from feeds.builder import DEFAULT_LIMIT, atom_bytes, rss_bytes
from feeds.files import write_atomically
from feeds.jsonfeed import json_feed_bytes
from feeds.listing import INDEX_NAME, OPML_NAME, index_html, opml
from feeds.model import FeedSpec
from feeds.paging import Page, page_number, page_stem, paginate

# A slug becomes a file name: no separators, no leading dot (hidden files are not served).
_SLUG = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*")
MANIFEST_NAME = ".feeds-manifest.json"
EXTENSIONS = (".rss.xml", ".atom.xml", ".json")


def write_feeds(
    out_dir: Path,
    specs: Iterable[FeedSpec],
    *,
    base_url: str | None = None,
    limit: int = DEFAULT_LIMIT,
    pages: int = 1,
) -> list[Path]:
    """Write ``<slug>.rss.xml``, ``<slug>.atom.xml`` and ``<slug>.json`` (JSON Feed 1.1) per
    spec, then the index and the OPML.

    ``limit`` entries per page, newest first; up to ``pages`` pages, the older ones as
    ``<slug>.page-<n>.<ext>`` linked as RFC 5005 paged feeds (JSON Feed: ``next_url``).
    ``base_url`` (where ``out_dir`` is served) adds each feed's rel="self" link and makes the
    OPML's and the paging links' URLs absolute (relative to the feed without it).
    Returns every file it is responsible for, in writing order.
    """
    specs = list(specs)
    _check_slugs(specs)
    out_dir.mkdir(parents=True, exist_ok=True)
    base = _normalise_base(base_url)
    manifest = _read_manifest(out_dir)
    paths: list[Path] = []
    for spec in specs:
        ordered = builder.newest_first(spec.entries, limit * max(pages, 1))
        feed_pages = paginate(ordered, limit, pages)
        names = [page_stem(spec.slug, p.number) + ext for p in feed_pages for ext in EXTENSIONS]
        fingerprint = _fingerprint(spec, base, limit, pages)
        unchanged = manifest.get(spec.slug) == fingerprint
        if not (unchanged and all((out_dir / name).is_file() for name in names)):
            for page in feed_pages:
                _write_page(out_dir, spec, page, base)
            _remove_stale_pages(out_dir, spec.slug, len(feed_pages))
            manifest[spec.slug] = fingerprint
        paths += [out_dir / name for name in names]
    paths.append(_write(out_dir / INDEX_NAME, index_html(specs)))
    paths.append(_write(out_dir / OPML_NAME, opml(specs, base)))
    write_atomically(out_dir / MANIFEST_NAME, _manifest_bytes(manifest))
    return paths


def _write_page(out_dir: Path, spec: FeedSpec, page: Page, base: str | None) -> None:
    stem = page_stem(spec.slug, page.number)
    one = FeedSpec(spec.slug, spec.title, spec.description, spec.link, page.entries, spec.group)
    size = len(page.entries)

    def href(ext: str) -> Callable[[int], str]:
        return lambda n: (base or "") + page_stem(spec.slug, n) + ext

    rss, atom, jsonf = (stem + ext for ext in EXTENSIONS)
    rss_links = page.links(href(EXTENSIONS[0]))
    atom_links = page.links(href(EXTENSIONS[1]))
    older = (base or "") + page_stem(spec.slug, page.number + 1) + EXTENSIONS[2]
    next_url = older if page.number < page.count else None
    _write(out_dir / rss, rss_bytes(one, self_url=_url(base, rss), limit=size, links=rss_links))
    _write(
        out_dir / atom, atom_bytes(one, self_url=_url(base, atom), limit=size, links=atom_links)
    )
    _write(
        out_dir / jsonf,
        json_feed_bytes(one, self_url=_url(base, jsonf), limit=size, next_url=next_url),
    )


def _remove_stale_pages(out_dir: Path, slug: str, count: int) -> None:
    """Pages beyond the feed's last (fewer stories, a smaller page count) go."""
    for ext in EXTENSIONS:
        for path in out_dir.glob(f"{glob_escape(slug)}.page-*{ext}"):
            number = page_number(path.name.removesuffix(ext), slug)
            if number is not None and number > count:
                with contextlib.suppress(FileNotFoundError):
                    path.unlink()


def glob_escape(text: str) -> str:
    return re.sub(r"([*?\[])", r"[\1]", text)


def _write(path: Path, data: bytes) -> Path:
    write_atomically(path, data)
    return path


def _fingerprint(spec: FeedSpec, base: str | None, limit: int, pages: int) -> str:
    # The entries are frozen dataclasses of strings, dates and tuples: their repr is the data.
    digest = hashlib.blake2b(digest_size=16)
    digest.update(_code_fingerprint().encode())
    digest.update(repr((spec, base, limit, pages)).encode("utf-8", "surrogatepass"))
    return digest.hexdigest()


@lru_cache(maxsize=1)
def _code_fingerprint() -> str:
    """The feed-building code itself: a fix to it rebuilds every feed once."""
    digest = hashlib.blake2b(digest_size=16)
    for module in (builder, content, jsonfeed, paging):
        digest.update(Path(str(module.__file__)).read_bytes())
    digest.update(Path(__file__).read_bytes())
    return digest.hexdigest()


def _read_manifest(out_dir: Path) -> dict[str, str]:
    try:
        data = json.loads((out_dir / MANIFEST_NAME).read_text(encoding="utf-8"))
    except (FileNotFoundError, ValueError, UnicodeDecodeError):
        return {}
    if not isinstance(data, dict):
        return {}
    return {str(k): str(v) for k, v in data.items()}


def _manifest_bytes(manifest: dict[str, str]) -> bytes:
    return (json.dumps(manifest, sort_keys=True, indent=0) + "\n").encode("utf-8")


def _check_slugs(specs: Sequence[FeedSpec]) -> None:
    seen: set[str] = set()
    for spec in specs:
        if not _SLUG.fullmatch(spec.slug) or ".page-" in spec.slug:
            raise ValueError(f"feed slug {spec.slug!r} is not a safe file name stem")
        if spec.slug in seen:
            raise ValueError(f"feed slug {spec.slug!r} is used twice")
        seen.add(spec.slug)


def _normalise_base(base_url: str | None) -> str | None:
    return base_url.rstrip("/") + "/" if base_url else None


def _url(base: str | None, name: str) -> str | None:
    return base + name if base else None
