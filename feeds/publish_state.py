"""Whether publishing has anything to do: the feeds of a directory were built from a content
generation of the store (``aggregator.store.generation``) with given sites, options and code.

A crawl that found nothing new leaves the generation as it was: rebuilding a hundred feeds
from the store to find them all unchanged was most of such a crawl's time. The state is a
hidden file beside the feeds (the feed server serves no hidden file), written after them: a
publish cut short leaves the previous state, whose generation no longer matches.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from feeds.files import write_atomically

STATE_NAME = ".publish-state.json"


@dataclass(frozen=True)
class PublishState:
    inputs: str  # fingerprint of everything but the store's content (see inputs_fingerprint)
    generation: int
    files: tuple[str, ...]  # the files publishing is responsible for, relative to the folder

    def paths(self, out_dir: Path) -> list[Path]:
        return [out_dir / name for name in self.files]


def inputs_fingerprint(*parts: object) -> str:
    """``parts`` (sites, options, the health feed's entries: frozen dataclasses and plain
    values, whose repr is their data), the feed-building code and the taxonomies."""
    digest = hashlib.blake2b(digest_size=16)
    digest.update(_code_and_data().encode())
    digest.update(repr(parts).encode("utf-8", "surrogatepass"))
    return digest.hexdigest()


@lru_cache(maxsize=1)
def _code_and_data() -> str:
    # Imported here: the feed writer and the taxonomies are only needed when publishing.
    from aggregator import dates, site_index, story_provinces
    from aggregator.gazetteer import default_gazetteer_path
    from aggregator.tags import default_topics_path
    from feeds.writer import code_fingerprint

    digest = hashlib.blake2b(digest_size=16)
    digest.update(code_fingerprint().encode())
    # What decides an entry beside the writer: which stories (a province's: story_provinces),
    # their order, their sites' names.
    code = (
        Path(__file__).with_name("publish.py"),
        *(Path(str(module.__file__)) for module in (site_index, dates, story_provinces)),
    )
    for path in (*code, default_topics_path(), default_gazetteer_path()):
        digest.update(path.read_bytes())
    return digest.hexdigest()


def current_files(out_dir: Path, inputs: str, generation: int | None) -> list[Path] | None:
    """The feed files, if those under ``out_dir`` were built from ``generation`` with
    ``inputs`` and are all still there; else None (build them)."""
    if generation is None:
        return None
    state = read_state(out_dir)
    if state is None or state.inputs != inputs or state.generation != generation:
        return None
    paths = state.paths(out_dir)
    return paths if all(path.is_file() for path in paths) else None


def read_state(out_dir: Path) -> PublishState | None:
    try:
        data = json.loads((out_dir / STATE_NAME).read_text(encoding="utf-8"))
        return PublishState(
            inputs=str(data["inputs"]),
            generation=int(data["generation"]),
            files=tuple(str(name) for name in data["files"]),
        )
    except (OSError, ValueError, UnicodeDecodeError, KeyError, TypeError):
        return None  # none yet, or unreadable: the feeds are rebuilt and it is rewritten


def write_state(out_dir: Path, inputs: str, generation: int | None, files: list[Path]) -> None:
    path = out_dir / STATE_NAME
    if generation is None:
        path.unlink(missing_ok=True)
        return
    names = [str(file.relative_to(out_dir)) for file in files]
    data = {"inputs": inputs, "generation": generation, "files": names}
    write_atomically(path, (json.dumps(data, indent=0) + "\n").encode("utf-8"))
