"""Text helpers for multilingual names: normalisation, Khmer segmentation, collation.

Khmer text arrives in several encodings of the same visible string (different orders of
combining marks, invisible zero-width spaces used as word-break hints). Search copies are
therefore NFC-normalised, stripped of zero-width characters and case-folded; sorting uses
ICU's Khmer collation rather than code-point order.
"""

from __future__ import annotations

import functools
import re
import unicodedata

import icu

ZERO_WIDTH = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff\u00ad"), None)
KHMER_RE = re.compile(r"[\u1780-\u17ff\u19e0-\u19ff]")
SPACES_RE = re.compile(r"\s+")


def normalize(text: str | None) -> str:
    """Return the search form of ``text``: NFC, no zero-width characters, case-folded.

    >>> normalize("Sok\u200b  SOPHEA")
    'sok sophea'
    """
    if not text:
        return ""
    text = unicodedata.normalize("NFC", text).translate(ZERO_WIDTH)
    return SPACES_RE.sub(" ", text).strip().casefold()


def clean(text: str | None) -> str:
    """NFC-normalise and trim a value for storage (keeps case; drops zero-width characters)."""
    if not text:
        return ""
    return SPACES_RE.sub(" ", unicodedata.normalize("NFC", text).translate(ZERO_WIDTH)).strip()


def has_khmer(text: str) -> bool:
    return bool(KHMER_RE.search(text or ""))


_KHMER_LOCALE = icu.Locale("km")


def segment_khmer(text: str) -> list[str]:
    """Split Khmer text into words with ICU's dictionary-based break iterator.

    Khmer is written without spaces between words; search and full-text indexes need words.
    """
    text = clean(text)
    if not text:
        return []
    breaker = icu.BreakIterator.createWordInstance(_KHMER_LOCALE)
    breaker.setText(text)
    words = []
    start = breaker.first()
    for end in breaker:
        word = text[start:end].strip()
        if word and any(ch.isalnum() or KHMER_RE.match(ch) for ch in word):
            words.append(word)
        start = end
    return words


def search_document(*parts: str | None) -> str:
    """Build the text a search looks in: every part normalised, plus Khmer words split out."""
    pieces: list[str] = []
    for part in parts:
        norm = normalize(part)
        if not norm:
            continue
        pieces.append(norm)
        if has_khmer(norm):
            words = segment_khmer(norm)
            segmented = " ".join(words)
            if segmented != norm:
                pieces.append(segmented)
    return " ".join(pieces)


def search_terms(query: str) -> list[str]:
    """Split a user's query into normalised terms that must all occur."""
    norm = normalize(query)
    terms: list[str] = []
    for chunk in norm.split(" "):
        if chunk:
            terms.append(chunk)
    return terms[:8]


@functools.lru_cache(maxsize=8)
def _collator(language: str) -> icu.Collator:
    return icu.Collator.createInstance(icu.Locale(language))


def sort_key(text: str | None, language: str = "km") -> str:
    """A string whose ordinary (byte) order is ICU's collation order for ``language``."""
    return _collator(language).getSortKey(clean(text)).hex()
