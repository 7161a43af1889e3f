"""Limit/offset pagination with a total count and a maximum page size."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _
from ninja import Field, Schema

DEFAULT_LIMIT = 50
MAX_LIMIT = 200
# Far past any real directory; keeps the database's OFFSET within integer range.
MAX_OFFSET = 1_000_000


class PageParams(Schema):
    limit: int = Field(
        DEFAULT_LIMIT,
        ge=1,
        le=MAX_LIMIT,
        description=_("How many items to return (at most 200)."),
    )
    offset: int = Field(
        0, ge=0, le=MAX_OFFSET, description=_("How many items to skip from the start.")
    )


class Page(Schema):
    """One page of results; subclasses set the type of ``items``."""

    count: int = Field(..., description=_("How many items match, over all pages."))
    limit: int
    offset: int
    next_offset: int | None = Field(
        ..., description=_("The offset of the next page, or null on the last page.")
    )
    items: list[Any]


def paginate(queryset: QuerySet, params: PageParams) -> dict[str, Any]:
    """One page of ``queryset``: two queries at most (the items, then the count if needed)."""
    start, limit = params.offset, params.limit
    items = list(queryset[start : start + limit])
    # On the last page the total is known without a COUNT query.
    last_page = len(items) < limit and (items or start == 0)
    count = start + len(items) if last_page else queryset.count()
    following = start + limit
    return {
        "count": count,
        "limit": limit,
        "offset": start,
        "next_offset": following if following < count else None,
        "items": items,
    }
