"""The certificate PDFs: their text in Khmer, English and French, the QR link, and no
missing glyph ("tofu").

Whether Khmer is drawn is checked three independent ways, because each alone can miss a
case:

1. WeasyPrint's log: it reports ``.notdef glyph rendered`` for any character no font of
   the stylesheet can draw. There must be none.
2. The PDF's structure: every font is embedded, and every glyph id drawn by a text
   operator exists in the embedded font program and has an outline (blank glyphs only for
   spaces). A missing glyph shows up as an id past the font's glyph count, or as id 0.
3. The page image (``pdftoppm``, 100 dpi): no hollow box, the shape a renderer draws for a
   glyph it lacks. The box detector is itself checked on a positive control: the same
   certificate with its Khmer letters replaced by U+E000, which no font has, must show
   boxes — and fail checks 1 and 2.

Text is read with pypdf from the fonts' ToUnicode maps. Khmer clusters whose glyphs are
drawn out of logical order (a subscript ro, a vowel written before its consonant) map to
several characters on one glyph and none on the next, so extraction may insert spaces or
move such characters. Khmer strings are therefore compared with whitespace removed (and, for words
with a subscript ro or such a vowel, without those), and the course title — the most complex
string — by checking that each of its characters is in the ToUnicode maps and that its
simple words appear in the extracted text.
"""

from __future__ import annotations

import io
import logging
import re
import shutil
import subprocess
import unicodedata

import numpy as np
import pypdf
import pytest
from django.utils import translation
from fontTools.ttLib import TTFont
from PIL import Image
from pypdf.generic import ContentStream

from plancampus.training.models import Certificate
from plancampus.training.services.certificate_pdf import (
    CertificateRenderer,
    certificate_context,
    institution_names,
)
from plancampus.training.services.certificates import certificates_issue

from .certificates_setup import (
    COURSE_EN,
    COURSE_FR,
    COURSE_KM,
    HOLDER_KM,
    HOLDER_LATIN,
    holder_enrolment,
    make_closed_cohort,
)

KHMER = re.compile(r"[\u1780-\u17ff]")
BLANK = {" ", "\u00a0", "\u200b", "\u200c", "\u200d", ""}
PDFTOPPM = shutil.which("pdftoppm")
needs_pdftoppm = pytest.mark.skipif(
    PDFTOPPM is None,
    reason="pdftoppm is missing: apt-get install poppler-utils (.ci/run installs it)",
)


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def cohort(institution):
    return make_closed_cohort(institution, completed=1, not_completed=0)


def issue(cohort, coordinator, language) -> Certificate:
    certificates_issue(cohort=cohort, issued_by=coordinator, language=language)
    return Certificate.objects.get(enrolment=holder_enrolment(cohort))


def pdf_bytes(certificate: Certificate) -> bytes:
    with certificate.pdf.open("rb") as handle:
        return handle.read()


def squeeze(text: str) -> str:
    """NFC, without whitespace or zero-width characters."""
    text = unicodedata.normalize("NFC", text)
    return re.sub(r"[\s\u200b-\u200d]+", "", text)


def skeleton(text: str) -> str:
    """:func:`squeeze`, without the subscript ro and the vowels written before their
    consonant: the two things text extraction drops or moves in Khmer (see the docstring)."""
    return re.sub("[\u17c1-\u17c3]", "", squeeze(text).replace("\u17d2\u179a", ""))


def translated(text: str, language: str) -> str:
    with translation.override(language):
        return str(translation.gettext(text))


# --- Reading a PDF -------------------------------------------------------------------------


def extract_text(data: bytes) -> str:
    return "\n".join(page.extract_text() for page in pypdf.PdfReader(io.BytesIO(data)).pages)


def to_unicode_maps(font: pypdf.generic.DictionaryObject) -> dict[int, str]:
    """A font's ToUnicode map ``{glyph id: text}`` (bfchar and bfrange entries)."""
    cmap = font["/ToUnicode"].get_object().get_data().decode("latin-1")
    found: dict[int, str] = {}

    def text(hexa: str) -> str:
        return bytes.fromhex(hexa).decode("utf-16-be") if hexa else ""

    for block in re.findall(r"beginbfchar(.*?)endbfchar", cmap, re.S):
        for source, target in re.findall(r"<([0-9a-fA-F]+)>\s*<([0-9a-fA-F]*)>", block):
            found[int(source, 16)] = text(target)
    for block in re.findall(r"beginbfrange(.*?)endbfrange", cmap, re.S):
        for low, high, target in re.findall(
            r"<([0-9a-fA-F]+)>\s*<([0-9a-fA-F]+)>\s*<([0-9a-fA-F]+)>", block
        ):
            start = int(target, 16)
            for offset, code in enumerate(range(int(low, 16), int(high, 16) + 1)):
                found[code] = chr(start + offset)
    return found


