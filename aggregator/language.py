"""The language of an article: Vietnamese recognised from its letters, else what the page says.

Portal CMSs declare a default whatever the content (Liferay ships ``lang="en-US"`` on
Vietnamese pages), so the text decides when it is plainly Vietnamese. A letter check is enough
for the one question this aggregator asks (Vietnamese or not) and costs nothing per page;
a statistical identifier (py3langid) can take over when more languages matter.
"""

from __future__ import annotations

import re
import unicodedata

# Letters only Vietnamese uses among Latin-script languages: đ, ơ, ư, and vowels carrying a
# tone mark on top of a circumflex or breve, or the dot below.
VIETNAMESE_LETTERS = re.compile(
    r"[đơưạảấầẩẫậắằẳẵặẹẻẽếềểễệỉịọỏốồổỗộớờởỡợụủứừửữựỳỵỷỹ]", re.IGNORECASE
)
_WORD = re.compile(r"\w+")


def declared_code(declared: str | None) -> str | None:
    """ "vi-VN" -> "vi"."""
    if not declared:
        return None
    return declared.strip().split("-")[0].split("_")[0].lower() or None


def article_language(text: str, declared: str | None) -> str | None:
    sample = unicodedata.normalize("NFC", text[:4000])
    words = _WORD.findall(sample)
    if words:
        marked = sum(1 for word in words if VIETNAMESE_LETTERS.search(word))
        if marked / len(words) >= 0.15:
            return "vi"
    return declared_code(declared)
