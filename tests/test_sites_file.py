"""The data directory remembers the registry file it was crawled with: the commands after a
crawl with --sites (or the demo) know its sites without being told again."""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from aggregator.cli.sites_file import remember_sites_file
from aggregator.store import open_store
from mirror.build import build_mirror
from mirror.server import MirrorServer
from tests.backends import backend
from tests.helpers import FAST, tinlaodong, write_registry

__all__ = ["backend"]
pytestmark = pytest.mark.usefixtures("backend")


@pytest.fixture
def crawled(tmp_path: Path) -> Iterator[tuple[Path, Path]]:
    """(data directory, registry file): Quảng Trị's mirror site crawled with --sites."""
    (site,) = [s for s in build_mirror(tmp_path / "mirror", None) if s.id == "mirror-quangtri"]
    with MirrorServer([site]) as mirror:
        registry = tmp_path / "own-sites.yaml"
        mirror.write_registry(registry)
        data = tmp_path / "data"
        result = tinlaodong("crawl", "--sites", str(registry), "--data-dir", str(data), *FAST)
        assert result.returncode == 0, result.stderr
        yield data, registry


def test_sites_after_a_crawl_with_sites_lists_that_files_sites(crawled: tuple[Path, Path]) -> None:
    data, _ = crawled
    result = tinlaodong("sites", "list", "--json", "--data-dir", str(data))
    assert result.returncode == 0, result.stderr
    (site,) = [json.loads(line) for line in result.stdout.splitlines()]
    assert site["id"] == "mirror-quangtri"
    assert site["last_crawl"] is not None and site["stories"] > 0


def test_stories_after_a_crawl_with_sites_name_that_files_sites(crawled: tuple[Path, Path]) -> None:
    data, _ = crawled
    result = tinlaodong("stories", "--data-dir", str(data))
    assert result.returncode == 0, result.stderr
    first = result.stdout.splitlines()[0]
    assert first.endswith("nguồn: Quảng Trị]"), first  # the publisher's province, not "-"
    stories = tinlaodong("stories", "--json", "--data-dir", str(data)).stdout.splitlines()
    sources = [s for line in stories for s in json.loads(line)["sources"]]
    assert {s["site_name"] for s in sources} == {"Sở LĐ-TB&XH tỉnh Quảng Trị"}


def test_an_explicit_sites_wins_and_a_crawl_with_it_is_remembered(
    crawled: tuple[Path, Path], tmp_path: Path
) -> None:
    data, _ = crawled
    elsewhere = {"province": "Huế", "start_urls": ["http://127.0.0.1:9/"]}
    other = write_registry(
        tmp_path / "other.yaml", [{"id": "so-khac", "name": "Sở khác", **elsewhere}]
    )
    listed = tinlaodong("sites", "list", "--sites", str(other), "--data-dir", str(data))
    assert listed.stdout.split()[0] == "so-khac"
    # Not remembered by a listing: the data directory was not crawled with it.
    again = tinlaodong("sites", "list", "--data-dir", str(data))
    assert again.stdout.split()[0] == "mirror-quangtri"
    tinlaodong("crawl", "--sites", str(other), "--data-dir", str(data), *FAST)
    after = tinlaodong("sites", "list", "--data-dir", str(data))
    assert after.stdout.split()[0] == "so-khac"


def test_a_remembered_file_that_is_gone_is_one_line_saying_what_to_do(
    crawled: tuple[Path, Path],
) -> None:
    data, registry = crawled
    registry.unlink()
    result = tinlaodong("stories", "--data-dir", str(data))
    assert result.returncode == 2
    assert result.stderr.count("\n") == 1, result.stderr
    assert str(registry) in result.stderr and "--sites" in result.stderr


def test_a_moved_data_directory_reads_its_own_copy_of_the_registry(tmp_path: Path) -> None:
    data = tmp_path / "data"
    open_store(data).close()

    def registry_of(site_id: str) -> Path:
        site = {"id": site_id, "name": site_id, "province": "Hà Nội",
                "start_urls": ["https://x.vn/"]}
        return write_registry(data / "sites.yaml", [site])

    remember_sites_file(data, registry_of("before"))
    registry_of("inside")  # the data directory's own copy, changed
    moved = tmp_path / "moved"
    shutil.copytree(data, moved)
    shutil.rmtree(data)
    result = tinlaodong("sites", "list", "--json", "--data-dir", str(moved))
    assert result.returncode == 0, result.stderr
    assert [json.loads(line)["id"] for line in result.stdout.splitlines()] == ["inside"]