def glyph_problems(data: bytes) -> list[str]:
    """Fonts not embedded, and glyphs drawn that their embedded font does not have."""
    reader = pypdf.PdfReader(io.BytesIO(data))
    problems: list[str] = []
    for page in reader.pages:
        fonts = page["/Resources"]["/Font"]
        programs: dict[str, tuple[TTFont, dict[int, str]]] = {}
        current = None
        for operands, operator in ContentStream(page.get_contents(), reader).operations:
            if operator == b"Tf":
                current = fonts[operands[0]].get_object()
                name = str(current["/BaseFont"])
                if name in programs:
                    continue
                descriptor = current["/DescendantFonts"][0].get_object()["/FontDescriptor"]
                program = descriptor.get("/FontFile2")
                if program is None:
                    problems.append(f"{name} is not embedded")
                    current = None
                    continue
                font = TTFont(io.BytesIO(program.get_object().get_data()))
                programs[name] = (font, to_unicode_maps(current))
            elif operator in (b"Tj", b"TJ") and current is not None:
                name = str(current["/BaseFont"])
                font, unicode_map = programs[name]
                order, glyf = font.getGlyphOrder(), font["glyf"]
                items = operands[0] if operator == b"TJ" else operands
                for item in items:
                    if isinstance(item, (int, float, pypdf.generic.NumberObject)):
                        continue
                    raw = bytes(item.original_bytes if hasattr(item, "original_bytes") else item)
                    for i in range(0, len(raw), 2):
                        gid = int.from_bytes(raw[i : i + 2], "big")
                        if gid == 0 or gid >= len(order):
                            problems.append(f"{name}: glyph {gid} is missing")
                        elif glyf[order[gid]].numberOfContours == 0 and unicode_map.get(
                            gid, ""
                        ).strip(" \u00a0\u200b\u200c\u200d"):
                            problems.append(f"{name}: glyph {gid} is blank")
    return problems


def all_to_unicode_text(data: bytes) -> str:
    reader = pypdf.PdfReader(io.BytesIO(data))
    texts = []
    for page in reader.pages:
        for font in page["/Resources"]["/Font"].values():
            texts.extend(to_unicode_maps(font.get_object()).values())
    return "".join(texts)


def link_targets(data: bytes) -> set[str]:
    reader = pypdf.PdfReader(io.BytesIO(data))
    return {
        annotation.get_object()["/A"]["/URI"]
        for page in reader.pages
        for annotation in page.get("/Annots", [])
        if annotation.get_object().get("/Subtype") == "/Link"
    }


# --- Seeing a page -------------------------------------------------------------------------


def page_image(data: bytes, dpi: int = 100) -> np.ndarray:
    """The first page as a grey-level image, drawn by poppler (not by WeasyPrint)."""
    png = subprocess.run(  # noqa: S603 - a fixed command on our own PDF bytes
        [PDFTOPPM, "-png", "-gray", "-r", str(dpi), "-f", "1", "-l", "1", "-"],
        input=data,
        capture_output=True,
        check=True,
        timeout=60,
    ).stdout
    return np.asarray(Image.open(io.BytesIO(png)).convert("L"))


