"""The page and feed server under a flood of idle or slowloris connections: how many it holds,
how fast it answers another client meanwhile, how many descriptors it uses.

    .venv/bin/python bench/slow_clients.py                          # 1,100 idle, 1,024 fds
    .venv/bin/python bench/slow_clients.py --mode slowloris --connections 1100
    .venv/bin/python bench/slow_clients.py --fds 256 --connections 400
    .venv/bin/python bench/slow_clients.py --mode unread --connections 700 --addresses 21 \
        --seconds 20

``tinlaodong feeds serve`` runs in a subprocess whose open-file limit (soft and hard) is
``--fds``, over the test suite's small data directory; the flood comes from ``--addresses``
loopback addresses (127.0.0.1, 127.0.0.2, ...; 127.0.0.1 is the trusted proxy's, not capped),
as many connections from each; the measured client, from 127.0.0.1, asks for ``/healthz``
and a feed, one after the other. Idle: the connections send nothing; slowloris: each sends
its head a byte every 0.5 s; unread: each asks for a big page (``--size`` bytes) ``--pipeline``
times in a row, and reads nothing.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:  # run as a script: the project and its tests importable
    sys.path.insert(0, str(ROOT))

from tests.test_server_limits import with_fd_limit  # noqa: E402
from tests.test_web import populated_data_dir  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--fds", type=int, default=1024)
    parser.add_argument("--connections", type=int, default=1100)
    parser.add_argument("--mode", choices=("idle", "slowloris", "unread"), default="idle")
    parser.add_argument("--seconds", type=float, default=5.0, help="measuring time")
    parser.add_argument("--pipeline", type=int, default=50, help="unread: requests in a row")
    parser.add_argument("--size", type=int, default=508_000, help="unread: the page's bytes")
    parser.add_argument(
        "--addresses",
        type=int,
        default=2,
        help="flood from 127.0.0.1 and 127.0.0.2, ... (at most 250)",
    )
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        data = populated_data_dir(Path(tmp))
        log = Path(tmp) / "server.log"
        (data.data_dir / "feeds" / "big.html").write_bytes(b"x" * args.size)

        command = with_fd_limit(
            args.fds, "feeds", "serve", "--data-dir", str(data.data_dir), "--sites",
            str(data.sites_file),
        )  # fmt: skip
        with log.open("w") as errors:
            server = subprocess.Popen(
                [*command, "--port", "0"],
                stdout=subprocess.PIPE,
                stderr=errors,
                text=True,
            )
        try:
            assert server.stdout is not None
            found = re.search(r"http://127\.0\.0\.1:(\d+)", server.stdout.readline())
            assert found, log.read_text()
            _measure(int(found.group(1)), server.pid, args, log)
        finally:
            server.terminate()
            server.wait(10)


def _measure(port: int, pid: int, args: argparse.Namespace, log: Path) -> None:
    flood: list[socket.socket] = []
    for n in range(args.connections):
        sock = socket.socket()
        sock.bind((f"127.0.0.{1 + n % args.addresses}", 0))
        sock.settimeout(5)
        try:
            sock.connect(("127.0.0.1", port))
        except OSError:
            sock.close()
            continue
        flood.append(sock)
        if args.mode == "unread":
            with contextlib.suppress(OSError):
                sock.sendall(b"GET /big.html HTTP/1.1\r\nHost: x\r\n\r\n" * args.pipeline)
    stop = threading.Event()
    head = b"GET /healthz HTTP/1.1\r\nHost: x\r\n" + b"X-Pad: a\r\n" * 1000

    def trickle() -> None:
        for n in range(len(head)):
            for sock in flood:
                with contextlib.suppress(OSError):  # cut off: the server's deadline
                    sock.send(head[n : n + 1])
            if stop.wait(0.5):
                return

    sender = threading.Thread(target=trickle, daemon=True)
    if args.mode == "slowloris":
        sender.start()
    cpu_before = _cpu(pid)
    started = time.monotonic()
    latencies, failures, busy = [], 0, 0
    reasons: Counter[str] = Counter()
    base = f"http://127.0.0.1:{port}"
    while time.monotonic() - started < args.seconds:
        for path in ("/healthz", "/all.rss.xml"):
            begun = time.monotonic()
            try:
                with urllib.request.urlopen(base + path, timeout=5) as response:
                    response.read()
                latencies.append(time.monotonic() - begun)
                if latencies[-1] > 0.5:
                    print(f"  slow at {begun - started:.1f} s: {latencies[-1]:.2f} s {path}")
            except urllib.error.HTTPError as error:
                error.close()
                busy += error.code == 503
                failures += 1
            except OSError as error:
                failures += 1
                reasons[repr(error)[:80]] += 1
    elapsed = time.monotonic() - started
    cpu = (_cpu(pid) - cpu_before) / os.sysconf("SC_CLK_TCK") / elapsed
    held = sum(1 for sock in flood if _open(sock))
    fds = len(os.listdir(f"/proc/{pid}/fd"))
    stop.set()
    for sock in flood:
        sock.close()
    time.sleep(0.5)
    text = log.read_text()
    quantiles = statistics.quantiles(latencies, n=100) if len(latencies) > 1 else [0.0] * 99
    median = statistics.median(latencies) if latencies else 0.0
    print(
        f"{args.mode}: {len(flood)} connections opened against {args.fds} fds; held at the end "
        f"{held}; server fds {fds}; server CPU {cpu:.0%} of a core\n"
        f"  other client: {len(latencies)} answered, {failures} failed ({busy} 503); p50 "
        f"{median * 1000:.1f} ms, p99 {quantiles[98] * 1000:.1f} ms, max "
        f"{max(latencies, default=0) * 1000:.1f} ms\n"
        f"  'unable to open database file' in the log: {text.count('unable to open')}; "
        f"tracebacks: {text.count('Traceback')}"
    )
    for reason, count in reasons.most_common(3):
        print(f"  failed {count}: {reason}")
    if "Traceback" in text:  # the first, to see what failed
        print(text[text.index("Traceback") :][:6000].rsplit("Traceback", 1)[0][-1500:])


def _cpu(pid: int) -> int:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return int(fields[11]) + int(fields[12])  # utime + stime, in clock ticks


def _open(sock: socket.socket) -> bool:
    sock.setblocking(False)
    try:
        while sock.recv(65536):
            pass
    except BlockingIOError:
        return True
    except OSError:
        return False
    return False


if __name__ == "__main__":
    main()
