"""The PDF of a certificate: a small HTML document per certificate, drawn by WeasyPrint.

Speed matters (a cohort of 250 in well under a minute), so one :class:`CertificateRenderer`
is made per batch: it loads the fonts and parses the stylesheet once, and each certificate
is then only its own short HTML page.

Fonts come from the ``fontpkg-noto-sans-khmer`` and ``fontpkg-noto-sans-arabic`` packages
and are declared with ``@font-face`` (nothing is shipped in the repository, nothing depends
on the fonts installed on the machine). Noto Sans Khmer also holds Noto Sans' Latin letters
with French accents, so one family sets the whole page and Khmer is shaped by HarfBuzz.
WeasyPrint may read only those two font files: every other URL is refused.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from functools import cache
from pathlib import Path
from typing import Any

import segno
from django.conf import settings
from django.template.loader import render_to_string
from django.utils import formats, translation
from django.utils.safestring import mark_safe
from weasyprint import CSS, HTML
from weasyprint.text.fonts import FontConfiguration
from weasyprint.urls import URLFetcher

from ..models import Certificate
from .credentials import hours_label

WEIGHTS = (400, 700)


@cache
def font_files() -> dict[str, Path]:
    """The variable TrueType files of the Noto families the certificates use."""
    import fontpkg_noto_sans_arabic
    import fontpkg_noto_sans_khmer

    found = {}
    for package in (fontpkg_noto_sans_khmer, fontpkg_noto_sans_arabic):
        files = sorted((Path(package.ROOT) / "files").glob("*.ttf"))
        if not files:
            raise RuntimeError(f"{package.FAMILY}: no font file in {package.ROOT}/files")
        found[package.FAMILY] = files[0]
    return found


def _cache_dir() -> Path:
    configured = getattr(settings, "VAR_DIR", None)
    base = Path(configured) if configured else Path(tempfile.gettempdir())
    return base / "cache" / "fonts"


def static_instance(source: Path, weight: int) -> Path:
    """A static instance of a variable font at ``weight``, made once and kept on disk.

    WeasyPrint would otherwise instantiate the variable font for every PDF it writes (about
    0.3 s each time); from a static file it only subsets the glyphs it uses.
    """
    from fontTools.ttLib import TTFont
    from fontTools.varLib import instancer

    digest = hashlib.sha256(source.read_bytes()).hexdigest()[:16]
    target = _cache_dir() / f"{source.stem.split('[')[0]}-{weight}-{digest}.ttf"
    if target.exists():
        return target
    target.parent.mkdir(parents=True, exist_ok=True)
    font = TTFont(source)
    axes = {axis.axisTag: axis for axis in font["fvar"].axes} if "fvar" in font else {}
    if axes:
        location = {"wght": float(weight)} if "wght" in axes else {}
        if "wdth" in axes:
            location["wdth"] = 100.0
        font = instancer.instantiateVariableFont(font, location, updateFontNames=True)
    # Write beside, then rename: another worker may be making the same file.
    with tempfile.NamedTemporaryFile(dir=target.parent, suffix=".tmp", delete=False) as handle:
        font.save(handle)
    os.replace(handle.name, target)
    return target


@cache
def font_faces() -> tuple[tuple[str, int, Path], ...]:
    """(family, weight, static file) of every face the certificate stylesheet declares."""
    return tuple(
        (family, weight, static_instance(path, weight))
        for family, path in font_files().items()
        for weight in WEIGHTS
    )


class _FontsOnly(URLFetcher):
    """Lets WeasyPrint read the font files and nothing else (no network, no other file)."""

    def __init__(self, allowed: set[str]) -> None:
        super().__init__(allowed_protocols={"file"})
        self._allowed = allowed

    def fetch(self, url: str, headers: Any = None) -> Any:
        if url not in self._allowed:
            raise ValueError(f"certificate PDFs load no resource but their fonts: {url}")
        return super().fetch(url, headers)


def qr_svg(url: str) -> str:
    """The QR code of ``url`` as inline SVG (medium error correction survives a crease)."""
    return segno.make(url, error="m", micro=False).svg_inline(
        scale=3, border=2, dark="#111", omitsize=True
    )


def _date(value: object, language: str) -> str:
    with translation.override(language):
        return formats.date_format(value, "j F Y")


class CertificateRenderer:
    """Renders certificates to PDF bytes, sharing fonts and stylesheet across calls."""

    def __init__(self) -> None:
        faces = [
            {"family": family, "weight": weight, "url": path.as_uri()}
            for family, weight, path in font_faces()
        ]
        self.font_config = FontConfiguration()
        self.url_fetcher = _FontsOnly({face["url"] for face in faces})
        stylesheet = render_to_string("training/pdf/certificate.css", {"faces": faces})
        self.stylesheet = CSS(
            string=stylesheet, font_config=self.font_config, url_fetcher=self.url_fetcher
        )

    def html(self, context: dict[str, str]) -> str:
        """The HTML page of a :func:`certificate_context`, in the certificate's language."""
        language = context["language"]
        url = context["verification_url"]
        values = {**context, "qr_svg": mark_safe(qr_svg(url))}  # noqa: S308 - segno's SVG
        with translation.override(language):
            return render_to_string("training/pdf/certificate.html", values)

    def render_context(self, context: dict[str, str]) -> bytes:
        document = HTML(string=self.html(context), url_fetcher=self.url_fetcher)
        return document.write_pdf(stylesheets=[self.stylesheet], font_config=self.font_config)

    def render(self, certificate: Certificate, *, institution_names: dict[str, str]) -> bytes:
        return self.render_context(certificate_context(certificate, institution_names))


def certificate_context(
    certificate: Certificate, institution_names: dict[str, str]
) -> dict[str, str]:
    """What the certificate page shows, as plain strings (so that another process can draw
    it without the database)."""
    language = certificate.language
    holder = certificate.display_holder(language)
    return {
        "language": language,
        "number": certificate.number,
        "course_title": certificate.course_title,
        "institution_name": institution_names.get(language) or institution_names["en"],
        "institution_other_name": (
            institution_names.get("km", "") if language != "km" else institution_names["en"]
        ),
        "holder": holder,
        "holder_other": certificate.holder_name if holder != certificate.holder_name else "",
        "hours": hours_label(certificate.hours),
        "start": _date(certificate.start_date, language),
        "end": _date(certificate.end_date, language),
        "issued_on": _date(certificate.issued_at.date(), language),
        "verification_url": certificate.verification_url(),
    }


def institution_names(certificate: Certificate) -> dict[str, str]:
    institution = certificate.institution
    return {
        "en": institution.name_en,
        "fr": institution.name_fr or institution.name_en,
        "km": institution.name_km or institution.name_en,
    }
