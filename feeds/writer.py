"""Write every feed as RSS, Atom and JSON Feed, plus ``index.html`` and ``feeds.opml``, atomically.

A feed whose stories have not changed is not built again: ``.feeds-manifest.json`` (hidden, so
never served) keeps a fingerprint of each feed's data, paging and code, and a feed whose
fingerprint and files are unchanged is left alone. Files whose bytes did not change are not
rewritten either, so their mtime (the server's Last-Modified) stays put.

The files of one run are written under temporary names, made durable together, then renamed
into place and the directory synced once (a sync per file made writing the feeds of a small
store take seconds): a reader sees each file whole, old or new, and so does a crash.
"""

from __future__ import annotations

import contextlib
import dataclasses
import hashlib
import json
import logging
import os
import pickle
import re
import tempfile
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from concurrent.futures import BrokenExecutor, Executor, Future, ThreadPoolExecutor
from dataclasses import fields
from functools import lru_cache
from pathlib import Path

from feeds import archives as archive_layout
from feeds import builder, content, jsonfeed, paging, pieces
from feeds.archives import ARCHIVE_SUFFIX, Archived, archive_stem
from feeds.builder import DEFAULT_LIMIT
from feeds.files import PUBLIC_MODE, write_atomically
from feeds.listing import INDEX_NAME, OPML_NAME, index_html, opml
from feeds.model import FeedEntry, FeedSpec
from feeds.paging import Document, page_number, paginate
from feeds.pieces import Layout, Renderer

# A slug becomes a file name: no separators, no leading dot (hidden files are not served).
_SLUG = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*")
MANIFEST_NAME = ".feeds-manifest.json"
EXTENSIONS = (".rss.xml", ".atom.xml", ".json")
_SYNC_THREADS = 16
logger = logging.getLogger("tinlaodong.feeds")


def write_feeds(
    out_dir: Path,
    specs: Iterable[FeedSpec],
    *,
    base_url: str | None = None,
    limit: int = DEFAULT_LIMIT,
    pages: int = 1,
    listing: bool = True,
    pool: Executor | None = None,
    archives: Mapping[str, Archived] | None = None,
) -> list[Path]:
    """Write ``<slug>.rss.xml``, ``<slug>.atom.xml`` and ``<slug>.json`` (JSON Feed 1.1) per
    spec, then the index and the OPML (``listing=False``: not them; only these feeds change,
    the folder's other feeds stay as they are).

    ``limit`` entries per page, newest first; up to ``pages`` pages, the older ones as
    ``<slug>.page-<n>.<ext>`` linked as RFC 5005 paged feeds (JSON Feed: ``next_url``).
    ``base_url`` (where ``out_dir`` is served) adds each feed's rel="self" link and makes the
    OPML's and the paging links' URLs absolute (relative to the feed without it).
    ``pool``: a process pool to render part of the feeds in, side by side with this process,
    when there are many entries to render (see :func:`_rendered`).
    ``archives``: feeds archived (RFC 5005 section 4, ``feeds.archives``) instead of paged,
    by slug: the spec's entries make the subscription document, which links the newest
    archive; only the archives named to be written are, the others are left as they are.
    Returns every file it is responsible for, in writing order.
    """
    specs = list(specs)
    _check_slugs(specs)
    out_dir.mkdir(parents=True, exist_ok=True)
    base = _normalise_base(base_url)
    manifest = _read_manifest(out_dir)
    layouts = pieces.read_state(out_dir, code_fingerprint())
    paths: list[Path] = []
    stale: dict[str, set[str]] = {}  # slug: its files; its other pages and archives go
    entry_digests: dict[int, str] = {}  # by id(): the specs hold every entry meanwhile
    todo: list[_Feed] = []
    for spec in specs:
        archived = archives.get(spec.slug) if archives is not None else None
        if archived is None:
            ordered = builder.newest_first(spec.entries, limit * max(pages, 1))
            docs = [Document.of_page(spec.slug, p) for p in paginate(ordered, limit, pages)]
            stems = [d.stem for d in docs]
            shape: object = (limit, pages)
        else:
            docs = archived.documents(spec.slug, spec.entries)
            stems = [spec.slug, *(archive_stem(spec.slug, n) for n in archived.kept)]
            shape = ("archived", docs[0].links)
        names = [stem + ext for stem in stems for ext in EXTENSIONS]
        fingerprint = _fingerprint(spec, base, shape, entry_digests)
        unchanged = manifest.get(spec.slug) == fingerprint
        current_there = all((out_dir / (docs[0].stem + ext)).is_file() for ext in EXTENSIONS)
        previous = layouts.get(spec.slug) if current_there else None
        if archived is None and not (unchanged and all((out_dir / n).is_file() for n in names)):
            todo.append(_Feed(spec, docs, previous))
        elif archived is not None and (docs[1:] or not (unchanged and current_there)):
            rendered = docs if not unchanged or not current_there else docs[1:]
            todo.append(_Feed(spec, rendered, previous))
        if not unchanged or archived is not None:
            stale[spec.slug] = set(names)
        manifest[spec.slug] = fingerprint
        paths += [out_dir / name for name in names]
    # The layouts of the feeds not written again stay true of their files.
    known = {spec.slug for spec in specs}
    kept = {s: v for s, v in layouts.items() if not listing or s in known}
    with _batch() as batch:
        for files, layout in _rendered(todo, base, pool, out_dir, entry_digests):
            for name, data in files:
                batch.write(out_dir / name, data)
            if layout is not None:
                kept[layout[0]] = layout[1]
        if listing:
            paths.append(batch.write(out_dir / INDEX_NAME, index_html(specs)))
            paths.append(batch.write(out_dir / OPML_NAME, opml(specs, base)))
    _remove_stale(out_dir, stale)
    write_atomically(out_dir / MANIFEST_NAME, _manifest_bytes(manifest))
    pieces.write_state(out_dir, code_fingerprint(), kept)
    return paths


