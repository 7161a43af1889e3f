"""Analysis of a campaign: the submitted answers loaded once into numpy, then summarised.

Loading is a fixed number of queries whatever the number of respondents (competencies,
respondents, answers, requirements, roles, organisations, provinces); the answers arrive as
one result set of (respondent, competency, importance, current, desired) rows and become
respondents × competencies matrices. Everything else is numpy (``plancampus.needs.metrics``).
The result is cached, keyed on the campaign's ``answers_changed_at``, so that the pages of one
analysis (ranking, people, charts) share one computation until an answer changes.

Only submitted questionnaires count; drafts are left out of every figure.

Organisational and institutional items. In a campaign with designated respondents (the
default) only the ratings of each organisation's designated respondents count: the ratings of
a panel (several designated people of one organisation) are averaged first, so that each
organisation counts once, and the campaign's figure is the mean over the organisations rated
(``n`` is then a number of organisations). Campaigns answered before designation existed keep
the mean over every respondent.
"""

from __future__ import annotations

import datetime as dt
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property

import numpy as np
import numpy.typing as npt
from django.core.cache import cache
from django.db import connection
from django.db.models import CharField, F, StringAgg, Value
from django.db.models.functions import Cast, Coalesce
from django.utils import timezone

from plancampus.core.models import Area, Organisation

from .. import metrics
from ..metrics import FloatArray, IntArray
from ..models import (
    Answer,
    Campaign,
    CapacityLevel,
    Competency,
    Domain,
    Respondent,
    RespondentStatus,
    RoleProfile,
    RoleRequirement,
)

CACHE_SECONDS = 3600
STALE_SECONDS = 10
CACHE_VERSION = 3


@dataclass
class CampaignData:
    """The submitted answers of a campaign as matrices (rows: respondents, columns: items)."""

    campaign_id: int
    scale_min: int
    scale_max: int
    proficient_level: int
    scale_labels: dict[str, dict[str, str]]
    competencies: list[Competency]
    domains: list[Domain]
    roles: list[RoleProfile]
    organisations: list[Organisation]
    provinces: list[Area]
    respondent_ids: IntArray
    person_ids: IntArray
    role_index: IntArray
    organisation_index: IntArray
    province_index: IntArray  # −1: no province
    importance: FloatArray
    current: FloatArray
    desired: FloatArray
    required: FloatArray  # the role's required level, NaN where the role requires nothing
    # Whose organisational ratings count: the designated respondents (or everyone, in a
    # campaign answered before designation); and whether they are averaged per organisation.
    rates_organisation: npt.NDArray[np.bool_] = field(
        default_factory=lambda: np.zeros(0, dtype=bool)
    )
    per_organisation: bool = True

    @property
    def respondent_count(self) -> int:
        return len(self.respondent_ids)

    @cached_property
    def individual(self) -> npt.NDArray[np.bool_]:
        return np.array([c.capacity_level == CapacityLevel.INDIVIDUAL for c in self.competencies])

    @cached_property
    def domain_index(self) -> IntArray:
        position = {d.pk: i for i, d in enumerate(self.domains)}
        return np.array([position[c.domain_id] for c in self.competencies], dtype=np.int64)


def _rows(queryset) -> list[tuple]:  # type: ignore[no-untyped-def]
    """Run a values_list queryset's SQL on a plain cursor: no per-row model machinery."""
    sql, params = queryset.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


# Each answer travels as one integer, and a respondent's answers as one string: 5,000 rows of
# text instead of 200,000 rows of five columns, which is what makes loading fast. Values are
# stored + 1, so that 0 means "not answered"; levels go up to 10 (two digits).
PACK_COMPETENCY = 100_000
PACK_IMPORTANCE = 10_000
PACK_CURRENT = 100


def _pack_expression():  # type: ignore[no-untyped-def]
    return (
        F("competency_id") * PACK_COMPETENCY
        + (Coalesce("importance", -1) + 1) * PACK_IMPORTANCE
        + (Coalesce("current_level", -1) + 1) * PACK_CURRENT
        + Coalesce("desired_level", -1)
        + 1
    )


