"""Where a URL's page lives in a built site: the one mapping that build and server share.

Static files cannot hold a query string, but the sites paginate with one (Liferay's
``?p_p_id=101&...&_101_cur=2``, Báo Dân sinh's ``?page=2``). A URL with a query maps to a file
named after a hash of its sorted parameters, so parameter order does not matter and the build
can write, ahead of time, exactly the file the server will look for.
"""

from __future__ import annotations

import hashlib
from posixpath import splitext
from urllib.parse import parse_qsl, urlencode, urlsplit

INDEX = "index.html"


def file_for(path: str, query: str = "") -> str:
    """Relative file path (POSIX) for a URL path and query string; never escapes the site root.

    ``/`` -> ``index.html``; ``/tin-tuc-su-kien`` -> ``tin-tuc-su-kien/index.html``;
    ``/a/b.html`` -> ``a/b.html``; with a query: ``tin-tuc-su-kien/index.q-<hash>.html``.
    """
    parts = [p for p in path.split("/") if p not in ("", ".", "..")]
    if not parts or path.endswith("/") or not splitext(parts[-1])[1]:
        parts.append(INDEX)
    relative = "/".join(parts)
    if not query:
        return relative
    canonical = urlencode(sorted(parse_qsl(query, keep_blank_values=True)))
    digest = hashlib.sha1(canonical.encode("utf-8")).hexdigest()[:12]
    stem, ext = splitext(relative)
    return f"{stem}.q-{digest}{ext}"


def file_for_url(url: str) -> str:
    """:func:`file_for` of a root-relative URL such as ``/lao-dong-viec-lam?page=2``."""
    parts = urlsplit(url)
    return file_for(parts.path, parts.query)


# Absolute URLs in built files (sitemap, RSS, robots.txt) use this base; the server swaps in its
# own address when it serves them, since the port is only known once it listens.
BASE_URL_PLACEHOLDER = "http://mirror.invalid"
