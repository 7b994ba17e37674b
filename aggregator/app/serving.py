"""The web page and the feeds of a data directory over HTTP (``serve``, ``demo``,
``feeds serve``)."""

from __future__ import annotations

import logging
import signal
from pathlib import Path
from types import FrameType

from aggregator.exceptions import ConfigError
from aggregator.paths import feeds_dir
from aggregator.registry import load_registry
from feeds.web import WebServer

logger = logging.getLogger("tinlaodong.serve")


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
    """Serve until Ctrl-C (SIGINT) or SIGTERM (a service manager's stop), then stop the server.

    Ctrl-C's handler is put in too: a command started with SIGINT ignored (a background job of
    a shell script inherits that) keeps it ignored, as Python puts its own only over the
    default, and would serve on through every SIGINT.
    """

    def terminate(signum: int, _frame: FrameType | None) -> None:
        logger.info("%s received, stopping", signal.Signals(signum).name)
        raise KeyboardInterrupt  # the server stops on it as on Ctrl-C

    previous = {
        signal.SIGINT: signal.signal(signal.SIGINT, signal.default_int_handler),
        signal.SIGTERM: signal.signal(signal.SIGTERM, terminate),
    }
    try:
        server.serve_forever()
    finally:
        server.stop()
        for sig, handler in previous.items():
            signal.signal(sig, handler)
