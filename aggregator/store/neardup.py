"""Near-duplicate bodies: MinHash sketches of word shingles, banded for a database index.

A body is read as its words (NFC, case-folded, punctuation dropped, credit lines such as
"Nguồn: Sở LĐ-TB&XH tỉnh Quảng Trị" left out) and cut into overlapping shingles of
``SHINGLE_WORDS`` words (Vietnamese syllables). Its sketch is a MinHash of those shingles
(datasketch's, permutation scheme pinned, computed here with numpy for all shingles at once)
plus the number of distinct shingles.

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
from functools import cached_property

import numpy as np

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
_BAND_PREFIXES = tuple(struct.pack("<H", band) for band in range(BANDS))
_PARAGRAPH_RE = re.compile(r"\n\s*\n|\n")


def words(text: str) -> list[str]:
    """The words compared: NFC, case-folded, punctuation stripped, credit lines left out."""
    kept = [p for p in _PARAGRAPH_RE.split(text) if not is_credit_line(p)]
    normal = unicodedata.normalize("NFC", "\n".join(kept)).casefold()
    return _WORD_RE.findall(normal)


def shingles(text: str, size: int = SHINGLE_WORDS) -> set[str]:
    return {s.decode("utf-8") for s in _encoded_shingles(text, size)}


def _encoded_shingles(text: str, size: int) -> set[bytes]:
    """The shingles, UTF-8 encoded (what is hashed): words encoded once, not each shingle."""
    tokens = [w.encode("utf-8") for w in words(text)]
    if len(tokens) <= size:
        return {b" ".join(tokens)} if tokens else set()
    return {b" ".join(tokens[i : i + size]) for i in range(len(tokens) - size + 1)}


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
        return list(self._band_keys)

    @cached_property
    def _band_keys(self) -> tuple[int, ...]:
        raw = self.signature.astype("<u4").tobytes()
        width = 4 * ROWS
        return tuple(
            int.from_bytes(
                hashlib.blake2b(prefix + raw[i * width : (i + 1) * width], digest_size=8).digest(),
                "little",
                signed=True,
            )
            for i, prefix in enumerate(_BAND_PREFIXES)
        )

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


def _permutations() -> tuple[np.ndarray, np.ndarray]:
    """datasketch's ``affine32`` permutations ``a * h + b`` for ``NUM_PERM`` and ``SEED`` (its
    ``MinHash._init_permutations``; ``tests/test_neardup.py`` compares with datasketch): made
    here, since importing datasketch imports scipy, most of a second at every crawl's start."""
    generator = np.random.RandomState(SEED)
    a = generator.randint(0, 1 << 31, NUM_PERM, dtype=np.uint32) * np.uint32(2) + np.uint32(1)
    b = generator.randint(0, 1 << 32, NUM_PERM, dtype=np.uint32)
    return a, b


_A, _B = _permutations()
_EMPTY = np.full(NUM_PERM, np.iinfo(np.uint32).max, dtype=np.uint32)  # no shingle: all max
_FMIX = (np.uint32(16), np.uint32(0x85EBCA6B), np.uint32(13), np.uint32(0xC2B2AE35))


def sketch(text: str, size: int = SHINGLE_WORDS) -> Sketch:
    """The MinHash of ``text``'s shingles: datasketch's ``MinHash.update_batch`` (scheme
    ``affine32``: sha1's first 4 bytes, the MurmurHash3 finalizer, ``a * h + b`` mod 2^32, the
    minimum per permutation), the same values, computed for all shingles at once."""
    found = _encoded_shingles(text, size)
    if not found:
        return Sketch(_EMPTY.copy(), 0)
    sha1 = hashlib.sha1
    digests = b"".join([sha1(s).digest()[:4] for s in found])
    h = np.frombuffer(digests, dtype="<u4").astype(np.uint32)
    shift1, multiplier1, shift2, multiplier2 = _FMIX
    h ^= h >> shift1
    h *= multiplier1
    h ^= h >> shift2
    h *= multiplier2
    h ^= h >> shift1
    permuted = np.multiply.outer(h, _A)  # one row per shingle, one column per permutation
    permuted += _B
    return Sketch(permuted.min(axis=0), len(found))
