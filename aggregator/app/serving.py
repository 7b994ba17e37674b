"""The web page and the feeds of a data directory over HTTP (``serve``, ``demo``,
``feeds serve``)."""

from __future__ import annotations

from pathlib import Path

from aggregator.exceptions import ConfigError
from aggregator.paths import feeds_dir
from aggregator.registry import load_registry
from feeds.web import WebServer


def start_web_server(
    data_dir: Path, host: str, port: int, sites_file: Path | None = None
) -> WebServer:
    """The web app (page, saved searches, /healthz, /metrics) and the feed files of
    ``data_dir`` listening on ``host:port``, in a background thread."""
    feeds_dir(data_dir).mkdir(parents=True, exist_ok=True)  # empty until a crawl writes feeds
    server = WebServer.for_data_dir(data_dir, load_registry(sites_file).sites, host, port)
    try:
        server.start()
    except OSError as exc:
        server.stop()
        raise ConfigError(f"cannot listen on {host}:{port}: {exc.strerror}") from exc
    return server


def serve_until_interrupted(server: WebServer) -> None:
    """Serve until Ctrl-C or SIGTERM, then stop the server."""
    try:
        server.serve_forever()
    finally:
        server.stop()
