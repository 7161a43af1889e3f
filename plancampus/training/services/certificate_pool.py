"""Drawing certificate PDFs in worker processes, to use every core of the machine.

A cohort's PDFs are independent, and WeasyPrint holds the interpreter while it draws, so a
job of many certificates hands the drawing to a small pool of processes (one per core, at
most four) and keeps the database and storage work in the job's own process. The processes
are *spawned*, not forked (the task worker or a test server may run threads), so this module
imports nothing from Django at import time: :func:`start` sets Django up in each process.
"""

from __future__ import annotations

from typing import Any

_renderer: Any = None


def start() -> None:
    """Initialiser of each pool process: Django, then one renderer for all its PDFs."""
    global _renderer
    import django

    django.setup()
    from .certificate_pdf import CertificateRenderer

    _renderer = CertificateRenderer()


def render(context: dict[str, str]) -> bytes:
    """One certificate's PDF from its :func:`~.certificate_pdf.certificate_context`."""
    return _renderer.render_context(context)
