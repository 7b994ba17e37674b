"""Near-duplicate bodies: MinHash sketches of word shingles, banded for a database index.

A body is read as its words (NFC, case-folded, punctuation dropped, credit lines such as
"Nguồn: Sở LĐ-TB&XH tỉnh Quảng Trị" left out) and cut into overlapping shingles of
``SHINGLE_WORDS`` words (Vietnamese syllables). Its sketch is a 128-value MinHash of those
shingles (datasketch, permutation scheme pinned) plus the number of distinct shingles.

Candidates are found through ``BANDS`` band keys of ``ROWS`` values each (LSH): two bodies
sharing a key are compared, nothing else is. Jaccard similarity is estimated from the two
signatures; containment (``|A∩B| / min(|A|, |B|)``, what a copy cut short keeps of the
original) from that estimate and the two sizes. Two bodies are the same story when either passes
its threshold. The thresholds and the shingle size come from ``bench/neardup_bench.py`` on the
labelled pairs of ``tests/data/neardup_pairs.yaml``.
"""

from __future__ import annotations

import hashlib
import re
import struct
import unicodedata
from dataclasses import dataclass

import numpy as np
from datasketch import MinHash

from aggregator.store.fingerprint import is_credit_line

SHINGLE_WORDS = 6
NUM_PERM = 256
BANDS, ROWS = 85, 3  # 255 of 256 values; P(candidate) = 1 - (1 - J^3)^85: 0.9 at J 0.3
SEED = 1
SCHEME = "affine32"
# Names the parameters above: sketches made with other ones are not comparable.
SKETCH_VERSION = f"minhash-{SCHEME}-{NUM_PERM}-{SEED}/w{SHINGLE_WORDS}/b{BANDS}r{ROWS}"

# Chosen by bench/neardup_bench.py on tests/data/neardup_pairs.yaml (234 labelled pairs, and
# 21,507 other pairs of different stories): the best recall with no false merge. 6-word
# shingles keep formulaic notices that differ only in their topic apart (4-word ones merge
# them); precision 1.000, recall 0.988 (two cut-short copies of 50-60-shingle articles with
# a lead added stay apart).
JACCARD_MIN = 0.5
CONTAINMENT_MIN = 0.7
# Containment is only trusted between bodies of some length: a two-line notice is "contained"
# in many articles that quote it.
CONTAINMENT_MIN_SHINGLES = 30

_WORD_RE = re.compile(r"\w+")
_PARAGRAPH_RE = re.compile(r"\n\s*\n|\n")


def words(text: str) -> list[str]:
    """The words compared: NFC, case-folded, punctuation stripped, credit lines left out."""
    kept = [p for p in _PARAGRAPH_RE.split(text) if not is_credit_line(p)]
    normal = unicodedata.normalize("NFC", "\n".join(kept)).casefold()
    return _WORD_RE.findall(normal)


def shingles(text: str, size: int = SHINGLE_WORDS) -> set[str]:
    tokens = words(text)
    if len(tokens) <= size:
        return {" ".join(tokens)} if tokens else set()
    return {" ".join(tokens[i : i + size]) for i in range(len(tokens) - size + 1)}


@dataclass(frozen=True)
class Sketch:
    """A body's MinHash signature and its number of distinct shingles."""

    signature: np.ndarray
    size: int

    def to_bytes(self) -> bytes:
        return self.signature.astype("<u4").tobytes()

    @classmethod
    def from_bytes(cls, data: bytes, size: int) -> Sketch:
        return cls(np.frombuffer(data, dtype="<u4").astype(np.uint32), size)

    def band_keys(self) -> list[int]:
        """One signed 64-bit key per band (the band's number is part of the key)."""
        raw = self.signature.astype("<u4")
        keys = []
        for band in range(BANDS):
            digest = hashlib.blake2b(
                struct.pack("<H", band) + raw[band * ROWS : (band + 1) * ROWS].tobytes(),
                digest_size=8,
            ).digest()
            keys.append(int.from_bytes(digest, "little", signed=True))
        return keys

    def jaccard(self, other: Sketch) -> float:
        if not self.size or not other.size:
            return 0.0
        return float(np.count_nonzero(self.signature == other.signature)) / len(self.signature)

    def containment(self, other: Sketch) -> float:
        """|A∩B| / min(|A|, |B|), from the Jaccard estimate: |A∩B| = J (|A|+|B|) / (1+J)."""
        smaller = min(self.size, other.size)
        if not smaller:
            return 0.0
        j = self.jaccard(other)
        return min(1.0, j * (self.size + other.size) / (1.0 + j) / smaller)


@dataclass(frozen=True)
class Thresholds:
    jaccard: float = JACCARD_MIN
    containment: float = CONTAINMENT_MIN
    containment_min_shingles: int = CONTAINMENT_MIN_SHINGLES

    def same_story(self, a: Sketch, b: Sketch) -> bool:
        return self.score(a, b) >= 1.0

    def score(self, a: Sketch, b: Sketch) -> float:
        """How far past its thresholds the pair is (>= 1: the same story); ranks candidates."""
        j = a.jaccard(b)
        best = j / self.jaccard if self.jaccard else 0.0
        if min(a.size, b.size) >= self.containment_min_shingles and self.containment:
            best = max(best, a.containment(b) / self.containment)
        return best


DEFAULT_THRESHOLDS = Thresholds()


def sketch(text: str, size: int = SHINGLE_WORDS) -> Sketch:
    found = shingles(text, size)
    minhash = MinHash(num_perm=NUM_PERM, seed=SEED, scheme=SCHEME)
    minhash.update_batch([s.encode("utf-8") for s in sorted(found)])
    return Sketch(np.asarray(minhash.hashvalues, dtype=np.uint32), len(found))
