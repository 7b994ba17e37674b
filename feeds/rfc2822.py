"""RSS dates without ``locale.setlocale``.

feedgen 1.0 formats every RSS date (``lastBuildDate``, each item's ``pubDate``) with
``feedgen.util.formatRFC2822``, which switches the *process-wide* locale to "C" around a
``strftime`` and then switches it back. ``setlocale`` is not thread-safe: a thread that formats
numbers or dates meanwhile sees the wrong locale, and two feed builds at once can restore the
wrong one for good. feedgen offers no hook for date formatting, and it always writes
``lastBuildDate``, so the only way to keep it away from ``setlocale`` is to rebind the name in
the two feedgen modules that imported it. ``email.utils.format_datetime`` writes English day and
month names whatever the locale: byte for byte what feedgen wrote under "C".
"""

from __future__ import annotations

import email.utils
from datetime import datetime

import feedgen.entry
import feedgen.feed

_FEEDGEN_MODULES = (feedgen.feed, feedgen.entry)


def format_rfc2822(value: datetime) -> str:
    """``value`` as an RFC 2822 date with its own offset, e.g. "Mon, 01 Jan 2024 08:30:00 +0700"."""
    return email.utils.format_datetime(value)


def use_locale_free_dates() -> None:
    """Make feedgen format RSS dates with :func:`format_rfc2822`; idempotent.

    Fails loudly if a feedgen upgrade moves the function, rather than silently going back to
    ``setlocale``.
    """
    for module in _FEEDGEN_MODULES:
        if not hasattr(module, "formatRFC2822"):
            raise RuntimeError(f"{module.__name__}.formatRFC2822 is gone: review feeds/rfc2822.py")
        # A module attribute assignment is atomic: safe even if two threads get here at once.
        module.formatRFC2822 = format_rfc2822
