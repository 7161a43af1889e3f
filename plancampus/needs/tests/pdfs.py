"""Reading the needs documents back: text (pypdf), fonts, Khmer shaping, the page image.

Text extraction reads the PDF's glyph-to-character maps (ToUnicode), which lose a letter
inside some of Noto Sans Khmer's ligatures (វិស័យ comes out as វិ័យ): the words checked are
ones whose glyphs map back whole. That the Khmer is *shaped* is checked on the same maps: a
shaped Khmer text draws a subscript consonant (coeng U+17D2 + consonant) as one glyph, so the
maps hold glyphs standing for "្ត", "ម្លៃ"...; an unshaped one draws the coeng sign as a glyph
of its own. The first page is also drawn by poppler (``pdftoppm``), a second reader.
"""

from __future__ import annotations

import io
import re
import shutil
import subprocess

import pypdf
import pytest
from PIL import Image

COENG = "\u17d2"
KHMER_CONSONANT = "[\u1780-\u17a2]"
PDFTOPPM = shutil.which("pdftoppm")
needs_pdftoppm = pytest.mark.skipif(
    PDFTOPPM is None,
    reason="pdftoppm is missing: apt-get install poppler-utils (.ci/run installs it)",
)


def pdf_text(content: bytes) -> str:
    reader = pypdf.PdfReader(io.BytesIO(content))
    return "\n".join(page.extract_text() for page in reader.pages)


def khmer_words(content: bytes) -> str:
    """The PDF's text without white space (pypdf breaks Khmer lines anywhere)."""
    return "".join(pdf_text(content).split())


def _fonts(content: bytes) -> dict[str, pypdf.generic.DictionaryObject]:
    reader = pypdf.PdfReader(io.BytesIO(content))
    fonts = {}
    for page in reader.pages:
        for font in page["/Resources"].get("/Font", {}).values():
            font = font.get_object()
            fonts[str(font["/BaseFont"])] = font
    return fonts


def embedded_fonts(content: bytes) -> set[str]:
    return set(_fonts(content))


def glyph_texts(content: bytes) -> list[str]:
    """What each glyph of the Khmer fonts stands for, from their ToUnicode maps."""
    texts = []
    for name, font in _fonts(content).items():
        if "Khmer" not in name or "/ToUnicode" not in font:
            continue
        cmap = font["/ToUnicode"].get_object().get_data().decode("latin-1")
        for block in re.findall(r"beginbfchar(.*?)endbfchar", cmap, re.S):
            for _glyph, target in re.findall(r"<([0-9a-fA-F]+)>\s*<([0-9a-fA-F]*)>", block):
                texts.append(bytes.fromhex(target).decode("utf-16-be"))
    return texts


def khmer_shaping_problems(content: bytes) -> list[str]:
    """Signs that the Khmer text was not shaped (empty when it was)."""
    texts = glyph_texts(content)
    problems = []
    if not any(re.search(COENG + KHMER_CONSONANT, text) for text in texts):
        problems.append("no subscript consonant drawn as one glyph")
    if COENG in texts:
        problems.append("the coeng sign drawn as a glyph of its own")
    return problems


def first_page_image(content: bytes, dpi: int = 50) -> Image.Image:
    """The first page drawn by poppler, in grey levels (mark the test ``needs_pdftoppm``)."""
    png = subprocess.run(  # noqa: S603 - a fixed command on our own PDF bytes
        [PDFTOPPM, "-png", "-gray", "-r", str(dpi), "-f", "1", "-l", "1", "-"],
        input=content,
        capture_output=True,
        check=True,
        timeout=60,
    ).stdout
    return Image.open(io.BytesIO(png)).convert("L")


def ink_share(image: Image.Image) -> float:
    """The share of dark pixels: a blank page has none."""
    histogram = image.histogram()
    return sum(histogram[:128]) / max(1, sum(histogram))
