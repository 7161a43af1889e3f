"""Formatting of analysis figures (NaN shown as a dash) and the JSON blocks of charts."""

from __future__ import annotations

import math

from django import template
from django.utils.formats import number_format

register = template.Library()


@register.filter
def num(value: object, digits: int = 2) -> str:
    """A figure with ``digits`` decimals; "—" when there is none (None or NaN)."""
    if value is None:
        return "—"
    number = float(value)  # type: ignore[arg-type]
    if math.isnan(number):
        return "—"
    return number_format(round(number, int(digits)), int(digits))


@register.filter
def pct(value: object) -> str:
    """A share (0–1) as a whole percentage; "—" when there is none."""
    if value is None:
        return "—"
    number = float(value)  # type: ignore[arg-type]
    if math.isnan(number):
        return "—"
    return f"{round(number * 100)} %"


@register.filter
def signed(value: object, digits: int = 2) -> str:
    if value is None or math.isnan(float(value)):  # type: ignore[arg-type]
        return "—"
    number = round(float(value), int(digits))  # type: ignore[arg-type]
    text = number_format(abs(number), int(digits))
    return ("+" if number > 0 else "−" if number < 0 else "±") + text


@register.filter
def get(mapping: dict, key: object) -> object:
    return mapping.get(key) if mapping else None
