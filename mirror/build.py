"""Build the offline mirror: static sites rendered from content/*.yaml and the seeds.

``build_mirror(out_dir, seeds_dir)`` writes one directory per site under ``out_dir`` and returns
what :class:`mirror.server.MirrorServer` needs to serve them.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from mirror import builders
from mirror.content import load_articles, load_broken_links
from mirror.model import Article, BrokenLink
from mirror.sites import SPECS, SiteSpec

SEEDS_RELATIVE = Path("..") / "shared" / "seeds"


@dataclass(frozen=True)
class MirrorSite:
    id: str
    name: str
    province: str
    profile: str | None  # a profile name ("liferay", "websphere", ...) or None
    root: Path  # directory with this site's files
    start_paths: tuple[str, ...]  # e.g. ("/tin-tuc-su-kien",); ("/",) for the generic site
    # (URL path, status) pairs the server answers with that error instead of a page
    statuses: tuple[tuple[str, int], ...] = ()


Builder = Callable[[SiteSpec, Path, Sequence[Article], Sequence[BrokenLink]], dict[str, int]]
_BUILDERS: dict[str | None, Builder] = {
    "liferay": builders.build_liferay,
    "baodansinh": builders.build_baodansinh,
    "liferay7": builders.build_liferay7,
    "websphere": builders.build_websphere,
    "sharepoint": builders.build_sharepoint,
    "wordpress": builders.build_wordpress,
    None: builders.build_generic,
}


def project_root() -> Path:
    """The project's root: the parent of the ``mirror`` package directory."""
    return Path(__file__).resolve().parent.parent


def default_seeds_dir() -> Path | None:
    """``<project root>/../shared/seeds`` if it exists (it does not in a user's fresh clone)."""
    seeds = (project_root() / SEEDS_RELATIVE).resolve()
    return seeds if seeds.is_dir() else None


def build_mirror(out_dir: Path, seeds_dir: Path | None) -> list[MirrorSite]:
    """Render every site into ``out_dir/<site id>``; without ``seeds_dir``, no seed articles."""
    articles = load_articles(seeds_dir)
    broken = load_broken_links()
    out_dir.mkdir(parents=True, exist_ok=True)
    sites: list[MirrorSite] = []
    for spec in SPECS:
        root = out_dir / spec.id
        if root.exists():  # a rebuild must not keep pages of a previous content version
            shutil.rmtree(root)
        root.mkdir()
        statuses = _BUILDERS[spec.profile](
            spec,
            root,
            [a for a in articles if a.site_id == spec.id],
            [b for b in broken if b.site_id == spec.id],
        )
        sites.append(
            MirrorSite(
                id=spec.id,
                name=spec.chrome.name,
                province=spec.chrome.province,
                profile=spec.profile,
                root=root,
                start_paths=spec.start_paths,
                statuses=tuple(sorted(statuses.items())),
            )
        )
    return sites