@dataclasses.dataclass(frozen=True)
class _Feed:
    """A feed to render: its documents, and how the previous publish wrote its subscription
    document (its entries' pieces are taken from there: ``feeds.pieces``)."""

    spec: FeedSpec
    docs: list[Document]
    previous: Layout | None = None

    def work(self, digest: Callable[[FeedEntry], str]) -> int:
        """Entries to render: those its previous subscription document does not hold."""
        held = set(self.previous.digests) if self.previous is not None else set()
        return sum(1 for d in self.docs for e in d.entries if digest(e) not in held)


# A feed's files, and its subscription document's stem and layout if it was written.
_Output = tuple[list[tuple[str, bytes]], tuple[str, Layout] | None]


class _Batch:
    """Files to replace together: each written to a temporary name now; on :meth:`commit`,
    all synced to disk, renamed over their targets in order, and the directory synced once."""

    def __init__(self) -> None:
        self._pending: list[tuple[str, Path]] = []  # (temporary, target)

    def write(self, path: Path, data: bytes) -> Path:
        """Replace ``path`` with ``data`` on commit, unless it holds these bytes already (it
        then keeps its mtime, the server's Last-Modified)."""
        if _same_bytes(path, data):
            return path
        # The temporary file sits in the same directory: os.replace is atomic only within one
        # file system. Its name starts with a dot so the feed server never serves it.
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
        self._pending.append((tmp, path))
        with os.fdopen(fd, "wb") as out:
            out.write(data)
        os.chmod(tmp, PUBLIC_MODE)  # mkstemp makes 0600 files; feeds are public
        return path

    def commit(self) -> None:
        # Every file's data reaches the disk before any rename does: a crash leaves each
        # target old or new, never empty. The syncs run side by side, so that the file system
        # commits them together (one after the other, each waited for its own commit).
        if self._pending:
            with ThreadPoolExecutor(max_workers=min(_SYNC_THREADS, len(self._pending))) as pool:
                list(pool.map(_fsync, [tmp for tmp, _ in self._pending]))
        directories = dict.fromkeys(path.parent for _, path in self._pending)
        while self._pending:
            tmp, path = self._pending[0]
            os.replace(tmp, path)
            del self._pending[0]
        for directory in directories:
            _fsync(directory, directory=True)

    def abort(self) -> None:
        for tmp, _ in self._pending:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(tmp)
        self._pending.clear()


@contextlib.contextmanager
def _batch() -> Iterator[_Batch]:
    """A :class:`_Batch` committed when the block ends, its temporary files removed if it
    fails."""
    batch = _Batch()
    try:
        yield batch
        batch.commit()
    finally:
        batch.abort()


def _fsync(path: str | Path, *, directory: bool = False) -> None:
    flags = os.O_RDONLY | (getattr(os, "O_DIRECTORY", 0) if directory else 0)
    fd = os.open(path, flags)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _same_bytes(path: Path, data: bytes) -> bool:
    try:
        return path.read_bytes() == data
    except FileNotFoundError:
        return False


