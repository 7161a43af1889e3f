"""Pagination of long directory lists."""

from __future__ import annotations

from django.core.paginator import Page, Paginator


class KeysFirstPaginator(Paginator):
    """Reads a page in two short queries: the page's primary keys, in order, then its rows.

    The first query selects only the key, so the database can sort from an index without
    reading every full row (with its joined organisation and area); the second fetches the
    page's rows by key. On SQLite, at 50,000 people, the one-query page took 50-80 ms because
    its planner sorted every joined row; the two queries take about 2 ms
    (benchmarks/bench_directory.py). Needs a QuerySet, ordered.
    """

    def page(self, number: int | str) -> Page:
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        top = bottom + self.per_page
        if top + self.orphans >= self.count:
            top = self.count
        keys = list(self.object_list.values_list("pk", flat=True)[bottom:top])
        rows = self.object_list.order_by().in_bulk(keys)
        return self._get_page([rows[key] for key in keys if key in rows], number, self)