def hollow_boxes(image: np.ndarray) -> list[tuple[int, int, int, int]]:
    """Connected dark shapes that are hollow rectangles of text size: full top, bottom and
    sides, an empty middle. That is how a missing glyph is drawn; no letter of the
    certificate's scripts has that shape."""
    dark = image < 128
    seen = np.zeros_like(dark)
    height, width = dark.shape
    boxes = []
    for y, x in zip(*np.nonzero(dark), strict=True):
        if seen[y, x]:
            continue
        seen[y, x] = True
        stack, ys, xs = [(y, x)], [], []
        while stack:
            cy, cx = stack.pop()
            ys.append(cy)
            xs.append(cx)
            for ny, nx in ((cy + 1, cx), (cy - 1, cx), (cy, cx + 1), (cy, cx - 1)):
                if 0 <= ny < height and 0 <= nx < width and dark[ny, nx] and not seen[ny, nx]:
                    seen[ny, nx] = True
                    stack.append((ny, nx))
        top, bottom, left, right = min(ys), max(ys), min(xs), max(xs)
        box_h, box_w = bottom - top + 1, right - left + 1
        if box_h < 5 or box_w < 3 or box_h > 80:  # specks, rules, the page border
            continue
        region = dark[top : bottom + 1, left : right + 1]
        sides = (region[0].mean(), region[-1].mean(), region[:, 0].mean(), region[:, -1].mean())
        cy, cx = max(1, box_h // 3), max(1, box_w // 3)
        middle = region[cy : box_h - cy, cx : box_w - cx]
        if min(sides) > 0.85 and middle.size and middle.mean() < 0.1:
            boxes.append((int(left), int(top), int(box_w), int(box_h)))
    return boxes


# --- Text in each language -----------------------------------------------------------------


@pytest.mark.django_db
def test_khmer_certificate_text(cohort, coordinator, caplog):
    with caplog.at_level(logging.WARNING, logger="weasyprint"):
        certificate = issue(cohort, coordinator, "km")
    data = pdf_bytes(certificate)
    text = squeeze(extract_text(data))

    assert certificate.course_title == COURSE_KM
    heading = translated("Certificate of completion", "km")
    assert KHMER.search(heading), "the Khmer catalogue translates the certificate's heading"
    assert skeleton(heading) in skeleton(text)
    assert squeeze(translated("This is to certify that", "km")) in text
    assert squeeze(HOLDER_KM) in text
    assert squeeze(cohort.institution.name_km) in text
    # The course title holds subscript ro and vowels drawn before their consonant: every
    # character is in the fonts' ToUnicode maps, and its simple words are in the text.
    assert set(squeeze(COURSE_KM)) <= set(all_to_unicode_text(data))
    for word in ("ផែនការ", "និង", "អប់រំ"):
        assert word in text
    assert HOLDER_LATIN in extract_text(data)  # the Latin name under the Khmer one
    assert certificate.number in text
    assert not [r.message for r in caplog.records if ".notdef" in r.getMessage()]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("language", "course", "heading"),
    [("en", COURSE_EN, "Certificate of completion"), ("fr", COURSE_FR, None)],
)
def test_english_and_french_certificate_text(cohort, coordinator, language, course, heading):
    certificate = issue(cohort, coordinator, language)
    text = extract_text(certificate.pdf.open("rb").read())
    flat = " ".join(text.split())
    expected_heading = heading or translated("Certificate of completion", language)
    if language == "fr":
        assert expected_heading != "Certificate of completion"  # the French catalogue has it
    assert expected_heading in flat
    assert HOLDER_LATIN in flat
    assert course in flat
    assert "36" in flat


@pytest.mark.django_db
def test_qr_code_links_to_the_public_verification_page(cohort, coordinator, settings):
    settings.SITE_URL = "https://plancampus.example.org"
    certificate = issue(cohort, coordinator, "en")
    url = f"https://plancampus.example.org/verify/{certificate.verification_id}/"
    assert link_targets(pdf_bytes(certificate)) == {url}
    assert url in extract_text(pdf_bytes(certificate))


# --- No missing glyph ----------------------------------------------------------------------


@pytest.fixture
def khmer_pdf_and_control(cohort, coordinator, caplog):
    """The Khmer certificate, and the same page with every Khmer letter made undrawable."""
    certificate = issue(cohort, coordinator, "km")
    renderer = CertificateRenderer()
    html = renderer.html(certificate_context(certificate, institution_names(certificate)))
    tofu_html = KHMER.sub("\ue000", html)
    from weasyprint import HTML

    with caplog.at_level(logging.WARNING, logger="weasyprint"):
        caplog.clear()
        control = HTML(string=tofu_html, url_fetcher=renderer.url_fetcher).write_pdf(
            stylesheets=[renderer.stylesheet], font_config=renderer.font_config
        )
        control_log = [r.getMessage() for r in caplog.records if ".notdef" in r.getMessage()]
    return pdf_bytes(certificate), control, control_log


@pytest.mark.django_db
def test_every_glyph_drawn_exists_in_an_embedded_font(khmer_pdf_and_control):
    data, control, control_log = khmer_pdf_and_control
    assert glyph_problems(data) == []
    reader = pypdf.PdfReader(io.BytesIO(data))
    fonts = reader.pages[0]["/Resources"]["/Font"].values()
    used = {str(font.get_object()["/BaseFont"]) for font in fonts}
    assert all("Noto-Sans-Khmer" in name for name in used), used
    # The positive control: the checks do see missing glyphs.
    assert control_log, "WeasyPrint reports the undrawable characters"
    assert any("is missing" in problem for problem in glyph_problems(control))


@needs_pdftoppm
@pytest.mark.django_db
def test_page_image_has_no_missing_glyph_boxes(khmer_pdf_and_control, tmp_path):
    data, control, _log = khmer_pdf_and_control
    page = page_image(data)
    control_page = page_image(control)
    Image.fromarray(page).save(tmp_path / "certificate-km.png")  # to look at when it fails

    control_boxes = hollow_boxes(control_page)
    assert len(control_boxes) >= 10, "the detector finds the boxes of the control page"
    assert hollow_boxes(page) == []
    # And the Khmer text is drawn: where the control has boxes, the certificate has ink.
    for left, top, _width, height in control_boxes:
        band = page[top : top + height, :]
        assert (band < 128).any(), f"no ink on the row of the box at {left},{top}"
