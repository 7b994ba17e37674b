"""What the store compares a body by, made once from its text.

The exact-copy hash, the near-duplicate sketch with its band keys, and the publisher the body
credits depend on the text alone: the crawl's extraction workers make them beside the article
(``aggregator.extraction.extract_outcome``), so that the store's writer, which runs in the
crawl's own process beside Scrapy's reactor, only looks them up and writes them. They were a
fifth of its CPU there.
"""

from __future__ import annotations

from dataclasses import dataclass

from aggregator.store import neardup
from aggregator.store.fingerprint import content_hash, credited_publisher


@dataclass(frozen=True)
class BodyPrint:
    digest: str  # content_hash: the exact-copy key
    sketch: neardup.Sketch  # its band keys worked out too, and pickled with it
    credit: str | None  # credited_publisher

    @classmethod
    def of(cls, text: str) -> BodyPrint:
        sketch = neardup.sketch(text)
        sketch.band_keys()  # cached on the sketch: made where the text is, not in the writer
        return cls(content_hash(text), sketch, credited_publisher(text))
