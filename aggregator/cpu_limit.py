"""A limit on the CPU time of a block of code, by a profiling timer (``ITIMER_PROF``: the
process's CPU time, user and system) whose signal raises
:class:`~aggregator.exceptions.ExtractionTimeout` where the code is.

Signals are handled in the main thread only: elsewhere (a crawl extracting in a thread of its
own) the block runs without a limit. The timer counts the whole process's CPU: in a worker that
is the page's; in a crawl extracting in its own process (no workers) its other threads' too, so
a page may be given up sooner there. A signal is handled between Python's bytecodes, so a
long call into C (one huge regular expression, an lxml parse) ends before it is stopped: the
crawl's process backs the limit with a wall-clock one that replaces a worker that does not
answer (``spiders.extraction_workers``).

An exception raised inside a finaliser (``__del__``, which libraries' caches run at any
moment) is printed and dropped by Python: the timer repeats until the exception is raised
outside one, and a signal that lands in a finaliser waits for the next tick.
"""

from __future__ import annotations

import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from types import FrameType

from aggregator.exceptions import ExtractionTimeout

_armed = False
# CPU between two signals once the deadline is reached and the first one fell in a finaliser.
_REPEAT = 0.05


def _in_finaliser(frame: FrameType | None) -> bool:
    while frame is not None:
        if frame.f_code.co_name == "__del__":
            return True
        frame = frame.f_back
    return False


def _expire(_signum: int, frame: FrameType | None) -> None:
    # A signal already on its way as the block ends is ignored: this handler stays installed
    # (the default action of SIGPROF ends the process).
    if _armed and not _in_finaliser(frame):
        raise ExtractionTimeout


@contextmanager
def cpu_limit(seconds: float | None) -> Iterator[None]:
    """Raise ExtractionTimeout inside the block once it has used ``seconds`` of CPU (None or
    0: no limit; nor outside the main thread)."""
    global _armed
    if not seconds or threading.current_thread() is not threading.main_thread():
        yield
        return
    if signal.getsignal(signal.SIGPROF) is not _expire:
        signal.signal(signal.SIGPROF, _expire)
    _armed = True
    signal.setitimer(signal.ITIMER_PROF, seconds, _REPEAT)
    try:
        yield
    finally:
        _armed = False
        signal.setitimer(signal.ITIMER_PROF, 0)
