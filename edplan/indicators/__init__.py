"""UIS education indicators: declarations, vectorised formulas and results.

>>> from edplan.indicators import INDICATORS
>>> INDICATORS["gross_enrolment_ratio"].unit
'%'
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

from ..dataset import Dataset
from ..years import SchoolYear
from .formulas import Block, Context, parity_indices
from .registry import INDICATORS, Indicator
from .results import IndicatorResults, IndicatorValue, _Entry

__all__ = [
    "INDICATORS",
    "Block",
    "Indicator",
    "IndicatorResults",
    "IndicatorValue",
    "compute_indicators",
]


def compute_indicators(
    dataset: Dataset,
    *,
    year: SchoolYear | str | Iterable[SchoolYear | str] | None = None,
    areas: Iterable[str] | None = None,
    indicators: Iterable[str] | None = None,
    include_total: bool = True,
    groups: Mapping[str, Sequence[str]] | None = None,
) -> IndicatorResults:
    """Compute indicators by area, year, level or grade, and sex.

    *year* selects one year or several (default: every year of the data; flow
    indicators of a year need the following year too).  *areas* selects areas; the code
    ``all`` stands for the sum of every area, which is also added by default when the
    data has several areas (``include_total``).  *indicators* restricts the computation
    to some ids (parity indices are computed for the sex-disaggregated ones selected).
    *groups* adds higher areas, each the sum of the listed areas (districts into
    provinces, for example): ``{"01": ["0101", "0102"]}``.

    Higher areas are computed on summed counts: their rates are ratios of summed
    numerators and denominators.
    """
    if groups:
        dataset = dataset.aggregate(groups, keep=True)
    wanted_areas = list(areas) if areas is not None else None
    needs_total = (wanted_areas is None and include_total and len(dataset.areas) > 1) or (
        wanted_areas is not None and "all" in wanted_areas and "all" not in dataset.areas
    )
    ds = dataset.aggregate({"all": list(dataset.areas)}, keep=True) if needs_total else dataset
    area_indices = (
        [ds.area_index(a) for a in wanted_areas]
        if wanted_areas is not None
        else list(range(len(ds.areas)))
    )
    if year is None:
        year_indices = list(range(len(ds.years)))
    else:
        years = [year] if isinstance(year, SchoolYear | str) else list(year)
        year_indices = [ds.year_index(y) for y in years]

    ids = list(indicators) if indicators is not None else list(INDICATORS)
    unknown = [i for i in ids if i not in INDICATORS]
    if unknown:
        raise KeyError(f"unknown indicator(s): {', '.join(unknown)}")
    ctx = Context(ds)
    entries: list[_Entry] = []
    parity: list[tuple[str, Block]] = []
    for ind_id in ids:
        decl = INDICATORS[ind_id]
        if decl.parity or decl.compute is None:
            continue
        for block in decl.compute(ctx):
            entries.append(_Entry(ind_id, None, block, decl.by_sex))
            if decl.has_parity_indices:
                parity.append((ind_id, block))
    gpi_entries, agpi_entries = [], []
    for of, block in parity:
        gpi, agpi = parity_indices(block.value)
        gpi_entries.append(_Entry("gender_parity_index", of, Block(block.kind, gpi), False))
        agpi_entries.append(
            _Entry("adjusted_gender_parity_index", of, Block(block.kind, agpi), False)
        )
    entries.extend(gpi_entries)
    entries.extend(agpi_entries)
    return IndicatorResults(ds, entries, year_indices, area_indices)