# Below this many entries to render, a second process costs more than it saves.
PARALLEL_MIN_ENTRIES = 2000
_TASKS = 8


def _rendered(
    todo: Sequence[_Feed],
    base: str | None,
    pool: Executor | None,
    out_dir: Path,
    digests: dict[int, str],
) -> Iterator[_Output]:
    """The files of each feed in ``todo`` as they are rendered, (name, bytes), in no set order,
    with its subscription document's layout.

    With a ``pool`` and enough entries to render (those no previous subscription document
    holds), part of the feeds is rendered in the pool while this process renders the rest
    (rendering is pure Python, one core each), whole OPML groups in a few tasks: a province's
    feeds and its sites' share their stories, and each process then renders a story once.
    Each feed's files are handed on as soon as they are there, not all held at once (a large
    store's would fill the memory). A task that fails is rendered here instead: the feeds come
    out the same either way.
    """
    renderer = Renderer(digests)
    work = [feed.work(renderer.digest) for feed in todo]
    with content.entry_html_cache():
        if pool is None or _fresh(todo, renderer) < PARALLEL_MIN_ENTRIES:
            renderer.count(d.entries for feed in todo for d in feed.docs)
            for feed in todo:
                yield _feed_files(feed, base, out_dir, renderer)
            return
        theirs, mine = _shares(todo, work)
        renderer.count(d.entries for i in mine for d in todo[i].docs)
        pending = deque((_submit(pool, [todo[i] for i in g], base, out_dir), g) for g in theirs)
        for i in mine:
            yield _feed_files(todo[i], base, out_dir, renderer)
            while pending and pending[0][0].done():
                yield from _collected(*pending.popleft(), todo, base, out_dir, renderer)
        while pending:
            yield from _collected(*pending.popleft(), todo, base, out_dir, renderer)


def _fresh(todo: Sequence[_Feed], renderer: Renderer) -> int:
    """How many entries no previous subscription document holds: each is rendered once here,
    however many feeds show it (in the pool, once more in each task that shows it)."""
    held = {d for feed in todo if feed.previous is not None for d in feed.previous.digests}
    shown = {renderer.digest(e) for feed in todo for doc in feed.docs for e in doc.entries}
    return len(shown - held)


def _shares(todo: Sequence[_Feed], work: Sequence[int]) -> tuple[list[list[int]], list[int]]:
    """Tasks of whole OPML groups (feed indices) for the pool, and the feeds left to this
    process: about half the entries each, a little less here, since this process also writes
    every file."""
    groups: dict[str, list[int]] = {}
    for i, feed in enumerate(todo):
        groups.setdefault(feed.spec.group, []).append(i)
    theirs: list[list[int]] = []
    mine: list[int] = []
    their_work = mine_work = 0
    for members in sorted(groups.values(), key=lambda m: -sum(work[i] for i in m)):
        size = sum(work[i] for i in members)
        if their_work <= 1.2 * mine_work:
            theirs.append(members)
            their_work += size
        else:
            mine += members
            mine_work += size
    # A few tasks, not one per group: each costs a round trip.
    tasks: list[list[int]] = [[]]
    filled = 0
    for members in theirs:
        if filled >= their_work / _TASKS:
            tasks.append([])
            filled = 0
        tasks[-1] += members
        filled += sum(work[i] for i in members)
    return tasks, sorted(mine)


def _submit(
    pool: Executor, todo: list[_Feed], base: str | None, out_dir: Path
) -> Future[list[_Output]]:
    try:
        return pool.submit(render_feeds, todo, base, out_dir)
    except (BrokenExecutor, RuntimeError) as exc:  # broken, or shut down: failed like a task
        failed: Future[list[_Output]] = Future()
        failed.set_exception(exc)
        return failed


def _collected(
    future: Future[list[_Output]],
    group: list[int],
    todo: Sequence[_Feed],
    base: str | None,
    out_dir: Path,
    renderer: Renderer,
) -> Iterator[_Output]:
    try:
        yield from future.result()
    except (BrokenExecutor, RuntimeError, OSError, pickle.PicklingError) as exc:
        slugs = ", ".join(todo[i].spec.slug for i in group[:3])
        logger.warning("feeds: helper process failed on %s (%s): rendered here", slugs, exc)
        for i in group:
            yield _feed_files(todo[i], base, out_dir, renderer)


def render_feeds(todo: Sequence[_Feed], base: str | None, out_dir: Path) -> list[_Output]:
    """The files of each feed: (name, bytes), and its subscription document's layout. Module
    level: a pool is sent it by name."""
    renderer = Renderer()
    renderer.count(d.entries for feed in todo for d in feed.docs)
    with content.entry_html_cache():
        return [_feed_files(feed, base, out_dir, renderer) for feed in todo]


