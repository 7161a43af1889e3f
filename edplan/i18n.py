"""Marking of translatable strings.

The engine has no Django and no gettext catalogue of its own: labels are plain English
strings wrapped in :func:`N_`, a no-op marker in the style of ``gettext_noop``.  The web
layer extracts them with ``makemessages --keyword=N_`` (the marker name is configured
there) and translates them at display time with ``gettext(label)``.

>>> N_("Gross enrolment ratio")
'Gross enrolment ratio'
"""

from __future__ import annotations

__all__ = ["N_"]


def N_(message: str) -> str:
    """Mark *message* for translation and return it unchanged."""
    return message