def packed_answers_of(respondent_ids: list[int]) -> dict[int, str]:
    """The answers of some respondents packed as text (one aggregate query)."""
    if not respondent_ids:
        return {}
    return dict(
        Answer.objects.filter(respondent_id__in=respondent_ids)
        .order_by()
        .values("respondent_id")
        .annotate(packed=StringAgg(Cast(_pack_expression(), CharField()), delimiter=Value(",")))
        .values_list("respondent_id", "packed")
    )


def respondents_pack(respondent_ids: list[int]) -> None:
    """Store the packed copy of the answers of submitted questionnaires (see the model)."""
    packed = packed_answers_of(respondent_ids)
    rows = [Respondent(pk=pk, answers_packed=packed.get(pk, "")) for pk in respondent_ids]
    Respondent.objects.bulk_update(rows, ["answers_packed"], batch_size=1000)


def _unpack(rows: list[tuple[int, str]]) -> tuple[IntArray, IntArray]:
    rows = [(pk, packed) for pk, packed in rows if packed]
    if not rows:
        return np.array([], dtype=np.int64), np.array([], dtype=np.int64)
    counts = np.array([packed.count(",") + 1 for _id, packed in rows], dtype=np.int64)
    respondent_ids = np.repeat(np.array([pk for pk, _p in rows], dtype=np.int64), counts)
    # fromstring with a separator parses the text in C (the deprecated form is the binary one).
    codes = np.fromstring(",".join(packed for _id, packed in rows), dtype=np.int64, sep=",")
    return respondent_ids, codes