def _feed_files(feed: _Feed, base: str | None, out_dir: Path, renderer: Renderer) -> _Output:
    spec = feed.spec
    renderer.reuse([out_dir / (spec.slug + ext) for ext in EXTENSIONS], feed.previous)
    files: list[tuple[str, bytes]] = []
    layout = None
    for doc in feed.docs:
        made, doc_layout = _document_files(spec, doc, base, renderer)
        files += made
        if doc.stem == spec.slug:
            layout = (spec.slug, doc_layout)
    return files, layout


def _document_files(
    spec: FeedSpec, doc: Document, base: str | None, renderer: Renderer
) -> tuple[list[tuple[str, bytes]], Layout]:
    one = dataclasses.replace(spec, entries=doc.entries)
    rss, atom, jsonf = (doc.stem + ext for ext in EXTENSIONS)
    rss_links = [(rel, (base or "") + stem + EXTENSIONS[0]) for rel, stem in doc.links]
    atom_links = [(rel, (base or "") + stem + EXTENSIONS[1]) for rel, stem in doc.links]
    next_url = (base or "") + doc.older + EXTENSIONS[2] if doc.older else None
    (rss_data, atom_data, json_data), layout = renderer.document(
        one,
        rss_self=_url(base, rss),
        atom_self=_url(base, atom),
        json_self=_url(base, jsonf),
        rss_links=rss_links,
        atom_links=atom_links,
        next_url=next_url,
        archive=doc.archive,
    )
    return [(rss, rss_data), (atom, atom_data), (jsonf, json_data)], layout


def _remove_stale(out_dir: Path, kept: dict[str, set[str]]) -> None:
    """Pages and archives of each feed in ``kept`` that are not among its files go (fewer
    stories, archives past the horizon, the other layout). The folder is listed once, not
    globbed per feed and format (a listing of 1,200 files each)."""
    if not kept:
        return
    for name in os.listdir(out_dir):
        ext = next((e for e in EXTENSIONS if name.endswith(e)), None)
        if ext is None:
            continue
        # Slugs never hold ".page-" or ".archive-" (_check_slugs): the last one ends it.
        stem = name.removesuffix(ext)
        slug = _numbered_slug(stem)
        if slug is not None and slug in kept and name not in kept[slug]:
            with contextlib.suppress(FileNotFoundError):
                (out_dir / name).unlink()


def _numbered_slug(stem: str) -> str | None:
    """The slug of a page's or an archive's file stem, None for another stem."""
    for marker in (".page-", ARCHIVE_SUFFIX):
        slug, found, number = stem.rpartition(marker)
        if found and number.isdigit():
            return slug if marker == ARCHIVE_SUFFIX or page_number(stem, slug) else None
    return None


def _fingerprint(
    spec: FeedSpec, base: str | None, shape: object, entry_digests: dict[int, str]
) -> str:
    # A story is in several feeds (everything, its site's, province's, topics'): each entry's
    # digest is made once, not once per feed (an eighth of writing every feed).
    digest = hashlib.blake2b(digest_size=16)
    digest.update(code_fingerprint().encode())
    head = [getattr(spec, f.name) for f in fields(spec) if f.name != "entries"]
    head += [base, shape]
    digest.update(repr(head).encode("utf-8", "surrogatepass"))
    for entry in spec.entries:
        known = entry_digests.get(id(entry))
        if known is None:
            known = entry_digests[id(entry)] = pieces.entry_digest(entry)
        digest.update(known.encode())
    return digest.hexdigest()


@lru_cache(maxsize=1)
def code_fingerprint() -> str:
    """The feed-building code itself: a fix to it rebuilds every feed once."""
    digest = hashlib.blake2b(digest_size=16)
    for module in (archive_layout, builder, content, jsonfeed, paging, pieces):
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
        if not _SLUG.fullmatch(spec.slug) or ".page-" in spec.slug or ARCHIVE_SUFFIX in spec.slug:
            raise ValueError(f"feed slug {spec.slug!r} is not a safe file name stem")
        if spec.slug in seen:
            raise ValueError(f"feed slug {spec.slug!r} is used twice")
        seen.add(spec.slug)


def _normalise_base(base_url: str | None) -> str | None:
    return base_url.rstrip("/") + "/" if base_url else None


def _url(base: str | None, name: str) -> str | None:
    return base + name if base else None
