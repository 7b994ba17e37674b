"""``python -m mirror``: build the offline mirror and serve it on loopback until Ctrl-C."""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import threading
from pathlib import Path

from mirror.build import build_mirror, default_seeds_dir
from mirror.server import MirrorServer


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m mirror",
        description="Build the offline mirror of the labour-department sites and serve it on "
        "127.0.0.1 (one port per site) until Ctrl-C.",
    )
    parser.add_argument(
        "--out", type=Path, help="build into this directory (default: a temporary one)"
    )
    parser.add_argument(
        "--port-file",
        type=Path,
        help="write {site id: base URL} as JSON to this file once the sites listen",
    )
    parser.add_argument(
        "--seeds",
        type=Path,
        default=None,
        help="directory of the user's seed dumps (default: ../shared/seeds if present)",
    )
    args = parser.parse_args(argv)
    seeds = args.seeds or default_seeds_dir()
    if seeds is None:
        print("note: ../shared/seeds not found: building without the user's two seed articles")
    with tempfile.TemporaryDirectory(prefix="tinlaodong-mirror-") as tmp:
        out = args.out or Path(tmp)
        sites = build_mirror(out, seeds)
        with MirrorServer(sites) as mirror:
            registry = out / "mirror-sites.yaml"
            mirror.write_registry(registry)
            for site in sites:
                print(f"{site.id:20} {mirror.base_url(site.id)}  ({site.name})")
            print(f"registry: {registry}")
            if args.port_file:
                urls = {site.id: mirror.base_url(site.id) for site in sites}
                args.port_file.write_text(json.dumps(urls, indent=2) + "\n", encoding="utf-8")
            print("serving; Ctrl-C to stop", flush=True)
            try:
                threading.Event().wait()
            except KeyboardInterrupt:
                print("stopped")
    return 0


if __name__ == "__main__":
    sys.exit(main())