def campaign_data_load(campaign: Campaign) -> CampaignData:
    framework = campaign.framework
    competencies = list(
        Competency.objects.filter(framework_id=campaign.framework_id)
        .select_related("domain")
        .order_by("domain__order", "domain__code", "order", "code")
    )
    domains: list[Domain] = []
    for competency in competencies:
        if not domains or domains[-1].pk != competency.domain_id:
            domains.append(competency.domain)
    column = {c.pk: i for i, c in enumerate(competencies)}

    respondent_rows = _rows(
        Respondent.objects.filter(campaign=campaign, status=RespondentStatus.SUBMITTED)
        .order_by("id")
        .values_list(
            "id",
            "person_id",
            "role_id",
            "organisation_id",
            "province_id",
            "answers_packed",
            "rates_organisation",
        )
    )
    ids = np.array([r[0] for r in respondent_rows], dtype=np.int64)
    person_ids = np.array([r[1] for r in respondent_rows], dtype=np.int64)
    role_ids = sorted({r[2] for r in respondent_rows})
    org_ids = sorted({r[3] for r in respondent_rows})
    province_ids = sorted({r[4] for r in respondent_rows if r[4] is not None})
    role_pos = {pk: i for i, pk in enumerate(role_ids)}
    org_pos = {pk: i for i, pk in enumerate(org_ids)}
    province_pos = {pk: i for i, pk in enumerate(province_ids)}
    role_index = np.array([role_pos[r[2]] for r in respondent_rows], dtype=np.int64)
    org_index = np.array([org_pos[r[3]] for r in respondent_rows], dtype=np.int64)
    province_index = np.array(
        [province_pos.get(r[4], -1) if r[4] is not None else -1 for r in respondent_rows],
        dtype=np.int64,
    )

    shape = (len(ids), len(competencies))
    importance = np.full(shape, np.nan)
    current = np.full(shape, np.nan)
    desired = np.full(shape, np.nan)
    if len(ids):
        packed = [(r[0], r[5]) for r in respondent_rows]
        missing = [pk for pk, text in packed if not text]
        if missing:  # submitted before the packed copy existed: aggregate their answers
            found = packed_answers_of(missing)
            packed = [(pk, text or found.get(pk, "")) for pk, text in packed]
        answer_ids, codes = _unpack(packed)
        if len(codes):
            competency_ids = codes // PACK_COMPETENCY
            lookup = np.full(int(competency_ids.max()) + 1, -1, dtype=np.int64)
            for pk, i in column.items():
                if pk < len(lookup):
                    lookup[pk] = i
            columns = lookup[competency_ids]
            rows = np.searchsorted(ids, answer_ids)
            keep = (columns >= 0) & (rows < len(ids))
            rows, columns, codes = rows[keep], columns[keep], codes[keep]
            for target, divisor, modulo in (
                (importance, PACK_IMPORTANCE, 10),
                (current, PACK_CURRENT, 100),
                (desired, 1, 100),
            ):
                values = (codes // divisor) % modulo - 1.0  # stored + 1; 0 (now −1) is empty
                target[rows, columns] = np.where(values < 0, np.nan, values)

    requirement = np.full((len(role_ids), len(competencies)), np.nan)
    for profile_id, competency_id, level in RoleRequirement.objects.filter(
        profile_id__in=role_ids
    ).values_list("profile_id", "competency_id", "required_level"):
        if competency_id in column:
            requirement[role_pos[profile_id], column[competency_id]] = level
    required = requirement[role_index] if len(ids) else np.full(shape, np.nan)

    roles_by_id = RoleProfile.objects.in_bulk(role_ids)
    orgs_by_id = Organisation.objects.in_bulk(org_ids)
    provinces_by_id = Area.objects.in_bulk(province_ids)
    return CampaignData(
        campaign_id=campaign.pk,
        scale_min=framework.scale_min,
        scale_max=framework.scale_max,
        proficient_level=framework.proficient_level,
        scale_labels=framework.scale_labels,
        competencies=competencies,
        domains=domains,
        roles=[roles_by_id[pk] for pk in role_ids],
        organisations=[orgs_by_id[pk] for pk in org_ids],
        provinces=[provinces_by_id[pk] for pk in province_ids],
        respondent_ids=ids,
        person_ids=person_ids,
        role_index=role_index,
        organisation_index=org_index,
        province_index=province_index,
        importance=importance,
        current=current,
        desired=desired,
        required=required,
        rates_organisation=np.array(
            [bool(r[6]) or not campaign.uses_designated_respondents for r in respondent_rows],
            dtype=bool,
        ),
        per_organisation=campaign.uses_designated_respondents,
    )


# --- The analysis ---------------------------------------------------------------------------


@dataclass
class Need:
    """One individual competency in the Borich ranking."""

    rank: int
    competency: Competency
    n: int
    mean_importance: float
    mean_current: float
    mean_discrepancy: float
    mwds: float
    mean_gap: float  # mean of (required − current)+ over those whose role requires it
    share_below: float  # share of those whose role requires it who are below the level
    required_n: int


@dataclass
class OrganisationalItem:
    competency: Competency
    n: int  # organisations rated (designated respondents) or respondents (everyone)
    mean_current: float
    mean_desired: float
    respondents: int = 0  # the respondents whose ratings count

    @property
    def gap(self) -> float:
        return self.mean_desired - self.mean_current


@dataclass
class GroupGap:
    """The mean gap of a group (role, organisation, province) over the required competencies."""

    label_object: object
    respondents: int
    mean_gap: float
    share_below: float
    by_competency: list[float] = field(default_factory=list)


@dataclass
class Analysis:
    data: CampaignData
    needs: list[Need]  # individual competencies, by Borich rank
    organisational: list[OrganisationalItem]
    by_role: list[GroupGap]
    by_organisation: list[GroupGap]
    by_province: list[GroupGap]
    by_domain: list[dict[str, object]]
    level_counts: IntArray  # levels × competencies (current level)
    gaps: FloatArray  # respondents × competencies
    importance_cut: float
    performance_cut: float
    key: str = ""  # the cache key it was computed for (see campaign_analysis)
    computed_at: dt.datetime | None = None

    @property
    def respondent_count(self) -> int:
        return self.data.respondent_count

    @property
    def individual_competencies(self) -> list[Competency]:
        return [
            c for c, ind in zip(self.data.competencies, self.data.individual, strict=True) if ind
        ]

    def top_needs(self, count: int = 5) -> list[Need]:
        return [n for n in self.needs if n.n][:count]

    def person_summary(self) -> tuple[IntArray, FloatArray, IntArray]:
        """Per respondent: row order by total gap (largest first), total gap, and how many
        required competencies are below the required level."""
        gaps = self.gaps[:, self.data.individual]
        total = np.where(np.isnan(gaps), 0, gaps).sum(axis=1)
        below = (np.nan_to_num(gaps, nan=0) > 0).sum(axis=1)
        order = np.argsort(-total, kind="stable")
        return order, total, below


def _f(value: float) -> float:
    return float(value) if value == value else float("nan")  # NaN stays NaN


def _group(
    gaps: FloatArray, index: IntArray, objects: list, individual: np.ndarray
) -> list[GroupGap]:
    if not objects:
        return []
    selected = gaps[:, individual]
    keep = index >= 0
    means = metrics.group_means(selected[keep], index[keep], len(objects))
    below = np.where(np.isnan(selected), np.nan, (selected > 0).astype(float))
    shares = metrics.group_means(below[keep], index[keep], len(objects))
    counts = np.bincount(index[keep], minlength=len(objects))
    result = []
    for i, obj in enumerate(objects):
        result.append(
            GroupGap(
                label_object=obj,
                respondents=int(counts[i]),
                mean_gap=_f(metrics.nan_mean(means[i])),
                share_below=_f(metrics.nan_mean(shares[i])),
                by_competency=[_f(v) for v in means[i]],
            )
        )
    return result


def organisational_ratings(
    data: CampaignData,
) -> tuple[FloatArray, FloatArray, IntArray, IntArray]:
    """The organisational ratings that count, as (rows × competencies) current and desired
    matrices, with per competency the rows rated and the respondents behind them.

    Only ratings with both a current and a desired level, of respondents whose ratings count.
    Per organisation (designated respondents): one row per organisation, a panel's ratings
    averaged. Otherwise: one row per respondent.
    """
    counted = data.rates_organisation
    if len(counted) != data.respondent_count:  # an older cached shape: everyone counts
        counted = np.ones(data.respondent_count, dtype=bool)
    # Only the rows that count and the organisational columns (a few hundred rows of a few
    # columns, not 5,000 × 40); the result keeps every column, NaN for individual ones.
    rows = np.flatnonzero(counted)
    columns = np.flatnonzero(~data.individual)
    block = np.ix_(rows, columns)
    both = ~(np.isnan(data.current[block]) | np.isnan(data.desired[block]))
    current_block = np.where(both, data.current[block], np.nan)
    desired_block = np.where(both, data.desired[block], np.nan)
    respondents = np.zeros(len(data.competencies), dtype=np.int64)
    respondents[columns] = both.sum(axis=0)
    if data.per_organisation:
        groups = len(data.organisations)
        index = data.organisation_index[rows]
        current_block = metrics.group_means(current_block, index, groups)
        desired_block = metrics.group_means(desired_block, index, groups)
    shape = (current_block.shape[0], len(data.competencies))
    current = np.full(shape, np.nan)
    desired = np.full(shape, np.nan)
    current[:, columns] = current_block
    desired[:, columns] = desired_block
    rated = (~np.isnan(current)).sum(axis=0).astype(np.int64)
    return current, desired, rated, respondents


def analyse(data: CampaignData) -> Analysis:
    individual = data.individual
    gaps = metrics.person_gaps(data.required, data.current)
    borich = metrics.borich_mwds(data.importance[:, individual], data.current[:, individual])
    ind_competencies = [c for c, ind in zip(data.competencies, individual, strict=True) if ind]
    ind_gaps = gaps[:, individual]
    mean_gap = metrics.nan_mean(ind_gaps, axis=0)
    below = np.where(np.isnan(ind_gaps), np.nan, (ind_gaps > 0).astype(float))
    share_below = metrics.nan_mean(below, axis=0)
    required_n = (~np.isnan(ind_gaps)).sum(axis=0)
    needs = []
    for rank, column in enumerate(borich.rank(), start=1):
        needs.append(
            Need(
                rank=rank,
                competency=ind_competencies[column],
                n=int(borich.n[column]),
                mean_importance=_f(borich.mean_importance[column]),
                mean_current=_f(borich.mean_ability[column]),
                mean_discrepancy=_f(borich.mean_discrepancy[column]),
                mwds=_f(borich.mwds[column]),
                mean_gap=_f(mean_gap[column]),
                share_below=_f(share_below[column]),
                required_n=int(required_n[column]),
            )
        )
    org_current, org_desired, org_rated, org_respondents = organisational_ratings(data)
    organisational = []
    for column, competency in enumerate(data.competencies):
        if individual[column]:
            continue
        organisational.append(
            OrganisationalItem(
                competency=competency,
                n=int(org_rated[column]),
                mean_current=_f(metrics.nan_mean(org_current[:, column])),
                mean_desired=_f(metrics.nan_mean(org_desired[:, column])),
                respondents=int(org_respondents[column]),
            )
        )
    by_domain = []
    domain_index = data.domain_index
    for i, domain in enumerate(data.domains):
        in_domain = domain_index == i
        ind_cols = in_domain & individual
        org_cols = in_domain & ~individual
        by_domain.append(
            {
                "domain": domain,
                "mean_gap": _f(metrics.nan_mean(gaps[:, ind_cols])) if ind_cols.any() else None,
                "mean_mwds": _f(metrics.nan_mean(borich.mwds[ind_cols[individual]]))
                if ind_cols.any()
                else None,
                "org_current": _f(metrics.nan_mean(org_current[:, org_cols]))
                if org_cols.any()
                else None,
                "org_desired": _f(metrics.nan_mean(org_desired[:, org_cols]))
                if org_cols.any()
                else None,
            }
        )
    answered = [n for n in needs if n.n]
    importance_cut = _f(np.mean([n.mean_importance for n in answered])) if answered else 0.0
    performance_cut = _f(np.mean([n.mean_current for n in answered])) if answered else 0.0
    return Analysis(
        data=data,
        needs=needs,
        organisational=organisational,
        by_role=_group(gaps, data.role_index, data.roles, individual),
        by_organisation=sorted(
            _group(gaps, data.organisation_index, data.organisations, individual),
            key=lambda g: -(g.mean_gap if g.mean_gap == g.mean_gap else -1),
        ),
        by_province=_group(gaps, data.province_index, data.provinces, individual),
        by_domain=by_domain,
        level_counts=metrics.level_counts(data.current, data.scale_min, data.scale_max),
        gaps=gaps,
        importance_cut=importance_cut,
        performance_cut=performance_cut,
    )


def analysis_key(campaign: Campaign) -> str:
    """The cache key of a campaign's analysis: it changes whenever an answer does."""
    stamp = campaign.answers_changed_at.timestamp()
    return f"needs:analysis:v{CACHE_VERSION}:{campaign.pk}:{stamp}"


_locks: dict[str, threading.Lock] = {}
_locks_guard = threading.Lock()


def cached[T](key: str, build: Callable[[], T]) -> T:
    """``build()``, cached under ``key``; concurrent requests of one process for the same key
    wait for the first one's result instead of all computing it at once."""
    value = cache.get(key)
    if value is not None:
        return value
    with _locks_guard:
        lock = _locks.setdefault(key, threading.Lock())
    with lock:
        value = cache.get(key)
        if value is None:
            value = build()
            cache.set(key, value, CACHE_SECONDS)
    with _locks_guard:
        _locks.pop(key, None)
    return value


def campaign_analysis(campaign: Campaign, *, fresh: bool = False) -> Analysis:
    """The analysis of a campaign, from the cache while no answer has changed.

    While answers keep arriving, an analysis computed less than ``STALE_SECONDS`` ago is
    served (the page says when it was computed) instead of recomputing it for every new
    answer: each process recomputes a campaign at most that often. ``fresh`` never serves a
    stale one (documents, tests).
    """
    key = analysis_key(campaign)
    value = cache.get(key)
    if value is not None:
        return value
    latest_key = f"needs:analysis-latest:v{CACHE_VERSION}:{campaign.pk}"
    if not fresh:
        latest = cache.get(latest_key)
        if latest is not None and time.monotonic() - latest[0] < STALE_SECONDS:
            return latest[1]

    def build() -> Analysis:
        result = analyse(campaign_data_load(campaign))
        result.key = key
        result.computed_at = timezone.now()
        return result

    value = cached(key, build)
    cache.set(latest_key, (time.monotonic(), value), CACHE_SECONDS)
    return value


# --- Re-assessment compared with the baseline --------------------------------------------------


@dataclass
class Movement:
    competency: Competency
    baseline_current: float
    current: float
    baseline_mwds: float
    mwds: float
    baseline_share_below: float
    share_below: float

    @property
    def change(self) -> float:
        return self.current - self.baseline_current


@dataclass
class GroupMovement:
    label_object: object
    people: int
    baseline_gap: float
    gap: float

    @property
    def change(self) -> float:
        return self.gap - self.baseline_gap


@dataclass
class Comparison:
    baseline: Analysis
    current: Analysis
    movements: list[Movement]
    by_role: list[GroupMovement]
    by_province: list[GroupMovement]
    people_in_both: int
    improved: int
    worsened: int
    person_rows: tuple[IntArray, IntArray, FloatArray]  # rows now, rows before, change


def compare(baseline: Analysis, current: Analysis) -> Comparison:
    """What moved between a baseline and a re-assessment, and for whom (people in both)."""
    before = {n.competency.pk: n for n in baseline.needs}
    movements = []
    for need in current.needs:
        old = before.get(need.competency.pk)
        if old is None:
            continue
        movements.append(
            Movement(
                competency=need.competency,
                baseline_current=old.mean_current,
                current=need.mean_current,
                baseline_mwds=old.mwds,
                mwds=need.mwds,
                baseline_share_below=old.share_below,
                share_below=need.share_below,
            )
        )
    movements.sort(key=lambda m: -(m.change if m.change == m.change else -99))
    # People in both: matched on the person; gaps over the competencies both rated.
    b_data, c_data = baseline.data, current.data
    common, b_rows, c_rows = np.intersect1d(
        b_data.person_ids, c_data.person_ids, return_indices=True
    )
    b_cols = {c.pk: i for i, c in enumerate(b_data.competencies)}
    shared = [
        (b_cols[c.pk], j)
        for j, c in enumerate(c_data.competencies)
        if c.pk in b_cols and c_data.individual[j]
    ]
    if len(common) and shared:
        bj = np.array([s[0] for s in shared])
        cj = np.array([s[1] for s in shared])
        gap_before = metrics.nan_mean(baseline.gaps[b_rows][:, bj], axis=1)
        gap_now = metrics.nan_mean(current.gaps[c_rows][:, cj], axis=1)
        change = gap_now - gap_before
    else:
        gap_before = gap_now = change = np.array([], dtype=float)

    def movement_by(index_now: IntArray, objects: list) -> list[GroupMovement]:
        result = []
        for i, obj in enumerate(objects):
            mask = index_now[c_rows] == i if len(c_rows) else np.array([], dtype=bool)
            if not mask.any():
                continue
            result.append(
                GroupMovement(
                    label_object=obj,
                    people=int(mask.sum()),
                    baseline_gap=_f(metrics.nan_mean(gap_before[mask])),
                    gap=_f(metrics.nan_mean(gap_now[mask])),
                )
            )
        return result

    valid = ~np.isnan(change)
    return Comparison(
        baseline=baseline,
        current=current,
        movements=movements,
        by_role=movement_by(c_data.role_index, c_data.roles),
        by_province=movement_by(c_data.province_index, c_data.provinces),
        people_in_both=len(common),
        improved=int((change[valid] < 0).sum()),
        worsened=int((change[valid] > 0).sum()),
        person_rows=(c_rows, b_rows, change),
    )
